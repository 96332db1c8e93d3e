// Which run drift compares with: the previous sealed run of the same environment and scope, or
// --baseline (a run id, a run folder, or the folder the nightly workflow carries).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, test } from "vitest";
import { previousRun, resolveBaseline } from "../../../helpers/drift/baseline.js";

const root = mkdtempSync(join(tmpdir(), "api7-baseline-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function runFolder(dir: string, environment: string, startedAt: string, only: string | null, sealed = true): string {
  mkdirSync(join(dir, "evidence"), { recursive: true });
  writeFileSync(join(dir, "results.json"), JSON.stringify({ runId: dir.split("/").pop(), environment, startedAt, scope: { only, shard: null }, results: [] }));
  writeFileSync(join(dir, "evidence", "collected.json"), "{}");
  if (sealed) writeFileSync(join(dir, "manifest.json"), "{}");
  return dir;
}

const reports = join(root, "reports");
runFolder(join(reports, "1-lab"), "lab", "2026-01-01T00:00:00Z", null);
runFolder(join(reports, "2-lab-hw"), "lab", "2026-01-02T00:00:00Z", "HW-");
runFolder(join(reports, "3-staging"), "staging", "2026-01-03T00:00:00Z", null);
runFolder(join(reports, "4-lab-unsealed"), "lab", "2026-01-04T00:00:00Z", null, false);
runFolder(join(reports, "5-lab"), "lab", "2026-01-05T00:00:00Z", null);

test("the previous run is the newest earlier sealed run of the same environment and scope", () => {
  expect(previousRun(reports, "lab", { only: null, shard: null }, "6-lab", "2026-01-06T00:00:00Z")?.dir).toBe(join(reports, "5-lab"));
  expect(previousRun(reports, "lab", { only: null, shard: null }, "5-lab", "2026-01-05T00:00:00Z")?.dir).toBe(join(reports, "1-lab"));
  expect(previousRun(reports, "lab", { only: "hw-", shard: null }, "6-lab", "2026-01-06T00:00:00Z")?.dir).toBe(join(reports, "2-lab-hw"));
  expect(previousRun(reports, "lab", { only: "SEC-04", shard: null }, "6-lab", "2026-01-06T00:00:00Z")).toBeNull();
  expect(previousRun(reports, "prod", { only: null, shard: null }, "6-prod", "2026-01-06T00:00:00Z")).toBeNull();
});

test("--baseline takes a run id, a run folder, or a carried folder; anything else is bad input", () => {
  expect(resolveBaseline("1-lab", reports)).toEqual({ dir: join(reports, "1-lab"), source: "--baseline 1-lab" });
  const carried = runFolder(join(root, "drift-baseline"), "lab", "2026-01-05T00:00:00Z", null, false);
  expect(resolveBaseline(carried, reports)).toMatchObject({ dir: carried });
  expect(resolveBaseline(join(root, "nowhere"), reports)).toMatch(/^--baseline .*nowhere: neither a folder nor a run id under .* holding results\.json and evidence\/collected\.json/);
});
