// The runner's own CPU per host on a kept scale lab, for comparing checkouts of the suite on the
// same hosts, the same day (docs/performance.md, "The runner's CPU at 50 hosts"):
//
//   npx tsx bench/runner-cpu.ts up [--hosts 50] [--dir .lab/runner-cpu]
//       starts one scale lab, writes <dir>/environment.yaml (failover off, as bench/peers.ts) and
//       <dir>/lab.json, and keeps the lab until this process gets SIGINT or SIGTERM (`down`).
//   npx tsx bench/runner-cpu.ts run [--dir …] [--runs 5] [--per-process] <checkout> [<checkout>…]
//       one untimed audit per checkout, then --runs rounds, each running every checkout's
//       `npm run audit` once (the order rotating by round); per run: wall, CPU (user + sys of the
//       audit's process tree, GNU time), CPU per host and the phase timings; then medians.
//   npx tsx bench/runner-cpu.ts down [--dir …]
//       ends the `up` process, which removes its lab (only that lab).
//
// The lab's containers are children of dockerd, not of the audit, so the tree's CPU is the runner's
// alone. Each checkout writes into a report folder of its own, fresh at each `run`, so every measured
// run has a previous run to compare with (drift) and the same Allure history length as the others.
// --per-process preloads bench/cpu-at-exit.cjs into every node process of the tree and prints each
// one's CPU (the audit, vitest, its worker, the Allure generator, npm).
import { readFileSync, rmSync, writeFileSync, existsSync, mkdirSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { execFileSync } from "node:child_process";
import { measureProcess, median } from "./measure.js";
import { startTarget } from "./peers.js";

const REPO_ROOT = resolve(import.meta.dirname, "..");
const PRELOAD = join(REPO_ROOT, "bench/cpu-at-exit.cjs");
export const TIMED_PHASES = ["connectMs", "factsMs", "probesMs", "specsMs", "driftMs", "reportMs"] as const;

interface LabRecord {
  pid: number;
  hosts: number;
  envFile: string;
  passwordEnv: string;
  password: string;
}

export interface RunSample {
  checkout: string;
  wallMs: number;
  cpuSeconds: number | null;
  exitCode: number | null;
  hosts: number;
  phases: Partial<Record<(typeof TIMED_PHASES)[number], number>>;
  /** Node processes of the tree, with --per-process. */
  processes: { argv: string; cpuSeconds: number }[];
}

const labFile = (dir: string) => join(dir, "lab.json");

async function up(hosts: number, dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  process.env.TESTCONTAINERS_RYUK_DISABLED ??= "true";
  process.env.TESTCONTAINERS_HOST_OVERRIDE ??= "localhost";
  const target = await startTarget(hosts, dir, (line) => console.log(line));
  const passwordEnv = target.env.database.passwordEnv;
  const record: LabRecord = { pid: process.pid, hosts, envFile: target.envFile, passwordEnv, password: target.auditEnv[passwordEnv]! };
  writeFileSync(labFile(dir), JSON.stringify(record), { mode: 0o600 });
  console.log(`lab kept: ${target.envFile}; stop it with: npx tsx bench/runner-cpu.ts down --dir ${dir}`);
  // A signal listener does not keep node running; the timer does, until the signal.
  const keepAlive = setInterval(() => undefined, 3_600_000);
  await new Promise<void>((done) => {
    process.once("SIGINT", done);
    process.once("SIGTERM", done);
  });
  clearInterval(keepAlive);
  await target.scale.stop();
  rmSync(labFile(dir), { force: true });
  console.log("lab removed");
}

function down(dir: string): void {
  const record = JSON.parse(readFileSync(labFile(dir), "utf8")) as LabRecord;
  process.kill(record.pid, "SIGTERM");
  console.log(`asked process ${record.pid} to remove its lab`);
}

/** "<folder name>@<short commit>[+edits]" of a checkout. */
function checkoutLabel(checkout: string): string {
  const git = (...args: string[]) => execFileSync("git", args, { cwd: checkout, encoding: "utf8" }).trim();
  const dirty = git("status", "--porcelain", "--untracked-files=no") !== "";
  return `${basename(checkout)}@${git("rev-parse", "--short", "HEAD")}${dirty ? "+edits" : ""}`;
}

async function auditOnce(lab: LabRecord, checkout: string, reportDir: string, runId: string, perProcess: boolean): Promise<RunSample> {
  const timingsFile = join(reportDir, `${runId}.timings.json`);
  const cpuLog = join(reportDir, `${runId}.cpu.jsonl`);
  rmSync(cpuLog, { force: true });
  const env: NodeJS.ProcessEnv = { ...process.env, [lab.passwordEnv]: lab.password, API7_AUDIT_TIMINGS_FILE: timingsFile };
  if (perProcess) Object.assign(env, { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --require ${PRELOAD}`.trim(), API7_BENCH_CPU_LOG: cpuLog });
  const argv = ["npm", "run", "--silent", "audit", "--", "--env", lab.envFile, "--report-dir", reportDir, "--run-id", runId];
  const sample = await measureProcess(argv, { cwd: checkout, env, timeFile: join(reportDir, `${runId}.time`) });
  const timings = existsSync(timingsFile) ? (JSON.parse(readFileSync(timingsFile, "utf8")) as Record<string, number>) : {};
  if (!existsSync(timingsFile)) console.log(sample.output.slice(-3000));
  const processes = existsSync(cpuLog)
    ? readFileSync(cpuLog, "utf8").trim().split("\n").map((line) => JSON.parse(line) as { argv: string; cpuSeconds: number })
    : [];
  return {
    checkout,
    wallMs: sample.wallMs,
    cpuSeconds: sample.cpuSeconds,
    exitCode: sample.exitCode,
    hosts: timings.hosts ?? lab.hosts,
    phases: Object.fromEntries(TIMED_PHASES.flatMap((p) => (timings[p] === undefined ? [] : [[p, timings[p]]]))),
    processes: processes.map(({ argv, cpuSeconds }) => ({ argv, cpuSeconds })),
  };
}

const s = (ms: number | undefined) => (ms === undefined ? "-" : (ms / 1000).toFixed(2));

export function runLine(label: string, round: number, x: RunSample): string {
  const perHost = x.cpuSeconds === null ? "-" : (x.cpuSeconds / x.hosts).toFixed(3);
  const phases = TIMED_PHASES.map((p) => `${p.replace(/Ms$/, "")} ${s(x.phases[p])}`).join(" · ");
  return `${label} run ${round}: exit ${x.exitCode}, wall ${s(x.wallMs)} s, CPU ${x.cpuSeconds?.toFixed(2) ?? "-"} s (${perHost} s/host); ${phases}`;
}

/** Medians per checkout; the ratio column compares each checkout with the first. */
export function renderMedians(labels: readonly string[], samples: readonly RunSample[][]): string {
  const med = (xs: readonly RunSample[], f: (x: RunSample) => number | null | undefined) => {
    const known = xs.map(f).filter((v): v is number => typeof v === "number");
    return known.length === 0 ? undefined : median(known);
  };
  const rows: [string, (x: RunSample) => number | null | undefined, (n: number) => string][] = [
    ["wall s", (x) => x.wallMs / 1000, (n) => n.toFixed(2)],
    ["runner CPU s (whole tree)", (x) => x.cpuSeconds, (n) => n.toFixed(2)],
    ["runner CPU per host s", (x) => (x.cpuSeconds === null ? null : x.cpuSeconds / x.hosts), (n) => n.toFixed(3)],
    ...TIMED_PHASES.map((p): [string, (x: RunSample) => number | undefined, (n: number) => string] => [`${p.replace(/Ms$/, "")} s`, (x) => (x.phases[p] === undefined ? undefined : x.phases[p]! / 1000), (n) => n.toFixed(2)]),
  ];
  const lines = [`| median of ${samples[0]?.length ?? 0} runs | ${labels.join(" | ")} | ratio to ${labels[0]} |`, `|---|${labels.map(() => "---|").join("")}---|`];
  for (const [name, f, format] of rows) {
    const values = samples.map((xs) => med(xs, f));
    const ratios = values.slice(1).map((v) => (v === undefined || !values[0] ? "-" : (v / values[0]).toFixed(2)));
    lines.push(`| ${name} | ${values.map((v) => (v === undefined ? "-" : format(v))).join(" | ")} | ${ratios.join(", ") || "-"} |`);
  }
  // Each round ran every checkout once: the median of the rounds' ratios cancels the machine's drift.
  const perHost = (x: RunSample) => (x.cpuSeconds === null ? null : x.cpuSeconds / x.hosts);
  const roundRatios = samples.slice(1).map((xs) => {
    const ratios = xs.flatMap((x, round) => {
      const [mine, first] = [perHost(x), perHost(samples[0]![round]!)];
      return mine === null || !first ? [] : [mine / first];
    });
    return ratios.length === 0 ? "-" : median(ratios).toFixed(2);
  });
  if (samples.length > 1) lines.push(`| runner CPU per host, median of the rounds' ratios | ${labels.map(() => "").join(" | ")} | ${roundRatios.join(", ")} |`);
  return lines.join("\n");
}

/** Median CPU per node process (matched by its role in the tree), per checkout. */
export function renderProcesses(labels: readonly string[], samples: readonly RunSample[][]): string {
  const role = (argv: string) =>
    /vitest\.mjs/.test(argv) ? "vitest" : /vitest\/dist\/workers/.test(argv) ? "vitest worker" : /allure-generate/.test(argv) ? "Allure generator" : /bin\/audit\.ts/.test(argv) ? "audit" : /\bnpm\b/.test(argv) ? "npm" : argv.slice(0, 60);
  const roles = [...new Set(samples.flat().flatMap((x) => x.processes.map((p) => role(p.argv))))];
  const lines = [`| node process, median CPU s | ${labels.join(" | ")} |`, `|---|${labels.map(() => "---|").join("")}`];
  // A run whose record of a process is missing (killed before its exit handler) counts for no role.
  const complete = samples.map((xs) => xs.filter((x) => roles.every((r) => x.processes.some((p) => role(p.argv) === r))));
  for (const r of roles) {
    const cells = complete.map((xs) => median(xs.map((x) => x.processes.filter((p) => role(p.argv) === r).reduce((sum, p) => sum + p.cpuSeconds, 0))).toFixed(2));
    lines.push(`| ${r} | ${cells.join(" | ")} |`);
  }
  const rest = complete.map((xs) => median(xs.map((x) => (x.cpuSeconds ?? 0) - x.processes.reduce((sum, p) => sum + p.cpuSeconds, 0))).toFixed(2));
  lines.push(`| other programs (tree less the node processes) | ${rest.join(" | ")} |`);
  lines.push(`| runs with every process recorded | ${complete.map((xs) => xs.length).join(" | ")} |`);
  return lines.join("\n");
}

async function run(dir: string, runs: number, perProcess: boolean, checkouts: string[]): Promise<void> {
  const lab = JSON.parse(readFileSync(labFile(dir), "utf8")) as LabRecord;
  const labels = checkouts.map(checkoutLabel);
  const reportDirs = checkouts.map((_, i) => join(dir, `reports-${i + 1}`));
  for (const reportDir of reportDirs) {
    rmSync(reportDir, { recursive: true, force: true });
    mkdirSync(reportDir, { recursive: true });
  }
  // One untimed audit each: the compiled tree and the Allure bundle after an edit, and a previous
  // run for drift.
  for (const [i, checkout] of checkouts.entries()) {
    const warm = await auditOnce(lab, checkout, reportDirs[i]!, "warm-up", false);
    console.log(runLine(labels[i]!, 0, warm) + " (warm-up, not counted)");
  }
  const samples: RunSample[][] = checkouts.map(() => []);
  for (let round = 1; round <= runs; round++) {
    for (let k = 0; k < checkouts.length; k++) {
      const i = (k + round - 1) % checkouts.length;
      const x = await auditOnce(lab, checkouts[i]!, reportDirs[i]!, `run-${round}`, perProcess);
      samples[i]!.push(x);
      console.log(runLine(labels[i]!, round, x));
    }
  }
  console.log(`\n${lab.hosts} hosts, ${runs} rounds (order rotating), ${new Date().toISOString()}\n`);
  console.log(renderMedians(labels, samples));
  if (perProcess) console.log(`\n${renderProcesses(labels, samples)}`);
}

function option(args: string[], name: string, fallback: string): string {
  const at = args.indexOf(name);
  if (at === -1) return fallback;
  const [value] = args.splice(at, 2).slice(1);
  if (value === undefined) throw new Error(`${name} needs a value`);
  return value;
}

async function main(argv: string[]): Promise<void> {
  const [command, ...args] = argv;
  const dir = resolve(option(args, "--dir", join(REPO_ROOT, ".lab/runner-cpu")));
  if (command === "up") return up(Number(option(args, "--hosts", "50")), dir);
  if (command === "down") return down(dir);
  if (command === "run") {
    const runs = Number(option(args, "--runs", "5"));
    const perProcess = args.includes("--per-process");
    const checkouts = args.filter((a) => a !== "--per-process").map((c) => resolve(c));
    if (!Number.isInteger(runs) || runs < 1 || checkouts.length === 0) throw new Error("usage: run [--runs N] [--per-process] <checkout>...");
    return run(dir, runs, perProcess, checkouts);
  }
  throw new Error("usage: npx tsx bench/runner-cpu.ts up|run|down [--dir <folder>] (see the file's header)");
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
