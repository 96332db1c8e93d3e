// Stands in for @allurereport/core's utils/module.js in the generator bundle (allure-bundle.mjs).
// readConfig imports each configured report plugin by name, and the agent plugin it always adds, with
// a dynamic import that the bundle cannot follow: unbundled, that loaded them from node_modules again,
// file by file. The plugins the audit configures come from the bundle; any other loads as before.
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import * as agent from "@allurereport/plugin-agent";
import * as awesome from "@allurereport/plugin-awesome";

const BUNDLED_PLUGINS = new Map([
  ["@allurereport/plugin-agent", agent],
  ["@allurereport/plugin-awesome", awesome],
]);
const require = createRequire(import.meta.url);

export const importWrapper = async (path) => BUNDLED_PLUGINS.get(path) ?? import(pathToFileURL(require.resolve(path)).href);
