// Benchmark of the full port sweep (SEC-04 --full-port-sweep) against nmap's connect scan:
//   npx tsx bin/bench-sweep.ts [--concurrency N] [--timeout MS] <address>...
// Times sweepPorts over 1-65535 per address, then `nmap -sT -T4 -p- <addresses>`, and says whether
// both found the same open ports. Run it only against addresses you own (loopback, lab containers).
import { execFile } from "node:child_process";
import { Command } from "commander";
import { allTcpPorts, DEFAULT_SWEEP_OPTIONS, sweepPorts } from "../helpers/probes/sweep.js";

/** Open TCP ports per address from nmap's grepable output ("Host: a ()\tPorts: 22/open/tcp//ssh///, ..."). */
export function parseNmapGrepable(output: string): Map<string, number[]> {
  const open = new Map<string, number[]>();
  for (const line of output.split("\n")) {
    const host = /^Host: (\S+)/.exec(line)?.[1];
    if (!host) continue;
    const ports = /\tPorts: ([^\t]*)/.exec(line)?.[1];
    if (!open.has(host)) open.set(host, []);
    if (!ports) continue;
    for (const entry of ports.split(/,\s*/)) {
      const [port, state] = entry.split("/");
      if (state === "open") open.get(host)!.push(Number(port));
    }
  }
  for (const ports of open.values()) ports.sort((a, b) => a - b);
  return open;
}

function runNmap(addresses: string[]): Promise<{ ms: number; stdout: string }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    // argv, no shell: the addresses are never parsed as shell code.
    execFile("nmap", ["-sT", "-T4", "-p-", "-n", "-Pn", "-oG", "-", ...addresses], { maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`nmap failed: ${error.message}\n${stderr}`));
      else resolve({ ms: Math.round(performance.now() - started), stdout });
    });
  });
}

async function main(): Promise<void> {
  const program = new Command()
    .name("bench-sweep")
    .argument("<addresses...>", "addresses to sweep (loopback or your own lab containers only)")
    .option("--concurrency <n>", "connections in flight", String(DEFAULT_SWEEP_OPTIONS.concurrency))
    .option("--timeout <ms>", "per-port timeout", String(DEFAULT_SWEEP_OPTIONS.timeoutMs))
    .option("--workers <n>", "worker threads", String(DEFAULT_SWEEP_OPTIONS.workers ?? 1))
    .option("--skip-nmap", "time the sweep only")
    .parse();
  const addresses = program.args;
  const opts = program.opts<{ concurrency: string; timeout: string; workers: string; skipNmap?: boolean }>();
  const options = { concurrency: Number(opts.concurrency), timeoutMs: Number(opts.timeout), workers: Number(opts.workers) };

  const sweepOpen = new Map<string, number[]>();
  let sweepTotal = 0;
  for (const address of addresses) {
    const result = await sweepPorts(address, allTcpPorts(), options);
    sweepTotal += result.ms;
    sweepOpen.set(address, result.open);
    console.log(
      `sweepPorts ${address}: ${result.ms} ms (concurrency ${options.concurrency}, timeout ${options.timeoutMs} ms, ${options.workers} workers): ` +
        `${result.counts.open} open, ${result.counts.closed} closed, ${result.counts.filtered} filtered: ${result.open.join(",")}`,
    );
  }
  console.log(`sweepPorts total: ${sweepTotal} ms`);
  if (opts.skipNmap) return;

  const nmap = await runNmap(addresses);
  const nmapOpen = parseNmapGrepable(nmap.stdout);
  console.log(`nmap -sT -T4 -p- total: ${nmap.ms} ms`);
  let agree = true;
  for (const address of addresses) {
    const ours = (sweepOpen.get(address) ?? []).join(",");
    const theirs = (nmapOpen.get(address) ?? []).join(",");
    if (ours !== theirs) agree = false;
    console.log(`${address}: ${ours === theirs ? "same open ports" : `DIFFERENT: sweep [${ours}] nmap [${theirs}]`}`);
  }
  console.log(`verdict: sweep ${sweepTotal <= nmap.ms ? "at least as fast as" : "SLOWER than"} nmap; open sets ${agree ? "agree" : "DISAGREE"}`);
  process.exitCode = agree ? 0 : 1;
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split("/").pop()!)) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
