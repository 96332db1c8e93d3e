// Drift in the Allure report: a "drift" attachment on each test whose verdict changed, and the whole
// drift.md as a global attachment of the run. Written into allure-results after vitest has exited
// and before the report is generated, in allure-js-commons' own file formats.
import { randomUUID } from "node:crypto";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { DriftReport } from "./compare.js";
import { transitionMarkdown } from "./render.js";

interface AllureAttachment {
  name: string;
  source: string;
  type: string;
}

function writeAttachment(resultsDir: string, content: string): string {
  const source = `${randomUUID()}-attachment.md`;
  writeFileSync(join(resultsDir, source), content);
  return source;
}

/** Adds the attachments; returns how many tests received one. */
export function attachDrift(resultsDir: string, report: DriftReport, markdown: string): number {
  let attached = 0;
  if (report.baseline !== null && report.transitions.length > 0) {
    for (const file of readdirSync(resultsDir).filter((name) => name.endsWith("-result.json"))) {
      const path = join(resultsDir, file);
      const result = JSON.parse(readFileSync(path, "utf8")) as { name?: string; attachments?: AllureAttachment[] };
      // Tests are titled "<requirement> <target>: <title>" (helpers/requirement.ts).
      const transition = report.transitions.find((t) => result.name?.startsWith(`${t.requirement} ${t.target}: `));
      if (!transition) continue;
      const source = writeAttachment(resultsDir, transitionMarkdown(report, transition));
      result.attachments = [...(result.attachments ?? []), { name: "drift", source, type: "text/markdown" }];
      writeFileSync(path, JSON.stringify(result));
      attached++;
    }
  }
  const globals = { attachments: [{ name: "drift.md", source: writeAttachment(resultsDir, markdown), type: "text/markdown", timestamp: Date.now() }], errors: [] };
  writeFileSync(join(resultsDir, `${randomUUID()}-globals.json`), JSON.stringify(globals));
  return attached;
}
