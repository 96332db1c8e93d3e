// The process startAllureGenerator spawns: allure-generate.mjs run from its one-file bundle
// (allure-bundle.mjs), built here first on the first start after an install or an edit.
import { pathToFileURL } from "node:url";
import { generatorBundle } from "./allure-bundle.mjs";

let bundle;
try {
  bundle = await generatorBundle();
} catch (error) {
  console.error(error.message);
  process.exit(1);
}
await import(pathToFileURL(bundle.file).href);
