// Binds requirement IDs to vitest tests: one test per (requirement, target), titled by its ID,
// with Allure labels, the raw evidence attached, and the verdict recorded for results.json.
// Spec files call `auditSection` and nothing else; they never run commands. Which IDs a spec file
// asserts comes from the catalogue (the requirements whose `section` it is).
import { appendFileSync } from "node:fs";
import { join } from "node:path";
import * as allure from "allure-js-commons";
import { describe, test } from "vitest";
import { requirementsOf, SECTION_TITLES, type Requirement, type Section } from "./checks/catalogue.js";
import type { CheckModule } from "./checks/types.js";
import { evaluateTarget, planTargets } from "./evaluate.js";
import { applyWaivers } from "./evidence/waivers.js";
import type { Verdict } from "./model.js";
import { evidenceAttachments } from "./run/attachments.js";
import { loadRunContext, type RunContext } from "./run/context.js";
import { selectsRequirement } from "./run/selection.js";

/** Failures must read as assertion failures (Allure "failed"), not as crashes. */
class RequirementAssertionError extends Error {
  override name = "AssertionError";
}
/** Could not evaluate: Allure "broken". The name avoids the word Allure reads as an assertion. */
class CouldNotEvaluate extends Error {
  override name = "CouldNotEvaluate";
}

/** One test per (requirement, target) of a section of the page, decided by the section's checks. */
export function auditSection(section: Section, checks: CheckModule): void {
  const run = loadRunContext();
  const requirements = requirementsOf(section);
  const unmatched = [
    ...requirements.filter((requirement) => !checks[requirement.id]).map((requirement) => `${requirement.id} has no check`),
    ...Object.keys(checks).filter((id) => !requirements.some((requirement) => requirement.id === id)).map((id) => `${id} is not a ${section} requirement of the catalogue`),
  ];
  if (unmatched.length > 0) throw new Error(`specs/checks/${section}.ts does not match specs/catalogue.yaml: ${unmatched.join("; ")}`);
  describe(SECTION_TITLES[section], () => {
    for (const requirement of requirements) {
      if (!selectsRequirement(run.only, requirement.id)) continue;
      for (const planned of planTargets(requirement, run.env)) {
        test(`${requirement.id} ${planned.target}: ${requirement.title}`, async (t) => {
          const raw = evaluateTarget(requirement, planned, checks[requirement.id], run);
          const [verdict] = applyWaivers([raw], run.env.waivers, run.run.startedAt.slice(0, 10)).verdicts as [Verdict];
          await describeInAllure(requirement, verdict, run);
          appendFileSync(join(run.runDir, "evidence", "verdicts.jsonl"), `${JSON.stringify(verdict)}\n`);
          settle(verdict, t.skip);
        });
      }
    }
  });
}

function settle(verdict: Verdict, skip: (note?: string) => void): void {
  switch (verdict.status) {
    case "failed":
      throw new RequirementAssertionError(`${verdict.message}\nexpected: ${verdict.expected ?? "-"}\nactual:   ${verdict.actual ?? "-"}`);
    case "broken":
      throw new CouldNotEvaluate(verdict.message);
    case "skipped":
      skip(verdict.message);
      return;
    default:
      // passed, warning (SHOULD violated) and waived do not fail the test; their labels say which.
      return;
  }
}

async function describeInAllure(req: Requirement, verdict: Verdict, run: RunContext): Promise<void> {
  const host = verdict.host ? run.env.hosts.find((h) => h.name === verdict.host) : undefined;
  // One message for all labels: each runtime call is a message from the worker to the reporter.
  await allure.labels(
    { name: "requirement", value: req.id },
    { name: "level", value: req.level },
    { name: "host", value: verdict.target },
    { name: "verdict", value: verdict.status },
    ...(host ? [{ name: "role", value: host.roles.join(",") }] : []),
    { name: allure.LabelName.EPIC, value: run.env.name },
    { name: allure.LabelName.FEATURE, value: SECTION_TITLES[req.section] },
    { name: allure.LabelName.STORY, value: `${req.id} ${req.title}` },
    { name: allure.LabelName.SEVERITY, value: req.level === "MUST" ? "critical" : req.level === "SHOULD" ? "minor" : "trivial" },
    ...(verdict.status === "warning" || verdict.status === "waived" ? [{ name: allure.LabelName.TAG, value: verdict.status }] : []),
  );
  await allure.parameter("target", verdict.target);
  await allure.description(
    [
      `**${req.id}** (${req.level}, page ${req.source.join(", ")}): ${req.check}`,
      "",
      `> ${req.sentence.zh}`,
      ">",
      `> ${req.sentence.en}`,
      "",
      `**Verdict:** ${verdict.status}: ${verdict.message}`,
      `**Expected:** ${verdict.expected ?? "-"}`,
      `**Actual:** ${verdict.actual ?? "-"}`,
      verdict.waiver ? `**Waived:** ${verdict.waiver.justification} (approved by ${verdict.waiver.approver}, expires ${verdict.waiver.expires})` : "",
      "",
      `**Remediation:** ${req.remediation}`,
    ].join("\n"),
  );
  for (const attachment of evidenceAttachments(verdict, run)) {
    await allure.attachment(attachment.name, attachment.content, attachment.contentType);
  }
}
