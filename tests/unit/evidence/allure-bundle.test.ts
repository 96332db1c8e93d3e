// The Allure generator's bundle: built once per set of inputs, never half-written. That the bundled
// generator renders the report is allure-extras.test.ts (generateAllureReport spawns it).
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundleHash, bundleInputs, GENERATOR_ENTRY, generatorBundle } from "../../../helpers/evidence/allure-bundle.mjs";

const REPO_ROOT = resolve(import.meta.dirname, "../../..");
let work: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "allure-bundle-"));
});

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe("generatorBundle", () => {
  it("builds the bundle once, then finds it in the cache", async () => {
    const cacheDir = join(work, "cache");
    const first = await generatorBundle({ cacheDir });
    expect(first.built).toBe(true);
    const { mtimeMs, size } = await stat(first.file);
    expect(size).toBeGreaterThan(1_000_000);
    // Core's module loader was replaced by the shim (the path regex of allure-bundle.mjs matched).
    expect(await readFile(first.file, "utf8")).toContain("BUNDLED_PLUGINS");

    const second = await generatorBundle({ cacheDir });
    expect(second).toEqual({ file: first.file, built: false });
    expect((await stat(second.file)).mtimeMs).toBe(mtimeMs);
    expect(await readdir(cacheDir)).toEqual([first.file.slice(cacheDir.length + 1)]);
  }, 60_000);

  it("fails with the build's error and leaves no file when the entry cannot be bundled", async () => {
    const cacheDir = join(work, "failed-cache");
    const entry = join(work, "broken-entry.mjs");
    await writeFile(entry, 'import "no-such-package-for-the-bundle";\n');
    await expect(generatorBundle({ entry, cacheDir })).rejects.toThrow(/bundle could not be built from .*broken-entry\.mjs:[^]*no-such-package-for-the-bundle/);
    expect(await readdir(cacheDir).catch(() => [])).toEqual([]);
  }, 60_000);
});

it("the plugin-import shim exports what Allure core's module loader exports, which it replaces", async () => {
  const exportsOf = async (file: string) => Object.keys(await import(pathToFileURL(file).href)).sort();
  const coreLoader = join(REPO_ROOT, "node_modules/@allurereport/core/dist/utils/module.js");
  expect(await exportsOf(join(REPO_ROOT, "helpers/evidence/allure-plugin-imports.mjs"))).toEqual(await exportsOf(coreLoader));
});

describe("bundleHash", () => {
  it("changes when any input changes", async () => {
    const inputs = ["a.mjs", "b.json"].map((name) => join(work, name));
    await writeFile(inputs[0]!, "export const a = 1;\n");
    await writeFile(inputs[1]!, '{ "version": "3.18.0" }\n');
    const before = bundleHash(inputs);
    expect(bundleHash(inputs)).toBe(before);
    await writeFile(inputs[1]!, '{ "version": "3.18.1" }\n');
    expect(bundleHash(inputs)).not.toBe(before);
    await writeFile(inputs[1]!, '{ "version": "3.18.0" }\n');
    await writeFile(inputs[0]!, "export const a = 2;\n");
    expect(bundleHash(inputs)).not.toBe(before);
  });

  it("covers the entry, the bundler and its shim, and the installed packages' versions", () => {
    expect(bundleInputs()).toEqual([
      GENERATOR_ENTRY,
      join(REPO_ROOT, "helpers/evidence/allure-bundle.mjs"),
      join(REPO_ROOT, "helpers/evidence/allure-plugin-imports.mjs"),
      join(REPO_ROOT, "node_modules/.package-lock.json"),
    ]);
    expect(bundleInputs("other.mjs")[0]).toBe("other.mjs");
  });
});
