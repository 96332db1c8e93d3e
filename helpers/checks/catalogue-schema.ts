// Parses and validates specs/catalogue.yaml. The file is validated strictly (an unknown or misspelt
// key is an error naming it) so that a typo can never silently drop a field from reports, waivers or
// the traceability matrix. Loaded only when the validated catalogue is not cached (./catalogue.ts).
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { CatalogueError, LEVELS, PAGE_SECTIONS, REQUIREMENT_ID, SCOPES, SOURCE_TAGS } from "./catalogue-terms.js";

const text = z.string().trim().min(1);

const requirementSchema = z.strictObject({
  id: z.string().regex(REQUIREMENT_ID, "a requirement ID such as SEC-04"),
  source: z.array(z.enum(SOURCE_TAGS)).min(1),
  level: z.enum(LEVELS),
  scope: z.array(z.enum(SCOPES)).min(1),
  section: z.enum(PAGE_SECTIONS),
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
