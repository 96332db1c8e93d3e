// The Allure attachments of a verdict, on the captured compliant lab run (tests/fixtures/runs/lab).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadCatalogue } from "../../../helpers/checks/catalogue.js";
import type { Environment } from "../../../helpers/environment/schema.js";
import { evaluateTarget, parseAllFacts, planTargets } from "../../../helpers/evaluate.js";
import type { Verdict } from "../../../helpers/model.js";
import { evidenceAttachments } from "../../../helpers/run/attachments.js";
import { type CollectedRun, probeByKey } from "../../../helpers/run/collected.js";
import { allChecks } from "../../../specs/checks/index.js";

const FIXTURE = join(import.meta.dirname, "../../fixtures/runs/lab");
const env = JSON.parse(readFileSync(join(FIXTURE, "environment.resolved.json"), "utf8")) as Environment;
const run = JSON.parse(readFileSync(join(FIXTURE, "collected.json"), "utf8")) as CollectedRun;
const input = { env, run, allFacts: parseAllFacts(run) };

function verdictOf(id: string, target: string): Verdict {
  const requirement = loadCatalogue().find((r) => r.id === id)!;
  const planned = planTargets(requirement, env).find((p) => p.target === target)!;
  return evaluateTarget(requirement, planned, allChecks[id], input);
}

describe("evidence attachments: one for the command outputs, one for the probes", () => {
  it("SEC-02 on cp1: every section it cites, in one text attachment with a header each, and its witness probes", () => {
    const verdict = verdictOf("SEC-02", "cp1");
    const sections = run.hosts.find((h) => h.name === "cp1")!.sections.filter((s) => verdict.evidence!.includes(s.section));
    expect(sections.length).toBeGreaterThan(1);
    const probes = run.probes.filter((p) => verdict.evidence!.includes(p.key));
    expect(probes.length).toBeGreaterThan(0);
    const attachments = evidenceAttachments(verdict, { run });
    expect(attachments.map((a) => [a.name, a.contentType])).toEqual([
      [`cp1 commands (${sections.length})`, "text/plain"],
      [`cp1 probes (${probes.length})`, "application/json"],
    ]);
    expect(JSON.parse(attachments[1]!.content)).toEqual(probes);
    for (const section of sections) {
      expect(attachments[0]!.content).toContain(`### cp1 ${section.section}\n$ ${section.command}\n`);
      expect(attachments[0]!.content).toContain(section.stdout.trimEnd());
    }
  });

  it("SEC-04 on dp1: its probes as one JSON array, beside the listener table", () => {
    const verdict = verdictOf("SEC-04", "dp1");
    const probes = run.probes.filter((p) => verdict.evidence!.includes(p.key));
    expect(probes.length).toBeGreaterThan(3);
    const attachments = evidenceAttachments(verdict, { run });
    const json = attachments.find((a) => a.contentType === "application/json")!;
    expect(json.name).toBe(`dp1 probes (${probes.length})`);
    expect(JSON.parse(json.content)).toEqual(probes);
    expect(attachments.filter((a) => a.contentType === "text/plain")).toHaveLength(1);
  });

  it("a host-free verdict citing a host section carries every host's output under the host's name", () => {
    // TOPO-01's evidence (machine-id) on a verdict that names no host.
    const verdict = { ...verdictOf("TOPO-01", "cp1"), host: null, target: "@all" };
    const attachments = evidenceAttachments(verdict, { run });
    const text = attachments.map((a) => a.content).join("\n");
    for (const host of run.hosts.filter((h) => h.error === null)) expect(text).toContain(`### ${host.name} machine-id\n`);
  });

  it("a verdict without evidence has no attachment", () => {
    expect(evidenceAttachments({ ...verdictOf("HW-01", "cp1"), evidence: [] }, { run })).toEqual([]);
  });
});

describe("probeByKey: the run's probes indexed once", () => {
  it("finds what a search in order finds, the first record of a repeated key included", () => {
    for (const probe of run.probes) expect(probeByKey(run, probe.key)).toBe(run.probes.find((p) => p.key === probe.key));
    const first = run.probes[0]!;
    const twice: CollectedRun = { ...run, probes: [first, { ...first, durationMs: first.durationMs + 1 }] };
    expect(probeByKey(twice, first.key)).toBe(first);
    expect(probeByKey(twice, "tcp:nowhere:1")).toBeUndefined();
  });
});
