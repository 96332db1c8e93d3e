// Full TCP port sweep from the runner (SEC-04 with --full-port-sweep): a connect() per port with
// bounded concurrency, like `nmap -sT`. Only the address it is given is contacted.
import os from "node:os";
import { Worker } from "node:worker_threads";
import { mapWithConcurrency } from "../concurrency.js";
import { tcpProbe } from "./tcp.js";
import type { SweepResult, TcpState } from "./types.js";

export interface SweepOptions {
  /** Connections in flight, in total over all workers. */
  concurrency: number;
  /** Per-port wait for a dropped SYN; a refused port answers at once. */
  timeoutMs: number;
  /** Worker threads: a refused connect costs the runner's CPU, so a sweep of a responsive host is CPU-bound. 1 = in this thread. */
  workers?: number;
}

/**
 * Tuned with bin/bench-sweep.ts on the 2-core runner. Loopback (every port refuses at once) is
 * CPU-bound: 2 workers with 2000 in flight took 2.7-3.4 s for 1-65535 while `nmap -sT -T4 -p-`
 * took 2.5-2.7 s on the same loaded machine; fewer in flight was slower. A filtered port costs the
 * timeout, so a fully filtered host costs 65535 / 2000 * 0.75 s, about 25 s. 750 ms is far above a
 * LAN's round trip and below the kernel's 1 s SYN retransmission; the ports that matter (every
 * listener, the table's ports) are also probed one by one with a longer timeout.
 */
export const DEFAULT_SWEEP_OPTIONS: SweepOptions = {
  concurrency: 2000,
  timeoutMs: 750,
  workers: Math.max(1, Math.min(4, os.availableParallelism())),
};

export function allTcpPorts(): number[] {
  return Array.from({ length: 65535 }, (_, i) => i + 1);
}

interface Share {
  open: number[];
  counts: Record<TcpState, number>;
}

export async function sweepPorts(
  address: string,
  ports: readonly number[],
  options: SweepOptions = DEFAULT_SWEEP_OPTIONS,
): Promise<SweepResult> {
  const started = performance.now();
  ports = [...new Set(ports)];
  const workers = Math.max(1, Math.min(options.workers ?? 1, ports.length));
  const shares =
    workers === 1
      ? [await sweepInThread(address, ports, options)]
      : await Promise.all(
          splitRoundRobin(ports, workers).map((share) =>
            sweepInWorker(address, share, { concurrency: Math.ceil(options.concurrency / workers), timeoutMs: options.timeoutMs }),
          ),
        );
  const counts = { open: 0, closed: 0, filtered: 0 };
  for (const share of shares) for (const state of ["open", "closed", "filtered"] as const) counts[state] += share.counts[state];
  return {
    address,
    open: shares.flatMap((share) => share.open).sort((a, b) => a - b),
    counts: { probed: ports.length, ...counts },
    concurrency: options.concurrency,
    timeoutMs: options.timeoutMs,
    ms: Math.round(performance.now() - started),
  };
}

async function sweepInThread(address: string, ports: readonly number[], options: SweepOptions): Promise<Share> {
  const counts: Record<TcpState, number> = { open: 0, closed: 0, filtered: 0 };
  const open: number[] = [];
  await mapWithConcurrency(ports, options.concurrency, async (port) => {
    const { state } = await tcpProbe(address, port, options.timeoutMs);
    counts[state]++;
    if (state === "open") open.push(port);
  });
  return { open, counts };
}

function sweepInWorker(address: string, ports: number[], options: { concurrency: number; timeoutMs: number }): Promise<Share> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL("./sweep-worker.mjs", import.meta.url), {
      workerData: { address, ports, concurrency: options.concurrency, timeoutMs: options.timeoutMs },
    });
    worker.once("message", (share: Share) => {
      resolve(share);
      void worker.terminate();
    });
    worker.once("error", reject);
    worker.once("exit", (code) => reject(new Error(`sweep worker exited with code ${code} before reporting`)));
  });
}

/** Interleaved shares, so each worker gets low and high ports alike. */
function splitRoundRobin(ports: readonly number[], parts: number): number[][] {
  const shares = Array.from({ length: parts }, () => [] as number[]);
  ports.forEach((port, index) => shares[index % parts]!.push(port));
  return shares;
}
