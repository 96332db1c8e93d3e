// SEC-02 on a captured host's firewall (tests/fixtures/facts/firewall/<case>/, written from real
// daemons by tests/fixtures/capture/capture-firewall.ts): cp1 of the captured compliant lab run gets
// that host's firewall sections in place of its own, optionally edited (and the run's probes too),
// and SEC-02 is evaluated.
import { requirementById } from "../../helpers/checks/catalogue.js";
import { parseAllFacts, verdictFor } from "../../helpers/evaluate.js";
import type { CommandOutput } from "../../helpers/model.js";
import type { CollectedRun, ProbeRecord } from "../../helpers/run/collected.js";
import { allChecks } from "../../specs/checks/index.js";
import { CAPTURED_FIREWALL_SECTIONS, capturedFirewall } from "../unit/facts/fixtures.js";
import { labEnv, labRun } from "./lab-run.js";

export function sec02OnCapturedFirewall(
  caseName: string,
  change: (sections: CommandOutput[]) => CommandOutput[] = (s) => s,
  changeProbes: (probes: ProbeRecord[]) => ProbeRecord[] = (p) => p,
) {
  const captured = change(capturedFirewall(caseName));
  const replaced = new Set<string>(CAPTURED_FIREWALL_SECTIONS);
  const run: CollectedRun = {
    ...labRun,
    probes: changeProbes(structuredClone(labRun.probes)),
    hosts: labRun.hosts.map((h) => (h.name === "cp1" ? { ...h, sections: [...h.sections.filter((s) => !replaced.has(s.section)), ...captured] } : h)),
  };
  return verdictFor(requirementById("SEC-02"), "cp1", allChecks, { env: labEnv, run, allFacts: parseAllFacts(run) });
}
