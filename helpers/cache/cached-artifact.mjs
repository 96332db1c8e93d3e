// The one cache routine for artifacts built from known inputs: the compiled tree of bin/compiled.mjs,
// the Allure generator's bundle (helpers/evidence/allure-bundle.mjs) and the validated catalogue
// (helpers/checks/catalogue.ts). Plain JavaScript, because compiled.mjs runs before anything can
// load TypeScript.
//
// - An entry is named by a hash of its inputs: any change builds a new one, a stale one is never used.
// - It is written aside and renamed into place: a concurrent or interrupted process never sees half of it.
// - Entries of earlier inputs are removed after a day: a run started from one may still be reading
//   it, and git worktrees sharing one node_modules keep entries of their own.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import { join, resolve } from "node:path";

const CACHE_ROOT = resolve(import.meta.dirname, "../../node_modules/.cache");
const A_DAY_MS = 24 * 3600 * 1000;

/** The hash that names an entry: each input (text or bytes) in order, kept apart by a NUL. */
export function inputsHash(inputs) {
  const hash = createHash("sha256");
  for (const input of inputs) hash.update("\0").update(input);
  return hash.digest("hex").slice(0, 16);
}

/**
 * The entry of `name`'s cache for `inputs`, built first with `build(partialPath)` (which writes a
 * file or a folder there) when there is none. `built` tells whether this call built it. A failed
 * build throws and leaves nothing behind.
 */
export async function cachedArtifact({ name, inputs, build, extension = "", cacheDir = join(CACHE_ROOT, name) }) {
  const path = join(cacheDir, `${inputsHash(inputs)}${extension}`);
  if (existsSync(path)) return { path, built: false };
  // Each cache has its own folder, so that each removes only its own entries.
  mkdirSync(cacheDir, { recursive: true });
  removeEntriesOlderThanADay(cacheDir);
  const partial = `${path}.${process.pid}.partial`;
  try {
    await build(partial);
    renameSync(partial, path);
    return { path, built: true };
  } catch (error) {
    // Another process built the same inputs first (a folder cannot be renamed over another).
    if (existsSync(path)) return { path, built: false };
    throw error;
  } finally {
    rmSync(partial, { recursive: true, force: true });
  }
}

function removeEntriesOlderThanADay(cacheDir) {
  const dayAgo = Date.now() - A_DAY_MS;
  for (const entry of readdirSync(cacheDir)) {
    const path = join(cacheDir, entry);
    if (statSync(path).mtimeMs < dayAgo) rmSync(path, { recursive: true, force: true });
  }
}
