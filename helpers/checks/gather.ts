// What a run gathers follows from what its selected checks declare they read: the facts script's
// sections, the probes from the runner, the failover experiments, the database password. `--only HW-`
// runs the sections the hardware checks read and no firewall listing; the whole catalogue reads every
// section (tests/unit/checks/gather.test.ts).
import { HOST_KEY_SECTION } from "../facts/parsers/host-key.js";
import { PROBE_INPUT_SECTIONS, type ScriptSectionName, type SectionDefinition, sectionsGathering } from "../facts/script.js";
import { sectionsOf } from "./facts.js";
import type { Reads } from "./types.js";

export interface GatherPlan {
  /** Probes from the runner or over SSH (TCP, HTTP, TLS, PostgreSQL, Prometheus, DB-01's reach). */
  probes: boolean;
  /** The failover experiments (still only with the opt-in to disruption). */
  failover: boolean;
  /** A PostgreSQL session, so the database password must be set. */
  database: boolean;
  /** The facts script's sections the checks' facts rest on and those the probes are planned from,
   * with the sections they read results of, in script order. */
  sections: readonly SectionDefinition<ScriptSectionName>[];
}

export function gatherPlan(reads: readonly Reads[]): GatherPlan {
  const probes = reads.some((read) => (read.probes ?? []).length > 0 || (read.hostProbes ?? []).length > 0);
  const facts = new Set(reads.flatMap((read) => [...(read.facts ?? []), ...(read.everyHost ?? [])]));
  const wanted = new Set<ScriptSectionName>(probes ? PROBE_INPUT_SECTIONS : []);
  for (const fact of facts) {
    const { all, anyOf, context } = sectionsOf(fact);
    // The host key comes from the runner's own SSH handshake, not from the script.
    for (const section of [...all, ...anyOf, ...context]) if (section !== HOST_KEY_SECTION) wanted.add(section);
  }
  return {
    probes,
    failover: reads.some((read) => read.experiments === true),
    database: reads.some((read) => read.probes?.includes("pg") ?? false),
    sections: sectionsGathering(wanted),
  };
}
