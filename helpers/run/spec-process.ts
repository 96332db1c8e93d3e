// The specs' vitest process. `npm run audit` starts it BEFORE collecting: vitest's start-up and the
// loading of the evaluation code (helpers/run/spec-warmup.ts, a setup file of the audit project)
// overlap the collection, and each spec file waits until the run's collected.json is in place.
import { spawn } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { LEAN_HEAP_FLAGS } from "../node-flags.js";
import { ONLY_VARIABLE, RUN_DIR_VARIABLE } from "./context.js";
import { parseSelection } from "./selection.js";
import { specFilesFor } from "./spec-files.js";

const REPO_ROOT = resolve(import.meta.dirname, "../..");
/** The audit's pid: a spec worker waiting for collected.json gives up when that process is gone. */
export const AUDIT_PID_VARIABLE = "API7_AUDIT_PID";

export interface SpecsRun {
  /** Resolves when vitest has exited (a failing requirement makes vitest exit 1: the verdicts file, not the exit code, is the result). */
  done: Promise<void>;
  /** Ends vitest if it still runs (the collection failed). */
  stop(): void;
}

/** vitest's per-test output, in the run folder unless --verbose shows it on the console. */
export const SPECS_LOG = "vitest.log";

/** Where vitest's output goes: the console (--verbose) or the run folder's SPECS_LOG. */
export type SpecsOutput = "console" | "log";

/**
 * Colours only for a terminal that wants them: vitest's colour library colours a pipe too, unless
 * NO_COLOR is set (https://no-color.org).
 */
export function specsColourEnv(output: SpecsOutput, stdoutIsTty: boolean | undefined, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return output === "log" || !stdoutIsTty || env.NO_COLOR !== undefined ? { NO_COLOR: "1" } : {};
}

/** A shard (and the merge) narrow the tests with vitest's --testNamePattern, one argv item (no shell). */
export function startSpecs(runDir: string, only: string | undefined, testNamePattern?: string, output: SpecsOutput = "log"): SpecsRun {
  const filter = testNamePattern === undefined ? [] : [`--testNamePattern=${testNamePattern}`];
  const files = specFilesFor(parseSelection(only)).map((file) => relative(REPO_ROOT, file));
  const log = output === "log" ? openSync(join(runDir, SPECS_LOG), "w") : null;
  const child = spawn(process.execPath, [...LEAN_HEAP_FLAGS, join(REPO_ROOT, "node_modules/vitest/vitest.mjs"), "run", "--project", "audit", "--silent=passed-only", ...filter, ...files], {
    cwd: REPO_ROOT,
    stdio: ["ignore", log ?? "inherit", log ?? "inherit"],
    env: { ...process.env, ...specsColourEnv(output, process.stdout.isTTY, process.env), [RUN_DIR_VARIABLE]: runDir, [ONLY_VARIABLE]: only ?? "", [AUDIT_PID_VARIABLE]: String(process.pid) },
  });
  if (log !== null) closeSync(log); // the child holds its own copy of the descriptor
  const done = new Promise<void>((resolvePromise, reject) => {
    child.on("error", reject);
    child.on("exit", () => resolvePromise());
  });
  return {
    done,
    stop: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill();
    },
  };
}

/** The specs over a run folder that already holds collected.json (npm run merge). */
export function runSpecs(runDir: string, only: string | undefined, testNamePattern?: string, output: SpecsOutput = "log"): Promise<void> {
  return startSpecs(runDir, only, testNamePattern, output).done;
}
