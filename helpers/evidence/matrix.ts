// Traceability matrix: requirements (rows, catalogue order) × targets (columns, inventory order),
// one verdict per cell, each linked to the evidence that decided it (evidence/index.html#anchor).
// HTML opens from disk (no scripts, no external assets); CSV and Markdown for spreadsheets and PRs.
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Status, Verdict } from "../model.js";
import type { CollectedRun } from "../run/collected.js";
import { summarize, type ResultsFile } from "../run/results.js";
import { renderEvidenceIndex } from "./evidence-index.js";
import { escapeHtml, verdictAnchor } from "./html.js";
import { buildMatrix, cellOf, sourceTag, STATUS_COLOURS, STATUS_SYMBOL, type MatrixHeader, type MatrixModel, type MatrixRequirement } from "./matrix-model.js";
import { redact } from "./redact.js";
import { readSuiteIdentity } from "./suite-identity.js";

export { buildMatrix, sourceTag, STATUS_COLOURS, type MatrixHeader, type MatrixModel, type MatrixRequirement };

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");


export function renderMatrixHtml(model: MatrixModel, header: MatrixHeader): string {
  const e = escapeHtml;
  const style = (Object.entries(STATUS_COLOURS) as [Status, { background: string; text: string }][])
    .map(([s, c]) => `td.s-${s}, span.s-${s} { background: ${c.background}; color: ${c.text}; }`)
    .join("\n");
  const headCells = model.targets.map((t) => `<th scope="col">${e(t)}</th>`).join("");
  const body = model.rows
    .map((req) => {
      const cells = model.targets
        .map((target) => {
          const v = cellOf(model, req.id, target);
          if (!v) return `<td class="na" title="not in scope">·</td>`;
          const title = `${v.status}: ${v.message}`;
          return `<td class="s-${v.status}"><a href="evidence/index.html#${verdictAnchor(v.requirement, v.target)}" title="${e(title)}">${STATUS_SYMBOL[v.status]} ${v.status}</a></td>`;
        })
        .join("");
      return `<tr><th scope="row">${e(req.id)}</th><td>${e(req.level)}</td><td>${e(sourceTag(req))}</td><td class="title">${e(req.title)}</td>${cells}</tr>`;
    })
    .join("\n");
  const summary = (Object.keys(STATUS_COLOURS) as Status[]).map((s) => `<span class="s-${s} badge">${STATUS_SYMBOL[s]} ${s} ${header.summary[s] ?? 0}</span>`).join(" ");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Traceability matrix: ${e(header.environment)} ${e(header.runId)}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 1.5rem; }
table { border-collapse: collapse; font-size: 0.9rem; }
th, td { border: 1px solid #bbb; padding: 0.25rem 0.5rem; text-align: left; vertical-align: top; }
thead th { background: #f5f5f5; position: sticky; top: 0; }
td a { color: inherit; text-decoration: none; display: block; }
td.na { color: #999; text-align: center; }
td.title { max-width: 28rem; }
.badge { padding: 0.1rem 0.4rem; border-radius: 0.2rem; margin-right: 0.3rem; }
${style}
</style></head><body>
<h1>Traceability matrix</h1>
<p>Environment <b>${e(header.environment)}</b>, run <code>${e(header.runId)}</code>, started ${e(header.startedAt)},
suite ${e(header.suite.version)} (<code>${e(header.suite.commit)}</code>).</p>
<p>${summary}</p>
<p>Each cell links to the evidence that decided it: <a href="evidence/index.html">evidence/index.html</a>. · = requirement not in scope for that target.</p>
<table>
<thead><tr><th scope="col">Requirement</th><th scope="col">Level</th><th scope="col">Page</th><th scope="col">Title</th>${headCells}</tr></thead>
<tbody>
${body}
</tbody></table>
</body></html>
`;
}

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export function renderMatrixCsv(model: MatrixModel): string {
  const lines = [["requirement", "level", "source", "title", ...model.targets]];
  for (const req of model.rows) {
    lines.push([req.id, req.level, sourceTag(req), req.title, ...model.targets.map((t) => cellOf(model, req.id, t)?.status ?? "")]);
  }
  return lines.map((fields) => fields.map(csvField).join(",")).join("\r\n") + "\r\n";
}

function mdField(value: string): string {
  return value.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}

export function renderMatrixMarkdown(model: MatrixModel, header?: MatrixHeader): string {
  const lines: string[] = [];
  if (header) {
    lines.push(`# Traceability matrix: ${header.environment}`, "");
    lines.push(`Run \`${header.runId}\`, started ${header.startedAt}, suite ${header.suite.version} (\`${header.suite.commit}\`).`, "");
    lines.push((Object.keys(STATUS_SYMBOL) as Status[]).map((s) => `${STATUS_SYMBOL[s]} ${s}: ${header.summary[s] ?? 0}`).join(" · "), "");
  }
  lines.push(`| Requirement | Level | Page | Title | ${model.targets.map(mdField).join(" | ")} |`);
  lines.push(`|---|---|---|---|${model.targets.map(() => "---").join("|")}|`);
  for (const req of model.rows) {
    const cells = model.targets.map((t) => {
      const v = cellOf(model, req.id, t);
      return v ? `[${STATUS_SYMBOL[v.status]} ${v.status}](evidence/index.html#${verdictAnchor(v.requirement, v.target)})` : "·";
    });
    lines.push(`| ${mdField(req.id)} | ${mdField(req.level)} | ${mdField(sourceTag(req))} | ${mdField(req.title)} | ${cells.join(" | ")} |`);
  }
  return `${lines.join("\n")}\n`;
}

function isResultsFile(results: ResultsFile | readonly Verdict[]): results is ResultsFile {
  return !Array.isArray(results);
}

/** From results.json when given; from the collected run otherwise (suite then comes from this checkout). */
function matrixHeader(results: ResultsFile | readonly Verdict[], collected: CollectedRun): MatrixHeader {
  if (isResultsFile(results)) {
    return { runId: results.runId, environment: results.environment, startedAt: results.startedAt, suite: results.suite, summary: results.summary };
  }
  return {
    runId: collected.runId,
    environment: collected.environmentName,
    startedAt: collected.startedAt,
    suite: readSuiteIdentity(REPO_ROOT),
    summary: summarize([...results]),
  };
}

export interface WrittenMatrix {
  html: string;
  csv: string;
  markdown: string;
  evidenceIndex: string;
}

/** Writes matrix.html|csv|md and evidence/index.html into the run folder; redacts once more on the way out. */
export async function writeMatrix(
  runDir: string,
  results: ResultsFile | readonly Verdict[],
  catalogue: readonly MatrixRequirement[],
  collected: CollectedRun,
  secrets: readonly string[] = [],
): Promise<WrittenMatrix> {
  const header = matrixHeader(results, collected);
  const verdicts = isResultsFile(results) ? results.results : results;
  const model = buildMatrix(verdicts, catalogue, collected.hosts.map((h) => h.name));
  const files: WrittenMatrix = {
    html: join(runDir, "matrix.html"),
    csv: join(runDir, "matrix.csv"),
    markdown: join(runDir, "matrix.md"),
    evidenceIndex: join(runDir, "evidence", "index.html"),
  };
  await mkdir(join(runDir, "evidence"), { recursive: true });
  const out = (text: string) => redact(text, secrets);
  await writeFile(files.html, out(renderMatrixHtml(model, header)));
  await writeFile(files.csv, out(renderMatrixCsv(model)));
  await writeFile(files.markdown, out(renderMatrixMarkdown(model, header)));
  await writeFile(files.evidenceIndex, out(renderEvidenceIndex(model, header, collected)));
  return files;
}
