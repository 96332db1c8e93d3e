// Setup file of the audit vitest project (vitest.config.ts). `npm run audit` starts vitest while it is
// still collecting (spec-process.ts): the modules the spec files import load here, then each spec file
// waits until collected.json is in place. audit-run.ts renames it into place, so it is never read
// half-written; a run folder that already has it (npm run merge) does not wait.
import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
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

if (runDir && !existsSync(runFiles.collected(runDir))) {
  await Promise.all(specImports().map((module) => import(module)));
  while (!existsSync(runFiles.collected(runDir))) {
    if (auditIsGone()) throw new Error(`the audit (pid ${auditPid}) ended before writing ${runFiles.collected(runDir)}`);
    await sleep(20);
  }
}
