// Which spec file asserts which requirement IDs, read from their `ids: [...]` lists. Lets a run with
// --only start just the spec files it needs (vitest fails a file that registers no test).
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { selectsRequirement } from "./selection.js";

export const SPECS_DIR = resolve(import.meta.dirname, "../../specs");

export function specFileIds(specsDir = SPECS_DIR): Map<string, string[]> {
  const byFile = new Map<string, string[]>();
  for (const file of readdirSync(specsDir).filter((f) => f.endsWith(".spec.ts")).sort()) {
    const text = readFileSync(join(specsDir, file), "utf8");
    const ids = [...text.matchAll(/ids:\s*\[([^\]]*)\]/g)].flatMap((m) => [...m[1]!.matchAll(/"([A-Z]+(?:-[A-Z]+)?-\d{2})"/g)].map((x) => x[1]!));
    byFile.set(join(specsDir, file), ids);
  }
  return byFile;
}

/** Spec files with at least one selected requirement (all of them without a selection). */
export function specFilesFor(only: readonly string[] | null, specsDir = SPECS_DIR): string[] {
  return [...specFileIds(specsDir)].filter(([, ids]) => ids.some((id) => selectsRequirement(only, id))).map(([file]) => file);
}
