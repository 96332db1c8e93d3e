// Drift between a run and its baseline: per host, the facts that changed; per verdict that changed
// status, the changes among the evidence its check declares (`reads`).
import type { Reads } from "../checks/types.js";
import type { HostFacts } from "../facts/types.js";
import type { Status, Verdict } from "../model.js";
import type { CollectedRun } from "../run/collected.js";
import { type DriftSection, type FactChange, factChanges } from "./facts.js";

export interface Transition {
  requirement: string;
  target: string;
  /** null: the target has no verdict in the baseline. */
  from: Status | null;
  to: Status;
  /** The verdict's message in this run. */
  message: string;
  /** The fact changes among the evidence the requirement's check declares. */
  causes: FactChange[];
}

export interface DriftReport {
  /** The run compared with, or null for the first run of its environment and scope. */
  baseline: { runId: string; startedAt: string; source: string } | null;
  runId: string;
  environment: string;
  changes: FactChange[];
  transitions: Transition[];
}

/** One side of the comparison: what a run collected and decided. */
export interface RunSide {
  runId: string;
  startedAt: string;
  run: CollectedRun;
  facts: ReadonlyMap<string, HostFacts>;
  verdicts: readonly Verdict[];
}

/** The evidence names a check declares, in the terms of a fact change. */
export function declaredSections(reads: Reads | undefined): Set<DriftSection> {
  return new Set<DriftSection>([...(reads?.facts ?? []), ...(reads?.everyHost ?? []), ...(reads?.probes ?? [])]);
}

/** Whether a change bears on a verdict: on its target (any host for facts read of every host), among its declared evidence. */
function bearsOn(change: FactChange, verdict: Verdict, reads: Reads | undefined): boolean {
  const declared = declaredSections(reads);
  const everyHost = new Set<DriftSection>(reads?.everyHost ?? []);
  if (change.sections === "every") return change.host === verdict.target;
  const sections = change.sections;
  if (change.host === verdict.target) return sections.some((s) => declared.has(s));
  // Host-free targets (@cp-pair, TOPO-01 of every host) read facts of every host.
  return sections.some((s) => everyHost.has(s));
}

export function compareRuns(before: RunSide, after: RunSide, environment: string, readsOf: (requirement: string) => Reads | undefined, source: string): DriftReport {
  const changes = factChanges(before, after);
  const earlier = new Map(before.verdicts.map((v) => [`${v.requirement} ${v.target}`, v]));
  const transitions = after.verdicts.flatMap((verdict): Transition[] => {
    const was = earlier.get(`${verdict.requirement} ${verdict.target}`);
    if (was?.status === verdict.status) return [];
    const reads = readsOf(verdict.requirement);
    return [
      {
        requirement: verdict.requirement,
        target: verdict.target,
        from: was?.status ?? null,
        to: verdict.status,
        message: verdict.message,
        causes: changes.filter((change) => bearsOn(change, verdict, reads)),
      },
    ];
  });
  return { baseline: { runId: before.runId, startedAt: before.startedAt, source }, runId: after.runId, environment, changes, transitions };
}
