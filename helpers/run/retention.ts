// Retention: the run folders of one environment beyond the newest `keep` are removed, oldest first.
// Only sealed runs (manifest.json written: the run finished writing) of that environment are
// candidates, and the run that just ended is never one; folders of other environments, unfinished
// runs and anything that is not a run folder are left alone.
import { existsSync, lstatSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { runFiles } from "./context.js";

export interface RunFolder {
  runId: string;
  dir: string;
  environment: string;
  startedAt: string;
  sealed: boolean;
  /** results.json's scope (absent in runs written before scopes were recorded: full runs). */
  scope?: { only: string | null; shard: string | null };
}

/** Every run folder under `reportRoot` with a readable results.json, oldest first. */
export function listRuns(reportRoot: string): RunFolder[] {
  if (!existsSync(reportRoot)) return [];
  const runs: RunFolder[] = [];
  for (const entry of readdirSync(reportRoot, { withFileTypes: true })) {
    // Dot folders (.history) and the `latest` link are not runs.
    if (!entry.isDirectory() || entry.name.startsWith(".")) continue;
    const dir = join(reportRoot, entry.name);
    try {
      const results = JSON.parse(readFileSync(runFiles.results(dir), "utf8")) as { environment?: unknown; startedAt?: unknown; scope?: RunFolder["scope"] };
      if (typeof results.environment !== "string" || typeof results.startedAt !== "string") continue;
      runs.push({ runId: entry.name, dir, environment: results.environment, startedAt: results.startedAt, sealed: existsSync(join(dir, "manifest.json")), scope: results.scope });
    } catch {
      // No results.json (a run still collecting, or one that crashed) or not JSON: not a candidate.
    }
  }
  return runs.sort((a, b) => a.startedAt.localeCompare(b.startedAt) || a.runId.localeCompare(b.runId));
}

/** The folders to remove so that `keep` runs of `environment` stay, `current` (the run that just ended) included. */
export function runsToRemove(runs: readonly RunFolder[], environment: string, keep: number, current: string): RunFolder[] {
  const others = runs.filter((run) => run.environment === environment && run.sealed && run.runId !== current);
  const room = Math.max(1, keep) - 1; // the current run takes one place
  return others.slice(0, Math.max(0, others.length - room));
}

/** Bytes under `dir`, links not followed. */
export function folderBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    total += entry.isDirectory() ? folderBytes(path) : lstatSync(path).size;
  }
  return total;
}

export function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${Math.ceil(bytes / 1024)} KB`;
}

/** Applies retention after a run and says what it removed and how large reports/ is. */
export function applyRetention(reportRoot: string, environment: string, keep: number, current: string, say: (line: string) => void): RunFolder[] {
  const removed = runsToRemove(listRuns(reportRoot), environment, keep, current);
  for (const run of removed) rmSync(run.dir, { recursive: true, force: true });
  const what = removed.length > 0 ? `removed ${removed.length} run folder(s) of ${environment}: ${removed.map((run) => run.runId).join(", ")}` : `nothing removed`;
  say(`retention: keep ${keep} runs per environment; ${what}; ${reportRoot} holds ${formatBytes(folderBytes(reportRoot))}`);
  return removed;
}
