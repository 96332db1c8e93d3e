// Setup file of the audit vitest project (vitest.config.ts). `npm run audit` starts vitest while it is
// still collecting (spec-process.ts): the modules the spec files import load here, then each spec file
// waits until collected.json is in place. audit-run.ts renames it into place, so it is never read
// half-written; a run folder that already has it (npm run merge) does not wait.
import { existsSync, readFileSync, watch, type FSWatcher } from "node:fs";
import { dirname, resolve } from "node:path";
import { RUN_DIR_VARIABLE, runFiles } from "./context.js";
import { AUDIT_PID_VARIABLE } from "./spec-process.js";
import { specFilesFor } from "./spec-files.js";

const runDir = process.env[RUN_DIR_VARIABLE];
const auditPid = Number(process.env[AUDIT_PID_VARIABLE]);

/** What the spec files import (not the spec files themselves: importing one registers its tests). */
function specImports(): string[] {
  const relativeImport = /^import [^;]* from "(\.{1,2}\/[^"]+)";$/gm;
  const modules = specFilesFor(null).flatMap((file) => [...readFileSync(file, "utf8").matchAll(relativeImport)].map((m) => resolve(dirname(file), m[1]!)));
  return [...new Set(modules)];
}

function auditIsGone(): boolean {
  if (!auditPid) return false;
  try {
    process.kill(auditPid, 0);
    return false;
  } catch {
    return true;
  }
}

/** How often the wait looks again without an event: for the audit's end, and an event missed. */
const RECHECK_MS = 1000;

/**
 * Until collected.json is in place: woken by the evidence folder's change events (its rename into
 * place is one), not by a timer. A 20 ms poll cost the worker about 17 ms of CPU per second of
 * collection, over a second at 50 hosts (docs/performance.md).
 */
async function collectedInPlace(file: string): Promise<void> {
  let wake = () => undefined as void;
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(dirname(file), () => wake());
  } catch {
    // No folder to watch: the timed checks alone.
  }
  try {
    while (!existsSync(file)) {
      if (auditIsGone()) throw new Error(`the audit (pid ${auditPid}) ended before writing ${file}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, RECHECK_MS);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  } finally {
    watcher?.close();
  }
}

if (runDir && !existsSync(runFiles.collected(runDir))) {
  await Promise.all(specImports().map((module) => import(module)));
  await collectedInPlace(runFiles.collected(runDir));
}
