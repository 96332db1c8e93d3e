// Typed access to specs/catalogue.yaml: the page's requirements as data. The file is validated
// strictly (an unknown or misspelt key is an error naming it) so that a typo can never silently
// drop a field from reports, waivers or the traceability matrix.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import type { Level, Scope } from "../model.js";

/** Scopes of helpers/model.ts; the type assertions below keep the two lists identical. */
const SCOPES = [
  "all-hosts",
  "cp-hosts",
  "dp-hosts",
  "database",
  "prometheus",
  "cp-pair",
  "dp-pair",
] as const satisfies readonly Scope[];
type MissingScope = Exclude<Scope, (typeof SCOPES)[number]>;
const everyScopeListed: MissingScope extends never ? true : never = true;
void everyScopeListed;

const LEVELS = ["MUST", "SHOULD", "INFO"] as const satisfies readonly Level[];

/**
 * The sections of the page, in its order: one spec file (`specs/<section>.spec.ts`) and one check
 * module (`specs/checks/<section>.ts`) each, with the heading reports file them under.
 */
export const SECTION_TITLES = {
  topology: "Prepare hosts: topology",
  hardware: "Minimum hardware",
  software: "Minimum software",
  security: "Security settings: SELinux and firewall",
  ports: "Security settings: exposed and closed ports",
  database: "Database",
  monitoring: "Monitoring (optional Prometheus)",
  failover: "High availability: failover of each pair",
} as const;
export type Section = keyof typeof SECTION_TITLES;
export const SECTIONS = Object.keys(SECTION_TITLES) as [Section, ...Section[]];

/** The page's sentence tags ([Sx.y] of the English rendering); a tag outside this list is a typo. */
export const SOURCE_TAGS = [
  "S1.1",
  "S2.1", "S2.2", "S2.3", "S2.4",
  "S3.1", "S3.2", "S3.3", "S3.4", "S3.5",
  "S4.1", "S4.2", "S4.3",
  "S5.1", "S5.2", "S5.3",
] as const;
export type SourceTag = (typeof SOURCE_TAGS)[number];

/** Same pattern as waiver requirement IDs in helpers/environment/schema.ts. */
const REQUIREMENT_ID = /^[A-Z]+(-[A-Z]+)?-\d{2}$/;

const text = z.string().trim().min(1);

const requirementSchema = z.strictObject({
  id: z.string().regex(REQUIREMENT_ID, "a requirement ID such as SEC-04"),
  source: z.array(z.enum(SOURCE_TAGS)).min(1),
  level: z.enum(LEVELS),
  scope: z.array(z.enum(SCOPES)).min(1),
  section: z.enum(SECTIONS),
  title: text,
  check: text,
  evidence: text,
  remediation: text,
  sentence: z.strictObject({ zh: text, en: text }),
  destructive: z.boolean().default(false),
});

const catalogueSchema = z
  .strictObject({
    page: z.strictObject({ title: text, slug: text, language: text }),
    requirements: z.array(requirementSchema).min(1),
  })
  .superRefine((catalogue, issues) => {
    const seen = new Set<string>();
    catalogue.requirements.forEach((requirement, index) => {
      if (seen.has(requirement.id)) {
        issues.addIssue({
          code: "custom",
          path: ["requirements", index, "id"],
          message: `duplicate requirement ID ${requirement.id}`,
        });
      }
      seen.add(requirement.id);
      if (new Set(requirement.scope).size !== requirement.scope.length) {
        issues.addIssue({ code: "custom", path: ["requirements", index, "scope"], message: "scope lists an entry twice" });
      }
    });
  });

export type Requirement = z.output<typeof requirementSchema>;
export type CataloguePage = z.output<typeof catalogueSchema>["page"];

export class CatalogueError extends Error {
  override name = "CatalogueError";
}

/** Where the catalogue lives: beside this module, wherever the repository is checked out. */
export const CATALOGUE_FILE = fileURLToPath(new URL("../../specs/catalogue.yaml", import.meta.url));

/** "requirements[3] (HW-01).sentence" instead of a bare index path. */
function describePath(path: readonly PropertyKey[], raw: unknown): string {
  const parts: string[] = [];
  for (const [position, key] of path.entries()) {
    if (typeof key === "number") {
      parts.push(`[${key}]`);
      const id = position === 1 && path[0] === "requirements" ? idAt(raw, key) : undefined;
      if (id) parts.push(` (${id})`);
    } else {
      parts.push(parts.length === 0 ? String(key) : `.${String(key)}`);
    }
  }
  return parts.join("") || "(top level)";
}

function idAt(raw: unknown, index: number): string | undefined {
  if (typeof raw !== "object" || raw === null) return undefined;
  const list = (raw as { requirements?: unknown }).requirements;
  if (!Array.isArray(list)) return undefined;
  const entry: unknown = list[index];
  if (typeof entry !== "object" || entry === null) return undefined;
  const id = (entry as { id?: unknown }).id;
  return typeof id === "string" ? id : undefined;
}

/**
 * Parses and validates catalogue YAML text. Exported for tests and tools; `origin` names the
 * text in error messages.
 */
export function parseCatalogue(yamlText: string, origin = "catalogue.yaml"): Requirement[] {
  let raw: unknown;
  try {
    raw = parseYaml(yamlText);
  } catch (error) {
    throw new CatalogueError(`${origin}: not valid YAML: ${(error as Error).message}`);
  }
  const result = catalogueSchema.safeParse(raw);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => `  ${describePath(issue.path, raw)}: ${issue.message}`);
    throw new CatalogueError(`${origin} is invalid:\n${lines.join("\n")}`);
  }
  // Frozen: the cached catalogue is shared by every spec in the process.
  return Object.freeze(result.data.requirements.map((requirement) => Object.freeze(requirement))) as Requirement[];
}

let cached: { requirements: Requirement[]; byId: Map<string, Requirement> } | undefined;

/** The requirements a section's spec file asserts, in catalogue order. */
export function requirementsOf(section: Section): Requirement[] {
  return loadCatalogue().filter((requirement) => requirement.section === section);
}

/** All requirements, in catalogue order. Read and validated once per process. */
export function loadCatalogue(): Requirement[] {
  if (!cached) {
    const requirements = parseCatalogue(readFileSync(CATALOGUE_FILE, "utf8"), CATALOGUE_FILE);
    cached = { requirements, byId: new Map(requirements.map((requirement) => [requirement.id, requirement])) };
  }
  return cached.requirements;
}

/** The requirement with this ID; throws for an unknown ID (a typo in a spec must not pass quietly). */
export function requirementById(id: string): Requirement {
  loadCatalogue();
  const requirement = cached?.byId.get(id);
  if (!requirement) throw new CatalogueError(`unknown requirement ID "${id}" (not in specs/catalogue.yaml)`);
  return requirement;
}
