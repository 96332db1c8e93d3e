// The contract between the engine (helpers/evaluate.ts) and the check modules (specs/checks/*):
// a check declares the evidence it reads and decides from Facts only. It never sees raw sections
// or unparsed output, and asking for a fact it did not declare is an error (a crash: "broken").
import type { Environment, HostEntry } from "../environment/schema.js";
import type { CheckOutcome, CommandOutput } from "../model.js";
import type { CollectedRun } from "../run/collected.js";
import type { Fact } from "./evidence.js";
import type { FactName, FactValue } from "./facts.js";
import type { HostProbeSection } from "../probes/keys.js";
import type { ProbeKind, ProbeValue } from "./probes.js";

/** The evidence a check reads: it feeds the attachments, the engine's guard and the ablation test. */
export interface Reads {
  /** Facts of the host under test (helpers/checks/facts.ts). */
  facts?: readonly FactName[];
  /** Facts read from every inventory host (TOPO-01 compares machine-ids). */
  everyHost?: readonly FactName[];
  /** Probes from the audit runner, by kind. */
  probes?: readonly ProbeKind[];
  /** Probes run on the host over SSH, by section name (DB-01's db-reach). */
  hostProbes?: readonly HostProbeSection[];
  /** Failover experiments of the run. */
  experiments?: boolean;
}

export interface CheckContext {
  env: Environment;
  /** Options and failover experiments of the run. */
  run: CollectedRun;
  /** Inventory host name, or "@database", "@prometheus", "@cp-pair", "@dp-pair". */
  target: string;
  /** The host under test; null for a requirement about an endpoint or pair. */
  host: HostEntry | null;
  /** The host under test, for a requirement about a host; asking on an endpoint or pair is an error. */
  hostEntry(): HostEntry;
  /** A declared fact of the host under test. */
  fact<K extends FactName>(name: K): Fact<FactValue<K>>;
  /** A fact of another inventory host, declared in `everyHost`. */
  factOf<K extends FactName>(host: string, name: K): Fact<FactValue<K>>;
  /** The probe stored under `key`, of a declared kind. */
  probe<K extends ProbeKind>(kind: K, key: string): Fact<ProbeValue<K>>;
  /** Every stored probe of a declared kind whose key starts with `prefix`. */
  probesWith<K extends ProbeKind>(kind: K, prefix: string): { key: string; fact: Fact<ProbeValue<K>> }[];
  /** A declared probe run on the host under test over SSH. */
  hostProbe(section: HostProbeSection): Fact<CommandOutput>;
}

export interface RequirementCheck {
  reads: Reads;
  decide: (ctx: CheckContext) => CheckOutcome;
}

/** The checks of one section of the page, by requirement ID. */
export type CheckModule = Readonly<Record<string, RequirementCheck>>;
