// The checklist of docs/design.md "Adding a requirement", as a test: for every catalogue
// requirement, the first step that is missing is named, with what to add. A requirement is complete
// when it has its catalogue entry, a check that declares what it reads, a verdict row in both
// expected tables, and a seeded violation that makes it fail (or warn) somewhere.
import { expect, test } from "vitest";
import { loadCatalogue, type Requirement } from "../../helpers/checks/catalogue.js";
import { sectionsOf } from "../../helpers/checks/facts.js";
import { SCRIPT_SECTIONS } from "../../helpers/facts/script.js";
import { allChecks } from "../../specs/checks/index.js";
import { readExpectedVerdicts } from "../e2e/run-audit.js";

const TABLES = { compliant: readExpectedVerdicts("lab"), violations: readExpectedVerdicts("lab-violations") };
const scriptSections = new Set<string>(SCRIPT_SECTIONS.map((s) => s.name));
/** Sections that are not the facts script's: the runner records them itself. */
const RUNNER_SECTIONS = new Set(["ssh-host-key"]);

const rowsOf = (table: Map<string, string>, id: string) => [...table.entries()].filter(([key]) => key.startsWith(`${id} `));

/** The first missing step of the checklist for `requirement`, or null when it is complete. */
function firstMissingStep(requirement: Requirement, { compliant, violations } = TABLES): string | null {
  const id = requirement.id;
  if (!requirement.sentence.en.trim() || !requirement.sentence.zh.trim() || !requirement.remediation.trim()) {
    return `step 1: specs/catalogue.yaml: ${id} needs its zh and en sentence and a remediation`;
  }
  const check = allChecks[id];
  if (!check) return `step 2: specs/checks/${requirement.section}.ts: add the check of ${id}`;
  const { facts = [], everyHost = [], probes = [], hostProbes = [], experiments = false } = check.reads;
  if ([...facts, ...everyHost, ...probes, ...hostProbes].length === 0 && !experiments) {
    return `step 2: specs/checks/${requirement.section}.ts: ${id} declares no evidence in \`reads\``;
  }
  for (const fact of [...facts, ...everyHost]) {
    const { all, anyOf } = sectionsOf(fact);
    const unknown = [...all, ...anyOf].filter((name) => !scriptSections.has(name) && !RUNNER_SECTIONS.has(name));
    if (unknown.length > 0) return `step 3: helpers/facts/script.ts: fact ${fact} of ${id} rests on ${unknown.join(", ")}, which the facts script does not collect`;
  }
  if (rowsOf(compliant, id).length === 0) return `step 4: tests/expected/lab.tsv: no verdict row of ${id} (the compliant lab's verdicts)`;
  const compliantFailures = rowsOf(compliant, id).filter(([, status]) => !["passed", "skipped"].includes(status));
  if (compliantFailures.length > 0) return `step 4: tests/expected/lab.tsv: ${id} must pass on the compliant lab, not ${compliantFailures.map(([key, status]) => `${key} ${status}`).join(", ")}`;
  if (rowsOf(violations, id).length === 0) return `step 4: tests/expected/lab-violations.tsv: no verdict row of ${id}`;
  const failing = rowsOf(violations, id).filter(([, status]) => status === "failed" || status === "warning");
  if (requirement.level !== "INFO" && failing.length === 0) {
    return `step 5: environments/lab/topology.ts: no seeded violation makes ${id} fail (or warn) in the violations lab`;
  }
  return null;
}

test.each(loadCatalogue().map((r) => [r.id, r] as const))("%s: every step of adding a requirement is done", (_id, requirement) => {
  expect(firstMissingStep(requirement)).toBeNull();
});

test("a skipped step is named: the first one missing", () => {
  const [first] = loadCatalogue();
  expect(firstMissingStep({ ...first!, id: "XX-99" })).toBe(`step 2: specs/checks/${first!.section}.ts: add the check of XX-99`);
  const withoutRows = (table: Map<string, string>) => new Map([...table].filter(([key]) => !key.startsWith(`${first!.id} `)));
  expect(firstMissingStep(first!, { ...TABLES, compliant: withoutRows(TABLES.compliant) })).toBe(`step 4: tests/expected/lab.tsv: no verdict row of ${first!.id} (the compliant lab's verdicts)`);
  const onlyPasses = new Map([...TABLES.violations].map(([key, status]) => [key, key.startsWith(`${first!.id} `) ? "passed" : status]));
  expect(firstMissingStep(first!, { ...TABLES, violations: onlyPasses })).toBe(`step 5: environments/lab/topology.ts: no seeded violation makes ${first!.id} fail (or warn) in the violations lab`);
});
