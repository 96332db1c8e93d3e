// Real Allure 3 generation on results produced by a real vitest + allure-vitest run of a throwaway spec.
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  HISTORY_BUDGET_BYTES,
  HISTORY_LIMIT,
  HISTORY_MIN_RUNS,
  generateAllureReport,
  historyRunsToKeep,
  renderEnvironmentProperties,
  writeAllureExtras,
} from "../../../helpers/evidence/allure-extras.js";

const REPO_ROOT = resolve(import.meta.dirname, "../../..");
let work: string;
let runDir: string;

const THROWAWAY_SPEC = `
import { test, expect } from "vitest";
test("HW-01 cp1: CPU architecture is x86_64", () => { expect("x86_64").toBe("x86_64"); });
test("HW-02 cp1: at least 2 CPU cores", () => { expect(1).toBeGreaterThanOrEqual(2); });
test("SW-05 dp1: Docker engine answers", () => { const e = new Error("dp1: could not be evaluated: connection refused"); e.name = "CouldNotEvaluate"; throw e; });
`;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "allure-extras-"));
  runDir = join(work, "run");
  await mkdir(runDir);
  await symlink(join(REPO_ROOT, "node_modules"), join(work, "node_modules"));
  await writeFile(join(work, "throwaway.spec.mjs"), THROWAWAY_SPEC);
  await writeFile(
    join(work, "vitest.config.mjs"),
    `export default { test: { include: ["throwaway.spec.mjs"], setupFiles: ["allure-vitest/setup"],
      reporters: [["allure-vitest/reporter", { resultsDir: ${JSON.stringify(join(runDir, "allure-results"))} }]] } };\n`,
  );
  // The throwaway spec fails on purpose: vitest exits 1, the results are what matter.
  await promisify(execFile)(process.execPath, [join(REPO_ROOT, "node_modules/vitest/vitest.mjs"), "run", "--root", work], { cwd: work }).catch(() => undefined);
}, 120_000);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

/** The files a single-file Allure report embeds: `d("<path>","<base64>")` calls in its page. */
function embeddedFiles(html: string): Map<string, string> {
  return new Map([...html.matchAll(/\bd\("([^"]+)","([A-Za-z0-9+/=]*)"\)/g)].map(([, name, base64]) => [name!, Buffer.from(base64!, "base64").toString("utf8")]));
}

describe("renderEnvironmentProperties", () => {
  it("escapes keys and values the .properties way", () => {
    expect(renderEnvironmentProperties({ environment: "staging", suite: { version: "0.1.0", commit: "abc" }, extra: { "run id": "a=b:c", operator: "ci@例" } })).toBe(
      "environment=staging\nsuite.version=0.1.0\nsuite.commit=abc\nrun\\ id=a\\=b\\:c\noperator=ci@\\u4f8b\n",
    );
  });
});

describe("generateAllureReport", () => {
  it("renders report.html alone, with environment widget, categories, charts and history", async () => {
    const historyPath = join(work, "reports", ".history");
    await writeAllureExtras(runDir, { environment: "staging", suite: { version: "0.1.0", commit: "abc123" }, extra: { operator: "ci@runner" } });
    expect(await readFile(join(runDir, "allure-results", "environment.properties"), "utf8")).toContain("environment=staging");

    // A report.html from an earlier generation is replaced.
    await writeFile(join(runDir, "report.html"), "stale");

    const first = await generateAllureReport(runDir, historyPath);
    expect(first.singleFile).toBe(join(runDir, "report.html"));
    const single = await readFile(first.singleFile, "utf8");
    expect(single.length).toBeGreaterThan(100_000);
    expect(single).toMatch(/^<!DOCTYPE html>/i);
    // The single file is the whole report: the folder form is not generated.
    expect((await readdir(runDir)).sort()).toEqual(["allure-results", "report.html"]);

    const embedded = embeddedFiles(single);
    const environment = JSON.parse(embedded.get("widgets/allure_environment.json")!);
    expect(environment).toEqual(
      expect.arrayContaining([
        { name: "environment", values: ["staging"] },
        { name: "suite.commit", values: ["abc123"] },
      ]),
    );
    const categories = JSON.parse(embedded.get("widgets/categories.json")!) as { nodes: Record<string, { type: string; name: string; statistic?: Record<string, number> }> };
    const roots = Object.values(categories.nodes).filter((n) => n.type === "category");
    expect(roots.map((n) => [n.name, n.statistic])).toEqual(
      expect.arrayContaining([
        ["Requirement violated", { total: 1, failed: 1 }],
        ["Could not evaluate", { total: 1, broken: 1 }],
      ]),
    );
    expect(embedded.has("widgets/charts.json")).toBe(true);
    expect([...embedded.keys()].some((name) => name.startsWith("data/history"))).toBe(false);

    const linesAfterFirst = (await readFile(first.historyFile, "utf8")).trim().split("\n");
    expect(linesAfterFirst).toHaveLength(1);
    const second = await generateAllureReport(runDir, historyPath);
    const linesAfterSecond = (await readFile(second.historyFile, "utf8")).trim().split("\n");
    expect(linesAfterSecond).toHaveLength(2);
    // The second report carries the first run as history (the trends).
    expect([...embeddedFiles(await readFile(second.singleFile, "utf8")).keys()].some((name) => name.startsWith("data/history"))).toBe(true);
    // A limit keeps the newest runs only, so the history cannot grow without bound (default HISTORY_LIMIT).
    const third = await generateAllureReport(runDir, historyPath, { historyLimit: 2 });
    const linesAfterThird = (await readFile(third.historyFile, "utf8")).trim().split("\n");
    expect(linesAfterThird).toHaveLength(2);
    expect(linesAfterThird[0]).toBe(linesAfterSecond[1]);

    // Large runs keep fewer: eight runs of history, a budget of three of them, HISTORY_MIN_RUNS kept.
    const entry = linesAfterThird[1]!;
    await writeFile(third.historyFile, `${entry}\n`.repeat(8));
    const underBudget = await generateAllureReport(runDir, historyPath, { historyBudgetBytes: 3 * (entry.length + 1) });
    expect((await readFile(underBudget.historyFile, "utf8")).trim().split("\n")).toHaveLength(HISTORY_MIN_RUNS);
    // Within the budget, every run stays (and this one joins them).
    const withinBudget = await generateAllureReport(runDir, historyPath, { historyBudgetBytes: 100 * (entry.length + 1) });
    expect((await readFile(withinBudget.historyFile, "utf8")).trim().split("\n")).toHaveLength(HISTORY_MIN_RUNS + 1);
  }, 180_000);
});

describe("historyRunsToKeep: HISTORY_LIMIT runs, fewer when they outgrow the budget", () => {
  const MB = 1024 * 1024;
  it("no history yet: HISTORY_LIMIT", () => expect(historyRunsToKeep(0, 0)).toBe(HISTORY_LIMIT));
  it("small runs (4 lab hosts, about 110 KB each): HISTORY_LIMIT", () => expect(historyRunsToKeep(10 * 110 * 1024, 10)).toBe(HISTORY_LIMIT));
  it("large runs (50 lab hosts, about 1.2 MB each): as many as fit in the budget", () =>
    expect(historyRunsToKeep(2 * 1.2 * MB, 2)).toBe(Math.floor(HISTORY_BUDGET_BYTES / (1.2 * MB))));
  it("the budget's edge: runs that fit exactly all stay, one byte more and one goes", () => {
    expect(historyRunsToKeep(HISTORY_BUDGET_BYTES, 8)).toBe(8);
    expect(historyRunsToKeep(HISTORY_BUDGET_BYTES + 8, 8)).toBe(7);
  });
  it("very large runs: HISTORY_MIN_RUNS at least", () => expect(historyRunsToKeep(3 * 20 * MB, 3)).toBe(HISTORY_MIN_RUNS));
  it("the budget given replaces the default", () => expect(historyRunsToKeep(10 * MB, 10, 6 * MB)).toBe(6));
});
