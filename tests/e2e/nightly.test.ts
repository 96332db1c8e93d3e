// The nightly regression, end to end against a real lab kept up between runs as a night would find
// a deployment: runs of the real CLI; between them an extra listening port is opened on dp1. Drift
// names the host, the port and SEC-04's transition to failed (drift.md and one console line);
// retention keeps two run folders with --keep 2; another environment has its own Allure history;
// --baseline accepts the folder the nightly workflow carries (results.json + evidence/collected.json).
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { type ScaleLab, startScaleLab, writeLabEnvironment } from "../../environments/lab/scale.js";
import { listRuns } from "../../helpers/run/retention.js";
import { runCli, type CliRun } from "./run-audit.js";

const workDir = mkdtempSync(join(tmpdir(), "api7-audit-nightly-"));
const reportDir = join(workDir, "reports");
let lab: ScaleLab | undefined;

afterAll(async () => {
  await lab?.stop();
  rmSync(workDir, { recursive: true, force: true });
});

const EXTRA_PORT = 8022;
const runs: Record<string, CliRun> = {};
let firstDrift = "";
const audit = (file: string, ...args: string[]) =>
  runCli("audit", ["--env", file, "--only", "SEC-04", "--report-dir", reportDir, "--keep", "2", ...args], { API7_AUDIT_PG_PASSWORD: lab!.lab.dbPassword });
const runDirOf = (run: CliRun) => /^results: (.+)\/results\.json$/m.exec(run.stdout)?.[1] ?? "(no results line)";
const historyLines = (environment: string) => readFileSync(join(reportDir, ".history", environment, "only-SEC-04", "history.jsonl"), "utf8").trim().split("\n").length;

beforeAll(async () => {
  mkdirSync(join(workDir, "lab"));
  // The compliant lab's 4 hosts, audited as a real environment (no `lab:` key: the audit starts no lab).
  lab = await startScaleLab(4, { log: () => undefined, workDir: join(workDir, "lab") });
  const environmentFile = (name: string) => writeLabEnvironment(lab!, join(workDir, `${name}.yaml`), name).file;
  const nightA = environmentFile("nightly-a");
  runs.first = await audit(nightA);
  firstDrift = readFileSync(join(runDirOf(runs.first), "drift.md"), "utf8");
  // What the nightly workflow carries from one night to the next (the first run's), fed to another
  // environment's run at the end (retention removes the first run's folder before).
  const carried = join(workDir, "carried");
  mkdirSync(join(carried, "evidence"), { recursive: true });
  cpSync(join(runDirOf(runs.first), "results.json"), join(carried, "results.json"));
  cpSync(join(runDirOf(runs.first), "evidence/collected.json"), join(carried, "evidence/collected.json"));

  // The change of the night: a second sshd on dp1, let through dp1's nftables input chain.
  const dp1 = lab.lab.containers.find((name) => name.endsWith("-dp1"))!;
  execFileSync("docker", ["exec", dp1, "/usr/sbin/sshd", "-p", String(EXTRA_PORT)]);
  execFileSync("docker", ["exec", dp1, "nft", "insert", "rule", "inet", "api7_lab", "input", "tcp", "dport", String(EXTRA_PORT), "accept"]);
  runs.second = await audit(nightA);
  runs.third = await audit(nightA);

  runs.otherEnvironment = await audit(environmentFile("nightly-b"), "--baseline", join(workDir, "carried"));
}, 15 * 60_000);

test("the first run has nothing to compare with, and says so", () => {
  expect(runs.first!.code, runs.first!.stdout + runs.first!.stderr).toBe(0);
  expect(runs.first!.stdout).toMatch(/^drift: no earlier run to compare with$/m);
  expect(firstDrift).toMatch(/No earlier run to compare with/);
});

test("the next run names the host, the port and SEC-04's transition to failed, in drift.md and in one console line", () => {
  const second = runs.second!;
  expect(second.code, second.stdout + second.stderr).toBe(1);
  const drift = readFileSync(join(runDirOf(second), "drift.md"), "utf8");
  expect(drift).toMatch(new RegExp(`\\| SEC-04 \\| dp1 \\| passed -> failed \\| listening sockets: \\(none\\) -> tcp 0\\.0\\.0\\.0:${EXTRA_PORT} \\(sshd\\)`));
  expect(drift).toMatch(/### dp1\n/);
  expect(drift).toMatch(new RegExp(`- firewall rules: \\(none\\) -> nft-ruleset: tcp dport ${EXTRA_PORT} accept`));
  const lines = second.stdout.split("\n").filter((line) => line.includes("SEC-04 dp1: passed -> failed"));
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(new RegExp(`^ {2}SEC-04 dp1: passed -> failed: listening sockets: \\(none\\) -> tcp 0\\.0\\.0\\.0:${EXTRA_PORT} \\(sshd\\)`));
  const json = JSON.parse(readFileSync(join(runDirOf(second), "drift.json"), "utf8")) as { baseline: { runId: string } };
  expect(json.baseline.runId).toBe(runDirOf(runs.first!).split("/").pop());
});

test("the drift is attached to the transitioned test and to the report as a whole", () => {
  const resultsDir = join(runDirOf(runs.second!), "allure-results");
  const files = execFileSync("ls", [resultsDir], { encoding: "utf8" }).split("\n");
  const globals = files.filter((name) => name.endsWith("-globals.json")).map((name) => JSON.parse(readFileSync(join(resultsDir, name), "utf8")) as { attachments: { name: string }[] });
  expect(globals.flatMap((g) => g.attachments.map((a) => a.name))).toEqual(["drift.md"]);
  const sec04 = files
    .filter((name) => name.endsWith("-result.json"))
    .map((name) => JSON.parse(readFileSync(join(resultsDir, name), "utf8")) as { name: string; attachments: { name: string }[] })
    .find((result) => result.name.startsWith("SEC-04 dp1: "))!;
  expect(sec04.attachments.map((a) => a.name)).toContain("drift");
});

test("three runs with --keep 2 leave two run folders of the environment; it says what it removed", () => {
  expect(runs.third!.stdout).toMatch(new RegExp(`^retention: keep 2 runs per environment; removed 1 run folder\\(s\\) of nightly-a: ${runDirOf(runs.first!).split("/").pop()}; .* holds [\\d.]+ [KM]B$`, "m"));
  expect(listRuns(reportDir).filter((run) => run.environment === "nightly-a").map((run) => run.dir)).toEqual([runDirOf(runs.second!), runDirOf(runs.third!)]);
  expect(existsSync(runDirOf(runs.first!))).toBe(false);
});

test("another environment has its own history; --baseline takes the carried folder", () => {
  const other = runs.otherEnvironment!;
  expect(other.code, other.stdout + other.stderr).toBe(1);
  expect(historyLines("nightly-a")).toBe(3);
  expect(historyLines("nightly-b")).toBe(1);
  expect(other.stdout).toMatch(/^ {2}SEC-04 dp1: passed -> failed: /m);
});
