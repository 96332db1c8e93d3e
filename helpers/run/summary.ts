// The table printed at the end of a run: one row per requirement, worst status first in each row.
import type { Status, Verdict } from "../model.js";
import type { ResultsFile } from "./results.js";

const ORDER: Status[] = ["failed", "broken", "warning", "waived", "skipped", "passed"];

export function summaryLines(results: ResultsFile, catalogue: { id: string; level: string; title: string }[]): string[] {
  const lines: string[] = [];
  const pad = (s: string, n: number) => s.padEnd(n);
  lines.push(`${pad("requirement", 10)} ${pad("level", 6)} ${pad("verdict", 8)} detail`);
  for (const req of catalogue) {
    const verdicts = results.results.filter((v) => v.requirement === req.id);
    if (verdicts.length === 0) continue;
    const worst = ORDER.find((s) => verdicts.some((v) => v.status === s)) ?? "passed";
    const notable = verdicts.filter((v) => v.status !== "passed");
    const detail = notable.length === 0 ? `${verdicts.length} target(s) passed: ${req.title}` : notable.map(describe).join("; ");
    lines.push(`${pad(req.id, 10)} ${pad(req.level, 6)} ${pad(worst, 8)} ${detail}`);
  }
  const s = results.summary;
  lines.push("");
  lines.push(`verdicts: passed ${s.passed} | failed ${s.failed} | warning ${s.warning} | broken ${s.broken} | skipped ${s.skipped} | waived ${s.waived}`);
  return lines;
}

function describe(v: Verdict): string {
  const message = v.message.length > 160 ? `${v.message.slice(0, 157)}...` : v.message;
  return `${v.target} ${v.status}: ${message}`;
}

export function printSummary(results: ResultsFile, catalogue: { id: string; level: string; title: string }[]): void {
  console.log(`\n${summaryLines(results, catalogue).join("\n")}`);
}
