// Section names are a closed vocabulary: a misspelt name in a check's `reads` or a fact's source is a
// compile error (`npm run typecheck` reports an unused `@ts-expect-error` if it is not), instead of
// a check silently missing from the ablation matrix, which skips sections the fixture lacks.
import { expect, test } from "vitest";
import type { RequirementCheck } from "../../helpers/checks/types.js";
import { SCRIPT_SECTIONS, type SectionName } from "../../helpers/facts/script.js";
import { HOST_KEY_SECTION } from "../../helpers/facts/parsers/host-key.js";

test("every script section and the runner's ssh-host-key are section names; a misspelt one is not", () => {
  const scriptSection: SectionName = SCRIPT_SECTIONS[0]!.name;
  const runnerSection: SectionName = HOST_KEY_SECTION;
  // @ts-expect-error "ss-listn" is no section of the facts script
  const misspelt: SectionName = "ss-listn";
  expect([scriptSection, runnerSection, misspelt]).toEqual(["ss-listen", "ssh-host-key", "ss-listn"]);
});

test("a check's reads name only known host probes", () => {
  const declared: RequirementCheck["reads"] = { hostProbes: ["db-reach"] };
  // @ts-expect-error "db-rech" is no host probe
  const misspelt: RequirementCheck["reads"] = { hostProbes: ["db-rech"] };
  expect([declared, misspelt]).toHaveLength(2);
});
