// The scaffold of a new requirement (`npm run new-requirement -- <ID> <section>`): the catalogue
// entry and the check, as stubs that cannot pass. The entry's texts are empty, so the catalogue
// refuses to load and names each key to fill in; the check reads nothing and is broken, so the
// checklist test (tests/unit/adding-a-requirement.test.ts) names the next step. Pure: text in,
// text out; bin/new-requirement.ts reads and writes the files.
import { PAGE_SECTIONS, REQUIREMENT_ID, type Section } from "./catalogue-terms.js";

export class ScaffoldError extends Error {
  override name = "ScaffoldError";
}

/** Checked before anything is read or written: the ID's shape, that it is new, and the section. */
export function validateNewRequirement(id: string, section: string, existingIds: readonly string[]): Section {
  if (!REQUIREMENT_ID.test(id)) throw new ScaffoldError(`"${id}" is not a requirement ID: use the catalogue's form, such as SEC-06 or HA-DP-03`);
  if (existingIds.includes(id)) throw new ScaffoldError(`specs/catalogue.yaml already has ${id}: IDs are a contract, never reused; pick the next free number of its prefix`);
  if (!(PAGE_SECTIONS as readonly string[]).includes(section)) throw new ScaffoldError(`"${section}" is not a section of the page: use one of ${PAGE_SECTIONS.join(", ")}`);
  if (section === "failover") throw new ScaffoldError("failover requirements are rows of HA_EXPERIMENTS (helpers/failover/experiments.ts), from which their checks are derived: add the catalogue entry and that row by hand");
  return section as Section;
}

const ENTRY_START = /^ {2}(- id:|# -)/;

/** The catalogue with a stub entry at the end of `section`'s requirements (the catalogue's rule). */
export function catalogueWithStub(yamlText: string, id: string, section: Section): string {
  const lines = yamlText.split("\n");
  const sectionLine = lines.lastIndexOf(`    section: ${section}`);
  if (sectionLine < 0) throw new ScaffoldError(`specs/catalogue.yaml has no requirement in section ${section} to add ${id} after: add its entry by hand`);
  let end = lines.findIndex((line, index) => index > sectionLine && ENTRY_START.test(line));
  if (end < 0) end = lines.length;
  while (end > sectionLine && lines[end - 1]!.trim() === "") end -= 1;
  const stub = [
    "",
    `  - id: ${id}`,
    "    # Fill in every empty value: the catalogue does not load until they are written.",
    "    source: [] # the page's [Sx.y] tags (docs/prepare-for-high-availability.en.md)",
    "    level: MUST # MUST | SHOULD | INFO, as the page words it",
    "    scope: [all-hosts]",
    `    section: ${section}`,
    '    title: ""',
    '    check: ""',
    '    evidence: ""',
    '    remediation: ""',
    "    sentence:",
    '      zh: ""',
    '      en: ""',
  ];
  return [...lines.slice(0, end), ...stub, ...lines.slice(end)].join("\n");
}

const ASSERT_IMPORT = /^import \{ ([^}]*) \} from "\.\.\/\.\.\/helpers\/checks\/assert\.js";$/m;

/** The section's check module with a stub check of `id` at the end of its exported object. */
export function checkModuleWithStub(tsText: string, id: string, section: Section): string {
  const file = `specs/checks/${section}.ts`;
  const lines = tsText.split("\n");
  const start = lines.findIndex((line) => /^export const \w+Checks: CheckModule = \{$/.test(line));
  const close = lines.findIndex((line, index) => index > start && line === "};");
  if (start < 0 || close < 0) throw new ScaffoldError(`${file} has no \`export const …Checks: CheckModule = {\` object to add ${id} to: add its check by hand`);
  const stub = [
    "",
    `  "${id}": {`,
    "    // Declare what it reads (a misspelt fact, section or probe is a type error), name its",
    "    // threshold in a constant above, and decide with the helpers of helpers/checks/assert.ts.",
    "    reads: {},",
    `    decide: () => broken("${id}: the check is not written yet"),`,
    "  },",
  ];
  const withStub = [...lines.slice(0, close), ...stub, ...lines.slice(close)].join("\n");
  const assertImport = ASSERT_IMPORT.exec(withStub);
  if (!assertImport) throw new ScaffoldError(`${file} does not import the assertion helpers from ../../helpers/checks/assert.js: add the import by hand`);
  const names = assertImport[1]!.split(", ");
  if (names.includes("broken")) return withStub;
  const imported = [...names, "broken"].sort((a, b) => a.localeCompare(b)).join(", ");
  return withStub.replace(ASSERT_IMPORT, `import { ${imported} } from "../../helpers/checks/assert.js";`);
}

/** What is left after the scaffold, in the checklist's order (docs/design.md "Adding a requirement"). */
export function nextSteps(id: string, section: Section): string[] {
  return [
    `1. specs/catalogue.yaml: fill in ${id}'s source, level, scope, title, check, evidence, remediation and the page's zh and en sentence.`,
    `2. specs/checks/${section}.ts: declare what ${id} reads and write its decision (it is broken until then).`,
    "3. If it needs a new host fact: a section in helpers/facts/script.ts, a pure parser under helpers/facts/parsers/ with a captured fixture, and the fact in helpers/checks/facts.ts.",
    `4. tests/expected/lab.tsv and lab-violations.tsv: ${id}'s verdict rows.`,
    `5. environments/lab/topology.ts: a violations-lab host on which ${id} fails (or warns, for a SHOULD).`,
    "Then `npx vitest run --project self-tests tests/unit/adding-a-requirement.test.ts` names the first step still missing.",
  ];
}
