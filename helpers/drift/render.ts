// Drift in words: drift.md for people, one console line per transition.
import type { DriftReport, Transition } from "./compare.js";
import type { FactChange } from "./facts.js";

export const NO_BASELINE = "no earlier run to compare with";

/** Drift's files in the run folder. */
export const DRIFT_FILES = { json: "drift.json", markdown: "drift.md" } as const;

const arrow = (t: Pick<Transition, "from" | "to">) => `${t.from ?? "(new target)"} -> ${t.to}`;

export function describeChange(change: FactChange): string {
  return `${change.what}: ${change.before} -> ${change.after}`;
}

/** The changes behind a transition, in one line. */
export function describeCauses(transition: Transition): string {
  return transition.causes.length > 0 ? transition.causes.map(describeChange).join("; ") : "no change in the evidence its check reads";
}

/** One console line per transition; a first line that says what was compared. */
export function driftConsoleLines(report: DriftReport | null, maxWidth = 240): string[] {
  if (report?.baseline == null) return [`drift: ${NO_BASELINE}`];
  const hosts = new Set(report.changes.map((c) => c.host));
  const lines = [`drift: against ${report.baseline.runId}: ${report.changes.length} change(s) on ${hosts.size} host(s)/endpoint(s), ${report.transitions.length} verdict transition(s)`];
  for (const t of report.transitions) {
    const line = `  ${t.requirement} ${t.target}: ${arrow(t)}: ${describeCauses(t)}`;
    lines.push(line.length > maxWidth ? `${line.slice(0, maxWidth - 3)}...` : line);
  }
  return lines;
}

/** The drift section of one transitioned test (its Allure attachment). */
export function transitionMarkdown(report: DriftReport, t: Transition): string {
  return [
    `# ${t.requirement} ${t.target}: ${arrow(t)}`,
    "",
    `Compared with run ${report.baseline?.runId ?? "?"} (${report.baseline?.startedAt ?? "?"}).`,
    "",
    `Verdict now: ${t.message}`,
    "",
    "Changes among the evidence its check reads:",
    "",
    ...(t.causes.length > 0 ? t.causes.map((c) => `- ${c.host}: ${describeChange(c)}`) : ["- none (the evidence it reads did not change)"]),
    "",
  ].join("\n");
}

export function driftMarkdown(report: DriftReport | null, runId: string, environment: string): string {
  const lines = [`# Drift of run ${runId} (${environment})`, ""];
  if (report?.baseline == null) return [...lines, `${NO_BASELINE[0]!.toUpperCase()}${NO_BASELINE.slice(1)}: this is the first run of this environment and scope.`, ""].join("\n");
  lines.push(`Compared with run ${report.baseline.runId} (started ${report.baseline.startedAt}; ${report.baseline.source}).`, "");
  lines.push("## Verdict transitions", "");
  if (report.transitions.length === 0) lines.push("None: every verdict is as it was.");
  else {
    lines.push("| requirement | target | transition | changes among the evidence its check reads |", "|---|---|---|---|");
    for (const t of report.transitions) lines.push(`| ${t.requirement} | ${t.target} | ${arrow(t)} | ${cell(describeCauses(t))} |`);
  }
  lines.push("", "## What changed, per host", "");
  if (report.changes.length === 0) lines.push("Nothing: every compared fact and probe is as it was.");
  const hosts = [...new Set(report.changes.map((c) => c.host))];
  for (const host of hosts) {
    lines.push(`### ${host}`, "");
    for (const change of report.changes.filter((c) => c.host === host)) lines.push(`- ${cell(describeChange(change))}`);
    lines.push("");
  }
  return `${lines.join("\n").trimEnd()}\n`;
}

/** Markdown table cells hold no pipe or newline. */
const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");
