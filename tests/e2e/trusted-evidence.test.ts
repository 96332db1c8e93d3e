// Evidence an auditor can trust, on the real lab: one run of the embedded lab whose entrypoint and
// Prometheus URLs carry planted passwords, signed with --sign. No planted secret is in any file of the
// run folder nor on the console; `npm run verify --allowed-signers` accepts the bundle; the same
// bundle with one verdict edited and its manifest recomputed is rejected.
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Manifest } from "../../helpers/evidence/manifest.js";
import { sha256Text } from "../../helpers/evidence/manifest.js";
import type { ResultsFile } from "../../helpers/run/results.js";
import type { CollectedRun } from "../../helpers/run/collected.js";
import { gatherPlan } from "../../helpers/checks/gather.js";
import { HOST_KEY_SECTION } from "../../helpers/facts/parsers/host-key.js";
import { allChecks } from "../../specs/checks/index.js";
import { REPO_ROOT, runCli, type CliRun } from "./run-audit.js";

const LAB_RUN_MINUTES = 15;
const PLANTED = {
  gatewayPassword: "gw-pw-planted-8Jr4tY",
  prometheusPassword: "prom-pw-planted-2Wn6sD",
};

const root = mkdtempSync(join(tmpdir(), "api7-trusted-evidence-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("a signed lab run with planted secrets", () => {
  let run: CliRun;
  const runDir = join(root, "reports", "signed-lab");
  const signers = join(root, "allowed_signers");

  beforeAll(async () => {
    const key = join(root, "operator");
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "operator", "-f", key]);
    writeFileSync(signers, `operator@example ${readFileSync(`${key}.pub`, "utf8").split(" ").slice(0, 2).join(" ")}\n`);
    const envFile = join(root, "lab-with-passwords.yaml");
    writeFileSync(
      envFile,
      readFileSync(join(REPO_ROOT, "environments/lab.yaml"), "utf8")
        .replace('url: "http://{{lb-dp}}:9080/"', `url: "http://auditor:${PLANTED.gatewayPassword}@{{lb-dp}}:9080/"`)
        .replace('url: "http://{{prometheus}}:9090"', `url: "http://metrics:${PLANTED.prometheusPassword}@{{prometheus}}:9090"`),
    );
    expect(readFileSync(envFile, "utf8")).toContain(PLANTED.prometheusPassword);
    run = await runCli("audit", ["--env", envFile, "--only", "HW-01,PORT-01,PORT-05", "--sign", key, "--report-dir", join(root, "reports"), "--run-id", "signed-lab"]);
  }, LAB_RUN_MINUTES * 60_000);

  test("the run passes", () => expect(run.code, run.stdout.slice(-4000) + run.stderr.slice(-2000)).toBe(0));

  test("each host ran only the script sections HW-01, PORT-01 and PORT-05 read", () => {
    const reads = ["HW-01", "PORT-01", "PORT-05"].map((id) => allChecks[id]!.reads);
    const expected = [...gatherPlan(reads).sections.map((s) => s.name), HOST_KEY_SECTION];
    const collected = JSON.parse(readFileSync(join(runDir, "evidence", "collected.json"), "utf8")) as CollectedRun;
    for (const host of collected.hosts) expect(host.sections.map((s) => s.section), host.name).toEqual(expected);
    expect(expected).not.toContain("firewalld-runtime");
  });

  test("no planted secret is in any file of the run folder, nor in stdout or stderr", () => {
    const places: Record<string, string | Buffer> = { stdout: run.stdout, stderr: run.stderr };
    for (const entry of readdirSync(runDir, { withFileTypes: true, recursive: true })) {
      if (entry.isFile()) places[join(entry.parentPath, entry.name).slice(runDir.length + 1)] = readFileSync(join(entry.parentPath, entry.name));
    }
    expect(Object.keys(places).length).toBeGreaterThan(10);
    const hits = Object.entries(places).flatMap(([where, content]) => Object.entries(PLANTED).filter(([, v]) => content.includes(v)).map(([name]) => `${name} in ${where}`));
    expect(hits).toEqual([]);
  });

  test("npm run verify --allowed-signers accepts the signed bundle", async () => {
    const verified = await runCli("verify", [runDir, "--allowed-signers", signers]);
    expect(verified.code, verified.stdout + verified.stderr).toBe(0);
    expect(verified.stdout).toContain('signature: Good "api7-ha-audit" signature for operator@example');
  });

  test("one verdict edited and the manifest recomputed: verification fails", async () => {
    const forged = join(root, "forged");
    cpSync(runDir, forged, { recursive: true });
    const results = JSON.parse(readFileSync(join(forged, "results.json"), "utf8")) as ResultsFile;
    results.results[0]!.status = "failed";
    writeFileSync(join(forged, "results.json"), JSON.stringify(results, null, 2));
    const manifest = JSON.parse(readFileSync(join(forged, "manifest.json"), "utf8")) as Manifest;
    for (const entry of manifest.files) {
      const content = readFileSync(join(forged, entry.path));
      Object.assign(entry, { sha256: sha256Text(content), size: content.length });
    }
    writeFileSync(join(forged, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
    const bad = await runCli("verify", [forged, "--allowed-signers", signers]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain("does not verify against manifest.json");
    expect(bad.stdout).toMatch(/VERDICT \S+ \S+ does not follow from its evidence/);
  });
});
