// Drift in the Allure results: an attachment on each transitioned test (found by its title), and
// drift.md as a global attachment, in the files allure-js-commons writes.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, test } from "vitest";
import { attachDrift } from "../../../helpers/drift/allure.js";
import type { DriftReport } from "../../../helpers/drift/compare.js";

const dir = mkdtempSync(join(tmpdir(), "api7-drift-allure-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("the transitioned test gets a drift attachment, the others none; the run gets drift.md", () => {
  const tests = { "a-result.json": "SEC-04 dp1: Every other port is closed", "b-result.json": "SEC-04 dp10: Every other port is closed" };
  for (const [file, name] of Object.entries(tests)) writeFileSync(join(dir, file), JSON.stringify({ name, attachments: [{ name: "dp1 probes (2)", source: "x-attachment.json", type: "application/json" }] }));
  const report: DriftReport = {
    baseline: { runId: "night-1", startedAt: "2026-01-01T00:00:00Z", source: "the previous run" },
    runId: "night-2",
    environment: "lab",
    changes: [],
    transitions: [{ requirement: "SEC-04", target: "dp1", from: "passed", to: "failed", message: "dp1: 8022 open", causes: [{ host: "dp1", what: "listening sockets", sections: ["listeners"], before: "(none)", after: "tcp 0.0.0.0:8022 (sshd)" }] }],
  };
  expect(attachDrift(dir, report, "# Drift\n")).toBe(1);

  const read = (file: string) => JSON.parse(readFileSync(join(dir, file), "utf8")) as { attachments: { name: string; source: string }[] };
  const [existing, drift] = read("a-result.json").attachments;
  expect(existing!.name).toBe("dp1 probes (2)");
  expect(drift!.name).toBe("drift");
  expect(readFileSync(join(dir, drift!.source), "utf8")).toMatch(/^# SEC-04 dp1: passed -> failed\n[^]*- dp1: listening sockets: \(none\) -> tcp 0\.0\.0\.0:8022 \(sshd\)/);
  expect(read("b-result.json").attachments.map((a) => a.name)).toEqual(["dp1 probes (2)"]);

  const globals = readdirSync(dir).filter((file) => file.endsWith("-globals.json"));
  expect(globals).toHaveLength(1);
  const [global] = read(globals[0]!).attachments;
  expect(global!.name).toBe("drift.md");
  expect(readFileSync(join(dir, global!.source), "utf8")).toBe("# Drift\n");
});
