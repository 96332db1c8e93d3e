// Running the network probes that ./plan.ts plans: TCP, TLS, HTTP (undici), PostgreSQL (pg),
// Prometheus and full sweeps. Loaded only by the collect phase (helpers/run/collect.ts), so the spec
// worker, which judges the records, never loads the network clients.
import type { Environment } from "../environment/schema.js";
import type { CommandOutput } from "../model.js";
import type { ProbeRecord } from "../run/collected.js";
import { concurrencyLimit, mapWithConcurrency } from "../concurrency.js";
import { describeError, httpProbe } from "./http.js";
import { pgProbe } from "./pg.js";
import {
  DEFAULT_PROBE_TIMEOUTS,
  type NetworkProbeHost,
  planHostFreeProbes,
  planHostNetworkProbes,
  type PlannedHostProbe,
  type PlannedProbe,
  planNetworkProbes,
  planOnHostProbes,
  type ProbeTimeouts,
} from "./plan.js";
import { prometheusProbe } from "./prometheus.js";
import { allTcpPorts, DEFAULT_SWEEP_OPTIONS, sweepPorts, type SweepOptions } from "./sweep.js";
import { RoundTrips, tcpProbeWithRetry } from "./tcp.js";
import { tlsProbe } from "./tls.js";

export interface NetworkProbeInput {
  /** Placeholders already resolved. */
  env: Environment;
  hosts: NetworkProbeHost[];
  execOnHost: (host: string, argv: string[], section: string) => Promise<CommandOutput>;
  fullPortSweep: boolean;
  log?: (line: string) => void;
  timeouts?: Partial<ProbeTimeouts>;
  /** TLS/HTTP/pg/Prometheus probes and on-host probes in flight at once (the sweep has its own concurrency). */
  concurrency?: number;
  /** Plain TCP connect probes in flight at once; default TCP_PROBE_CONCURRENCY. */
  tcpConcurrency?: number;
  sweep?: SweepOptions;
}

export interface NetworkProbeOutput {
  probes: ProbeRecord[];
  /** Host name -> probes run on that host over SSH (section "db-reach"). */
  hostProbes: Record<string, CommandOutput[]>;
}

const MAX_BODY_BYTES = 4096;

/**
 * A TCP connect probe is one socket and one timer: no CPU, no handshake. A filtered port (dropped by
 * the host firewall, which SEC-04 expects for every listener outside the allow-list) answers never,
 * so each costs the full wait (tcp.ts: 3x the attempt timeout). With the shared limit of 8, 50 hosts
 * with 2 filtered ports each took ceil(100 / 8) x 3 s = 39 s; measured with npm run bench. 128 sockets
 * at once stay far below the descriptor limit and keep the phase at one wait up to 64 hosts.
 */
export const TCP_PROBE_CONCURRENCY = 128;
/** TLS handshakes and HTTP exchanges cost CPU on the runner: a small pool. */
export const PROBE_CONCURRENCY = 8;

/** Network probes that start host by host, as each host's facts arrive (see startNetworkProbes). */
export interface NetworkProbeRun {
  /** Starts one host's probes; once per host, as soon as its listeners are known (null: no facts). */
  addHost(host: NetworkProbeHost): void;
  /** Waits for every probe (full sweeps run now, one at a time) and returns them in plan order. */
  finish(): Promise<NetworkProbeOutput>;
}

/**
 * Starts the probes that need no host facts now, and each host's when addHost gives its listeners:
 * a host's probes (a filtered port waits about a second) then overlap the other hosts' facts
 * scripts. The result is the same as planning everything at the end: records come in plan order.
 */
export function startNetworkProbes(input: Omit<NetworkProbeInput, "hosts">): NetworkProbeRun {
  const timeouts = { ...DEFAULT_PROBE_TIMEOUTS, ...input.timeouts };
  const tcpSlot = concurrencyLimit(input.tcpConcurrency ?? TCP_PROBE_CONCURRENCY);
  const otherSlot = concurrencyLimit(input.concurrency ?? PROBE_CONCURRENCY);
  // One round-trip record per run: every handshake to an address sets the timeout of its other ports.
  const roundTrips = new RoundTrips(timeouts.tcpMs);
  const records = new Map<string, Promise<ProbeRecord>>();
  const hostOutputs: Promise<{ host: string; output: CommandOutput }>[] = [];
  const hosts: NetworkProbeHost[] = [];
  const start = (probes: PlannedProbe[]) => {
    for (const probe of probes) {
      if (records.has(probe.key)) continue; // the same key is the same target
      const slot = probe.kind === "tcp" ? tcpSlot : otherSlot;
      records.set(probe.key, slot(() => runProbe(probe, input.env, timeouts, input.sweep, roundTrips)));
    }
  };
  start(planHostFreeProbes(input.env));
  return {
    addHost(host) {
      if (hosts.some((h) => h.name === host.name)) throw new Error(`network probes: host ${host.name} added twice`);
      hosts.push(host);
      start(planHostNetworkProbes(input.env, host));
      for (const planned of planOnHostProbes(input.env, host, timeouts)) {
        hostOutputs.push(otherSlot(async () => ({ host: planned.host, output: await runOnHost(input.execOnHost, planned) })));
      }
    },
    async finish() {
      // The plan of all hosts at once, in inventory order whatever order they came in, orders the
      // records (collected.json stays stable); the sweeps run only now.
      const rank = (host: NetworkProbeHost) => {
        const index = input.env.hosts.findIndex((h) => h.name === host.name);
        return index === -1 ? Number.MAX_SAFE_INTEGER : index;
      };
      const inventoryOrder = [...hosts].sort((a, b) => rank(a) - rank(b));
      const plan = planNetworkProbes({ env: input.env, hosts: inventoryOrder, fullPortSweep: input.fullPortSweep, timeouts });
      const targeted = plan.probes.filter((probe) => probe.kind !== "sweep");
      const sweeps = plan.probes.filter((probe) => probe.kind === "sweep");
      input.log?.(`network probes: ${targeted.length} targeted, ${sweeps.length} full sweeps, ${plan.hostProbes.length} on hosts`);
      const targetedRecords = await Promise.all(targeted.map((probe) => records.get(probe.key) ?? Promise.reject(new Error(`network probes: ${probe.key} was never started`))));
      // Sweeps open thousands of sockets each: one at a time, after the targeted probes.
      const sweepRecords = await mapWithConcurrency(sweeps, 1, async (probe) => {
        input.log?.(`full port sweep of ${probe.key}`);
        return runProbe(probe, input.env, timeouts, input.sweep, roundTrips);
      });
      const hostProbes: Record<string, CommandOutput[]> = {};
      for (const { host, output } of await Promise.all(hostOutputs)) (hostProbes[host] ??= []).push(output);
      return { probes: [...targetedRecords, ...sweepRecords], hostProbes };
    },
  };
}

/** Every probe for hosts whose facts are all known already (offline use and tests). */
export async function collectNetworkProbes(input: NetworkProbeInput): Promise<NetworkProbeOutput> {
  const run = startNetworkProbes(input);
  for (const host of input.hosts) run.addHost(host);
  return run.finish();
}

async function runOnHost(exec: NetworkProbeInput["execOnHost"], planned: PlannedHostProbe): Promise<CommandOutput> {
  const started = performance.now();
  try {
    return await exec(planned.host, planned.argv, planned.section);
  } catch (err) {
    // The transport failed (host unreachable): keep the attempt as evidence instead of losing it.
    return {
      section: planned.section,
      command: planned.argv.join(" "),
      exitCode: null,
      stdout: "",
      stderr: describeError(err),
      durationMs: Math.round(performance.now() - started),
    };
  }
}

async function runProbe(
  probe: PlannedProbe,
  env: Environment,
  timeouts: ProbeTimeouts,
  sweepOptions: SweepOptions | undefined,
  roundTrips: RoundTrips,
): Promise<ProbeRecord> {
  const startedAt = new Date().toISOString();
  const started = performance.now();
  // A probe that throws keeps its target, so a "cannot reach" message still finds its error.
  const result = await execute(probe, env, timeouts, sweepOptions, roundTrips).catch((err: unknown): unknown => ({ error: describeError(err) }));
  return {
    key: probe.key,
    kind: probe.kind,
    host: "host" in probe ? probe.host : null,
    target: probeTarget(probe, env),
    startedAt,
    durationMs: Math.round(performance.now() - started),
    result,
  };
}

/** Where a probe goes, as its record names it: the address the reach checks match it by. */
export function probeTarget(probe: PlannedProbe, env: Environment): string {
  switch (probe.kind) {
    case "tcp":
    case "tls":
      return `${probe.address}:${probe.port}`;
    case "http":
    case "prometheus":
      return probe.url;
    case "pg":
      return `${env.database.host}:${env.database.port}/${env.database.database}`;
    case "sweep":
      return `${probe.address}:1-65535`;
  }
}

async function execute(
  probe: PlannedProbe,
  env: Environment,
  timeouts: ProbeTimeouts,
  sweepOptions: SweepOptions | undefined,
  roundTrips: RoundTrips,
): Promise<unknown> {
  switch (probe.kind) {
    case "tcp":
      return tcpProbeWithRetry(probe.address, probe.port, roundTrips);
    case "tls":
      return tlsProbe(probe.address, probe.port, { servername: probe.servername, timeoutMs: timeouts.tlsMs });
    case "http":
      return httpProbe(probe.url, { insecureTls: probe.insecureTls, timeoutMs: timeouts.httpMs, maxBodyBytes: MAX_BODY_BYTES });
    case "pg": {
      const db = env.database;
      const password = process.env[db.passwordEnv];
      const result = await pgProbe({
        host: db.host,
        port: db.port,
        database: db.database,
        user: db.user,
        password,
        ssl: db.ssl,
        timeoutMs: timeouts.pgMs,
      });
      // The most likely cause of an authentication failure deserves its own words in the report.
      if (!result.ok && password === undefined) result.error = `${result.error ?? "failed"} (environment variable ${db.passwordEnv} is not set)`;
      return result;
    }
    case "prometheus":
      return prometheusProbe(probe.url, { timeoutMs: timeouts.httpMs, insecureTls: probe.insecureTls });
    case "sweep":
      return sweepPorts(probe.address, allTcpPorts(), sweepOptions ?? DEFAULT_SWEEP_OPTIONS);
  }
}
