// The spec worker judges collected records: its module graph (the spec files and the audit project's
// setup file, followed through their static imports) must not load the network clients, nor the YAML
// parser and validator the catalogue cache spares it (README, "Performance").
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { expect, test } from "vitest";
import { specFilesFor } from "../../../helpers/run/spec-files.js";

const REPO_ROOT = resolve(import.meta.dirname, "../../..");
const SETUP_FILE = resolve(REPO_ROOT, "helpers/run/spec-warmup.ts");
/** Static value imports; `import type` is erased and loads nothing. */
const VALUE_IMPORT = /^import (?!type )[^;]*? from "([^"]+)";/gms;

function packagesLoadedFrom(entries: string[]): Map<string, string> {
  const seen = new Set<string>();
  const packages = new Map<string, string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const [, specifier] of readFileSync(file, "utf8").matchAll(VALUE_IMPORT)) {
      if (specifier!.startsWith(".")) visit(resolve(dirname(file), specifier!.replace(/\.js$/, ".ts")));
      else if (!specifier!.startsWith("node:") && !packages.has(specifier!)) packages.set(specifier!, file.slice(REPO_ROOT.length + 1));
    }
  };
  entries.forEach(visit);
  return packages;
}

test("the spec worker imports neither undici, pg, ssh2, yaml nor zod", () => {
  const packages = packagesLoadedFrom([...specFilesFor(null), SETUP_FILE]);
  const heavy = ["undici", "pg", "ssh2", "yaml", "zod"].filter((name) => packages.has(name)).map((name) => `${name} (imported by ${packages.get(name)})`);
  expect(heavy).toEqual([]);
  expect(packages.has("allure-js-commons")).toBe(true); // the walk does reach the helpers
});
