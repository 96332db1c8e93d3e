// The record of one failover experiment (HA-*), as stored in CollectedRun.failover and read back
// by the checks and the timeline picture. Plain JSON: no class instances, times as numbers.
import type { ComponentName, Environment, HostEntry } from "../environment/schema.js";
import type { CommandOutput } from "../model.js";
import type { TrafficAnalysis } from "./analysis.js";
import type { RequestRecord } from "./traffic.js";
import type { EntrypointName, FaultKind, HaRequirement, PairRole } from "./experiments.js";

export type { EntrypointName, FaultKind, HaRequirement, PairRole } from "./experiments.js";

export interface FailoverBudgets {
  errorBudget: number;
  rtoSeconds: number;
  recoverySeconds: number;
  rollbackAfterSeconds: number;
}

/** `component`: what the armed command restores ("gateway", or "dashboard+dpManager" for one black hole). */
export type ArmedRollback =
  | { kind: "systemd-run"; component: string; unit: string }
  | { kind: "nohup"; component: string; pid: number };

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

/** Whether the member really went down: observed from the runner, never assumed from an exit code. */
export interface FaultConfirmation {
  /** The member must be observed down within this many seconds of the fault command's end. */
  withinSeconds: number;
  /** When the last fault command returned, epoch milliseconds. */
  commandsEndedAt: number;
  /** First observation in which every component port refused or timed out; null: not within the bound. */
  downAt: number | null;
  /** The observation that decided it: one check per component port (ok: the port still answers). */
  checks: HealthCheck[];
  /**
   * Observed again just before the rollback: every port still down (nothing restarted the member
   * behind the experiment's back). null when there was no observation window.
   */
  heldUntilRollback: boolean | null;
  /** The checks of that last observation. */
  heldChecks: HealthCheck[];
}

/** How much traffic the recorder really sent, to tell an experiment with too little traffic. */
export interface TrafficVolume {
  ratePerSecond: number;
  /** The sending window, epoch milliseconds. */
  startMs: number;
  endMs: number;
  sent: number;
}

/** One experiment, JSON-serialisable: an element of CollectedRun.failover. */
export interface FailoverExperiment {
  kind: "failover-experiment";
  id: string;
  requirement: HaRequirement;
  pair: PairRole;
  pairMembers: string[];
  member: string;
  /** Components taken out together, joined by "+" (HA-DP-02 takes out dashboard+dpManager). */
  component: string;
  components: ComponentName[];
  faultKind: FaultKind;
  entrypoint: { name: EntrypointName; url: string };
  startedAt: string;
  /** Epoch milliseconds, when the first fault command started; null when none ran (nothing changed). */
  faultAt: number | null;
  /** Why a fault command failed (exit status, stderr); null when every fault command succeeded or none ran. */
  faultError: string | null;
  /** null when no fault command succeeded. */
  confirmation: FaultConfirmation | null;
  rollbackAt: number | null;
  recoveredAt: number | null;
  finishedAt: string;
  history: RequestRecord[];
  /** null when no traffic was recorded. */
  traffic: TrafficVolume | null;
  analysis: TrafficAnalysis;
  budgets: FailoverBudgets & { observationSeconds: number; requestsPerSecond: number };
  /** Timers armed on the host before the fault, one per fault command. */
  armedRollbacks: ArmedRollback[];
  /** False when a timer could not be disarmed or was left armed because the member stayed down. */
  disarmed: boolean;
  steadyBefore: SteadyState | null;
  steadyAfter: SteadyState | null;
  /** Every component port answers again within budgets.recoverySeconds of the rollback. */
  restored: boolean;
  /** Commands run on the member (detect, arm, fault, rollback, disarm), as evidence. */
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

/**
 * The steady state before a fault: at least this share of the requests recorded before it were
 * answered. A healthy entrypoint answers virtually every request; 95 % forgives one stray failure
 * in 20 and refuses an entrypoint that was already failing.
 */
export const STEADY_STATE_SUCCESS_RATE = 0.95;

/** Traffic really flowed: at least this share of rate × sending window was sent. */
export const MIN_TRAFFIC_SHARE = 0.9;

export const DISRUPTION_NOT_ALLOWED =
  "destructive: needs --allow-disruption and failover.allowDisruption: true in the environment";

/**
 * Whether HA-* may take members out. A real environment needs both opt-ins: --allow-disruption
 * and failover.allowDisruption: true. The embedded lab (`lab:`), whose hosts are containers the
 * run starts for itself, needs only the environment's; in a sharded run only the explicit flag
 * asks for failover (and the run refuses it: failover disturbs what every shard probes).
 */
export function disruptionAllowed(env: Pick<Environment, "lab" | "failover">, cli: { allowDisruption: boolean; sharded: boolean }): boolean {
  return env.failover.allowDisruption && (cli.allowDisruption || (env.lab !== undefined && !cli.sharded));
}

/** The fault kinds the environment asks for per requirement (default: stop). */
export function faultKindsOf(env: Pick<Environment, "failover">, requirement: HaRequirement): readonly FaultKind[] {
  return env.failover.faults[requirement] ?? ["stop"];
}

/** The hosts behind the pair's entrypoint: `failover.pairs` when declared, else every host of the role. */
export function pairMembers(env: Pick<Environment, "hosts" | "failover">, role: PairRole): HostEntry[] {
  const declared = env.failover?.pairs?.[role];
  if (declared) return env.hosts.filter((host) => declared.includes(host.name));
  return env.hosts.filter((host) => host.roles.includes(role));
}
