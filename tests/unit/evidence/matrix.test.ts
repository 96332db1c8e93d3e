import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { buildMatrix, renderMatrixCsv, renderMatrixMarkdown, writeMatrix } from "../../../helpers/evidence/matrix.js";
import { verdictAnchor } from "../../../helpers/evidence/html.js";
import { summarize, type ResultsFile } from "../../../helpers/run/results.js";
import { catalogue, collected, verdicts } from "./matrix-fixture.js";

const results: ResultsFile = {
  runId: collected.runId,
  environment: "unit",
  startedAt: collected.startedAt,
  finishedAt: "2026-03-10T01:02:00.000Z",
  suite: { version: "0.1.0", commit: "abc123" },
  summary: summarize(verdicts),
  expiredWaivers: [],
  results: verdicts,
};

const dirs: string[] = [];
afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

describe("buildMatrix", () => {
  it("orders rows by catalogue and columns by inventory, then endpoint targets", () => {
    const model = buildMatrix(verdicts, catalogue, ["cp1", "dp1", "dp2"]);
    expect(model.rows.map((r) => r.id)).toEqual(["HW-01", "SEC-04", "DB-02"]);
    expect(model.targets).toEqual(["cp1", "dp1", "dp2", "@database"]);
  });

  it("keeps a result whose requirement is missing from the catalogue visible", () => {
    const model = buildMatrix([...verdicts, { ...verdicts[0]!, requirement: "TOPO-09" }], catalogue, ["cp1"]);
    expect(model.rows.at(-1)).toMatchObject({ id: "TOPO-09", title: "(not in the catalogue)" });
  });
});

describe("matrix renderers", () => {
  const model = buildMatrix(verdicts, catalogue, ["cp1", "dp1"]);

  it("CSV: one row per requirement, one status column per target, empty when not in scope", () => {
    expect(renderMatrixCsv(model).split("\r\n")).toEqual([
      "requirement,level,source,title,cp1,dp1,@database",
      "HW-01,MUST,S3.1,CPU architecture is x86_64,passed,failed,",
      "SEC-04,MUST,S5.3,Other ports are closed,broken,waived,",
      "DB-02,INFO,S2.2,\"Database HA, recorded\",,,passed",
      "",
    ]);
  });

  it("Markdown: cells link to the evidence anchors", () => {
    const md = renderMatrixMarkdown(model);
    expect(md).toContain("| Requirement | Level | Page | Title | cp1 | dp1 | @database |");
    expect(md).toContain(`| HW-01 | MUST | S3.1 | CPU architecture is x86_64 | [✔ passed](evidence/index.html#${verdictAnchor("HW-01", "cp1")}) | [✘ failed](evidence/index.html#${verdictAnchor("HW-01", "dp1")}) | · |`);
  });
});

describe("writeMatrix", () => {
  it("writes a self-contained HTML matrix whose every cell anchor exists in evidence/index.html", async () => {
    const runDir = await mkdtemp(join(tmpdir(), "matrix-"));
    dirs.push(runDir);
    const files = await writeMatrix(runDir, results, catalogue, collected, ["aarch64-secret-never"]);
    const html = await readFile(files.html, "utf8");
    const index = await readFile(files.evidenceIndex, "utf8");

    expect(html).not.toMatch(/<script|<link|https?:\/\//);
    expect(html).toContain('class="s-failed"');
    expect(html).toContain("background: #ef9a9a");
    const links = [...html.matchAll(/href="evidence\/index\.html#([^"]+)"/g)].map((m) => m[1]);
    expect(links).toHaveLength(verdicts.length);
    for (const anchor of links) expect(index).toContain(`id="${anchor}"`);

    // The evidence page: page sentence in both languages, expected/actual, raw command output, probe, waiver.
    const dp1 = index.slice(index.indexOf(`id="${verdictAnchor("HW-01", "dp1")}"`));
    expect(dp1).toContain("CPU 架构：x86_64");
    expect(dp1).toContain("CPU architecture: x86_64");
    expect(dp1).toContain("<dt>Actual</dt><dd>aarch64</dd>");
    expect(dp1).toContain("<code>uname -m</code>");
    expect(dp1).toContain("<pre>aarch64\n</pre>");
    expect(index).toContain("Probe <code>tcp:dp1:8081</code>");
    expect(index).toContain("debug port until the next release (approved by ops lead, expires 2026-04-01)");
    expect(index).toContain("Evidence <code>sweep:cp1</code> is named by the verdict but not present in collected.json.");
    // Escaped, never raw HTML from evidence or catalogue text.
    expect(index).toContain("port 8081 answers &lt;from the runner&gt;");
    expect(index).toContain("Close &lt;everything&gt; else.");

    expect(await readFile(files.csv, "utf8")).toContain("HW-01,MUST,S3.1");
    expect(await readFile(files.markdown, "utf8")).toContain("# Traceability matrix: unit");
  });

  it("accepts the verdict list alone (header from the collected run)", async () => {
    const runDir = await mkdtemp(join(tmpdir(), "matrix-"));
    dirs.push(runDir);
    const files = await writeMatrix(runDir, verdicts, catalogue, collected);
    const html = await readFile(files.html, "utf8");
    expect(html).toContain(`run <code>${collected.runId}</code>`);
    expect(html).toContain("✘ failed 1");
  });
});
