// What one audit run gathered, before any verdict: raw command outputs per host, probe results
// from the runner and failover histories. Stored as evidence/collected.json so that
// `npm run verify` can recompute every verdict offline with the same parsers and checks.
import type { CommandOutput, Role } from "../model.js";

export interface HostCollection {
  name: string;
  address: string;
  roles: Role[];
  /** Why the host could not be evaluated (unreachable, host key mismatch); null when reachable. */
  error: string | null;
  /** Sections of the batched facts collection script, in order. */
  sections: CommandOutput[];
  /** Probes run ON the host over SSH (e.g. "db-reach": the CP host reaches the database). */
  hostProbes: CommandOutput[];
}

/** One probe from the runner. `result` is the probe's own typed result (helpers/probes). */
export interface ProbeRecord {
  /** Stable key, e.g. "tcp:dp1:9080", "tls:dp1:9443", "http:entrypoint:gateway", "pg:database". */
  key: string;
  kind: "tcp" | "tls" | "http" | "pg" | "prometheus" | "sweep";
  /** Inventory host the probe is about, or null for entrypoints and endpoints. */
  host: string | null;
  target: string;
  startedAt: string;
  durationMs: number;
  result: unknown;
}

export interface CollectedRun {
  runId: string;
  environmentName: string;
  /** ISO time the run started; waivers are judged as of this date (so verify agrees later). */
  startedAt: string;
  options: { fullPortSweep: boolean; allowDisruption: boolean; strict: boolean };
  hosts: HostCollection[];
  probes: ProbeRecord[];
  /** Failover experiments (helpers/failover), one per (requirement, member). */
  failover: unknown[];
}

const probeIndexes = new WeakMap<CollectedRun, Map<string, ProbeRecord>>();

/**
 * The run's probe of that key (the first, as a search in order would find): the index is built once
 * per run, since a search per evidence name grows with hosts × probes (a 50-host run has about 950).
 * The run must not change after the first call (the specs and the report read a finished run).
 */
export function probeByKey(run: CollectedRun, key: string): ProbeRecord | undefined {
  let index = probeIndexes.get(run);
  if (!index) {
    index = new Map();
    for (const probe of run.probes) if (!index.has(probe.key)) index.set(probe.key, probe);
    probeIndexes.set(run, index);
  }
  return index.get(key);
}
