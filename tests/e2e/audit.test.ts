// End to end: the real CLI against the real lab (Testcontainers, sshd, nftables, nginx, haproxy,
// PostgreSQL, Prometheus). Each requirement's verdict on each target is compared with the committed
// expected-verdicts table, and so are the totals (known-good and known-bad targets, as in MITRE's
// vanilla/hardened baselines).
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { ResultsFile } from "../../helpers/run/results.js";
import { stagingExampleWithLocalCredentials } from "../fixtures/environments/local-credentials.js";
import { actualVerdicts, countStatuses, readExpectedVerdicts, readResults, runCli, type CliRun } from "./run-audit.js";

const reportDir = mkdtempSync(join(tmpdir(), "api7-audit-e2e-"));
afterAll(() => rmSync(reportDir, { recursive: true, force: true }));

const LAB_RUN_MINUTES = 15;

function expectTable(name: string, results: ResultsFile): void {
  const expected = readExpectedVerdicts(name);
  const actual = actualVerdicts(results);
  const differences: string[] = [];
  for (const [key, status] of expected) {
    if (actual.get(key) !== status) differences.push(`${key}: expected ${status}, got ${actual.get(key) ?? "no verdict"}`);
  }
  for (const [key, status] of actual) {
    if (!expected.has(key)) differences.push(`${key}: ${status}, not in the table`);
  }
  const messages = results.results.filter((v) => differences.some((d) => d.startsWith(`${v.requirement} ${v.target}:`)));
  expect(differences, messages.map((v) => `${v.requirement} ${v.target}: ${v.message}`).join("\n")).toEqual([]);
  expect(results.summary).toMatchObject(countStatuses(expected));
}

describe("bad input is rejected before anything is contacted", () => {
  test("a malformed environment file exits 3 naming the file, the key path and the expectation", async () => {
    const bad = join(reportDir, "bad.yaml");
    writeFileSync(bad, readFileSync(join(import.meta.dirname, "../fixtures/environments/broken/01-misspelled-key.yaml")));
    const run = await runCli("audit", ["--env", bad, "--report-dir", reportDir]);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain(bad);
    expect(run.stderr).toMatch(/hosts\[0\]: unknown key\(s\) "adress"/);
    expect(run.stdout).not.toMatch(/connected|collecting/);
  });

  test("an unknown requirement in --only exits 3", async () => {
    const run = await runCli("audit", ["--env", "lab", "--only", "NOPE-01", "--report-dir", reportDir]);
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/--only NOPE-01: no requirement ID matches/);
  });

  test("--baseline naming no run, and --keep 0, exit 3", async () => {
    const baseline = await runCli("audit", ["--env", "lab", "--baseline", "no-such-run", "--report-dir", reportDir]);
    expect(baseline.code).toBe(3);
    expect(baseline.stderr).toMatch(/--baseline no-such-run: neither a folder nor a run id/);
    expect(baseline.stdout).not.toMatch(/collecting/);
    const keep = await runCli("audit", ["--env", "lab", "--keep", "0"]);
    expect(keep.code).toBe(3);
    expect(keep.stderr).toMatch(/--keep/);
  });

  test("an unknown option exits 3", async () => {
    const run = await runCli("audit", ["--bogus"]);
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/unknown option '--bogus'/);
  });

  test("--dry-run prints the commands and probes and contacts nothing", async () => {
    // The template's key and known_hosts do not exist here; the dry run checks them like a real run.
    const run = await runCli("audit", ["--env", stagingExampleWithLocalCredentials(join(reportDir, "staging")), "--dry-run"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/cp1 \[cp\]: ssh audit@cp1\.staging\.example\.com:22/);
    expect(run.stdout).toMatch(/sudo -n bash -s/);
    expect(run.stdout).toMatch(/@@API7AUDIT/);
    expect(run.stdout).toMatch(/failover \(HA-\*\): skipped/);
  });
});

describe("the compliant lab", () => {
  let run: CliRun;
  let results: ResultsFile;
  const runDir = join(reportDir, "lab");

  beforeAll(async () => {
    // No --allow-disruption: the embedded lab is the suite's own, so the first run shows failover.
    run = await runCli("audit", ["--env", "lab", "--report-dir", reportDir, "--run-id", "lab"]);
    results = readResults(runDir);
  }, LAB_RUN_MINUTES * 60_000);

  test("exits 0: every MUST requirement is met", () => {
    expect(run.code, run.stdout.slice(-4000) + run.stderr.slice(-2000)).toBe(0);
  });

  test("every (requirement, target) verdict and the totals match tests/expected/lab.tsv", () => expectTable("lab", results));

  test("SEC-02 passed on every host with both witnesses; dp1's DHCP client is a client endpoint for SEC-05", () => {
    for (const host of ["cp1", "cp2", "dp1", "dp2"]) {
      const sec02 = results.results.find((v) => v.requirement === "SEC-02" && v.host === host)!;
      expect(sec02.message, host).toMatch(/IPv4 confirmed from the runner/);
    }
    const sec05 = results.results.find((v) => v.requirement === "SEC-05" && v.host === "dp1")!;
    expect(sec05).toMatchObject({ status: "passed", message: expect.stringContaining("DHCP client endpoints, not services: udp 0.0.0.0:68 (dhclient)") });
  });

  test("the console is the tool's own: at most 80 lines when piped, no escape character, rows that agree with results.json", () => {
    const output = `${run.stdout}${run.stderr}`;
    expect(output.trimEnd().split("\n").length, output).toBeLessThanOrEqual(80);
    expect(output).not.toContain("\u001b");
    // Each row: the worst status of every target, then every target counted by status.
    const order = ["passed", "failed", "warning", "broken", "skipped", "waived"];
    const worstFirst = ["failed", "broken", "warning", "waived", "skipped", "passed"];
    const ids = [...new Set(results.results.map((v) => v.requirement))];
    for (const id of ids) {
      const statuses: string[] = results.results.filter((v) => v.requirement === id).map((v) => v.status);
      const counts = order.filter((s) => statuses.includes(s)).map((s) => `${statuses.filter((x) => x === s).length} ${s}`).join(", ");
      const worst = worstFirst.find((s) => statuses.includes(s))!;
      expect(run.stdout).toMatch(new RegExp(`^${id} +\\S+ +${worst} +${counts}[ :]`, "m"));
    }
    expect(run.stdout).toMatch(/^drift: /m);
    expect(run.stdout).toMatch(/^specs: +.*vitest\.log/m);
  });

  test("TOPO-01 and HW-01 passed on cp1, cp2, dp1, dp2", () => {
    for (const id of ["TOPO-01", "HW-01"]) {
      for (const host of ["cp1", "cp2", "dp1", "dp2"]) {
        expect(results.results.find((v) => v.requirement === id && v.host === host)?.status).toBe("passed");
      }
    }
  });

  test("the bundle holds the HTML reports, JUnit, matrix and manifest, and latest points at it", () => {
    for (const file of ["report.html", "junit.xml", "manifest.json", "matrix.html", "matrix.csv", "matrix.md", "evidence/index.html", "evidence/collected.json"]) {
      expect(existsSync(join(runDir, file)), file).toBe(true);
    }
    // report.html is the whole Allure report: no second copy as a folder.
    expect(existsSync(join(runDir, "allure-report"))).toBe(false);
    expect(existsSync(join(reportDir, "latest", "results.json"))).toBe(true);
    expect(readFileSync(join(runDir, "junit.xml"), "utf8")).toMatch(/HW-01 cp1/);
  });

  test("the database password appears nowhere in the run folder", () => {
    const collected = readFileSync(join(runDir, "evidence/collected.json"), "utf8");
    expect(collected).not.toMatch(/password=[^\[]/i);
  });

  test("npm run verify accepts the bundle, and rejects a copy with one edited evidence file", async () => {
    const ok = await runCli("verify", [runDir]);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    const tampered = join(reportDir, "lab-tampered");
    cpSync(runDir, tampered, { recursive: true });
    const file = join(tampered, "evidence/collected.json");
    writeFileSync(file, readFileSync(file, "utf8").replace(/"x86_64/, '"aarch64'));
    const bad = await runCli("verify", [tampered]);
    expect(bad.code).toBe(1);
    expect(bad.stdout + bad.stderr).toMatch(/evidence\/collected\.json/);
  });
});

describe("the seeded-violation lab", () => {
  let run: CliRun;
  let results: ResultsFile;

  beforeAll(async () => {
    run = await runCli("audit", ["--env", "lab-violations", "--allow-disruption", "--report-dir", reportDir, "--run-id", "lab-violations"]);
    results = readResults(join(reportDir, "lab-violations"));
  }, LAB_RUN_MINUTES * 60_000);

  test("exits 1: MUST requirements fail", () => {
    expect(run.code, run.stdout.slice(-4000) + run.stderr.slice(-2000)).toBe(1);
  });

  test("every (requirement, target) verdict and the totals match tests/expected/lab-violations.tsv", () => expectTable("lab-violations", results));

  test("every requirement that can fail is failed or warned somewhere", () => {
    const failing = new Set(results.results.filter((v) => v.status === "failed" || v.status === "warning").map((v) => v.requirement));
    const neverFails = new Set(["DB-02"]); // INFO: recorded, never fails
    const ids = [...new Set(results.results.map((v) => v.requirement))].filter((id) => !neverFails.has(id));
    expect(ids.filter((id) => !failing.has(id))).toEqual([]);
  });

  test("SEC-02 fails each host that accepts everything, with both witnesses: the deciding zone or rule, and the port that answered", () => {
    const deciding: Record<string, RegExp> = {
      "v-fwd-trusted": /zone trusted target ACCEPT, bound to eth0/,
      "v-nft-accept-first": /chain input hook input accepts every new connection at rule "accept", before its policy drop/,
      "v-ipt-accept-first": /chain INPUT accepts every new connection at rule "-A INPUT -j ACCEPT"/,
    };
    for (const [host, rule] of Object.entries(deciding)) {
      const sec02 = results.results.find((v) => v.requirement === "SEC-02" && v.host === host)!;
      expect(sec02.status, host).toBe("failed");
      expect(sec02.message, host).toMatch(rule);
      expect(sec02.message, host).toMatch(/port \d+ answered from the runner over IPv4 \(\S+ reset \(ECONNREFUSED\)/);
    }
  });

  test("SEC-04 fails a port published by a NAT rule alone, naming the rule", () => {
    const sec04 = results.results.find((v) => v.requirement === "SEC-04" && v.host === "v-dnat-port")!;
    expect(sec04.status).toBe("failed");
    expect(sec04.message).toMatch(/^v-dnat-port: 8888 \(forwarded by nft table ip api7_lab_nat chain prerouting: tcp dport 8888 redirect to :9080\) open from the runner/);
  });

  test("failure messages state expected vs actual in the page's terms", () => {
    const hw02 = results.results.find((v) => v.requirement === "HW-02" && v.host === "v-cpu1")!;
    expect(hw02.message).toMatch(/v-cpu1.*1.*2 cores.*S3\.2/);
    const ha = results.results.find((v) => v.requirement === "HA-DP-01")!;
    expect(ha.message).toMatch(/outage/);
  });

  test("TOPO-01: a clone of dp1 (its machine-id, another host key) passes with the note; cp1 under two names fails on both", () => {
    const topo = (host: string) => results.results.find((v) => v.requirement === "TOPO-01" && v.host === host)!;
    for (const [host, other] of [["v-cloned-machine-id", "dp1"], ["dp1", "v-cloned-machine-id"]]) {
      expect(topo(host!)).toMatchObject({ status: "passed", evidence: ["machine-id", "ssh-host-key"] });
      expect(topo(host!).message).toMatch(new RegExp(`shares machine-id \\w{8} with ${other} but presents another SSH host key \\(ssh-ed25519 SHA256:`));
    }
    expect(topo("cp1").message).toMatch(/cp1 and cp1-alias are the same machine \(machine-id \w{8}, SSH host key ssh-ed25519 SHA256:/);
  });
});

describe("failover on real hosts needs both opt-ins; the embedded lab needs none", () => {
  const faultLine = /api7-lab-ctl stop gateway {3}# HA-DP-01 stop gateway: fault|docker stop api7-ee-gateway {3}# HA-DP-01 stop gateway: fault/;

  test("the embedded lab plans its faults with no flag", async () => {
    const run = await runCli("audit", ["--env", "lab", "--only", "HA-", "--dry-run"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(faultLine);
    expect(run.stdout).toMatch(/nft "add table inet \$0;.*' api7_audit_fault_[0-9a-f]{6} '9080, 9443' {3}# HA-DP-01 black-hole gateway: fault/);
  });

  test("a real environment allowing disruption still needs --allow-disruption", async () => {
    const file = stagingExampleWithLocalCredentials(join(reportDir, "staging-disruptive"));
    writeFileSync(file, readFileSync(file, "utf8").replace(/allowDisruption: false/, "allowDisruption: true"));
    const without = await runCli("audit", ["--env", file, "--only", "HA-", "--dry-run"]);
    expect(without.code, without.stderr).toBe(0);
    expect(without.stdout).toMatch(/failover \(HA-\*\): skipped, needs --allow-disruption/);
    expect(without.stdout).not.toMatch(faultLine);
    const withFlag = await runCli("audit", ["--env", file, "--only", "HA-", "--dry-run", "--allow-disruption"]);
    expect(withFlag.stdout).toMatch(faultLine);
  });
});
