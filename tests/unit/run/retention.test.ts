// Retention and history scopes: per environment, oldest first, never the run that just ended nor an
// unfinished one; a narrowed run keeps its own Allure history.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, test } from "vitest";
import { historyDir, scopeKey } from "../../../helpers/run/history.js";
import { applyRetention, listRuns, runsToRemove } from "../../../helpers/run/retention.js";

const root = mkdtempSync(join(tmpdir(), "api7-retention-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function runFolder(runId: string, environment: string, startedAt: string, sealed = true): void {
  const dir = join(root, runId);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "results.json"), JSON.stringify({ runId, environment, startedAt, results: [] }));
  if (sealed) writeFileSync(join(dir, "manifest.json"), "{}");
}

test("keeps the newest runs of the environment, removes the oldest, leaves other environments and unfinished runs", () => {
  runFolder("a-lab", "lab", "2026-01-01T00:00:00Z");
  runFolder("b-lab", "lab", "2026-01-02T00:00:00Z");
  runFolder("c-staging", "staging", "2026-01-02T12:00:00Z");
  runFolder("d-lab-unfinished", "lab", "2026-01-02T18:00:00Z", false);
  runFolder("e-lab", "lab", "2026-01-03T00:00:00Z");
  mkdirSync(join(root, ".history", "lab"), { recursive: true });
  mkdirSync(join(root, "no-results"));
  symlinkSync("e-lab", join(root, "latest"));

  expect(listRuns(root).map((run) => run.runId)).toEqual(["a-lab", "b-lab", "c-staging", "d-lab-unfinished", "e-lab"]);
  expect(runsToRemove(listRuns(root), "lab", 2, "e-lab").map((run) => run.runId)).toEqual(["a-lab"]);
  expect(runsToRemove(listRuns(root), "lab", 1, "e-lab").map((run) => run.runId)).toEqual(["a-lab", "b-lab"]);
  // The run that just ended is kept even when an older one was started later (a reused run id).
  expect(runsToRemove(listRuns(root), "lab", 1, "a-lab").map((run) => run.runId)).toEqual(["b-lab", "e-lab"]);

  const lines: string[] = [];
  applyRetention(root, "lab", 2, "e-lab", (line) => lines.push(line));
  expect(listRuns(root).map((run) => run.runId)).toEqual(["b-lab", "c-staging", "d-lab-unfinished", "e-lab"]);
  expect(lines).toEqual([expect.stringMatching(new RegExp(`^retention: keep 2 runs per environment; removed 1 run folder\\(s\\) of lab: a-lab; ${root} holds \\d+ KB$`))]);
});

test("the Allure history of a narrowed run is not the full run's", () => {
  expect(historyDir("/r", "staging", { only: null, shard: null })).toBe("/r/.history/staging");
  expect(historyDir("/r", "staging", undefined)).toBe("/r/.history/staging");
  expect(historyDir("/r", "lab", { only: "sec-04,HW-", shard: null })).toBe("/r/.history/lab/only-HW-,SEC-04");
  expect(historyDir("/r", "lab", { only: null, shard: "2/3" })).toBe("/r/.history/lab/shard-2-of-3");
  expect(scopeKey({ only: "HW-, SEC-04", shard: "1/2" })).toBe("only-HW-,SEC-04+shard-1-of-2");
  expect(historyDir("/r", "../x", undefined)).toBe("/r/.history/.._x");
  expect(historyDir("/r", "..", undefined)).toBe("/r/.history/__");
});
