// Drift for a run: which run it is compared with (the previous sealed run of the same environment
// and scope, or --baseline), and its outputs: drift.json and drift.md in the run folder, the Allure
// attachments, and the console lines.
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Reads } from "../checks/types.js";
import { parseAllFacts } from "../evaluate.js";
import type { CollectedRun } from "../run/collected.js";
import { runFiles } from "../run/context.js";
import { type RunScope, scopeKey } from "../run/history.js";
import type { ResultsFile } from "../run/results.js";
import { listRuns } from "../run/retention.js";
import { attachDrift } from "./allure.js";
import { compareRuns, type DriftReport } from "./compare.js";
import { driftMarkdown } from "./render.js";

export const DRIFT_FILES = { json: "drift.json", markdown: "drift.md" } as const;

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

export interface DriftInput {
  runDir: string;
  baseline: Baseline | null;
  results: ResultsFile;
  /** This run's collection, redacted as it is stored. */
  collected: CollectedRun;
  readsOf: (requirement: string) => Reads | undefined;
}

/** Compares, writes drift.json, drift.md and the Allure attachments; the report (baseline null on a first run). */
export function writeDrift(input: DriftInput): DriftReport {
  const { runDir, baseline, results, collected } = input;
  let report: DriftReport = { baseline: null, runId: results.runId, environment: results.environment, changes: [], transitions: [] };
  if (baseline) {
    const earlierResults = JSON.parse(readFileSync(runFiles.results(baseline.dir), "utf8")) as ResultsFile;
    const earlierRun = JSON.parse(readFileSync(runFiles.collected(baseline.dir), "utf8")) as CollectedRun;
    report = compareRuns(
      { runId: earlierResults.runId, startedAt: earlierResults.startedAt, run: earlierRun, facts: parseAllFacts(earlierRun), verdicts: earlierResults.results },
      { runId: results.runId, startedAt: results.startedAt, run: collected, facts: parseAllFacts(collected), verdicts: results.results },
      results.environment,
      input.readsOf,
      baseline.source,
    );
  }
  const markdown = driftMarkdown(report, results.runId, results.environment);
  writeFileSync(join(runDir, DRIFT_FILES.json), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(runDir, DRIFT_FILES.markdown), markdown);
  attachDrift(join(runDir, "allure-results"), report, markdown);
  return report;
}
