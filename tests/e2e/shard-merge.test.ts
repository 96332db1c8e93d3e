// Sharding end to end: one compliant lab, audited as --shard 1/2 + --shard 2/2 and merged, and once
// unsharded; the merged run must carry exactly the verdicts of the single run, and verify offline.
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startScaleLab, writeLabEnvironment, type ScaleLab } from "../../environments/lab/scale.js";
import type { ResultsFile } from "../../helpers/run/results.js";
import { REPO_ROOT, readResults, runCli, type CliRun } from "./run-audit.js";

const WORK = join(REPO_ROOT, ".lab", `e2e-shard-${process.pid}`);
const REPORTS = join(WORK, "reports");

const cli = runCli;

const verdictRows = (results: ResultsFile) => results.results.map((v) => `${v.requirement}\t${v.target}\t${v.level}\t${v.status}`);

describe("--shard i/n and npm run merge against the compliant lab", () => {
  let scale: ScaleLab | undefined;
  let envFile = "";
  let childEnv: NodeJS.ProcessEnv = {};
  const runs: Record<string, CliRun> = {};

  beforeAll(async () => {
    process.env.TESTCONTAINERS_RYUK_DISABLED = "true";
    process.env.TESTCONTAINERS_HOST_OVERRIDE = "localhost";
    mkdirSync(WORK, { recursive: true });
    scale = await startScaleLab(4, { workDir: WORK, log: () => undefined });
    const written = writeLabEnvironment(scale, join(WORK, "environment.yaml"), "lab-shards");
    envFile = written.file;
    childEnv = { [written.env.database.passwordEnv]: scale.lab.dbPassword };
    const audit = (runId: string, extra: string[]) => cli("audit", ["--env", envFile, "--report-dir", REPORTS, "--run-id", runId, ...extra], childEnv);
    // One at a time: the machine has 2 cores and each run starts vitest.
    runs.shard1 = await audit("shard-1", ["--shard", "1/2"]);
    runs.shard2 = await audit("shard-2", ["--shard", "2/2"]);
    runs.full = await audit("full", []);
    runs.merge = await cli("merge", [join(REPORTS, "shard-2"), join(REPORTS, "shard-1"), "--out", join(REPORTS, "merged")], childEnv);
    runs.verify = await cli("verify", [join(REPORTS, "merged")], {});
  }, 400_000);

  afterAll(async () => {
    await scale?.stop();
    rmSync(WORK, { recursive: true, force: true });
  });

  test("no run fails or breaks (the lab is compliant); runs holding HA-*, which need the opt-in here, are incomplete (101)", () => {
    for (const [name, run] of Object.entries(runs)) {
      const unproven = [...run.stdout.matchAll(/^ {2}(\S+) @\S+-pair: /gm)].map((m) => m[1]);
      expect(run.code, `${name}:\n${run.stdout.slice(-3000)}\n${run.stderr.slice(-3000)}`).toBe(unproven.length > 0 ? 101 : 0);
      expect(unproven.every((id) => id?.startsWith("HA-")), unproven.join(", ")).toBe(true);
    }
    // The single run and the merge hold the pair targets: their HA-* MUSTs are skipped, not met.
    expect(runs.full?.code).toBe(101);
    expect(runs.merge?.code).toBe(101);
    expect(runs.verify?.code).toBe(0);
  });

  test("each shard evaluates only its own hosts; host-free targets on shard 1; TOPO-01 left to the merge", () => {
    const one = readResults(join(REPORTS, "shard-1"));
    const two = readResults(join(REPORTS, "shard-2"));
    const targets = (r: ResultsFile) => new Set(r.results.map((v) => v.target));
    expect([...targets(one)].sort()).toEqual(["@cp-pair", "@database", "@dp-pair", "@prometheus", "cp1", "dp1"]);
    expect([...targets(two)].sort()).toEqual(["cp2", "dp2"]);
    expect([...one.results, ...two.results].some((v) => v.requirement === "TOPO-01")).toBe(false);
    const collected2 = JSON.parse(readFileSync(join(REPORTS, "shard-2", "evidence", "collected.json"), "utf8")) as { hosts: { name: string }[] };
    expect(collected2.hosts.map((h) => h.name)).toEqual(["cp2", "dp2"]);
  });

  test("the merged run has the same verdicts as the single run, in the same order, and the same summary", () => {
    const merged = readResults(join(REPORTS, "merged"));
    const full = readResults(join(REPORTS, "full"));
    expect(verdictRows(merged)).toEqual(verdictRows(full));
    expect(merged.summary).toEqual(full.summary);
    const topo = merged.results.filter((v) => v.requirement === "TOPO-01");
    expect(topo.map((v) => [v.target, v.status])).toEqual([["cp1", "passed"], ["cp2", "passed"], ["dp1", "passed"], ["dp2", "passed"]]);
    expect(topo.map((v) => v.message)).toEqual(full.results.filter((v) => v.requirement === "TOPO-01").map((v) => v.message));
  });

  test("the merged folder is a complete, sealed bundle that verifies offline", () => {
    const dir = join(REPORTS, "merged");
    for (const file of ["report.html", "junit.xml", "matrix.html", "manifest.json", "evidence/merged-from.json"]) {
      expect(existsSync(join(dir, file)), file).toBe(true);
    }
    expect(existsSync(join(dir, "allure-report"))).toBe(false);
    const results = readResults(dir);
    const allureResults = readFileSync(join(dir, "junit.xml"), "utf8").match(/<testcase /g) ?? [];
    expect(allureResults.length).toBe(results.results.length);
    expect(runs.verify?.stdout).toMatch(/^VERIFIED$/m);
  });
});
