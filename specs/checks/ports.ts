// The port table of "Security settings" [S5.1]-[S5.3]: the table's ports reachable where their
// component runs, every other port closed from the runner and not listening for the network, and
// each component answering on its port. Probes come from the runner (helpers/probes).
import { allOf, allOfNamed, broken, fail, given, mapFact, pass, skip, warn } from "../../helpers/checks/assert.js";
import { COMPONENT_LABELS } from "../../helpers/checks/components.js";
import type { ProbeValue } from "../../helpers/checks/probes.js";
import type { CheckContext, CheckModule } from "../../helpers/checks/types.js";
import type { Environment, HostEntry } from "../../helpers/environment/schema.js";
import type { ForwardedPort, Listener } from "../../helpers/facts/types.js";
import type { CheckOutcome, Role } from "../../helpers/model.js";
import { isLoopbackAddress, prometheusHostPort, runsOn } from "../../helpers/probes/addresses.js";
import { DATABASE_TARGET, PAGE_PORTS, PROMETHEUS_TARGET, probeKeys } from "../../helpers/probes/keys.js";
import { plannedTcpPorts } from "../../helpers/probes/plan.js";
import type { HttpProbeResult, SweepResult, TcpProbeResult, TlsProbeResult } from "../../helpers/probes/types.js";
import type { Fact } from "../../helpers/checks/evidence.js";
import { targetAddress, unlessUnreached } from "../../helpers/checks/reach.js";

const DAY_MS = 86_400_000;
const NOT_ENABLED = "optional component not enabled";

// ---------------------------------------------------------------------------------------------
// The allow-list of S5.2/S5.3

export interface AllowedPort {
  port: number;
  reason: string;
}

type ComponentEntry = [keyof Environment["components"], Environment["components"]["gateway"]];
const componentsOf = (env: Environment) => Object.entries(env.components) as ComponentEntry[];

/**
 * Ports a host may expose (SEC-04, SEC-05): its roles' component ports, the management ports,
 * the declared extra ports of its roles, and Prometheus/PostgreSQL only where this host runs them.
 * Every port the page names is TCP; declared extra ports name their protocol.
 */
export function allowedPorts(env: Environment, host: HostEntry, protocol: "tcp" | "udp" = "tcp"): AllowedPort[] {
  if (protocol === "udp") {
    return env.policy.extraPorts
      .filter((extra) => extra.protocol === "udp" && (extra.role === "all" || host.roles.includes(extra.role)))
      .map((extra) => ({ port: extra.port, reason: `declared extra port: ${extra.reason}` }));
  }
  const allowed = new Map<number, string[]>();
  const allow = (port: number, reason: string) => allowed.set(port, [...(allowed.get(port) ?? []), reason]);
  for (const [name, component] of componentsOf(env)) {
    if (host.roles.includes(component.role)) for (const port of component.ports) allow(port, `${COMPONENT_LABELS[name]} (S5.2)`);
  }
  for (const port of env.policy.managementPorts) allow(port, "management port (S5.3)");
  for (const extra of env.policy.extraPorts) {
    if (extra.protocol === "tcp" && (extra.role === "all" || host.roles.includes(extra.role))) allow(extra.port, `declared extra port: ${extra.reason}`);
  }
  const prometheus = prometheusHostPort(env);
  if (prometheus && runsOn(host, prometheus.host)) allow(prometheus.port, "Prometheus runs on this host (S5.2)");
  if (runsOn(host, env.database.host)) allow(env.database.port, "PostgreSQL runs on this host (S5.2)");
  return [...allowed.entries()].sort(([a], [b]) => a - b).map(([port, reasons]) => ({ port, reason: reasons.join("; ") }));
}

function expectedPortsOf(env: Environment, roles: readonly Role[]): { port: number; component: string }[] {
  const ports: { port: number; component: string }[] = [];
  for (const [name, component] of componentsOf(env)) {
    if (!roles.includes(component.role)) continue;
    for (const port of component.ports) if (!ports.some((p) => p.port === port)) ports.push({ port, component: COMPONENT_LABELS[name] });
  }
  return ports.sort((a, b) => a.port - b.port);
}

/** The client ports of DHCP (RFC 2131) and DHCPv6 (RFC 8415): a DHCP client's socket, not a service. */
const DHCP_CLIENT_PORTS = new Set([68, 546]);
const isDhcpClient = (listener: Listener) => listener.protocol === "udp" && DHCP_CLIENT_PORTS.has(listener.port);

// ---------------------------------------------------------------------------------------------
// Port table (SEC-04 evidence)

export interface PortRow {
  port: number;
  /** Probed at the host's IPv6 address from its facts (the inventory address otherwise). */
  ipv6?: boolean;
  state: TcpProbeResult["state"];
  /** Process of the listener(s) on this port, from the host's facts. */
  listener: string | null;
  verdict: string;
}

export function renderPortTable(host: string, rows: readonly PortRow[]): string {
  const header = ["port", "from runner", "listener", "verdict"];
  const cells = rows.map((row) => [`${row.port}${row.ipv6 ? " (IPv6)" : ""}`, row.state, row.listener ?? "-", row.verdict]);
  const widths = header.map((title, column) => Math.max(title.length, ...cells.map((line) => (line[column] ?? "").length)));
  const line = (values: string[]) => `| ${values.map((value, column) => value.padEnd(widths[column] ?? 0)).join(" | ")} |`;
  return [`Ports of ${host} probed from the audit runner`, line(header), `|${widths.map((width) => "-".repeat(width + 2)).join("|")}|`, ...cells.map(line)].join("\n");
}

function listenerProcesses(listeners: readonly Listener[], port: number): string | null {
  const names = [...new Set(listeners.filter((l) => l.port === port).map((l) => l.process ?? "?"))];
  return names.length > 0 ? names.join(", ") : null;
}

// ---------------------------------------------------------------------------------------------
// SEC-03: the table's ports are reachable where their component runs

function tcpReachable(ctx: CheckContext, ports: { port: number; component: string }[], keyOf: (port: number) => string): CheckOutcome {
  const expected = `open: ${ports.map((p) => `${p.port} (${p.component})`).join(", ")}`;
  const probes = allOf(ports.map((p) => ctx.probe("tcp", keyOf(p.port))));
  return given({ probes }, ({ probes: results }) => {
    const describe = (tcp: ProbeValue<"tcp">, port: number) => `${port} ${tcp.state}${tcp.error && tcp.state !== "open" ? ` (${tcp.error})` : ""} in ${tcp.ms} ms`;
    const actual = results.map((tcp, i) => describe(tcp, ports[i]!.port)).join(", ");
    const unreachable = results.flatMap((tcp, i) => (tcp.state === "open" ? [] : [describe(tcp, ports[i]!.port)]));
    return unreachable.length > 0
      ? unlessUnreached(ctx.run, targetAddress(results[0]!.target), fail(`${unreachable.join(", ")} from the runner; the page requires ${expected}`, { expected, actual }))
      : pass(`${ports.map((p) => `${p.port} (${p.component})`).join(", ")} reachable from the runner`, { expected, actual });
  });
}

// ---------------------------------------------------------------------------------------------
// SEC-04: every other port closed or filtered from the runner

function onlyAllowedOpen(ctx: CheckContext, host: HostEntry): CheckOutcome {
  const listeners = ctx.fact("listeners");
  const forwarded = ctx.fact("forwardedPorts");
  const sweep = ctx.run.options.fullPortSweep ? ctx.probe("sweep", probeKeys.sweep(host.name)) : null;
  // Without a full sweep the listeners and the NAT rules say which ports had to be probed: a
  // "closed" verdict must not cover only the ports someone thought of.
  const coverage: Fact<{ sweep: SweepResult | null; listeners: Listener[]; forwarded: ForwardedPort[] }> = sweep
    ? mapFact(sweep, (result) => ({ sweep: result, listeners: listeners.observed ? listeners.value : [], forwarded: forwarded.observed ? forwarded.value : [] }))
    : mapFact(allOfNamed({ listeners, forwarded }), (seen) => ({ sweep: null, ...seen }));
  // The plan's ports must all have been measured; any other port measured counts too.
  const prefix = probeKeys.tcp(host.name, 0).slice(0, -1);
  const planned = coverage.observed ? plannedTcpPorts(ctx.env, { ...host, listeners: coverage.value.listeners, forwardedPorts: coverage.value.forwarded }).map((port) => probeKeys.tcp(host.name, port)) : [];
  const extra = ctx.probesWith("tcp", prefix).filter((probe) => !planned.includes(probe.key));
  const keys = [...planned, ...extra.map((probe) => probe.key)];
  // The same ports at the host's IPv6 address, where its facts give one: a firewall can deny IPv4
  // by default and leave IPv6 open. Those probes are required as the IPv4 ones are.
  const ipv6Address = ctx.fact("ipv6Address");
  const prefix6 = probeKeys.tcp6Prefix(host.name);
  const planned6 = ipv6Address.observed && ipv6Address.value !== null && ipv6Address.value !== host.address ? planned.map((key) => prefix6 + key.slice(prefix.length)) : [];
  const keys6 = [...planned6, ...ctx.probesWith("tcp", prefix6).map((probe) => probe.key).filter((key) => !planned6.includes(key))];
  const measuredFacts = [...planned.map((key) => ({ key, fact: ctx.probe("tcp", key) })), ...extra, ...keys6.map((key) => ({ key, fact: ctx.probe("tcp", key) }))];
  const probes = allOf(measuredFacts.map(({ fact }) => fact));
  const allowed = allowedPorts(ctx.env, host);
  // A port open from the runner outside the allow-list is a finding, whatever else could not be measured.
  const openOutside = measuredFacts.flatMap(({ key, fact }) => {
    const port = Number(key.slice(key.lastIndexOf(":") + 1));
    return fact.observed && fact.value.state === "open" && !allowed.some((a) => a.port === port) ? [{ key, port, ipv6: key.startsWith(prefix6) }] : [];
  });
  if (!probes.observed && openOutside.length > 0) {
    const ports = openOutside.map((o) => `${o.port}${o.ipv6 ? " over IPv6" : ""}`).join(", ");
    return { ...fail(`${ports} open from the runner but not in the page's table, the management ports or the declared extra ports (other probes could not be measured: ${probes.reason}); the page requires every other port closed`), evidence: openOutside.map((o) => o.key) };
  }
  return given({ coverage, ipv6Address, probes }, ({ coverage: seen, ipv6Address: address, probes: measured }) => {
    // The probe plan follows the same facts: IPv6 probes of a host whose facts show no IPv6 address
    // mean the evidence contradicts itself.
    if (address === null && keys6.length > 0) {
      return broken(`${keys6.length} probes at an IPv6 address, but the host's facts show no global IPv6 address: the evidence contradicts itself`);
    }
    const states = new Map<number, TcpProbeResult["state"]>(keys.map((key, i) => [Number(key.slice(prefix.length)), measured[i]!.state]));
    const states6 = new Map<number, TcpProbeResult["state"]>(keys6.map((key, i) => [Number(key.slice(prefix6.length)), measured[keys.length + i]!.state]));
    if (seen.sweep) for (const port of seen.sweep.open) states.set(port, "open");
    // A host that answers on no port at all is one the runner does not reach: closed cannot be told from unreachable.
    if (![...states.values()].includes("open")) {
      return broken(`no port answered from the runner (${states.size} probed): the runner does not reach this host, so closed cannot be told from unreachable`);
    }
    const row = (port: number, state: TcpProbeResult["state"], ipv6: boolean): PortRow => {
      const permit = allowed.find((a) => a.port === port);
      const verdict = state !== "open" ? "ok (not reachable)" : permit ? `allowed: ${permit.reason}` : "NOT ALLOWED";
      const forwarding = seen.forwarded.find((f) => f.protocol === "tcp" && port >= f.ports[0] && port <= f.ports[1]);
      const listener = listenerProcesses(seen.listeners, port) ?? (forwarding ? `forwarded by ${forwarding.rule}` : null);
      return { port, ...(ipv6 ? { ipv6 } : {}), state, listener, verdict };
    };
    const rows: PortRow[] = [
      ...[...states.entries()].map(([port, state]) => row(port, state, false)),
      ...[...states6.entries()].map(([port, state]) => row(port, state, true)),
    ].sort((a, b) => a.port - b.port || Number(a.ipv6 ?? false) - Number(b.ipv6 ?? false));
    const coverageText = seen.sweep
      ? `full sweep 1-65535: ${seen.sweep.counts.open} open, ${seen.sweep.counts.closed} closed, ${seen.sweep.counts.filtered} filtered`
      : `${states.size} ports probed: every listening port, every port the host's NAT rules forward, the table's ports and SEC-02's witness ports${states6.size > 0 ? `, and ${states6.size} at the host's IPv6 address` : ""}`;
    const detail = { expected: `only these ports open from the runner: ${allowed.map((a) => `${a.port} (${a.reason})`).join(", ")}`, actual: `${coverageText}\n${renderPortTable(host.name, rows)}` };
    const violations = rows.filter((row) => row.verdict === "NOT ALLOWED");
    return violations.length > 0
      ? fail(
          `${violations.map((row) => `${row.port}${row.ipv6 ? " over IPv6" : ""}${row.listener ? ` (${row.listener})` : ""}`).join(", ")} open from the runner but not in the page's table, the management ports or the declared extra ports; the page requires every other port closed`,
          detail,
        )
      : pass(`no port outside the allow-list is open from the runner (${coverageText})`, detail);
  });
}

// ---------------------------------------------------------------------------------------------
// PORT-01..04: each member answers on its port

function describeHttp(http: HttpProbeResult): string {
  if (!http.ok) return `no HTTP answer (${http.error ?? "unknown error"})`;
  const server = http.headers.server ? `, server ${http.headers.server}` : "";
  const body = http.bodySnippet.trim().slice(0, 120);
  return `HTTP ${http.status}${server} in ${http.ms} ms${body ? `, body ${JSON.stringify(body)}` : ""}`;
}

function httpAnswers(ctx: CheckContext, port: number, what: string): CheckOutcome {
  const host = ctx.hostEntry();
  return given({ http: ctx.probe("http", probeKeys.http(host.name, port)) }, ({ http }) => {
    const detail = { expected: `${port} answers HTTP (any status counts as alive)`, actual: `${http.target}: ${describeHttp(http)}` };
    return http.ok ? pass(`${what} on ${port} answers HTTP ${http.status}`, detail) : fail(`${what} on ${port} gave ${describeHttp(http)}`, detail);
  });
}

function describeCertificate(tls: TlsProbeResult, daysRemaining: number): string {
  const trust = tls.authorized ? "trusted by the runner" : `not trusted by the runner (${tls.authorizationError ?? "unknown"})`;
  return [
    `subject ${tls.subject ?? "-"}`,
    `issuer ${tls.issuer ?? "-"}`,
    `valid ${tls.validFrom ?? "?"} to ${tls.validTo ?? "?"} (${daysRemaining} days left)`,
    `SAN ${tls.subjectAltNames.join(", ") || "-"}`,
    `${tls.protocol ?? "?"}, ${trust}`,
  ].join("; ");
}

// ---------------------------------------------------------------------------------------------

export const portChecks: CheckModule = {
  "SEC-03": {
    reads: { probes: ["tcp"] },
    decide: (ctx) => {
      if (ctx.target === DATABASE_TARGET) {
        return tcpReachable(ctx, [{ port: ctx.env.database.port, component: "PostgreSQL" }], (p) => probeKeys.tcp(DATABASE_TARGET, p));
      }
      if (ctx.target === PROMETHEUS_TARGET) {
        if (!ctx.env.prometheus.enabled) return skip(NOT_ENABLED);
        const prometheus = prometheusHostPort(ctx.env);
        if (!prometheus) return broken("prometheus.enabled is true but prometheus.url is not set");
        return tcpReachable(ctx, [{ port: prometheus.port, component: "Prometheus" }], (p) => probeKeys.tcp(PROMETHEUS_TARGET, p));
      }
      const host = ctx.hostEntry();
      return tcpReachable(ctx, expectedPortsOf(ctx.env, host.roles), (p) => probeKeys.tcp(host.name, p));
    },
  },

  "SEC-04": {
    reads: { facts: ["listeners", "forwardedPorts", "ipv6Address"], probes: ["tcp", "sweep"] },
    decide: (ctx) => onlyAllowedOpen(ctx, ctx.hostEntry()),
  },

  "SEC-05": {
    reads: { facts: ["listeners"] },
    decide: (ctx) =>
      given({ listeners: ctx.fact("listeners") }, ({ listeners }) => {
        const host = ctx.hostEntry();
        // allowedPorts lists the ports in order: the sets keep it.
        const allowed = { tcp: new Set(allowedPorts(ctx.env, host, "tcp").map((a) => a.port)), udp: new Set(allowedPorts(ctx.env, host, "udp").map((a) => a.port)) };
        const exposed = listeners.filter((l) => !isLoopbackAddress(l.address));
        const clients = exposed.filter(isDhcpClient);
        const outside = exposed.filter((l) => !isDhcpClient(l) && !allowed[l.protocol].has(l.port));
        const describe = (l: Listener) => `${l.protocol === "udp" ? "udp " : ""}${l.address}:${l.port}${l.process ? ` (${l.process})` : ""}`;
        const allowedText = [...[...allowed.tcp].map(String), ...[...allowed.udp].map((port) => `${port}/udp`)].join(", ");
        const clientText = clients.length > 0 ? `; DHCP client endpoints, not services: ${clients.map(describe).join(", ")}` : "";
        const detail = {
          expected: `non-loopback listeners only on ${allowedText} (DHCP client sockets, UDP 68 and 546, are client endpoints)`,
          actual: `${exposed.length > 0 ? exposed.filter((l) => !isDhcpClient(l)).map(describe).join(", ") || "no service listener" : "no non-loopback listener"}${clientText}`,
        };
        return outside.length > 0
          ? fail(`${outside.map(describe).join(", ")} listening outside the allow-list (defense in depth)`, detail)
          : pass(`every non-loopback listener is in the allow-list${clientText}`, detail);
      }),
  },

  "PORT-01": { reads: { probes: ["http"] }, decide: (ctx) => httpAnswers(ctx, PAGE_PORTS.gatewayHttp, "API7 Gateway HTTP") },

  "PORT-02": {
    reads: { probes: ["tls", "http"] },
    decide: (ctx) => {
      const host = ctx.hostEntry();
      const port = PAGE_PORTS.gatewayHttps;
      return given({ tls: ctx.probe("tls", probeKeys.tls(host.name, port)), http: ctx.probe("http", probeKeys.http(host.name, port)) }, ({ tls, http }) => {
        const warningDays = ctx.env.policy.certificateWarningDays;
        const expected = `${port} completes a TLS handshake and answers HTTP; certificate valid for more than ${warningDays} days`;
        if (!tls.ok) return fail(`TLS handshake on ${port} failed (${tls.error ?? "unknown error"})`, { expected, actual: `handshake failed: ${tls.error ?? "unknown error"}` });
        // Decided at the probe's time, not now, so that `verify` recomputes the same verdict later.
        const probedAt = Date.parse(tls.startedAt);
        const validTo = tls.validTo ? Date.parse(tls.validTo) : Number.NaN;
        const validFrom = tls.validFrom ? Date.parse(tls.validFrom) : Number.NaN;
        if (Number.isNaN(validTo) || Number.isNaN(validFrom)) return broken(`the certificate on ${port} has no readable validity window`);
        const daysRemaining = Math.floor((validTo - probedAt) / DAY_MS);
        const detail = { expected, actual: `${describeCertificate(tls, daysRemaining)}; ${describeHttp(http)}` };
        if (!http.ok) return fail(`${port} completed TLS but gave ${describeHttp(http)}`, detail);
        if (validTo < probedAt) return fail(`the certificate on ${port} expired on ${tls.validTo}`, detail);
        if (validFrom > probedAt) return fail(`the certificate on ${port} is not valid before ${tls.validFrom}`, detail);
        if (daysRemaining <= warningDays) return warn(`the certificate on ${port} expires in ${daysRemaining} days (${tls.validTo}), within the ${warningDays}-day warning window`, detail);
        return pass(`${port} completes TLS (${tls.protocol ?? "?"}) and answers HTTP ${http.status}`, detail);
      });
    },
  },

  "PORT-03": { reads: { probes: ["http"] }, decide: (ctx) => httpAnswers(ctx, PAGE_PORTS.dashboard, "API7 Dashboard") },

  "PORT-04": {
    reads: { probes: ["tcp", "http"] },
    decide: (ctx) => {
      const port = PAGE_PORTS.dpManager;
      return given({ tcp: ctx.probe("tcp", probeKeys.tcp(ctx.hostEntry().name, port)) }, ({ tcp }) => {
        if (tcp.state !== "open") {
          return fail(`DP Manager port ${port} is ${tcp.state} from the runner${tcp.error ? ` (${tcp.error})` : ""}`, { expected: `${port} open and answering`, actual: `TCP ${tcp.state}` });
        }
        const outcome = httpAnswers(ctx, port, "DP Manager");
        return { ...outcome, actual: `TCP open in ${tcp.ms} ms; ${outcome.actual ?? ""}` };
      });
    },
  },
};
