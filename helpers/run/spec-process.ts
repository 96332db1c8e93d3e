// The specs' vitest process. `npm run audit` starts it BEFORE collecting: vitest's start-up and the
// loading of the evaluation code (helpers/run/spec-warmup.ts, a setup file of the audit project)
// overlap the collection, and each spec file waits until the run's collected.json is in place.
import { spawn } from "node:child_process";
import { join, relative, resolve } from "node:path";
import { LEAN_HEAP_FLAGS } from "../node-flags.js";
import { ONLY_VARIABLE, RUN_DIR_VARIABLE } from "./context.js";
import { parseSelection } from "./selection.js";
import { specFilesFor } from "./spec-files.js";

const REPO_ROOT = resolve(import.meta.dirname, "../..");
/** The audit's pid: a spec worker waiting for collected.json gives up when that process is gone. */
export const AUDIT_PID_VARIABLE = "API7_AUDIT_PID";

export interface SpecsRun {
  /** vitest's process id (undefined when it could not be started). */
  pid: number | undefined;
  /** Resolves when vitest has exited (a failing requirement makes vitest exit 1: the verdicts file, not the exit code, is the result). */
  done: Promise<void>;
  /** Ends vitest if it still runs (the collection failed). */
  stop(): void;
}

/** A shard (and the merge) narrow the tests with vitest's --testNamePattern, one argv item (no shell). */
export function startSpecs(runDir: string, only: string | undefined, testNamePattern?: string): SpecsRun {
  const filter = testNamePattern === undefined ? [] : [`--testNamePattern=${testNamePattern}`];
  const files = specFilesFor(parseSelection(only)).map((file) => relative(REPO_ROOT, file));
  const child = spawn(process.execPath, [...LEAN_HEAP_FLAGS, join(REPO_ROOT, "node_modules/vitest/vitest.mjs"), "run", "--project", "audit", "--silent=passed-only", ...filter, ...files], {
    cwd: REPO_ROOT,
    stdio: ["ignore", "inherit", "inherit"],
    env: { ...process.env, [RUN_DIR_VARIABLE]: runDir, [ONLY_VARIABLE]: only ?? "", [AUDIT_PID_VARIABLE]: String(process.pid) },
  });
  const done = new Promise<void>((resolvePromise, reject) => {
    child.on("error", reject);
    child.on("exit", () => resolvePromise());
  });
  return {
    pid: child.pid,
    done,
    stop: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill();
    },
  };
}

/** The specs over a run folder that already holds collected.json (npm run merge). */
export function runSpecs(runDir: string, only: string | undefined, testNamePattern?: string): Promise<void> {
  return startSpecs(runDir, only, testNamePattern).done;
}
