// Typed access to specs/catalogue.yaml: the page's requirements as data, read once per process when
// this module loads (a top-level await), so the accessors below stay synchronous.
//
// Parsing the YAML and validating it (./catalogue-schema.ts, yaml and zod) costs about 0.2 s of CPU
// in every process that reads the catalogue, the spec worker among them. The validated requirements
// are therefore kept as JSON in node_modules/.cache/api7-ha-audit-catalogue/<hash>.json, where <hash>
// covers the YAML, the validator's two source files and the yaml and zod versions: any edit of one
// of them is a different file, so a stale catalogue is never read. The YAML stays the only source.
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Requirement } from "./catalogue-schema.js";
import { CatalogueError, type Section } from "./catalogue-terms.js";

export { CatalogueError, PAGE_SECTIONS, SECTION_TITLES, SECTIONS, SOURCE_TAGS, type Section, type SourceTag } from "./catalogue-terms.js";
export type { CataloguePage, Requirement } from "./catalogue-schema.js";

/** Where the catalogue lives: beside this module, wherever the repository is checked out. */
export const CATALOGUE_FILE = fileURLToPath(new URL("../../specs/catalogue.yaml", import.meta.url));

const CACHE_DIR = fileURLToPath(new URL("../../node_modules/.cache/api7-ha-audit-catalogue/", import.meta.url));
/** What decides the validated result besides the YAML itself. */
const VALIDATOR_SOURCES = ["./catalogue-schema.ts", "./catalogue-terms.ts"].map((path) => fileURLToPath(new URL(path, import.meta.url)));
const VALIDATOR_PACKAGES = ["yaml", "zod"];

function cacheFileFor(yamlBytes: Buffer): string {
  const hash = createHash("sha256").update(yamlBytes);
  for (const source of VALIDATOR_SOURCES) hash.update("\0").update(readFileSync(source));
  const require = createRequire(import.meta.url);
  for (const name of VALIDATOR_PACKAGES) hash.update(`\0${name}@${(require(`${name}/package.json`) as { version: string }).version}`);
  return join(CACHE_DIR, `${hash.digest("hex").slice(0, 32)}.json`);
}

async function readCatalogue(): Promise<Requirement[]> {
  const yamlBytes = readFileSync(CATALOGUE_FILE);
  const cacheFile = cacheFileFor(yamlBytes);
  let requirements: Requirement[];
  try {
    requirements = JSON.parse(readFileSync(cacheFile, "utf8")) as Requirement[];
  } catch {
    const { parseCatalogue } = await import("./catalogue-schema.js");
    requirements = parseCatalogue(yamlBytes.toString("utf8"), CATALOGUE_FILE);
    keep(cacheFile, requirements);
  }
  // Frozen: the catalogue is shared by every spec in the process.
  return Object.freeze(requirements.map((requirement) => Object.freeze(requirement))) as Requirement[];
}

/** Written aside and renamed into place, so a concurrent reader never sees half a file. */
function keep(cacheFile: string, requirements: Requirement[]): void {
  const partial = `${cacheFile}.${process.pid}.partial`;
  try {
    mkdirSync(CACHE_DIR, { recursive: true });
    removeEntriesOlderThanADay();
    writeFileSync(partial, JSON.stringify(requirements));
    renameSync(partial, cacheFile);
  } catch {
    // An unwritable cache only costs the next process the parse again.
    rmSync(partial, { force: true });
  }
}

/** Entries of earlier catalogues; a day's grace for a run of another checkout sharing node_modules. */
function removeEntriesOlderThanADay(): void {
  const dayAgo = Date.now() - 24 * 3600 * 1000;
  for (const name of readdirSync(CACHE_DIR)) {
    const path = join(CACHE_DIR, name);
    if (statSync(path).mtimeMs < dayAgo) rmSync(path, { force: true });
  }
}

const requirements = await readCatalogue();
const byId = new Map(requirements.map((requirement) => [requirement.id, requirement]));

/** The requirements a section's spec file asserts, in catalogue order. */
export function requirementsOf(section: Section): Requirement[] {
  return requirements.filter((requirement) => requirement.section === section);
}

/** All requirements, in catalogue order. Read and validated once per process. */
export function loadCatalogue(): Requirement[] {
  return requirements;
}

/** The requirement with this ID; throws for an unknown ID (a typo in a spec must not pass quietly). */
export function requirementById(id: string): Requirement {
  const requirement = byId.get(id);
  if (!requirement) throw new CatalogueError(`unknown requirement ID "${id}" (not in specs/catalogue.yaml)`);
  return requirement;
}
