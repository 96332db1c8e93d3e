// The record of one failover experiment (HA-*), as stored in CollectedRun.failover and read back
// by the checks and the timeline picture. Plain JSON: no class instances, times as numbers.
import type { ComponentName, Environment, HostEntry } from "../environment/schema.js";
import type { CommandOutput } from "../model.js";
import type { TrafficAnalysis } from "./analysis.js";
import type { RequestRecord } from "./traffic.js";

export type HaRequirement = "HA-CP-01" | "HA-CP-02" | "HA-DP-01" | "HA-DP-02";
export type PairRole = "cp" | "dp";
export type EntrypointName = "gateway" | "dashboard" | "dpManager";

export interface FailoverBudgets {
  errorBudget: number;
  rtoSeconds: number;
  recoverySeconds: number;
  rollbackAfterSeconds: number;
}

export type ArmedRollback =
  | { kind: "systemd-run"; component: ComponentName; unit: string }
  | { kind: "nohup"; component: ComponentName; pid: number };

export interface HealthCheck {
  /** "entrypoint:gateway" or "dp1:gateway:9080". */
  target: string;
  ok: boolean;
  detail: string;
}

export interface SteadyState {
  ok: boolean;
  at: string;
  checks: HealthCheck[];
}

/** One experiment, JSON-serialisable: an element of CollectedRun.failover. */
export interface FailoverExperiment {
  kind: "failover-experiment";
  id: string;
  requirement: HaRequirement;
  pair: PairRole;
  pairMembers: string[];
  member: string;
  /** Components stopped together, joined by "+" (HA-DP-02 stops dashboard+dpManager). */
  component: string;
  components: ComponentName[];
  entrypoint: { name: EntrypointName; url: string };
  startedAt: string;
  /** Epoch milliseconds; null when the fault was never injected (then nothing changed). */
  faultAt: number | null;
  rollbackAt: number | null;
  recoveredAt: number | null;
  finishedAt: string;
  history: RequestRecord[];
  analysis: TrafficAnalysis;
  budgets: FailoverBudgets & { observationSeconds: number; requestsPerSecond: number };
  /** Timers armed on the host before the fault, one per stopped component. */
  armedRollbacks: ArmedRollback[];
  /** False when a timer could not be disarmed or was left armed because the member stayed down. */
  disarmed: boolean;
  steadyBefore: SteadyState | null;
  steadyAfter: SteadyState | null;
  /** Every stopped component answers again within budgets.recoverySeconds of the rollback. */
  restored: boolean;
  /** Commands run on the member (arm, stop, start, disarm), as evidence. */
  commands: CommandOutput[];
  error?: string;
}

/** Narrows an element of CollectedRun.failover (read back from JSON) to an experiment record. */
export function isFailoverExperiment(value: unknown): value is FailoverExperiment {
  if (typeof value !== "object" || value === null) return false;
  const record = value as Partial<Record<keyof FailoverExperiment, unknown>>;
  return (
    record.kind === "failover-experiment" &&
    typeof record.id === "string" &&
    typeof record.requirement === "string" &&
    typeof record.member === "string" &&
    Array.isArray(record.history) &&
    typeof record.analysis === "object" &&
    record.analysis !== null &&
    typeof record.restored === "boolean"
  );
}

export const DISRUPTION_NOT_ALLOWED =
  "destructive: needs --allow-disruption and failover.allowDisruption: true in the environment";

/** Hosts of a pair: every inventory host with that role. */
/** The hosts behind the pair's entrypoint: `failover.pairs` when declared, else every host of the role. */
export function pairMembers(env: Pick<Environment, "hosts" | "failover">, role: PairRole): HostEntry[] {
  const declared = env.failover?.pairs?.[role];
  if (declared) return env.hosts.filter((host) => declared.includes(host.name));
  return env.hosts.filter((host) => host.roles.includes(role));
}
