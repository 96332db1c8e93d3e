// Full TCP port sweep from the runner (SEC-04 with --full-port-sweep): a connect() per port with
// bounded concurrency, like `nmap -sT`. Only the address it is given is contacted.
import { mapWithConcurrency } from "./concurrency.js";
import { tcpProbe } from "./tcp.js";
import type { SweepResult, TcpState } from "./types.js";

export interface SweepOptions {
  concurrency: number;
  /** Per-port wait for a dropped SYN; a refused port answers at once. */
  timeoutMs: number;
}

/**
 * Defaults measured on the 2-core runner (bin/bench-sweep.ts): 1-65535 on loopback in about the
 * time `nmap -sT -T4 -p-` takes, and a fully filtered host in 65535 / 2000 * 0.5 s, about 16 s.
 */
export const DEFAULT_SWEEP_OPTIONS: SweepOptions = { concurrency: 2000, timeoutMs: 500 };

export function allTcpPorts(): number[] {
  return Array.from({ length: 65535 }, (_, i) => i + 1);
}

export async function sweepPorts(
  address: string,
  ports: readonly number[],
  options: SweepOptions = DEFAULT_SWEEP_OPTIONS,
): Promise<SweepResult> {
  const started = performance.now();
  const counts: Record<TcpState, number> = { open: 0, closed: 0, filtered: 0 };
  const open: number[] = [];
  await mapWithConcurrency(ports, options.concurrency, async (port) => {
    const { state } = await tcpProbe(address, port, options.timeoutMs);
    counts[state]++;
    if (state === "open") open.push(port);
  });
  open.sort((a, b) => a - b);
  return {
    address,
    open,
    counts: { probed: ports.length, ...counts },
    concurrency: options.concurrency,
    timeoutMs: options.timeoutMs,
    ms: Math.round(performance.now() - started),
  };
}
