// Which spec files a run starts: one per section of the page (`specs/<section>.spec.ts`), and with
// --only just the sections holding a selected requirement (vitest fails a file that registers no
// test). The catalogue says which section each requirement belongs to.
import { join, resolve } from "node:path";
import { loadCatalogue, PAGE_SECTIONS, type Section } from "../checks/catalogue.js";
import { selectsRequirement } from "./selection.js";

export const SPECS_DIR = resolve(import.meta.dirname, "../../specs");

export const specFileOf = (section: Section) => join(SPECS_DIR, `${section}.spec.ts`);

/** Spec files with at least one selected requirement (all of them without a selection). */
export function specFilesFor(only: readonly string[] | null): string[] {
  const selected = new Set(loadCatalogue().filter((requirement) => selectsRequirement(only, requirement.id)).map((requirement) => requirement.section));
  return PAGE_SECTIONS.filter((section) => selected.has(section)).map(specFileOf);
}
