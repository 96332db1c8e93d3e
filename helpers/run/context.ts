// What a spec worker reads: the run folder written by the CLI before vitest starts.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Environment } from "../environment/schema.js";
import { parseAllFacts, type EvaluationInput } from "../evaluate.js";
import type { CollectedRun } from "./collected.js";
import { parseSelection } from "./selection.js";

export const RUN_DIR_VARIABLE = "API7_AUDIT_RUN_DIR";
export const ONLY_VARIABLE = "API7_AUDIT_ONLY";

export interface RunContext extends EvaluationInput {
  runDir: string;
  only: string[] | null;
}

/** Paths inside a run folder, shared by the CLI, the specs and verify. */
export const runFiles = {
  collected: (runDir: string) => join(runDir, "evidence", "collected.json"),
  resolvedEnvironment: (runDir: string) => join(runDir, "evidence", "environment.resolved.json"),
  environmentSource: (runDir: string) => join(runDir, "evidence", "environment.yaml"),
  verdicts: (runDir: string) => join(runDir, "evidence", "verdicts.jsonl"),
  results: (runDir: string) => join(runDir, "results.json"),
};

let cached: RunContext | undefined;

export function loadRunContext(): RunContext {
  if (cached) return cached;
  const runDir = process.env[RUN_DIR_VARIABLE];
  if (!runDir) {
    throw new Error(`${RUN_DIR_VARIABLE} is not set: the specs evaluate a collected run; start them with \`npm run audit\``);
  }
  const env = JSON.parse(readFileSync(runFiles.resolvedEnvironment(runDir), "utf8")) as Environment;
  const run = JSON.parse(readFileSync(runFiles.collected(runDir), "utf8")) as CollectedRun;
  cached = { runDir, env, run, allFacts: parseAllFacts(run), only: parseSelection(process.env[ONLY_VARIABLE]) };
  return cached;
}
