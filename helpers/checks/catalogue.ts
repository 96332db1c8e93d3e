// Typed access to specs/catalogue.yaml: the page's requirements as data, read once per process when
// this module loads (a top-level await), so the accessors below stay synchronous.
//
// Parsing the YAML and validating it (./catalogue-schema.ts, yaml and zod) costs about 0.2 s of CPU
// in every process that reads the catalogue, the spec worker among them. The validated requirements
// are therefore kept as JSON in node_modules/.cache/api7-ha-audit-catalogue/<hash>.json
// (helpers/cache/cached-artifact.mjs), where <hash> covers the YAML, the validator's two source
// files and the yaml and zod versions: any edit of one of them is a different file, so a stale
// catalogue is never read. The YAML stays the only source.
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import type { Requirement } from "./catalogue-schema.js";
import { CatalogueError, type Section } from "./catalogue-terms.js";

export { CatalogueError, PAGE_SECTIONS, SECTION_TITLES, SOURCE_TAGS, type Section, type SourceTag } from "./catalogue-terms.js";
export type { CataloguePage, Requirement } from "./catalogue-schema.js";

/** Where the catalogue lives: beside this module, wherever the repository is checked out. */
export const CATALOGUE_FILE = fileURLToPath(new URL("../../specs/catalogue.yaml", import.meta.url));

// Imported by its URL from this source file: bin/compiled.mjs compiles only .ts files, and pins
// import.meta.url to the source, so a relative import of this .mjs would miss from its tree.
const CACHE_HELPER = new URL("../cache/cached-artifact.mjs", import.meta.url).href;
/** What decides the validated result besides the YAML itself. */
const VALIDATOR_SOURCES = ["./catalogue-schema.ts", "./catalogue-terms.ts"].map((path) => fileURLToPath(new URL(path, import.meta.url)));
const VALIDATOR_PACKAGES = ["yaml", "zod"];

function cacheInputs(yamlBytes: Buffer): (string | Buffer)[] {
  const require = createRequire(import.meta.url);
  return [
    yamlBytes,
    ...VALIDATOR_SOURCES.map((source) => readFileSync(source)),
    ...VALIDATOR_PACKAGES.map((name) => `${name}@${(require(`${name}/package.json`) as { version: string }).version}`),
  ];
}

async function readCatalogue(): Promise<Requirement[]> {
  const yamlBytes = readFileSync(CATALOGUE_FILE);
  const parse = async () => (await import("./catalogue-schema.js")).parseCatalogue(yamlBytes.toString("utf8"), CATALOGUE_FILE);
  let parsedNow: Requirement[] | undefined;
  let requirements: Requirement[];
  try {
    const { cachedArtifact } = (await import(CACHE_HELPER)) as typeof import("../cache/cached-artifact.mjs");
    const { path } = await cachedArtifact({
      name: "api7-ha-audit-catalogue",
      inputs: cacheInputs(yamlBytes),
      extension: ".json",
      build: async (partial) => {
        parsedNow = await parse();
        writeFileSync(partial, JSON.stringify(parsedNow));
      },
    });
    requirements = parsedNow ?? (JSON.parse(readFileSync(path, "utf8")) as Requirement[]);
  } catch {
    // An unwritable cache or an unreadable entry only costs a parse; an invalid catalogue throws here again.
    requirements = parsedNow ?? (await parse());
  }
  // Frozen: the catalogue is shared by every spec in the process.
  return Object.freeze(requirements.map((requirement) => Object.freeze(requirement))) as Requirement[];
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
