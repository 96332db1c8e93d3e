// `allure generate`, started ahead of need. The audit spawns this while it collects, so that loading
// Allure's report generator (about a second of CPU) is done before the specs finish; it generates
// when the audit writes one JSON line to stdin: {"resultsDir", "configFile"}. The same modules and
// calls as the allure CLI's generate command (node_modules/allure/dist/commands/generate.js and
// commons/generate.js, which are not in the package's exports, hence the path). Plain JavaScript, so
// it needs no TypeScript loader. Exits 0 after generating, 1 on error, 0 without a line (not needed).
// It runs as one esbuild bundle (allure-bundle.mjs), which also holds the report plugin readConfig
// imports by name (allure-plugin-imports.mjs): loaded with the rest, not after the specs.
import { createInterface } from "node:readline";
import { readConfig } from "@allurereport/core";
import { generate } from "../../node_modules/allure/dist/commands/commons/generate.js";

const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  const { resultsDir, configFile } = JSON.parse(line);
  const config = await readConfig(process.cwd(), configFile, {});
  await generate({ resultsDir: [resultsDir], cwd: process.cwd(), config });
  process.exit(0);
}
