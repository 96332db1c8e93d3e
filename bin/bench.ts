// `npm run bench -- --peers [--pairs 5] [--scale-hosts 50]`: the audit side by side with Testinfra (4
// hosts) and `ansible -m setup` (50 hosts) on the same lab, in alternating pairs (bench/peers.ts).
//
// `npm run bench -- --peers --rtt-ms 0,2,20 [--pairs 3]`: the 4-host comparison with Testinfra once per
// round trip, both sides connecting through a loopback relay that adds it (bench/relay.ts); for each
// round trip the table and one line `rtt <N> ms: audit <s> s, Testinfra <s> s, ratio <r>`.
//
// `npm run bench -- [--sizes 4,10,25,50] [--runs 3]`: how long an audit takes and how much memory it
// needs, by inventory size. For each size it starts a scale lab once (environments/lab/scale.ts: the
// compliant lab + light DP hosts), runs the real, non-destructive audit CLI against it --runs times
// as a child process, and prints the median of every phase and the peak RSS.
//
// Peak RSS, two numbers: "audit" is the audit process's own peak (process.resourceUsage().maxRSS,
// written by audit-run to the API7_AUDIT_TIMINGS_FILE file at exit); "tree" is GNU time's maximum
// resident set size, the largest single process of the run's whole tree (audit, its vitest child, the
// allure CLI), whichever peaked highest. Timings come from the same file (not from the sealed bundle).
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { Command } from "commander";
import { startScaleLab, writeLabEnvironment } from "../environments/lab/scale.js";
import { LEAN_HEAP_FLAGS } from "../helpers/node-flags.js";
import type { ResultsFile } from "../helpers/run/results.js";
import { measureProcess, median } from "../bench/measure.js";
import { benchLatency, benchPeers, renderComparison, renderRttLine } from "../bench/peers.js";

const REPO_ROOT = resolve(import.meta.dirname, "..");
const PHASES = ["connectMs", "factsMs", "probesMs", "specsMs", "reportMs"] as const;

interface AuditSample {
  wallMs: number;
  exitCode: number | null;
  /** "ID target status: message" of every failed or broken verdict (the lab should have none). */
  problems: string[];
  phases: Record<(typeof PHASES)[number], number>;
  auditRssBytes: number;
  treeRssBytes: number | null;
}

export interface SizeResult {
  hosts: number;
  labStartSeconds: number;
  samples: AuditSample[];
}

async function runAudit(envFile: string, reportDir: string, runId: string, env: NodeJS.ProcessEnv): Promise<AuditSample> {
  mkdirSync(reportDir, { recursive: true });
  const timingsFile = join(reportDir, `${runId}.timings.json`);
  // The measured process IS the audit, as npm run audit starts it (without npm).
  const audit = [process.execPath, ...LEAN_HEAP_FLAGS, join(REPO_ROOT, "bin/compiled.mjs"), join(REPO_ROOT, "bin/audit.ts"), "--env", envFile, "--report-dir", reportDir, "--run-id", runId];
  const run = await measureProcess(audit, {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env, API7_AUDIT_TIMINGS_FILE: timingsFile },
    timeFile: join(reportDir, `${runId}.time.txt`),
  });
  if (!existsSync(timingsFile)) throw new Error(`audit ${runId} wrote no timings (exit ${run.exitCode}):\n${run.output.slice(-4000)}`);
  const timings = JSON.parse(readFileSync(timingsFile, "utf8")) as Record<string, number>;
  const results = JSON.parse(readFileSync(join(reportDir, runId, "results.json"), "utf8")) as ResultsFile;
  return {
    wallMs: run.wallMs,
    exitCode: run.exitCode,
    problems: results.results.filter((v) => v.status === "failed" || v.status === "broken").map((v) => `${v.requirement} ${v.target} ${v.status}: ${v.message}`),
    phases: Object.fromEntries(PHASES.map((p) => [p, timings[p] ?? 0])) as AuditSample["phases"],
    auditRssBytes: timings.maxRssBytes ?? 0,
    treeRssBytes: run.maxRssBytes,
  };
}

async function benchSize(hosts: number, runs: number, workRoot: string, log: (line: string) => void): Promise<SizeResult> {
  const workDir = join(workRoot, `n${hosts}`);
  mkdirSync(workDir, { recursive: true });
  const started = performance.now();
  const scale = await startScaleLab(hosts, { workDir, log: () => undefined });
  const labStartSeconds = (performance.now() - started) / 1000;
  log(`${hosts} hosts: lab up in ${labStartSeconds.toFixed(1)} s (base ${scale.startSeconds.base.toFixed(1)} s + ${hosts - 4} light hosts ${scale.startSeconds.extra.toFixed(1)} s)`);
  try {
    const { file, env } = writeLabEnvironment(scale, join(workDir, "environment.yaml"));
    const samples: AuditSample[] = [];
    for (let i = 1; i <= runs; i++) {
      const sample = await runAudit(file, join(workDir, "reports"), `run-${i}`, { [env.database.passwordEnv]: scale.lab.dbPassword });
      const collect = sample.phases.connectMs + sample.phases.factsMs + sample.phases.probesMs;
      log(`  run ${i}: exit ${sample.exitCode}, wall ${(sample.wallMs / 1000).toFixed(1)} s, collect ${(collect / 1000).toFixed(2)} s, audit RSS ${mb(sample.auditRssBytes)} MB`);
      for (const problem of sample.problems) log(`    ${problem}`);
      samples.push(sample);
    }
    return { hosts, labStartSeconds, samples };
  } finally {
    await scale.stop();
  }
}

const mb = (bytes: number | null) => (bytes === null ? "-" : (bytes / 1024 ** 2).toFixed(0));
const s = (ms: number) => (ms / 1000).toFixed(2);

export function renderTable(results: readonly SizeResult[]): string {
  const header = ["hosts", "lab start s", "connect s", "facts s", "probes s", "collect s", "specs s", "report s", "audit wall s", "peak RSS audit MB", "peak RSS tree MB"];
  const rows = results.map((r) => {
    const m = (f: (x: AuditSample) => number) => median(r.samples.map(f));
    const collect = m((x) => x.phases.connectMs + x.phases.factsMs + x.phases.probesMs);
    return [
      String(r.hosts),
      r.labStartSeconds.toFixed(1),
      s(m((x) => x.phases.connectMs)),
      s(m((x) => x.phases.factsMs)),
      s(m((x) => x.phases.probesMs)),
      s(collect),
      s(m((x) => x.phases.specsMs)),
      s(m((x) => x.phases.reportMs)),
      s(m((x) => x.wallMs)),
      mb(Math.max(...r.samples.map((x) => x.auditRssBytes))),
      mb(r.samples.some((x) => x.treeRssBytes === null) ? null : Math.max(...r.samples.map((x) => x.treeRssBytes!))),
    ];
  });
  return [`| ${header.join(" | ")} |`, `|${header.map(() => "---").join("|")}|`, ...rows.map((row) => `| ${row.join(" | ")} |`)].join("\n");
}

async function main(): Promise<void> {
  const opts = new Command()
    .name("npm run bench --")
    .description("Median audit phase timings and peak RSS against scale labs of several sizes.")
    .option("--sizes <list>", "host counts (>= 4), comma-separated", "4,10,25,50")
    .option("--runs <n>", "audits per size (medians over these)", "3")
    .option("--peers", "compare with Testinfra (4 hosts) and ansible -m setup (--scale-hosts) in alternating pairs")
    .option("--pairs <n>", "--peers: pairs per size", "5")
    .option("--scale-hosts <n>", "--peers: hosts of the lab compared with ansible -m setup", "50")
    .option("--rtt-ms <list>", "--peers: round trips in ms, comma-separated (e.g. 0,2,20), that a loopback relay adds to both sides' SSH; runs only the 4-host comparison, once per round trip")
    .parse()
    .opts<{ sizes: string; runs: string; peers?: boolean; pairs: string; scaleHosts: string; rttMs?: string }>();
  const sizes = opts.sizes.split(",").map(Number);
  const runs = Number(opts.runs);
  if (sizes.some((n) => !Number.isInteger(n) || n < 4) || !Number.isInteger(runs) || runs < 1) {
    console.error("--sizes takes integers >= 4, --runs a positive integer");
    process.exitCode = 3;
    return;
  }
  process.env.TESTCONTAINERS_RYUK_DISABLED ??= "true";
  process.env.TESTCONTAINERS_HOST_OVERRIDE ??= "localhost";
  const workRoot = join(REPO_ROOT, ".lab", `bench-${process.pid}`);
  if (opts.rttMs !== undefined) {
    const rtts = opts.rttMs.split(",").map((text) => (text.trim() === "" ? Number.NaN : Number(text)));
    if (!opts.peers || rtts.some((rtt) => !Number.isFinite(rtt) || rtt < 0)) {
      console.error(`--rtt-ms ${opts.rttMs}: give --peers and round trips in ms >= 0, comma-separated, e.g. --peers --rtt-ms 0,2,20`);
      process.exitCode = 3;
      return;
    }
    return latency(Number(opts.pairs), rtts, workRoot);
  }
  if (opts.peers) return peers(Number(opts.pairs), Number(opts.scaleHosts), workRoot);
  const results: SizeResult[] = [];
  try {
    for (const hosts of sizes) results.push(await benchSize(hosts, runs, workRoot, (line) => console.log(line)));
  } finally {
    rmSync(workRoot, { recursive: true, force: true });
  }
  console.log(`\nmedians of ${runs} audits per size (collect = connect + facts + probes; peak RSS = max over the runs)\n`);
  console.log(renderTable(results));
}

async function peers(pairs: number, scaleHosts: number, workRoot: string): Promise<void> {
  if (!Number.isInteger(pairs) || pairs < 1 || !Number.isInteger(scaleHosts) || scaleHosts < 4) {
    console.error("--pairs takes a positive integer, --scale-hosts an integer >= 4");
    process.exitCode = 3;
    return;
  }
  try {
    const comparisons = await benchPeers({ pairs, scaleHosts, workRoot, log: (line) => console.log(line) });
    console.log(`\n${comparisons.map(renderComparison).join("\n\n")}`);
  } finally {
    rmSync(workRoot, { recursive: true, force: true });
  }
}

async function latency(pairs: number, rttsMs: number[], workRoot: string): Promise<void> {
  if (!Number.isInteger(pairs) || pairs < 1) {
    console.error("--pairs takes a positive integer");
    process.exitCode = 3;
    return;
  }
  try {
    const results = await benchLatency({ pairs, rttsMs, workRoot, log: (line) => console.log(line) });
    console.log(`\n${results.map((r) => `${renderComparison(r.comparison)}\n\n${renderRttLine(r)}`).join("\n\n")}`);
  } finally {
    rmSync(workRoot, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split("/").pop()!)) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exitCode = 1;
  });
}
