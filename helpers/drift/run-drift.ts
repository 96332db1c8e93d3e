// Drift for a run against its baseline (baseline.ts): drift.json and drift.md in the run folder and
// the Allure attachments.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Reads } from "../checks/types.js";
import { parseAllFacts } from "../evaluate.js";
import type { CollectedRun } from "../run/collected.js";
import { runFiles } from "../run/context.js";
import type { ResultsFile } from "../run/results.js";
import { attachDrift } from "./allure.js";
import type { Baseline } from "./baseline.js";
import { compareRuns, type DriftReport } from "./compare.js";
import { DRIFT_FILES, driftMarkdown } from "./render.js";

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
