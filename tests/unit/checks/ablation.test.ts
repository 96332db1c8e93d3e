// Ablation matrix: starting from the evidence of a real compliant lab run (every verdict passed),
// break ONE piece of evidence at a time, in every way a real host breaks it, and re-evaluate. A
// verdict that rests on the broken evidence must never stay "passed". The only pass allowed is one
// decided by an intact declared alternative (the broken section is in the fact's `anyOf` and the
// pass does not cite it). Refresh the fixture with tests/fixtures/runs/capture.ts.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { loadCatalogue, type Requirement } from "../../../helpers/checks/catalogue.js";
import { type FactName, sectionsOf } from "../../../helpers/checks/facts.js";
import type { Environment } from "../../../helpers/environment/schema.js";
import { evaluateTarget, parseAllFacts, planTargets } from "../../../helpers/evaluate.js";
import type { CommandOutput, Verdict } from "../../../helpers/model.js";
import type { CollectedRun, ProbeRecord } from "../../../helpers/run/collected.js";
import { allChecks } from "../../../specs/checks/index.js";

const FIXTURE = join(import.meta.dirname, "../../fixtures/runs/lab");
const env = JSON.parse(readFileSync(join(FIXTURE, "environment.resolved.json"), "utf8")) as Environment;
const baseline = JSON.parse(readFileSync(join(FIXTURE, "collected.json"), "utf8")) as CollectedRun;

const program = (section: CommandOutput) => section.command.split(/\s+/)[0] ?? section.section;
const half = (text: string) => text.slice(0, Math.floor(text.length / 2));

/** How a command's evidence breaks on a real host. */
const SECTION_FAILURES: Record<string, (section: CommandOutput) => CommandOutput> = {
  "permission denied": (s) => ({ ...s, exitCode: 1, stdout: "", stderr: `${program(s)}: Permission denied\n` }),
  "command not found": (s) => ({ ...s, exitCode: 127, stdout: "", stderr: `bash: line 1: ${program(s)}: command not found\n` }),
  "timed out": (s) => ({ ...s, exitCode: 124, timedOut: true, stdout: half(s.stdout), stderr: "" }),
  "cut off": (s) => ({ ...s, exitCode: null, stdout: half(s.stdout), stderr: "" }),
  "not run": (s) => ({ ...s, exitCode: null, stdout: "", stderr: "", notRun: "the SSH command timed out before this section started" }),
  "empty stdout": (s) => ({ ...s, stdout: "" }),
  "garbage stdout": (s) => ({ ...s, stdout: "\u001b[2J<html><body>503 Service Unavailable</body></html>\n\u0000\u0001\u0002\n" }),
};

/** How a probe's evidence breaks: it never ran, the probe itself failed, or its result is unreadable. */
const PROBE_FAILURES: Record<string, (record: ProbeRecord) => ProbeRecord | null> = {
  missing: () => null,
  errored: (r) => ({ ...r, result: { error: "EPERM: operation not permitted" } }),
  garbage: (r) => ({ ...r, result: "<html>503</html>" }),
  "name not resolved": (r) => ({ ...r, result: { state: "filtered", ms: 1, error: "ENOTFOUND" } }),
};

const catalogue = loadCatalogue();
const cases = { sections: 0, probes: 0, hostProbes: 0, decidedByAlternative: 0, decidedWithout: 0 };
const coveredIds = new Set<string>();

function evaluate(requirement: Requirement, run: CollectedRun): Verdict[] {
  const input = { env, run, allFacts: parseAllFacts(run) };
  return planTargets(requirement, env).map((planned) => evaluateTarget(requirement, planned, allChecks[requirement.id], input));
}

function withSection(host: string, name: string, breakIt: (s: CommandOutput) => CommandOutput, field: "sections" | "hostProbes"): CollectedRun {
  return { ...baseline, hosts: baseline.hosts.map((h) => (h.name === host ? { ...h, [field]: h[field].map((s) => (s.section === name ? breakIt(s) : s)) } : h)) };
}

function withProbe(key: string, breakIt: (r: ProbeRecord) => ProbeRecord | null): CollectedRun {
  return { ...baseline, probes: baseline.probes.flatMap((p) => (p.key === key ? [breakIt(p)].filter((r): r is ProbeRecord => r !== null) : [p])) };
}

const describeVerdict = (v: Verdict) => `${v.requirement} ${v.target}: ${v.status}: ${v.message}`;

test("the fixture is a compliant run: every verdict in scope passed", () => {
  for (const requirement of catalogue) {
    for (const verdict of evaluate(requirement, baseline)) expect.soft(["passed", "skipped"], describeVerdict(verdict)).toContain(verdict.status);
  }
});

/** Requirements that read host or network evidence; failover verdicts are ablated in tests/unit/failover. */
const readsHostOrNetwork = catalogue.filter((r) => {
  const reads = allChecks[r.id]!.reads;
  return [reads.facts, reads.everyHost, reads.probes, reads.hostProbes].some((list) => (list ?? []).length > 0);
});

describe.each(readsHostOrNetwork.map((r) => [r.id, r] as const))("%s", (_id, requirement) => {
  const reads = allChecks[requirement.id]!.reads;
  const facts: FactName[] = [...(reads.facts ?? []), ...(reads.everyHost ?? [])];
  const sections = [...new Set(facts.flatMap((fact) => [...sectionsOf(fact).all, ...sectionsOf(fact).anyOf]))];
  const alternatives = new Set(facts.flatMap((fact) => sectionsOf(fact).anyOf));
  const crossHost = (reads.everyHost ?? []).length > 0;
  const baselineVerdicts = evaluate(requirement, baseline);

  if (sections.length > 0) test("no pass survives a broken host section", () => {
    for (const host of env.hosts) {
      for (const section of sections) {
        if (!baseline.hosts.find((h) => h.name === host.name)?.sections.some((s) => s.section === section)) continue;
        for (const [mode, breakIt] of Object.entries(SECTION_FAILURES)) {
          cases.sections++;
          coveredIds.add(requirement.id);
          for (const verdict of evaluate(requirement, withSection(host.name, section, breakIt, "sections"))) {
            const affected = verdict.host === host.name || crossHost;
            if (!affected || verdict.status !== "passed") continue;
            // A pass may stand only if it does not rest on the broken section: another declared
            // source decided it (an alternative, or a detection source this host does not use).
            if ((verdict.evidence ?? []).includes(section)) expect.fail(`${section} on ${host.name} ${mode}: ${describeVerdict(verdict)}`);
            if (alternatives.has(section)) cases.decidedByAlternative++;
            else cases.decidedWithout++;
          }
        }
      }
    }
  });

  if ((reads.hostProbes ?? []).length > 0) test("no pass survives a broken probe run on the host", () => {
    for (const host of env.hosts) {
      for (const section of reads.hostProbes ?? []) {
        if (!baseline.hosts.find((h) => h.name === host.name)?.hostProbes.some((s) => s.section === section)) continue;
        // A host probe's measurement is its exit code: what it prints is not evidence.
        for (const [mode, breakIt] of Object.entries(SECTION_FAILURES).filter(([mode]) => !mode.endsWith("stdout"))) {
          cases.hostProbes++;
          coveredIds.add(requirement.id);
          const verdict = evaluate(requirement, withSection(host.name, section, breakIt, "hostProbes")).find((v) => v.host === host.name);
          expect(verdict?.status, `${section} on ${host.name} ${mode}: ${verdict && describeVerdict(verdict)}`).not.toBe("passed");
        }
      }
    }
  });

  if ((reads.probes ?? []).length > 0) test("no pass survives a broken probe from the runner", () => {
    // A probe matters to the targets whose baseline verdict cites it.
    const keys = [...new Set(baselineVerdicts.flatMap((v) => v.evidence ?? []))].filter((key) => baseline.probes.some((p) => p.key === key));
    for (const key of keys) {
      const resting = baselineVerdicts.filter((v) => v.evidence?.includes(key)).map((v) => v.target);
      for (const [mode, breakIt] of Object.entries(PROBE_FAILURES)) {
        if (mode === "name not resolved" && !key.startsWith("tcp:")) continue;
        cases.probes++;
        coveredIds.add(requirement.id);
        for (const verdict of evaluate(requirement, withProbe(key, breakIt)).filter((v) => resting.includes(v.target))) {
          expect(verdict.status, `${key} ${mode}: ${describeVerdict(verdict)}`).not.toBe("passed");
        }
      }
    }
  });
});

afterAll(() => {
  const total = cases.sections + cases.hostProbes + cases.probes;
  console.log(
    `ablation: ${total} cases (${cases.sections} host sections, ${cases.hostProbes} host probes, ${cases.probes} runner probes) over ${coveredIds.size} requirement IDs; ` +
      `passes kept: ${cases.decidedByAlternative} decided by an intact declared alternative, ${cases.decidedWithout} by a source the host's configuration uses instead (e.g. process detection without Docker)`,
  );
});

test("every host and network requirement is covered by the ablation", () => {
  const expected = catalogue.filter((r) => !r.id.startsWith("HA-")).map((r) => r.id);
  expect(expected.filter((id) => !coveredIds.has(id))).toEqual([]);
});
