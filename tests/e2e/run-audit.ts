// Runs the real CLI (`npm run audit`) as a child process, as a user would.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { LEAN_HEAP_FLAGS } from "../../helpers/node-flags.js";
import type { ResultsFile } from "../../helpers/run/results.js";

export const REPO_ROOT = resolve(import.meta.dirname, "../..");

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(script: "audit" | "merge" | "verify", args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  return new Promise((done) => {
    // As package.json's scripts start them: the audit from its compiled copy, the others through tsx.
    const launcher = script === "audit" ? [...LEAN_HEAP_FLAGS, join(REPO_ROOT, "bin/compiled.mjs")] : [join(REPO_ROOT, "node_modules/tsx/dist/cli.mjs")];
    const child = spawn(process.execPath, [...launcher, join(REPO_ROOT, `bin/${script}.ts`), ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("exit", (code) => done({ code, stdout, stderr }));
  });
}

export function readResults(runDir: string): ResultsFile {
  return JSON.parse(readFileSync(join(runDir, "results.json"), "utf8")) as ResultsFile;
}

/** The committed expected-verdicts table: `requirement<TAB>target<TAB>status`, `#` comments. */
export function readExpectedVerdicts(name: string): Map<string, string> {
  const rows = new Map<string, string>();
  const text = readFileSync(join(REPO_ROOT, "tests/expected", `${name}.tsv`), "utf8");
  for (const line of text.split("\n")) {
    if (!line.trim() || line.startsWith("#")) continue;
    const [requirement, target, status] = line.split("\t");
    rows.set(`${requirement} ${target}`, status!.trim());
  }
  return rows;
}

export function actualVerdicts(results: ResultsFile): Map<string, string> {
  return new Map(results.results.map((v) => [`${v.requirement} ${v.target}`, v.status]));
}

export function countStatuses(rows: Map<string, string>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const status of rows.values()) counts[status] = (counts[status] ?? 0) + 1;
  return counts;
}
