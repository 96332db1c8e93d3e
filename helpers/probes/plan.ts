// Which network probes an audit runs (SEC-03..05, PORT-01..05, DB-01/02), as data. Only addresses
// named in the environment are contacted: inventory addresses, entrypoint URLs, the database host and
// the Prometheus URL. Pure: the spec checks import it, so it must not load the network clients
// (running the plan is ./run.ts).
import type { Environment } from "../environment/schema.js";
import { forwardedTcpPorts } from "../facts/parsers/forwarded.js";
import type { ForwardedPort, Listener } from "../facts/types.js";
import type { Role } from "../model.js";
import { prometheusHostPort } from "./addresses.js";
import { dbReachArgv } from "./host.js";
import { DATABASE_TARGET, DB_REACH_SECTION, PAGE_PORTS, PROMETHEUS_TARGET, probeKeys } from "./keys.js";

export interface NetworkProbeHost {
  name: string;
  address: string;
  roles: Role[];
  /** Listening sockets from the host's facts; null when the facts could not be collected. */
  listeners: Listener[] | null;
  /** A global IPv6 address from the host's facts, probed besides the inventory address; null when none. */
  ipv6Address?: string | null;
  /** Ports the host's NAT rules forward (nothing listens on them); null when unknown. */
  forwardedPorts?: ForwardedPort[] | null;
}

export interface ProbeTimeouts {
  /** Per-attempt TCP handshake timeout (--tcp-timeout); null: derived from measured round trips (tcp.ts). */
  tcpMs: number | null;
  tlsMs: number;
  httpMs: number;
  pgMs: number;
  dbReachSeconds: number;
}

export const DEFAULT_PROBE_TIMEOUTS: ProbeTimeouts = {
  tcpMs: null,
  tlsMs: 5_000,
  httpMs: 5_000,
  pgMs: 10_000,
  dbReachSeconds: 5,
};

/** Everything the probe phase will do, as data: built first, so the plan itself is testable. */
export type PlannedProbe =
  | { kind: "tcp"; key: string; host: string | null; address: string; port: number }
  | { kind: "tls"; key: string; host: string | null; address: string; port: number; servername?: string }
  | { kind: "http"; key: string; host: string | null; url: string; insecureTls: boolean }
  | { kind: "pg"; key: string }
  | { kind: "prometheus"; key: string; url: string; insecureTls: boolean }
  | { kind: "sweep"; key: string; host: string; address: string };

export interface PlannedHostProbe {
  host: string;
  argv: string[];
  section: string;
}

/** Ports of the components the host's roles run, from env.components (SEC-03). */
export function expectedPorts(env: Environment, roles: readonly Role[]): number[] {
  const ports = Object.values(env.components)
    .filter((component) => roles.includes(component.role))
    .flatMap((component) => component.ports);
  return uniqueSorted(ports);
}

/** A host's role ports, every TCP port it listens on, and Prometheus's. */
export function listenerPorts(env: Environment, host: Pick<NetworkProbeHost, "roles" | "listeners">): number[] {
  const listening = (host.listeners ?? []).filter((listener) => listener.protocol === "tcp").map((listener) => listener.port);
  return uniqueSorted([...expectedPorts(env, host.roles), ...listening, PAGE_PORTS.prometheus]);
}

/** Ports probed from the runner on a host (SEC-04): its listener ports and every TCP port its NAT rules forward. */
export function portsToProbe(env: Environment, host: Pick<NetworkProbeHost, "roles" | "listeners" | "forwardedPorts">): number[] {
  return uniqueSorted([...listenerPorts(env, host), ...forwardedTcpPorts(host.forwardedPorts ?? [])]);
}

/**
 * SEC-02's network witness: TCP ports that IANA assigns to no service, so no firewalld service and
 * no component opens them on purpose. Probed from the runner where the host does not listen on them,
 * they show what the host's firewall does to a port nobody opened: a reset (the runner reached the
 * TCP stack unfiltered), silence (dropped) or an ICMP error (rejected).
 */
export const WITNESS_CANDIDATE_PORTS = [4, 6, 8, 10, 12, 14, 16, 26] as const;
export const WITNESS_PORT_COUNT = 3;

/** The witness ports of a host: the first candidates it does not listen on and no table or policy names. */
export function witnessPorts(env: Environment, host: Pick<NetworkProbeHost, "roles" | "listeners">): number[] {
  const named = new Set([
    ...listenerPorts(env, host),
    ...Object.values(PAGE_PORTS),
    ...env.policy.managementPorts,
    ...env.policy.extraPorts.filter((extra) => extra.protocol === "tcp").map((extra) => extra.port),
  ]);
  return WITNESS_CANDIDATE_PORTS.filter((port) => !named.has(port)).slice(0, WITNESS_PORT_COUNT);
}

/** Every TCP port the plan probes on a host: SEC-04's and SEC-02's witness ports. */
export function plannedTcpPorts(env: Environment, host: Pick<NetworkProbeHost, "roles" | "listeners" | "forwardedPorts">): number[] {
  return uniqueSorted([...portsToProbe(env, host), ...witnessPorts(env, host)]);
}

/** The probes of one host: its ports (SEC-03/04, over IPv6 too) and its members' HTTP/TLS. They need
 * the host's listeners, so they start when its facts have them (startNetworkProbes). */
export function planHostNetworkProbes(env: Environment, host: NetworkProbeHost): PlannedProbe[] {
  const probes: PlannedProbe[] = [];
  const memberScheme = (entrypointUrl: string) => (new URL(entrypointUrl).protocol === "https:" ? "https" : "http");
  const ports = plannedTcpPorts(env, host);
  for (const port of ports) {
    probes.push({ kind: "tcp", key: probeKeys.tcp(host.name, port), host: host.name, address: host.address, port });
  }
  // SEC-02 and SEC-04 over IPv6 as well: a firewall can deny IPv4 by default and leave IPv6 open.
  if (host.ipv6Address && host.ipv6Address !== host.address) {
    for (const port of ports) {
      probes.push({ kind: "tcp", key: probeKeys.tcp6(host.name, port), host: host.name, address: host.ipv6Address, port });
    }
  }
  const http = (scheme: "http" | "https", port: number) =>
    probes.push({
      kind: "http",
      key: probeKeys.http(host.name, port),
      host: host.name,
      url: `${scheme}://${urlHost(host.address)}:${port}/`,
      // Member certificates are judged by the TLS probe (PORT-02); the HTTP probe only asks "does it answer".
      insecureTls: true,
    });
  if (host.roles.includes("dp")) {
    http("http", PAGE_PORTS.gatewayHttp);
    probes.push({
      kind: "tls",
      key: probeKeys.tls(host.name, PAGE_PORTS.gatewayHttps),
      host: host.name,
      address: host.address,
      port: PAGE_PORTS.gatewayHttps,
      servername: host.address,
    });
    http("https", PAGE_PORTS.gatewayHttps);
  }
  if (host.roles.includes("cp")) {
    // A member speaks the scheme its load-balanced entrypoint speaks ("HTTP/TLS as configured").
    http(memberScheme(env.entrypoints.dashboard.url), PAGE_PORTS.dashboard);
    http(memberScheme(env.entrypoints.dpManager.url), PAGE_PORTS.dpManager);
  }
  return probes;
}

/** The probes that need no host facts: entrypoints, the database and Prometheus. */
export function planHostFreeProbes(env: Environment): PlannedProbe[] {
  const probes: PlannedProbe[] = [];
  for (const [name, entrypoint] of Object.entries(env.entrypoints)) {
    if (!entrypoint) continue;
    const url = new URL(entrypoint.url);
    if (url.protocol === "tcp:") {
      probes.push({
        kind: "tcp",
        key: probeKeys.entrypointTcp(name),
        host: null,
        address: url.hostname,
        port: Number(url.port),
      });
      continue;
    }
    if (url.protocol === "https:") {
      probes.push({
        kind: "tls",
        key: probeKeys.entrypointTls(name),
        host: null,
        address: url.hostname,
        port: url.port ? Number(url.port) : 443,
        servername: url.hostname,
      });
    }
    probes.push({
      kind: "http",
      key: probeKeys.entrypointHttp(name),
      host: null,
      url: entrypoint.url,
      insecureTls: entrypoint.insecureTls,
    });
  }

  probes.push({
    kind: "tcp",
    key: probeKeys.tcp(DATABASE_TARGET, env.database.port),
    host: null,
    address: env.database.host,
    port: env.database.port,
  });
  probes.push({ kind: "pg", key: probeKeys.pg() });

  const prometheus = prometheusHostPort(env);
  if (prometheus && env.prometheus.url) {
    probes.push({ kind: "tcp", key: probeKeys.tcp(PROMETHEUS_TARGET, prometheus.port), host: null, address: prometheus.host, port: prometheus.port });
    probes.push({ kind: "prometheus", key: probeKeys.prometheus(), url: env.prometheus.url, insecureTls: true });
  }
  return probes;
}

/** What runs on the host itself over SSH: a CP member's reach to the database (DB-01). */
export function planOnHostProbes(env: Environment, host: NetworkProbeHost, timeouts: ProbeTimeouts): PlannedHostProbe[] {
  if (!host.roles.includes("cp")) return [];
  return [{ host: host.name, argv: dbReachArgv(env.database.host, env.database.port, timeouts.dbReachSeconds), section: DB_REACH_SECTION }];
}

export function planNetworkProbes(
  input: { env: Environment; hosts: NetworkProbeHost[]; fullPortSweep: boolean; timeouts?: Partial<ProbeTimeouts> },
): { probes: PlannedProbe[]; hostProbes: PlannedHostProbe[] } {
  const { env, hosts } = input;
  const timeouts = { ...DEFAULT_PROBE_TIMEOUTS, ...input.timeouts };
  const sweeps: PlannedProbe[] = input.fullPortSweep
    ? hosts.map((host) => ({ kind: "sweep", key: probeKeys.sweep(host.name), host: host.name, address: host.address }))
    : [];
  return {
    probes: [...hosts.flatMap((host) => planHostNetworkProbes(env, host)), ...planHostFreeProbes(env), ...sweeps],
    hostProbes: hosts.flatMap((host) => planOnHostProbes(env, host, timeouts)),
  };
}

/** IPv6 literals need brackets inside a URL. */
function urlHost(address: string): string {
  return address.includes(":") && !address.startsWith("[") ? `[${address}]` : address;
}

function uniqueSorted(ports: number[]): number[] {
  return [...new Set(ports)].sort((a, b) => a - b);
}
