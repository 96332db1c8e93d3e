// Resolves the evidence names of a verdict (section names, probe keys, failover experiment ids)
// to the raw records of collected.json, so the evidence index can show exactly what decided it.
import type { CommandOutput, Verdict } from "../model.js";
import { type CollectedRun, type ProbeRecord, probeByKey } from "../run/collected.js";

export type EvidenceItem =
  | { kind: "command"; name: string; host: string; output: CommandOutput }
  | { kind: "probe"; name: string; probe: ProbeRecord }
  | { kind: "failover"; name: string; experiment: unknown }
  | { kind: "not-found"; name: string };

export function lookupEvidence(verdict: Pick<Verdict, "host" | "evidence">, run: CollectedRun): EvidenceItem[] {
  const items: EvidenceItem[] = [];
  const collection = verdict.host ? run.hosts.find((h) => h.name === verdict.host) : undefined;
  for (const name of verdict.evidence ?? []) {
    const found: EvidenceItem[] = [];
    if (collection) {
      for (const output of [...collection.sections, ...collection.hostProbes].filter((s) => s.section === name)) {
        found.push({ kind: "command", name, host: collection.name, output });
      }
    }
    const probe = probeByKey(run, name);
    if (probe) found.push({ kind: "probe", name, probe });
    const experiment = run.failover.find((f) => (f as { id?: unknown } | null)?.id === name);
    if (experiment !== undefined) found.push({ kind: "failover", name, experiment });
    if (found.length === 0 && !collection) {
      // Host-free evidence (e.g. TOPO-01 compares the machine-id section of every host).
      for (const host of run.hosts) {
        for (const output of [...host.sections, ...host.hostProbes].filter((s) => s.section === name)) {
          found.push({ kind: "command", name, host: host.name, output });
        }
      }
    }
    items.push(...(found.length > 0 ? found : [{ kind: "not-found" as const, name }]));
  }
  return items;
}
