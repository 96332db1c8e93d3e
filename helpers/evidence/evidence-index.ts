// evidence/index.html: one section per (requirement, target) with the page's sentence (zh + en),
// expected, actual, message, and the raw command outputs and probe results that decided it.
// The matrix cells link here by anchor; the page is self-contained and opens from disk.
import type { CommandOutput, Verdict } from "../model.js";
import type { CollectedRun } from "../run/collected.js";
import { describeEnd } from "../run/attachments.js";
import { lookupEvidence, type EvidenceItem } from "./evidence-lookup.js";
import { escapeHtml as e, verdictAnchor } from "./html.js";
import { cellOf, sourceTag, STATUS_COLOURS, type MatrixHeader, type MatrixModel, type MatrixRequirement } from "./matrix-model.js";

export function renderEvidenceIndex(model: MatrixModel, header: MatrixHeader, collected: CollectedRun): string {
  const sections: string[] = [];
  for (const req of model.rows) {
    for (const target of model.targets) {
      const verdict = cellOf(model, req.id, target);
      if (verdict) sections.push(renderVerdict(req, verdict, collected));
    }
  }
  const style = Object.entries(STATUS_COLOURS)
    .map(([s, c]) => `.s-${s} { background: ${c.background}; color: ${c.text}; }`)
    .join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Evidence: ${e(header.environment)} ${e(header.runId)}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 1.5rem; max-width: 72rem; }
section { border-top: 2px solid #ccc; padding-top: 0.5rem; margin-top: 1.5rem; }
section:target { outline: 3px solid #1565c0; }
dl { display: grid; grid-template-columns: 10rem 1fr; gap: 0.2rem 1rem; }
dt { font-weight: bold; }
dd { margin: 0; white-space: pre-wrap; }
pre { background: #f6f6f6; padding: 0.5rem; overflow-x: auto; white-space: pre-wrap; word-break: break-all; }
.status { padding: 0.1rem 0.4rem; border-radius: 0.2rem; }
.missing { color: #b71c1c; }
${style}
</style></head><body>
<h1>Evidence of run <code>${e(header.runId)}</code></h1>
<p>Environment <b>${e(header.environment)}</b>, started ${e(header.startedAt)}, suite ${e(header.suite.version)} (<code>${e(header.suite.commit)}</code>).
Back to the <a href="../matrix.html">traceability matrix</a>. Raw data: <a href="collected.json">collected.json</a>.</p>
${sections.join("\n")}
</body></html>
`;
}

function renderVerdict(req: MatrixRequirement, v: Verdict, collected: CollectedRun): string {
  const rows: [string, string | undefined][] = [
    ["Requirement", `${req.id} (${req.level}): ${req.title}`],
    ["Page", sourceTag(req)],
    ["Page (zh)", req.sentence?.zh],
    ["Page (en)", req.sentence?.en],
    ["Target", v.target],
    ["Message", v.message],
    ["Expected", v.expected],
    ["Actual", v.actual],
    ["Waiver", v.waiver ? `${v.waiver.justification} (approved by ${v.waiver.approver}, expires ${v.waiver.expires})` : undefined],
    ["Remediation", v.status === "passed" ? undefined : req.remediation],
  ];
  const dl = rows
    .filter((r): r is [string, string] => r[1] !== undefined && r[1] !== "")
    .map(([k, val]) => `<dt>${e(k)}</dt><dd>${e(val)}</dd>`)
    .join("\n");
  const items = lookupEvidence(v, collected);
  const evidence = items.length === 0 ? "<p>No raw evidence was named by this check.</p>" : items.map(renderItem).join("\n");
  return `<section id="${verdictAnchor(v.requirement, v.target)}">
<h2>${e(v.requirement)} · ${e(v.target)} <span class="status s-${v.status}">${e(v.status)}</span></h2>
<dl>
${dl}
</dl>
<h3>Evidence</h3>
${evidence}
</section>`;
}

function renderItem(item: EvidenceItem): string {
  switch (item.kind) {
    case "command":
      return renderCommand(item.host, item.output);
    case "probe":
      return `<h4>Probe <code>${e(item.probe.key)}</code> (${e(item.probe.kind)} → ${e(item.probe.target)}, ${item.probe.durationMs} ms, at ${e(item.probe.startedAt)})</h4>
<pre>${e(JSON.stringify(item.probe.result, null, 2) ?? "null")}</pre>`;
    case "failover":
      return `<h4>Failover experiment <code>${e(item.name)}</code></h4>
<pre>${e(JSON.stringify(item.experiment, null, 2) ?? "null")}</pre>`;
    case "not-found":
      return `<p class="missing">Evidence <code>${e(item.name)}</code> is named by the verdict but not present in collected.json.</p>`;
  }
}

function renderCommand(host: string, output: CommandOutput): string {
  const exit = describeEnd(output);
  return `<h4>${e(host)} · section <code>${e(output.section)}</code></h4>
<dl>
<dt>Command</dt><dd><code>${e(output.command)}</code></dd>
<dt>Exit</dt><dd>${e(exit)}</dd>
<dt>Duration</dt><dd>${output.durationMs} ms</dd>
</dl>
<p>stdout</p><pre>${e(output.stdout)}</pre>
<p>stderr</p><pre>${e(output.stderr)}</pre>`;
}
