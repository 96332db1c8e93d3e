// Which run drift compares with: the previous sealed run of the same environment and scope, or
// --baseline. Light on purpose: --baseline is checked with the rest of the input, before the
// comparison's modules load.
import { existsSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { runFiles } from "../run/context.js";
import { type RunScope, scopeKey } from "../run/history.js";
import { listRuns } from "../run/retention.js";

/** A run folder drift can compare with: its results.json and evidence/collected.json. */
export interface Baseline {
  dir: string;
  /** How it was chosen, for drift.md. */
  source: string;
}

const usable = (dir: string) => existsSync(runFiles.results(dir)) && existsSync(runFiles.collected(dir));

/**
 * --baseline <run-id or folder>: a folder (a run folder, or one holding a run's results.json and
 * evidence/collected.json, as the nightly workflow carries it), or a run id under the report folder.
 * A string saying what is wrong when neither is usable.
 */
export function resolveBaseline(value: string, reportRoot: string): Baseline | string {
  for (const dir of [resolve(value), join(reportRoot, value)]) {
    if (existsSync(dir) && statSync(dir).isDirectory() && usable(dir)) return { dir, source: `--baseline ${value}` };
  }
  return `--baseline ${value}: neither a folder nor a run id under ${reportRoot} holding results.json and evidence/collected.json; give a run folder, a run id, or the folder the nightly workflow restores`;
}

/** The newest sealed run before this one of the same environment and scope, if any. */
export function previousRun(reportRoot: string, environment: string, scope: RunScope, runId: string, startedAt: string): Baseline | null {
  const key = scopeKey(scope);
  const earlier = listRuns(reportRoot).filter(
    (run) => run.environment === environment && run.sealed && run.runId !== runId && run.startedAt < startedAt && scopeKey(run.scope) === key && usable(run.dir),
  );
  const last = earlier.at(-1);
  return last ? { dir: last.dir, source: `the previous run of ${environment} (scope ${key})` } : null;
}
