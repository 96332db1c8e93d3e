// The HA experiments, declared once: which component of which role each requirement takes out,
// whose traffic shows the failover, and how the verdict words it. The environment schema's
// failover.faults keys, the suite's plan, the record's types and the checks derive from this
// table. Pure data: the spec worker loads it, so it imports nothing at run time.
import type { ComponentName } from "../environment/schema.js";

/**
 * How a member is taken out: `stop` runs the component's stop command (the load balancer sees
 * refused connections at once); `black-hole` drops the component's ports on the member in a
 * firewall table of the suite's own, so the member stops answering (what health-check timeouts
 * are for).
 */
export const FAULT_KINDS = ["stop", "black-hole"] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export type PairRole = "cp" | "dp";
export type EntrypointName = "gateway" | "dashboard" | "dpManager";

export interface HaExperimentDeclaration {
  /** The pair whose members are taken out, one at a time. */
  pair: PairRole;
  /** Whose traffic is recorded. */
  entrypoint: EntrypointName;
  /** What is taken out on the member. */
  components: readonly ComponentName[];
  /** What is taken out, in the page's words. */
  stopped: string;
  /** HA-DP-02 tolerates no gateway error at all; the others use the environment's budgets. */
  zeroErrors: boolean;
}

/**
 * In the order the suite plans them (its stages are grouped first fit in this order). Not typed
 * against HaExperimentDeclaration here: the environment schema takes its keys from this table and
 * ComponentName from the schema, so the plan and the checks check each entry where they read it.
 */
export const HA_EXPERIMENTS = {
  "HA-DP-01": { pair: "dp", entrypoint: "gateway", components: ["gateway"], stopped: "gateway", zeroErrors: false },
  "HA-CP-01": { pair: "cp", entrypoint: "dashboard", components: ["dashboard"], stopped: "dashboard", zeroErrors: false },
  "HA-CP-02": { pair: "cp", entrypoint: "dpManager", components: ["dpManager"], stopped: "DP Manager", zeroErrors: false },
  "HA-DP-02": { pair: "cp", entrypoint: "gateway", components: ["dashboard", "dpManager"], stopped: "dashboard and DP Manager", zeroErrors: true },
} as const;

export type HaRequirement = keyof typeof HA_EXPERIMENTS;

/** The requirements in plan order. */
export const HA_REQUIREMENTS = Object.keys(HA_EXPERIMENTS) as HaRequirement[];
