// results.json: the verdicts the specs recorded, checked against the plan so that a spec that
// did not run shows up as broken instead of silently missing.
import { existsSync, readFileSync } from "node:fs";
import type { Verdict, Status } from "../model.js";
import type { PlannedTarget } from "../evaluate.js";
import type { RunScope } from "./history.js";

export type Summary = Record<Status, number>;

export interface ResultsFile {
  runId: string;
  environment: string;
  startedAt: string;
  finishedAt: string;
  suite: { version: string; commit: string };
  /** What the run covered (--only, --shard): runs are compared only within one scope. */
  scope?: RunScope;
  summary: Summary;
  expiredWaivers: unknown[];
  results: Verdict[];
}

export function readRecordedVerdicts(file: string): Verdict[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8").split("\n").filter(Boolean).map((line) => JSON.parse(line) as Verdict);
}

/** One verdict per planned (requirement, target), in plan order. */
export function reconcile(planned: { target: PlannedTarget; level: Verdict["level"] }[], recorded: Verdict[]): Verdict[] {
  const byKey = new Map(recorded.map((v) => [`${v.requirement} ${v.target}`, v]));
  return planned.map(({ target, level }) => {
    const verdict = byKey.get(`${target.requirement} ${target.target}`);
    return (
      verdict ?? {
        requirement: target.requirement,
        host: target.host?.name ?? null,
        target: target.target,
        level,
        status: "broken",
        message: `${target.requirement} ${target.target}: no spec test recorded a verdict (the spec file failed to load or crashed)`,
      }
    );
  });
}

export function summarize(verdicts: readonly Verdict[]): Summary {
  const summary: Summary = { passed: 0, failed: 0, warning: 0, broken: 0, skipped: 0, waived: 0 };
  for (const v of verdicts) summary[v.status] += 1;
  return summary;
}

/** Exit codes of a run (README "Status model and exit codes"). 101 is InSpec's "skipped controls". */
export const EXIT = { met: 0, failed: 1, broken: 2, badInput: 3, incomplete: 101 } as const;

/** In-scope MUST verdicts that were not evaluated (no opt-in, not applicable): not "every MUST met". */
export function unprovenMusts(verdicts: readonly Verdict[]): Verdict[] {
  return verdicts.filter((v) => v.level === "MUST" && v.status === "skipped");
}

/**
 * 0 every in-scope MUST passed or was waived; 1 a MUST failed (or, with --strict, a SHOULD
 * warned); 2 something broken and nothing failed; 101 nothing failed or broke, but an in-scope
 * MUST was not evaluated.
 */
export function exitCodeOf(verdicts: readonly Verdict[], strict: boolean): number {
  const summary = summarize(verdicts);
  if (summary.failed > 0 || (strict && summary.warning > 0)) return EXIT.failed;
  if (summary.broken > 0) return EXIT.broken;
  if (unprovenMusts(verdicts).length > 0) return EXIT.incomplete;
  return EXIT.met;
}
