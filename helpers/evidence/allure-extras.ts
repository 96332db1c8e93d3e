// Allure 3 extras: the environment widget, categories that separate product failures from
// infrastructure trouble, and report generation with the allure package from node_modules.
//
// How Allure 3.18 takes them (read from node_modules/@allurereport):
// - environment widget: `environment.properties` in the results folder (reader allure2 → metadata
//   "allure_environment" → plugin-awesome widgets/allure_environment.json);
// - categories: `categories` in the allurerc config (CategoryRule with `matchers.statuses`) for the
//   awesome report; `categories.json` in the results folder is read only by the classic/allure2
//   plugins, written too so either report shows them;
// - history: `historyPath` in allurerc is a JSONL file, appended once per generation;
// - generation: allure-generate.mjs, the CLI's generate command started ahead of need (see there),
//   run from one esbuild bundle (allure-bundle.mjs) that allure-generate-bundled.mjs builds if missing.
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { LEAN_HEAP_FLAGS } from "../node-flags.js";

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const GENERATOR = join(REPO_ROOT, "helpers", "evidence", "allure-generate-bundled.mjs");
export const HISTORY_FILE = "history.jsonl";
/** Runs the trends go back (a month of nightly runs). Allure keeps every run by default: each adds
 * about 110 KB (4 lab hosts) that every later generation reads and embeds in report.html. */
export const HISTORY_LIMIT = 30;
/** History a generation reads and embeds, at most: a run's entry grows with the fleet (1.2 MB for 50
 * lab hosts, whose 30 runs made generation 6.5 s instead of 2.4 s, report.html 60 MB and the
 * generator 515 MB), so large fleets keep fewer runs. */
export const HISTORY_BUDGET_BYTES = 8 * 1024 * 1024;
/** Runs kept whatever their size: a trend needs a few points. */
export const HISTORY_MIN_RUNS = 5;

/**
 * Runs to keep (this one included) for a history file of `bytes` holding `runs` runs: HISTORY_LIMIT,
 * or as many runs of the file's average size as fit in HISTORY_BUDGET_BYTES, but HISTORY_MIN_RUNS at least.
 */
export function historyRunsToKeep(bytes: number, runs: number, budgetBytes = HISTORY_BUDGET_BYTES): number {
  if (runs === 0) return HISTORY_LIMIT;
  const fitting = Math.floor(budgetBytes / (bytes / runs));
  return Math.min(HISTORY_LIMIT, Math.max(HISTORY_MIN_RUNS, fitting));
}

/** historyRunsToKeep for the history file as it is (JSON Lines: one run per line); none yet is HISTORY_LIMIT. */
async function historyLimitFor(historyFile: string, budgetBytes: number | undefined): Promise<number> {
  const text = await readFile(historyFile).catch(() => Buffer.alloc(0));
  let runs = 0;
  for (let at = text.indexOf(10); at !== -1; at = text.indexOf(10, at + 1)) runs++;
  return historyRunsToKeep(text.length, runs, budgetBytes);
}

export interface AllureEnvironmentInfo {
  /** Name of the audited environment (environment file `name`). */
  environment: string;
  suite: { version: string; commit: string };
  /** More rows for the widget (run id, operator, hosts...). */
  extra?: Record<string, string>;
}

/** Allure 3 category rules: first match wins, so product failures are checked first. */
export const AUDIT_CATEGORIES = [
  { id: "requirement-violated", name: "Requirement violated", matchers: { statuses: ["failed"] }, groupBy: [{ label: "requirement" }], expand: true },
  { id: "could-not-evaluate", name: "Could not evaluate", matchers: { statuses: ["broken"] }, groupByMessage: true },
] as const;

/** The same categories in the Allure 2 results format (categories.json). */
const ALLURE2_CATEGORIES = [
  { name: "Requirement violated", description: "A MUST requirement of the page is not met: a product/deployment finding.", matchedStatuses: ["failed"] },
  { name: "Could not evaluate", description: "Host unreachable, command timed out or check crashed: fix the audit's access, not the product.", matchedStatuses: ["broken"] },
];

/** Java .properties escaping, so values with ':' '=' or non-ASCII survive parsing. */
function propertiesLine(key: string, value: string): string {
  const esc = (s: string, isKey: boolean) =>
    s
      .replace(/\\/g, "\\\\")
      .replace(/\n/g, "\\n")
      .replace(/\r/g, "\\r")
      .replace(/\t/g, "\\t")
      .replace(isKey ? /[=: #!]/g : /^[ #!]|[=:]/g, (c) => `\\${c}`)
      .replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  return `${esc(key, true)}=${esc(value, false)}`;
}

export function renderEnvironmentProperties(info: AllureEnvironmentInfo): string {
  const rows: [string, string][] = [
    ["environment", info.environment],
    ["suite.version", info.suite.version],
    ["suite.commit", info.suite.commit],
    ...Object.entries(info.extra ?? {}),
  ];
  return `${rows.map(([k, v]) => propertiesLine(k, v)).join("\n")}\n`;
}

/** Writes environment.properties and categories.json into `<runDir>/allure-results`. */
export async function writeAllureExtras(runDir: string, info: AllureEnvironmentInfo): Promise<void> {
  const resultsDir = join(runDir, "allure-results");
  await mkdir(resultsDir, { recursive: true });
  await writeFile(join(resultsDir, "environment.properties"), renderEnvironmentProperties(info));
  await writeFile(join(resultsDir, "categories.json"), `${JSON.stringify(ALLURE2_CATEGORIES, null, 2)}\n`);
}

export interface AllureReportOptions {
  /** Report title; default "api7-ha-audit". */
  name?: string;
  /** Runs kept in the history file, this one included; default historyRunsToKeep of the file. */
  historyLimit?: number;
  /** The history budget historyRunsToKeep works with; default HISTORY_BUDGET_BYTES. */
  historyBudgetBytes?: number;
}

export interface GeneratedReport {
  /** The whole report, trends included, in one HTML file that opens from disk. */
  singleFile: string;
  historyFile: string;
}

export interface AllureGenerator {
  /** Generates the report of a run folder; once per generator. */
  generate(runDir: string, historyPath: string, options?: AllureReportOptions): Promise<GeneratedReport>;
  /** Ends a generator that will not be used (the run failed before its reports). */
  stop(): void;
}

/**
 * Starts the generator process now, so that it has loaded Allure (about a second of CPU) by the time
 * the results are written: `npm run audit` starts it before collecting.
 */
export function startAllureGenerator(): AllureGenerator {
  // argv, never a shell string; the run's paths travel as JSON on stdin.
  const child = spawn(process.execPath, [...LEAN_HEAP_FLAGS, GENERATOR], { cwd: REPO_ROOT, stdio: ["pipe", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr.on("data", (d: Buffer) => (output += d.toString()));
  child.stdin.on("error", () => undefined); // a generator that already exited: its exit code tells
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on("error", reject);
    child.on("exit", (code) => resolve(code));
  });
  exited.catch(() => undefined); // awaited by generate(); a stopped generator's failure does not matter
  return {
    generate: (runDir, historyPath, options = {}) =>
      generateWith(runDir, historyPath, options, async (resultsDir, configFile) => {
        child.stdin.end(`${JSON.stringify({ resultsDir, configFile })}\n`);
        const code = await exited;
        if (code !== 0) throw new Error(`allure generate exited with ${code}:\n${output.trim()}`);
      }),
    stop: () => void (child.exitCode === null && child.stdin.end()),
  };
}

/** Generates a run folder's report with a generator started for it. */
export function generateAllureReport(runDir: string, historyPath: string, options: AllureReportOptions = {}): Promise<GeneratedReport> {
  return startAllureGenerator().generate(runDir, historyPath, options);
}

/**
 * One generation with one awesome-plugin instance in single-file mode: `report.html` holds every
 * widget of the folder form, trends included, so the folder form is not generated (it was a second
 * copy of the same report, ~200 files that the secret scan and the manifest also had to read). The
 * run is appended to the history once. An earlier `report.html` is removed first, so a failed
 * generation leaves none behind.
 */
async function generateWith(
  runDir: string,
  historyPath: string,
  options: AllureReportOptions,
  run: (resultsDir: string, configFile: string) => Promise<void>,
): Promise<GeneratedReport> {
  const resultsDir = join(runDir, "allure-results");
  const singleFile = join(runDir, "report.html");
  const historyFile = join(historyPath, HISTORY_FILE);
  await mkdir(historyPath, { recursive: true });
  await rm(singleFile, { force: true });

  // The build folder and config live outside the run folder, so the bundle holds only the reports.
  const work = await mkdtemp(join(tmpdir(), "api7-ha-audit-allure-"));
  try {
    const output = join(work, "out");
    const config = {
      name: options.name ?? "api7-ha-audit",
      output,
      historyPath: historyFile,
      historyLimit: options.historyLimit ?? (await historyLimitFor(historyFile, options.historyBudgetBytes)),
      categories: AUDIT_CATEGORIES,
      plugins: { awesome: { options: { singleFile: true, reportLanguage: "en" } } },
    };
    const configFile = join(work, "allurerc.json");
    await writeFile(configFile, JSON.stringify(config, null, 2));
    await run(resultsDir, configFile);
    // With one plugin, Allure moves its files up from `out/awesome/` to `out/`.
    await rename(join(output, "index.html"), singleFile);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  return { singleFile, historyFile };
}
