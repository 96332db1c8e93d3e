// The gathering phase of a run: connect to every host in parallel over one SSH connection each,
// run the ONE batched facts script per host, probe from the runner and from the hosts, and
// (opt-in only) run the failover experiments. Everything gathered goes into a CollectedRun.
import { availableParallelism } from "node:os";
import type { Environment } from "../environment/schema.js";
import { hostForwardedPorts, hostIpv6Address, hostListeners } from "../facts/build.js";
import { hostKeySection } from "../facts/parsers/host-key.js";
import { PROBE_INPUT_SECTIONS } from "../facts/script.js";
import type { GatherPlan } from "../checks/gather.js";
import type { CommandOutput } from "../model.js";
import { mapWithConcurrency } from "../concurrency.js";
import type { NetworkProbeHost } from "../probes/plan.js";
import type { NetworkProbeRun } from "../probes/run.js";
import { SshPool } from "../transport/ssh-pool.js";
import type { CollectedRun, HostCollection } from "./collected.js";
import { collectHostFacts } from "./host-facts.js";
import { sshTarget, knownHostsPath } from "./targets.js";

export interface CollectOptions {
  runId: string;
  startedAt: string;
  acceptNewHostKeys: boolean;
  fullPortSweep: boolean;
  /** --tcp-timeout: a fixed per-attempt TCP probe timeout; undefined derives it from round trips. */
  tcpTimeoutMs?: number;
  /** Both the command-line opt-in and the environment's allowDisruption. */
  allowDisruption: boolean;
  strict: boolean;
  /** What the selected requirements read: the script's sections, probes, failover. */
  wants: Pick<GatherPlan, "probes" | "failover" | "sections">;
  /** One line per host as it is collected. */
  log: (line: string) => void;
  /** The probes' and the failover experiments' progress (run.log; the console with --verbose). */
  detail: (line: string) => void;
}

export interface Timings {
  connectMs: number;
  factsMs: number;
  probesMs: number;
  failoverMs: number;
}

/**
 * How many hosts run the facts script at once. Real hosts run it on their own CPUs, so many can;
 * the embedded lab's hosts are containers sharing this machine's cores, where running them all at
 * once would make each script crawl past its time budget (README, "Time budget of the facts script").
 */
export function factsConcurrency(env: Pick<Environment, "lab">): number {
  return env.lab ? 2 * availableParallelism() : REMOTE_FACTS_CONCURRENCY;
}
const REMOTE_FACTS_CONCURRENCY = 32;

export async function collectRun(env: Environment, options: CollectOptions): Promise<{ run: CollectedRun; timings: Timings }> {
  const pool = new SshPool({
    knownHostsPath: knownHostsPath(env),
    acceptNewHostKeys: options.acceptNewHostKeys,
    connectTimeoutMs: env.ssh.connectTimeoutMs,
    commandTimeoutMs: env.ssh.commandTimeoutMs,
  });
  const timings: Timings = { connectMs: 0, factsMs: 0, probesMs: 0, failoverMs: 0 };
  try {
    let t = Date.now();
    const connections = await pool.connectAll(env.hosts.map((h) => sshTarget(h, env)));
    timings.connectMs = Date.now() - t;
    // A host that connected gets its console line once its facts are in.
    for (const [name, c] of connections) (c.ok ? options.detail : options.log)(c.ok ? `  ${name}: connected (${c.handshakeMs} ms)` : `  ${name}: BROKEN: ${c.error}`);

    const exec = (host: string, argv: string[], section: string) => pool.exec(host, argv, { section, timeoutMs: 15_000 });
    // A host's network probes start as soon as its facts script has listed its listeners (its first
    // sections): they wait on the network while the facts scripts use the CPU. Their code (undici,
    // pg, TLS: about 0.3 s of CPU to load) loads while the scripts run, not before them.
    const reachable = new Set<string>();
    const probing: Promise<NetworkProbeRun> | null = options.wants.probes
      ? import("../probes/run.js").then(({ startNetworkProbes }) =>
          startNetworkProbes({
            env,
            execOnHost: (host, argv, section) => (reachable.has(host) ? exec(host, argv, section) : Promise.reject(new Error(`${host} is not connected`))),
            fullPortSweep: options.fullPortSweep,
            timeouts: options.tcpTimeoutMs === undefined ? undefined : { tcpMs: options.tcpTimeoutMs },
            log: options.detail,
          }),
        )
      : null;
    probing?.catch(() => undefined); // a failed load is reported by finish() below, not as unhandled
    const probeHost = (host: Environment["hosts"][number], sections: CommandOutput[] | null) => {
      if (sections !== null) reachable.add(host.name);
      const probed: NetworkProbeHost = {
        name: host.name,
        address: host.address,
        roles: host.roles,
        listeners: sections === null ? null : hostListeners(sections),
        ipv6Address: sections === null ? null : hostIpv6Address(sections),
        forwardedPorts: sections === null ? null : hostForwardedPorts(sections),
      };
      probing?.then((run) => run.addHost(probed)).catch(() => undefined);
    };

    const sections = options.wants.sections;
    t = Date.now();
    const hosts = await mapWithConcurrency(
      env.hosts,
      factsConcurrency(env),
      async (host): Promise<HostCollection> => {
        const connection = connections.get(host.name);
        const base = { name: host.name, address: host.address, roles: host.roles, sections: [] as CommandOutput[], hostProbes: [] as CommandOutput[] };
        if (!connection?.ok) {
          probeHost(host, null);
          return { ...base, error: connection?.ok === false ? connection.error : "not connected" };
        }
        const hostKey = hostKeySection(connection.hostKey);
        if (sections.length === 0) {
          // The selected requirements read no fact of the host (HA-*): the connection is what they need.
          options.log(`  ${host.name}: no facts read by the selected requirements`);
          return { ...base, error: null, sections: [hostKey] };
        }
        const early = probing ? { sections: PROBE_INPUT_SECTIONS, arrived: (arrived: CommandOutput[] | null) => probeHost(host, arrived) } : undefined;
        const facts = await collectHostFacts(pool, host.name, { sections, sudo: host.sudo ?? env.ssh.sudo, commandTimeoutMs: env.ssh.commandTimeoutMs, early });
        const outcome = facts.error !== null ? `BROKEN: ${facts.error}` : facts.cutShort ? `facts PARTIAL: ${facts.cutShort}` : "facts collected";
        options.log(`  ${host.name}: ${outcome} (${facts.durationMs} ms)`);
        return { ...base, error: facts.error, sections: [...facts.sections, hostKey] };
      },
    );
    timings.factsMs = Date.now() - t;

    const run: CollectedRun = {
      runId: options.runId,
      environmentName: env.name,
      startedAt: options.startedAt,
      options: { fullPortSweep: options.fullPortSweep, allowDisruption: options.allowDisruption, strict: options.strict },
      hosts,
      probes: [],
      failover: [],
    };

    if (probing) {
      // What is left of the probes once every host's facts are in.
      t = Date.now();
      const network = await (await probing).finish();
      run.probes = network.probes;
      for (const host of hosts) host.hostProbes = network.hostProbes[host.name] ?? [];
      timings.probesMs = Date.now() - t;
    }

    if (options.wants.failover && options.allowDisruption) {
      t = Date.now();
      const { runFailoverSuite } = await import("../failover/suite.js");
      options.log("failover experiments (HA-*): taking members out one at a time");
      run.failover = await runFailoverSuite({
        env,
        exec: (host: string, argv: string[], opts?: { section?: string; timeoutMs?: number }) =>
          pool.exec(host, argv, { section: opts?.section ?? "failover", timeoutMs: opts?.timeoutMs ?? 30_000 }),
        allowDisruption: true,
        log: options.detail,
      });
      timings.failoverMs = Date.now() - t;
    }
    return { run, timings };
  } finally {
    pool.closeAll();
  }
}
