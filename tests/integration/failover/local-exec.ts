// The transport of the failover integration tests: runs argv on THIS machine with child_process
// (no shell), telling the command which inventory host it stands for in API7_AUDIT_TEST_HOST.
import { spawn } from "node:child_process";
import type { ExecOnHost } from "../../../helpers/failover/fault.js";
import type { CommandOutput } from "../../../helpers/model.js";

export const localExec: ExecOnHost = (host, argv, options = {}) =>
  new Promise<CommandOutput>((resolve) => {
    const started = performance.now();
    const [file, ...args] = argv;
    const command = argv.join(" ");
    const child = spawn(file!, args, { env: { ...process.env, API7_AUDIT_TEST_HOST: host }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, options.timeoutMs ?? 30_000);
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const finish = (exitCode: number | null, error?: Error) => {
      clearTimeout(timer);
      resolve({
        section: options.section ?? file!,
        command,
        exitCode,
        stdout,
        stderr: error ? `${stderr}${error.message}` : stderr,
        durationMs: Math.round(performance.now() - started),
        ...(timedOut ? { timedOut } : {}),
      });
    };
    child.once("error", (error) => finish(null, error));
    child.once("close", (code) => finish(code));
  });
