// `node bin/compiled.mjs bin/<entry>.ts [args]`: runs a TypeScript entry point from plain JavaScript
// compiled ahead of the run, without a TypeScript loader in the process. `npm run audit` starts this
// way: tsx's loader costs about a second of CPU and 35 MB at every start (README, "Performance").
//
// Every .ts file of the project's code folders is compiled with esbuild (types stripped, nothing
// bundled, one .js per .ts) into node_modules/.cache/api7-ha-audit/<hash>/ (helpers/cache/
// cached-artifact.mjs), where <hash> covers the path and content of every such file, this file,
// esbuild's version and the checkout's own path: any edit compiles afresh and a stale copy is never
// run. `import.meta` is pinned to the source file, so paths built from it (the catalogue, environments/, node_modules/vitest) mean what they mean under
// tsx; hence the checkout's path in the hash: git worktrees sharing one node_modules (a symlink) must
// not run a tree whose paths point into another checkout.
//
// esbuild is imported only when a tree must be compiled: its import costs ~0.1 s of every start,
// and the cache hits on every start but the first after an edit. The hash takes esbuild's version
// from its package.json, which is what the package reports as `version`.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { cachedArtifact } from "../helpers/cache/cached-artifact.mjs";

const REPO_ROOT = resolve(import.meta.dirname, "..");
const CODE_FOLDERS = ["bin", "helpers", "specs", "environments", "bench"];

function typeScriptFiles(folder) {
  return readdirSync(folder, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts"))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

async function compiledTree(files) {
  const esbuildVersion = createRequire(import.meta.url)("esbuild/package.json").version;
  const sources = files.map((file) => ({ file, text: readFileSync(file, "utf8") }));
  const inputs = [esbuildVersion, REPO_ROOT, readFileSync(import.meta.filename), ...sources.flatMap(({ file, text }) => [relative(REPO_ROOT, file), text])];
  const { path } = await cachedArtifact({ name: "api7-ha-audit", inputs, build: (partial) => compile(sources, partial) });
  return path;
}

async function compile(sources, folder) {
  const { transformSync } = await import("esbuild");
  for (const { file, text } of sources) {
    const { code } = transformSync(text, {
      loader: "ts",
      format: "esm",
      target: "node20",
      sourcefile: file,
      define: {
        "import.meta.dirname": JSON.stringify(dirname(file)),
        "import.meta.filename": JSON.stringify(file),
        "import.meta.url": JSON.stringify(pathToFileURL(file).href),
      },
    });
    const target = join(folder, relative(REPO_ROOT, file)).replace(/\.ts$/, ".js");
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, code);
  }
  // Compiled files are ES modules wherever they sit under node_modules.
  writeFileSync(join(folder, "package.json"), '{ "type": "module" }\n');
}

const [entry, ...args] = process.argv.slice(2);
if (!entry?.endsWith(".ts")) {
  console.error("usage: node bin/compiled.mjs bin/<entry>.ts [args]");
  process.exit(3);
}
const tree = await compiledTree(CODE_FOLDERS.flatMap((folder) => typeScriptFiles(join(REPO_ROOT, folder))));
const source = resolve(REPO_ROOT, entry);
process.argv = [process.argv[0], source, ...args];
await import(pathToFileURL(join(tree, relative(REPO_ROOT, source)).replace(/\.ts$/, ".js")).href);
