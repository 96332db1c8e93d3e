// The Allure generator (allure-generate.mjs) as one esbuild bundle: Node's module loader over the
// several hundred small files it imports cost most of its ~1.1 s of CPU at start-up (README,
// "Performance"); one file loads in about half that.
//
// Cached like bin/compiled.mjs (helpers/cache/cached-artifact.mjs):
// node_modules/.cache/api7-ha-audit-allure-generator/<hash>.mjs, where
// <hash> covers the bundle's own sources (the entry, this file, the plugin-import shim), npm's record
// of the installed tree (node_modules/.package-lock.json: every bundled package's version), esbuild's
// version and the checkout's path. esbuild is imported only when a bundle must be built.
//
// Bundled packages still read their own files at run time (`new URL("../package.json",
// import.meta.url)`, `createRequire(import.meta.url)`, `__dirname`): each module's `import.meta`,
// `__dirname` and `__filename` are pinned to its file in node_modules, as compiled.mjs pins them to
// the source file.
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { cachedArtifact, inputsHash } from "../cache/cached-artifact.mjs";

const REPO_ROOT = resolve(import.meta.dirname, "../..");
export const GENERATOR_ENTRY = join(import.meta.dirname, "allure-generate.mjs");
const PLUGIN_IMPORTS = join(import.meta.dirname, "allure-plugin-imports.mjs");
const INSTALLED_TREE = join(REPO_ROOT, "node_modules", ".package-lock.json");
// Allure's core imports report plugins by name at run time; the shim serves them from the bundle.
const CORE_PLUGIN_IMPORT = /[\\/]@allurereport[\\/]core[\\/]dist[\\/]utils[\\/]module\.js$/;

/** What a bundle is built from; a change to any of them builds a new one. */
export function bundleInputs(entry = GENERATOR_ENTRY) {
  return [entry, import.meta.filename, PLUGIN_IMPORTS, INSTALLED_TREE];
}

export function bundleHash(inputs) {
  return inputsHash(hashed(inputs));
}

/** What the hash covers: esbuild's version, the checkout's path, and each input's path and content. */
function hashed(inputs) {
  const esbuildVersion = createRequire(import.meta.url)("esbuild/package.json").version;
  return [esbuildVersion, REPO_ROOT, ...inputs.flatMap((file) => [file, readFileSync(file)])];
}

/**
 * The bundle's path, built first if this checkout and install have none. `built` tells whether this
 * call built it. A failed build throws and leaves no file behind.
 */
export async function generatorBundle({ entry = GENERATOR_ENTRY, cacheDir } = {}) {
  const { path, built } = await cachedArtifact({
    name: "api7-ha-audit-allure-generator",
    inputs: hashed(bundleInputs(entry)),
    extension: ".mjs",
    cacheDir,
    build: async (partial) => writeFileSync(partial, await buildBundle(entry)),
  });
  return { file: path, built };
}

async function buildBundle(entry) {
  const esbuild = await import("esbuild");
  try {
    const { outputFiles } = await esbuild.build({
      entryPoints: [entry],
      bundle: true,
      write: false,
      platform: "node",
      format: "esm",
      target: "node20",
      logLevel: "silent",
      // CommonJS packages inside an ES module bundle call `require` for Node's built-ins.
      banner: { js: 'import { createRequire as __bundleRequire } from "node:module"; const require = __bundleRequire(import.meta.url);' },
      plugins: [pinModuleLocations(esbuild)],
    });
    return outputFiles[0].contents;
  } catch (error) {
    throw new Error(`the Allure generator bundle could not be built from ${entry}: ${error.message}`, { cause: error });
  } finally {
    // esbuild's service process would otherwise idle beside the generator until the report is asked for.
    await esbuild.stop();
  }
}

/** esbuild plugin: each module's own location as literals, and core's plugin import replaced by the shim. */
function pinModuleLocations(esbuild) {
  return {
    name: "pin-module-locations",
    setup(build) {
      build.onLoad({ filter: /\.[cm]?js$/ }, async ({ path }) => {
        const source = CORE_PLUGIN_IMPORT.test(path) ? PLUGIN_IMPORTS : path;
        const text = readFileSync(source, "utf8");
        // Imports resolve from the folder of the file read: the shim's own, for core's module.js.
        const resolveDir = dirname(source);
        if (!/import\.meta|__dirname|__filename/.test(text)) return { contents: text, loader: "js", resolveDir };
        const { code } = await esbuild.transform(text, {
          loader: "js",
          sourcefile: source,
          define: {
            "import.meta.url": JSON.stringify(pathToFileURL(source).href),
            "import.meta.dirname": JSON.stringify(dirname(source)),
            "import.meta.filename": JSON.stringify(source),
            __dirname: JSON.stringify(dirname(source)),
            __filename: JSON.stringify(source),
          },
        });
        return { contents: code, loader: "js", resolveDir };
      });
    },
  };
}
