// The table printed at the end of a run: one row per requirement, worst status first in each row.
import type { Status, Verdict } from "../model.js";
import { join } from "node:path";
import { runFiles } from "./context.js";
import { type ResultsFile, unprovenMusts } from "./results.js";
import { SPECS_LOG } from "./spec-process.js";
import { DRIFT_FILES } from "../drift/render.js";

const ORDER: Status[] = ["failed", "broken", "warning", "waived", "skipped", "passed"];

/** A host that could not be evaluated at all is reported once, not on every requirement's row. */
export interface BrokenHost {
  name: string;
  error: string;
}

export function summaryLines(results: ResultsFile, catalogue: { id: string; level: string; title: string }[], brokenHosts: BrokenHost[] = []): string[] {
  const lines: string[] = [];
  const unreachable = new Set(brokenHosts.map((h) => h.name));
  const pad = (s: string, n: number) => s.padEnd(n);
  lines.push(`${pad("requirement", 10)} ${pad("level", 6)} ${pad("verdict", 8)} detail`);
  for (const req of catalogue) {
    const verdicts = results.results.filter((v) => v.requirement === req.id);
    if (verdicts.length === 0) continue;
    // The row's status is the worst of EVERY target: a row never reads "passed" while a target is not.
    const worst = ORDER.find((s) => verdicts.some((v) => v.status === s)) ?? "passed";
    const notable = verdicts.filter((v) => v.status !== "passed" && !(v.host && unreachable.has(v.host)));
    const onBrokenHosts = verdicts.filter((v) => v.host && unreachable.has(v.host)).length;
    const because = notable.length > 0 ? notable.map(describe).join("; ") : req.title;
    const brokenHostsNote = onBrokenHosts > 0 ? ` (${onBrokenHosts} on hosts that could not be evaluated)` : "";
    lines.push(`${pad(req.id, 10)} ${pad(req.level, 6)} ${pad(worst, 8)} ${statusCounts(verdicts)}${brokenHostsNote}: ${because}`);
  }
  const s = results.summary;
  for (const waiver of results.expiredWaivers as { requirement: string; host: string; expires: string; approver: string }[]) {
    lines.push(`expired waiver (no longer applies): ${waiver.requirement} on ${waiver.host}, expired ${waiver.expires}, approved by ${waiver.approver}`);
  }
  for (const v of results.results.filter((r) => r.status === "waived")) {
    lines.push(`waived: ${v.requirement} ${v.target}: ${v.waiver?.justification ?? ""} (until ${v.waiver?.expires ?? "?"})`);
  }
  if (brokenHosts.length > 0) {
    lines.push("", "hosts that could not be evaluated (every requirement on them is broken):");
    for (const host of brokenHosts) lines.push(`  ${host.name}: ${host.error}`);
  }
  const unproven = unprovenMusts(results.results);
  if (unproven.length > 0) {
    lines.push("", `incomplete: ${unproven.length} in-scope MUST verdict(s) not evaluated, so the run does not show every MUST met:`);
    for (const v of unproven) lines.push(`  ${v.requirement} ${v.target}: ${v.message}`);
  }
  lines.push("");
  lines.push(`verdicts: passed ${s.passed} | failed ${s.failed} | warning ${s.warning} | broken ${s.broken} | skipped ${s.skipped} | waived ${s.waived}`);
  return lines;
}

/** Statuses in the order of the totals line. */
const COUNT_ORDER: Status[] = ["passed", "failed", "warning", "broken", "skipped", "waived"];

/** "2 passed, 4 broken": every target of a row counted by status. */
export function statusCounts(verdicts: readonly Verdict[]): string {
  return COUNT_ORDER.flatMap((status) => {
    const count = verdicts.filter((v) => v.status === status).length;
    return count > 0 ? [`${count} ${status}`] : [];
  }).join(", ");
}

function describe(v: Verdict): string {
  const message = v.message.length > 160 ? `${v.message.slice(0, 157)}...` : v.message;
  return `${v.target} ${v.status}: ${message}`;
}

export function printSummary(results: ResultsFile, catalogue: { id: string; level: string; title: string }[], brokenHosts: BrokenHost[]): void {
  console.log(`\n${summaryLines(results, catalogue, brokenHosts).join("\n")}`);
}

/** The last lines of a run: phase timings and where each report is. */
export function printWhereTheReportIs(runDir: string, timings: Record<string, number | undefined>, options: { specsLog: boolean }): void {
  console.log(`\ntimings: ${Object.entries(timings).map(([k, v]) => `${k} ${((v ?? 0) / 1000).toFixed(1)} s`).join(", ")}`);
  console.log(`report:  ${join(runDir, "report.html")}  (Allure, one file with trends, opens from disk)`);
  console.log(`matrix:  ${join(runDir, "matrix.html")}`);
  console.log(`results: ${runFiles.results(runDir)}`);
  console.log(`drift:   ${join(runDir, DRIFT_FILES.markdown)}`);
  if (options.specsLog) console.log(`specs:   ${join(runDir, SPECS_LOG)}  (vitest's per-test output; --verbose shows it here)`);
}
