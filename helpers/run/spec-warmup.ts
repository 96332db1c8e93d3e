// Setup file of the audit vitest project (vitest.config.ts). `npm run audit` starts vitest while it is
// still collecting (spec-process.ts): the evaluation code every spec file imports loads here, then each
// spec file waits until collected.json is in place. audit-run.ts renames it into place, so it is never
// read half-written; a run folder that already has it (npm run merge) does not wait.
import { existsSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import "../requirement.js";
import { RUN_DIR_VARIABLE, runFiles } from "./context.js";
import { AUDIT_PID_VARIABLE } from "./spec-process.js";

const runDir = process.env[RUN_DIR_VARIABLE];
const auditPid = Number(process.env[AUDIT_PID_VARIABLE]);

function auditIsGone(): boolean {
  if (!auditPid) return false;
  try {
    process.kill(auditPid, 0);
    return false;
  } catch {
    return true;
  }
}

while (runDir && !existsSync(runFiles.collected(runDir))) {
  if (auditIsGone()) throw new Error(`the audit (pid ${auditPid}) ended before writing ${runFiles.collected(runDir)}`);
  await sleep(20);
}
