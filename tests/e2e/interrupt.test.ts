// Ctrl-C during a run removes the lab: nothing labelled with the run's lab id is left behind.
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, test } from "vitest";
import { LAB_ID_LABEL, removeLabContainers } from "../../environments/lab/lab.js";
import { REPO_ROOT } from "./run-audit.js";

const reportDir = mkdtempSync(join(tmpdir(), "api7-audit-interrupt-"));
let labId: string | undefined;

afterAll(async () => {
  if (labId) await removeLabContainers(labId);
  rmSync(reportDir, { recursive: true, force: true });
});

function labContainers(id: string): string[] {
  const out = execFileSync("docker", ["ps", "-a", "-q", "--filter", `label=${LAB_ID_LABEL}=${id}`], { encoding: "utf8" });
  return out.split("\n").filter(Boolean);
}

test(
  "SIGINT while the audit collects removes every container of its lab and exits 130",
  async () => {
    const child = spawn(process.execPath, ["--import", "tsx", join(REPO_ROOT, "bin/audit.ts"), "--report-dir", reportDir], {
      cwd: REPO_ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    const collecting = new Promise<void>((resolve, reject) => {
      child.on("exit", () => reject(new Error(`the audit ended before collecting:\n${output.slice(-3000)}`)));
      child.stdout.on("data", (data: Buffer) => {
        output += data.toString();
        labId ??= /lab ([0-9a-f]{8}):/.exec(output)?.[1];
        if (/collecting from \d+ hosts/.test(output)) resolve();
      });
      child.stderr.on("data", (data: Buffer) => (output += data.toString()));
    });
    await collecting;
    expect(labId, output).toBeDefined();
    expect(labContainers(labId!).length).toBeGreaterThan(0);

    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    child.kill("SIGINT");
    expect(await exited).toBe(130);
    expect(labContainers(labId!), output.slice(-2000)).toEqual([]);
  },
  5 * 60_000,
);
