// The dead-runner test: SIGKILL the audit in the middle of a fault in the lab. Nothing in the
// runner can react to SIGKILL, so only the rollback armed ON the host before the fault can bring
// the stopped gateway back; it must do so within the armed delay.
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, test } from "vitest";
import { removeLabContainers } from "../../environments/lab/lab.js";
import { REPO_ROOT } from "./run-audit.js";

const ROLLBACK_AFTER_SECONDS = 15;
const workDir = mkdtempSync(join(tmpdir(), "api7-audit-dead-runner-"));
let labId: string | undefined;
let runId: string | undefined;

afterAll(async () => {
  if (labId) await removeLabContainers(labId);
  // The killed run could not remove its lab key folder.
  if (runId) rmSync(join(REPO_ROOT, ".lab", runId), { recursive: true, force: true });
  rmSync(workDir, { recursive: true, force: true });
});

function gatewayRunning(container: string): boolean {
  try {
    execFileSync("docker", ["exec", container, "/usr/local/bin/api7-lab-ctl", "status", "gateway"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

test(
  "a runner killed during a fault leaves the member restored by the rollback armed on the host",
  async () => {
    const envFile = join(workDir, "lab-dead-runner.yaml");
    const lab = readFileSync(join(REPO_ROOT, "environments/lab.yaml"), "utf8");
    writeFileSync(envFile, lab.replace(/rollbackAfterSeconds: \d+/, `rollbackAfterSeconds: ${ROLLBACK_AFTER_SECONDS}`));

    // In-process tsx (no wrapper process), so the SIGKILL hits the audit itself; --verbose prints the
    // failover steps the test waits for.
    const child = spawn(process.execPath, ["--import", "tsx", join(REPO_ROOT, "bin/audit.ts"), "--env", envFile, "--only", "HA-DP-01", "--allow-disruption", "--verbose", "--report-dir", workDir], {
      cwd: REPO_ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    const faultInjected = new Promise<void>((resolve, reject) => {
      child.on("exit", () => reject(new Error(`the audit ended before the fault:\n${output.slice(-3000)}`)));
      child.stdout.on("data", (data: Buffer) => {
        output += data.toString();
        labId ??= /lab ([0-9a-f]{8}):/.exec(output)?.[1];
        runId ??= /, run (\S+)/.exec(output)?.[1];
        if (/HA-DP-01\/dp1\/gateway: fault: stopping gateway on dp1/.test(output)) resolve();
      });
      child.stderr.on("data", (data: Buffer) => (output += data.toString()));
    });
    await faultInjected;
    expect(labId, output).toBeDefined();
    const dp1 = `api7-lab-${labId}-dp1`;

    // Let the stop finish, then kill the runner where no handler can run.
    const deadline = Date.now() + 10_000;
    while (gatewayRunning(dp1) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect(gatewayRunning(dp1), "the fault did not stop dp1's gateway").toBe(false);
    const killedAt = Date.now();
    child.kill("SIGKILL");

    while (!gatewayRunning(dp1) && Date.now() - killedAt < (ROLLBACK_AFTER_SECONDS + 20) * 1000) await new Promise((r) => setTimeout(r, 250));
    const restoredAfterMs = Date.now() - killedAt;
    expect(gatewayRunning(dp1), `dp1's gateway was still down ${restoredAfterMs} ms after the runner died`).toBe(true);
    // The timer was armed before the fault, so it fires within ROLLBACK_AFTER_SECONDS of the kill; allow
    // for the component's own start and this loop's polling (docker exec every 250 ms).
    expect(restoredAfterMs).toBeLessThanOrEqual(ROLLBACK_AFTER_SECONDS * 1000 + 3_000);
  },
  10 * 60_000,
);
