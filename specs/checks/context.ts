// The input of every check: a pure function from what was collected to a CheckOutcome.
// Checks never run commands; the framework (helpers/requirement.ts) handles scope (skipped),
// unreachable hosts (broken) and waivers, so a check only decides passed/failed/warning/skipped.
import type { Environment, HostEntry } from "../../helpers/environment/schema.js";
import type { HostFacts } from "../../helpers/facts/types.js";
import type { CheckOutcome } from "../../helpers/model.js";
import type { CollectedRun, HostCollection } from "../../helpers/run/collected.js";

export interface CheckContext {
  env: Environment;
  run: CollectedRun;
  /** Inventory host name, or "@database", "@prometheus", "@cp-pair", "@dp-pair". */
  target: string;
  /** The host under test; null for a requirement about an endpoint or pair. */
  host: HostEntry | null;
  collection: HostCollection | null;
  /** Parsed facts of the host under test (present whenever `host` is reachable). */
  facts: HostFacts | null;
  /** Parsed facts of every reachable host, by inventory name (TOPO-01 compares machine-ids). */
  allFacts: ReadonlyMap<string, HostFacts>;
}

export type Check = (ctx: CheckContext) => CheckOutcome;

/** Checks of one spec file, by requirement ID. */
export type CheckSet = Record<string, Check>;
