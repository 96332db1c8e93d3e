// The console summary: each row counts every target's status and is never "passed" while one is not.
import { expect, test } from "vitest";
import type { Status, Verdict } from "../../../helpers/model.js";
import type { ResultsFile } from "../../../helpers/run/results.js";
import { summarize } from "../../../helpers/run/results.js";
import { specsColourEnv } from "../../../helpers/run/spec-process.js";
import { statusCounts, summaryLines } from "../../../helpers/run/summary.js";

const catalogue = [{ id: "SEC-03", level: "MUST", title: "The page's ports are reachable where their component runs" }];

function verdict(target: string, status: Status, host: string | null = target.startsWith("@") ? null : target): Verdict {
  return { requirement: "SEC-03", host, target, level: "MUST", status, message: `${target}: ${status}` };
}

function resultsOf(results: Verdict[]): ResultsFile {
  return { runId: "r", environment: "e", startedAt: "", finishedAt: "", suite: { version: "0", commit: "c" }, summary: summarize(results), expiredWaivers: [], results };
}

test("a row with targets on unreachable hosts is broken and counts them: never passed", () => {
  const results = resultsOf([
    verdict("@database", "passed"),
    verdict("@prometheus", "passed"),
    ...["cp1", "cp2", "dp1", "dp2"].map((host) => verdict(host, "broken")),
  ]);
  const hosts = ["cp1", "cp2", "dp1", "dp2"].map((name) => ({ name, error: "connect EHOSTUNREACH" }));
  const row = summaryLines(results, catalogue, hosts).find((line) => line.startsWith("SEC-03"))!;
  expect(row).toMatch(/^SEC-03 +MUST +broken +2 passed, 4 broken \(4 on hosts that could not be evaluated\)/);
});

test("a row's counts add up to its targets, and its status is the worst of them", () => {
  const verdicts = [verdict("cp1", "passed"), verdict("cp2", "failed"), verdict("dp1", "warning"), verdict("dp2", "skipped")];
  expect(statusCounts(verdicts)).toBe("1 passed, 1 failed, 1 warning, 1 skipped");
  const row = summaryLines(resultsOf(verdicts), catalogue).find((line) => line.startsWith("SEC-03"))!;
  expect(row).toMatch(/^SEC-03 +MUST +failed +1 passed, 1 failed, 1 warning, 1 skipped: cp2 failed: cp2: failed; dp1 warning/);
});

test("vitest gets no colours unless its output is the console of a terminal that wants them", () => {
  expect(specsColourEnv("log", true, {})).toEqual({ NO_COLOR: "1" });
  expect(specsColourEnv("console", false, {})).toEqual({ NO_COLOR: "1" });
  expect(specsColourEnv("console", true, { NO_COLOR: "" })).toEqual({ NO_COLOR: "1" });
  expect(specsColourEnv("console", true, {})).toEqual({});
});
