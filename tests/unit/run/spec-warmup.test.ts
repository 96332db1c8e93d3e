// The audit project's setup file waits for collected.json on the evidence folder's events: it must
// go on once the file is renamed into place, and give up when the audit that should write it is gone.
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { AUDIT_PID_VARIABLE } from "../../../helpers/run/spec-process.js";
import { RUN_DIR_VARIABLE, runFiles } from "../../../helpers/run/context.js";

const REPO_ROOT = resolve(import.meta.dirname, "../../..");
const SETUP_FILE = join(REPO_ROOT, "helpers/run/spec-warmup.ts");
const folders: string[] = [];

function runFolder(): string {
  const runDir = mkdtempSync(join(tmpdir(), "spec-warmup-"));
  folders.push(runDir);
  mkdirSync(join(runDir, "evidence"));
  return runDir;
}

/** The setup file run alone, as the worker runs it; resolves with its exit code, stderr and when it ended. */
function warmUp(runDir: string, auditPid: number): Promise<{ code: number | null; stderr: string; endedAt: number }> {
  const child = spawn(process.execPath, ["--import", "tsx", SETUP_FILE], {
    cwd: REPO_ROOT,
    env: { ...process.env, [RUN_DIR_VARIABLE]: runDir, [AUDIT_PID_VARIABLE]: String(auditPid) },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  return new Promise((done) => child.on("close", (code) => done({ code, stderr, endedAt: Date.now() })));
}

afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

describe("the spec warm-up's wait for collected.json", () => {
  it("goes on when collected.json is renamed into place, not before", async () => {
    const runDir = runFolder();
    const ended = warmUp(runDir, process.pid);
    await new Promise((r) => setTimeout(r, 1500));
    // Another file of the folder changing first must not end the wait.
    writeFileSync(join(runDir, "evidence", "environment.resolved.json"), "{}");
    await new Promise((r) => setTimeout(r, 300));
    const partial = `${runFiles.collected(runDir)}.partial`;
    writeFileSync(partial, "{}");
    const renamedAt = Date.now();
    renameSync(partial, runFiles.collected(runDir));
    const result = await ended;
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.endedAt).toBeGreaterThanOrEqual(renamedAt);
  });

  it("gives up, naming the audit, when the audit's process is gone", async () => {
    const gone = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
    const result = await warmUp(runFolder(), Number(gone.stdout));
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(`the audit (pid ${gone.stdout}) ended before writing`);
  });
});
