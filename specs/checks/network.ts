// Checks of the page's port table and database endpoint [S5.1]-[S5.3], [S2.2], [S2.3]: pure
// functions over the probe records of the run (helpers/probes) and the hosts' listener facts.
import type { Environment, HostEntry } from "../../helpers/environment/schema.js";
import type { Listener } from "../../helpers/facts/types.js";
import type { CheckOutcome, Role } from "../../helpers/model.js";
import { describeDbReachExit } from "../../helpers/probes/host.js";
import { DATABASE_TARGET, DB_REACH_SECTION, PAGE_PORTS, PROMETHEUS_TARGET, probeKeys } from "../../helpers/probes/keys.js";
import type {
  HttpProbeResult,
  PgProbeResult,
  PrometheusProbeResult,
  SweepResult,
  TcpProbeResult,
  TlsProbeResult,
} from "../../helpers/probes/types.js";
import type { CollectedRun, ProbeRecord } from "../../helpers/run/collected.js";
import type { Check, CheckContext, CheckSet } from "./context.js";

const DAY_MS = 86_400_000;
const NOT_ENABLED = "optional component not enabled";
/** Section of the facts script (helpers/facts/script.ts) whose `ss` output gives the listeners. */
const LISTENERS_SECTION = "ss-listen";

// ---------------------------------------------------------------------------------------------
// Reading probe records

interface Found<T> {
  record: ProbeRecord;
  result: T;
}

/** The probe stored under `key`, if it ran and produced a result of the expected shape. */
function findProbe<T>(run: CollectedRun, key: string, shapeField: keyof T & string): Found<T> | null {
  const record = run.probes.find((probe) => probe.key === key);
  if (!record || typeof record.result !== "object" || record.result === null) return null;
  if (!(shapeField in record.result)) return null;
  return { record, result: record.result as T };
}

const findTcp = (run: CollectedRun, key: string) => findProbe<TcpProbeResult>(run, key, "state");
const findHttp = (run: CollectedRun, key: string) => findProbe<HttpProbeResult>(run, key, "ok");
const findTls = (run: CollectedRun, key: string) => findProbe<TlsProbeResult>(run, key, "ok");

function notCollected(target: string, key: string): CheckOutcome {
  return { status: "broken", message: `${target}: no result for probe ${key} (the probe did not run)`, evidence: [key] };
}

function hostOnly(ctx: CheckContext, id: string): HostEntry | CheckOutcome {
  return ctx.host ?? { status: "broken", message: `${id} applies to hosts, not to ${ctx.target}` };
}

function isOutcome(value: unknown): value is CheckOutcome {
  return typeof value === "object" && value !== null && "status" in value && "message" in value;
}

// ---------------------------------------------------------------------------------------------
// The allow-list of S5.2/S5.3

export interface AllowedPort {
  port: number;
  reason: string;
}

/** A host named by a URL or database host: matched on the inventory address or name. */
function runsOn(host: HostEntry, endpointHost: string | undefined): boolean {
  if (!endpointHost) return false;
  const bare = endpointHost.replace(/^\[|\]$/g, "").toLowerCase();
  return bare === host.address.toLowerCase() || bare === host.name.toLowerCase();
}

function prometheusHostPort(env: Environment): { host: string; port: number } | null {
  if (!env.prometheus.enabled || !env.prometheus.url) return null;
  const url = new URL(env.prometheus.url);
  return { host: url.hostname, port: url.port ? Number(url.port) : url.protocol === "https:" ? 443 : 80 };
}

const COMPONENT_LABELS: Record<keyof Environment["components"], string> = {
  gateway: "API7 Gateway",
  dashboard: "API7 Dashboard",
  dpManager: "DP Manager",
};

/**
 * Ports a host may expose (SEC-04, SEC-05): its roles' component ports, the management ports,
 * the declared extra ports of its roles, and Prometheus/PostgreSQL only where this host runs them.
 */
export function allowedPorts(env: Environment, host: HostEntry): AllowedPort[] {
  const allowed = new Map<number, string[]>();
  const allow = (port: number, reason: string) => allowed.set(port, [...(allowed.get(port) ?? []), reason]);
  for (const [name, component] of Object.entries(env.components) as [keyof Environment["components"], Environment["components"]["gateway"]][]) {
    if (host.roles.includes(component.role)) for (const port of component.ports) allow(port, `${COMPONENT_LABELS[name]} (S5.2)`);
  }
  for (const port of env.policy.managementPorts) allow(port, "management port (S5.3)");
  for (const extra of env.policy.extraPorts) {
    if (extra.role === "all" || host.roles.includes(extra.role)) allow(extra.port, `declared extra port: ${extra.reason}`);
  }
  const prometheus = prometheusHostPort(env);
  if (prometheus && runsOn(host, prometheus.host)) allow(prometheus.port, "Prometheus runs on this host (S5.2)");
  if (runsOn(host, env.database.host)) allow(env.database.port, "PostgreSQL runs on this host (S5.2)");
  return [...allowed.entries()].sort(([a], [b]) => a - b).map(([port, reasons]) => ({ port, reason: reasons.join("; ") }));
}

function expectedPortsOf(env: Environment, roles: readonly Role[]): { port: number; component: string }[] {
  const ports: { port: number; component: string }[] = [];
  for (const [name, component] of Object.entries(env.components) as [keyof Environment["components"], Environment["components"]["gateway"]][]) {
    if (!roles.includes(component.role)) continue;
    for (const port of component.ports) {
      if (!ports.some((p) => p.port === port)) ports.push({ port, component: COMPONENT_LABELS[name] });
    }
  }
  return ports.sort((a, b) => a.port - b.port);
}

export function isLoopbackAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, "").replace(/%.*$/, "").toLowerCase();
  return bare === "::1" || bare === "localhost" || /^127\./.test(bare) || /^::ffff:127\./.test(bare);
}

// ---------------------------------------------------------------------------------------------
// Port table (SEC-04 evidence)

export interface PortRow {
  port: number;
  /** State from the runner, or "not probed" for a listener that was not probed. */
  state: TcpProbeResult["state"] | "not probed";
  /** Process of the listener(s) on this port, from the host's facts. */
  listener: string | null;
  verdict: string;
}

export function renderPortTable(host: string, rows: readonly PortRow[]): string {
  const header = ["port", "from runner", "listener", "verdict"];
  const cells = rows.map((row) => [String(row.port), row.state, row.listener ?? "-", row.verdict]);
  const widths = header.map((title, column) => Math.max(title.length, ...cells.map((line) => (line[column] ?? "").length)));
  const line = (values: string[]) => `| ${values.map((value, column) => value.padEnd(widths[column] ?? 0)).join(" | ")} |`;
  return [
    `Ports of ${host} probed from the audit runner`,
    line(header),
    `|${widths.map((width) => "-".repeat(width + 2)).join("|")}|`,
    ...cells.map(line),
  ].join("\n");
}

function listenerProcesses(listeners: readonly Listener[] | undefined, port: number): string | null {
  const names = [...new Set((listeners ?? []).filter((l) => l.port === port).map((l) => l.process ?? "?"))];
  return names.length > 0 ? names.join(", ") : null;
}

/** Every port probed on a host from the runner, merged from targeted probes and a full sweep. */
function portStatesFromRunner(run: CollectedRun, host: string): { states: Map<number, TcpProbeResult["state"]>; keys: string[]; sweep: SweepResult | null } {
  const states = new Map<number, TcpProbeResult["state"]>();
  const keys: string[] = [];
  const prefix = `tcp:${host}:`;
  for (const record of run.probes) {
    if (!record.key.startsWith(prefix)) continue;
    const tcp = findTcp(run, record.key);
    if (!tcp) continue;
    states.set(Number(record.key.slice(prefix.length)), tcp.result.state);
    keys.push(record.key);
  }
  const sweep = findProbe<SweepResult>(run, probeKeys.sweep(host), "open");
  if (sweep) {
    keys.push(sweep.record.key);
    // A sweep lists only open ports: the other ports it covered are closed or filtered; the counts say how many.
    for (const port of sweep.result.open) states.set(port, "open");
  }
  return { states, keys, sweep: sweep?.result ?? null };
}

// ---------------------------------------------------------------------------------------------
// SEC-03: the table's ports are reachable where their component runs

function tcpReachable(ctx: CheckContext, target: string, ports: { port: number; component: string }[], keyOf: (port: number) => string): CheckOutcome {
  const expected = ports.map((p) => `${p.port} (${p.component})`).join(", ");
  const found = ports.map((p) => ({ ...p, key: keyOf(p.port), probe: findTcp(ctx.run, keyOf(p.port)) }));
  const missing = found.filter((p) => p.probe === null);
  if (missing.length > 0) return notCollected(target, missing.map((p) => p.key).join(", "));
  const describe = (p: (typeof found)[number]) =>
    `${p.port} ${p.probe!.result.state}${p.probe!.result.error && p.probe!.result.state !== "open" ? ` (${p.probe!.result.error})` : ""} in ${p.probe!.result.ms} ms`;
  const actual = found.map(describe).join(", ");
  const evidence = found.map((p) => p.key);
  const unreachable = found.filter((p) => p.probe!.result.state !== "open");
  if (unreachable.length > 0) {
    return {
      status: "failed",
      message: `${target}: ${unreachable.map(describe).join(", ")} from the runner; the page requires ${expected} exposed (S5.2)`,
      expected: `open: ${expected}`,
      actual,
      evidence,
    };
  }
  return { status: "passed", message: `${target}: ${expected} reachable from the runner`, expected: `open: ${expected}`, actual, evidence };
}

const sec03: Check = (ctx) => {
  if (ctx.target === DATABASE_TARGET) {
    const port = ctx.env.database.port;
    return tcpReachable(ctx, DATABASE_TARGET, [{ port, component: "PostgreSQL" }], (p) => probeKeys.tcp(DATABASE_TARGET, p));
  }
  if (ctx.target === PROMETHEUS_TARGET) {
    if (!ctx.env.prometheus.enabled) return { status: "skipped", message: NOT_ENABLED };
    const prometheus = prometheusHostPort(ctx.env);
    if (!prometheus) return { status: "broken", message: "prometheus.enabled is true but prometheus.url is not set" };
    return tcpReachable(ctx, PROMETHEUS_TARGET, [{ port: prometheus.port, component: "Prometheus" }], (p) => probeKeys.tcp(PROMETHEUS_TARGET, p));
  }
  const host = hostOnly(ctx, "SEC-03");
  if (isOutcome(host)) return host;
  const ports = expectedPortsOf(ctx.env, host.roles);
  return tcpReachable(ctx, host.name, ports, (p) => probeKeys.tcp(host.name, p));
};

// ---------------------------------------------------------------------------------------------
// SEC-04: every other port closed or filtered from the runner

const sec04: Check = (ctx) => {
  const host = hostOnly(ctx, "SEC-04");
  if (isOutcome(host)) return host;
  const allowed = allowedPorts(ctx.env, host);
  const allowedText = allowed.map((a) => `${a.port} (${a.reason})`).join(", ");
  const { states, keys, sweep } = portStatesFromRunner(ctx.run, host.name);
  if (states.size === 0 && !sweep) return notCollected(host.name, `tcp:${host.name}:*`);
  if (ctx.run.options.fullPortSweep && !sweep) return notCollected(host.name, probeKeys.sweep(host.name));

  const listeners = ctx.facts?.listeners;
  const rows: PortRow[] = [...states.entries()]
    .sort(([a], [b]) => a - b)
    .map(([port, state]) => {
      const permit = allowed.find((a) => a.port === port);
      const verdict = state !== "open" ? "ok (not reachable)" : permit ? `allowed: ${permit.reason}` : "NOT ALLOWED";
      return { port, state, listener: listenerProcesses(listeners, port), verdict };
    });
  const table = renderPortTable(host.name, rows);
  const coverage = sweep
    ? `full sweep 1-65535: ${sweep.counts.open} open, ${sweep.counts.closed} closed, ${sweep.counts.filtered} filtered`
    : `${states.size} ports probed: every listening port plus the table's ports`;
  const violations = rows.filter((row) => row.verdict === "NOT ALLOWED");
  const evidence = [LISTENERS_SECTION, ...keys];
  const expected = `only these ports open from the runner: ${allowedText}`;
  const actual = `${coverage}\n${table}`;
  if (violations.length > 0) {
    const list = violations.map((row) => `${row.port}${row.listener ? ` (${row.listener})` : ""}`).join(", ");
    return {
      status: "failed",
      message: `${host.name}: ${list} open from the runner but not in the page's table, the management ports or the declared extra ports; the page requires every other port closed (S5.3)`,
      expected,
      actual,
      evidence,
    };
  }
  return { status: "passed", message: `${host.name}: no port outside the allow-list is open from the runner (${coverage})`, expected, actual, evidence };
};

// ---------------------------------------------------------------------------------------------
// SEC-05: no listener outside the allow-list on a non-loopback address

const sec05: Check = (ctx) => {
  const host = hostOnly(ctx, "SEC-05");
  if (isOutcome(host)) return host;
  if (!ctx.facts) return { status: "broken", message: `${host.name}: no listener facts` };
  const allowed = new Set(allowedPorts(ctx.env, host).map((a) => a.port));
  const exposed = ctx.facts.listeners.filter((l) => !isLoopbackAddress(l.address));
  const outside = exposed.filter((l) => !allowed.has(l.port));
  const describe = (l: Listener) => `${l.address}:${l.port}${l.process ? ` (${l.process})` : ""}`;
  const expected = `non-loopback listeners only on ${[...allowed].sort((a, b) => a - b).join(", ")}`;
  const actual = exposed.length > 0 ? exposed.map(describe).join(", ") : "no non-loopback listener";
  const evidence = [LISTENERS_SECTION];
  const problem = ctx.facts.problems[LISTENERS_SECTION];
  if (problem) return { status: "broken", message: `${host.name}: listeners could not be read: ${problem}`, evidence };
  if (outside.length > 0) {
    return {
      status: "failed",
      message: `${host.name}: ${outside.map(describe).join(", ")} listening outside the allow-list (S5.3, defense in depth)`,
      expected,
      actual,
      evidence,
    };
  }
  return { status: "passed", message: `${host.name}: every non-loopback listener is in the allow-list`, expected, actual, evidence };
};

// ---------------------------------------------------------------------------------------------
// PORT-01..04: each member answers on its port

function describeHttp(http: HttpProbeResult): string {
  if (!http.ok) return `no HTTP answer (${http.error ?? "unknown error"})`;
  const server = http.headers.server ? `, server ${http.headers.server}` : "";
  const body = http.bodySnippet.trim().slice(0, 120);
  return `HTTP ${http.status}${server} in ${http.ms} ms${body ? `, body ${JSON.stringify(body)}` : ""}`;
}

function httpAnswers(ctx: CheckContext, id: string, port: number, what: string): CheckOutcome {
  const host = hostOnly(ctx, id);
  if (isOutcome(host)) return host;
  const key = probeKeys.http(host.name, port);
  const http = findHttp(ctx.run, key);
  if (!http) return notCollected(host.name, key);
  const expected = `${port} answers HTTP (any status counts as alive)`;
  const actual = `${http.record.target}: ${describeHttp(http.result)}`;
  if (!http.result.ok) {
    return { status: "failed", message: `${host.name}: ${what} on ${port} gave ${describeHttp(http.result)} (S5.2)`, expected, actual, evidence: [key] };
  }
  return { status: "passed", message: `${host.name}: ${what} on ${port} answers HTTP ${http.result.status}`, expected, actual, evidence: [key] };
}

const port01: Check = (ctx) => httpAnswers(ctx, "PORT-01", PAGE_PORTS.gatewayHttp, "API7 Gateway HTTP");
const port03: Check = (ctx) => httpAnswers(ctx, "PORT-03", PAGE_PORTS.dashboard, "API7 Dashboard");

const port04: Check = (ctx) => {
  const host = hostOnly(ctx, "PORT-04");
  if (isOutcome(host)) return host;
  const port = PAGE_PORTS.dpManager;
  const tcpKey = probeKeys.tcp(host.name, port);
  const tcp = findTcp(ctx.run, tcpKey);
  if (!tcp) return notCollected(host.name, tcpKey);
  if (tcp.result.state !== "open") {
    return {
      status: "failed",
      message: `${host.name}: DP Manager port ${port} is ${tcp.result.state} from the runner${tcp.result.error ? ` (${tcp.result.error})` : ""} (S5.2)`,
      expected: `${port} open and answering`,
      actual: `TCP ${tcp.result.state}`,
      evidence: [tcpKey],
    };
  }
  const outcome = httpAnswers(ctx, "PORT-04", port, "DP Manager");
  return { ...outcome, actual: `TCP open in ${tcp.result.ms} ms; ${outcome.actual ?? ""}`, evidence: [tcpKey, ...(outcome.evidence ?? [])] };
};

function describeCertificate(tls: TlsProbeResult, daysRemaining: number | null): string {
  const trust = tls.authorized ? "trusted by the runner" : `not trusted by the runner (${tls.authorizationError ?? "unknown"})`;
  return [
    `subject ${tls.subject ?? "-"}`,
    `issuer ${tls.issuer ?? "-"}`,
    `valid ${tls.validFrom ?? "?"} to ${tls.validTo ?? "?"}${daysRemaining === null ? "" : ` (${daysRemaining} days left)`}`,
    `SAN ${tls.subjectAltNames.join(", ") || "-"}`,
    `${tls.protocol ?? "?"}, ${trust}`,
  ].join("; ");
}

const port02: Check = (ctx) => {
  const host = hostOnly(ctx, "PORT-02");
  if (isOutcome(host)) return host;
  const port = PAGE_PORTS.gatewayHttps;
  const tlsKey = probeKeys.tls(host.name, port);
  const httpKey = probeKeys.http(host.name, port);
  const tls = findTls(ctx.run, tlsKey);
  if (!tls) return notCollected(host.name, tlsKey);
  const http = findHttp(ctx.run, httpKey);
  if (!http) return notCollected(host.name, httpKey);
  const evidence = [tlsKey, httpKey];
  const warningDays = ctx.env.policy.certificateWarningDays;
  const expected = `${port} completes a TLS handshake and answers HTTP; certificate valid for more than ${warningDays} days`;
  if (!tls.result.ok) {
    return {
      status: "failed",
      message: `${host.name}: TLS handshake on ${port} failed (${tls.result.error ?? "unknown error"}) (S5.2)`,
      expected,
      actual: `handshake failed: ${tls.result.error ?? "unknown error"}`,
      evidence,
    };
  }
  // Decided at the probe's time, not now, so that `verify` recomputes the same verdict later.
  const probedAt = Date.parse(tls.record.startedAt);
  const validTo = tls.result.validTo ? Date.parse(tls.result.validTo) : Number.NaN;
  const validFrom = tls.result.validFrom ? Date.parse(tls.result.validFrom) : Number.NaN;
  const daysRemaining = Number.isNaN(validTo) ? null : Math.floor((validTo - probedAt) / DAY_MS);
  const actual = `${describeCertificate(tls.result, daysRemaining)}; ${describeHttp(http.result)}`;
  if (!http.result.ok) {
    return { status: "failed", message: `${host.name}: ${port} completed TLS but gave ${describeHttp(http.result)} (S5.2)`, expected, actual, evidence };
  }
  if (!Number.isNaN(validTo) && validTo < probedAt) {
    return { status: "failed", message: `${host.name}: the certificate on ${port} expired on ${tls.result.validTo} (S5.2)`, expected, actual, evidence };
  }
  if (!Number.isNaN(validFrom) && validFrom > probedAt) {
    return { status: "failed", message: `${host.name}: the certificate on ${port} is not valid before ${tls.result.validFrom} (S5.2)`, expected, actual, evidence };
  }
  if (daysRemaining !== null && daysRemaining <= warningDays) {
    return {
      status: "warning",
      message: `${host.name}: the certificate on ${port} expires in ${daysRemaining} days (${tls.result.validTo}), within the ${warningDays}-day warning window`,
      expected,
      actual,
      evidence,
    };
  }
  return { status: "passed", message: `${host.name}: ${port} completes TLS (${tls.result.protocol ?? "?"}) and answers HTTP ${http.result.status}`, expected, actual, evidence };
};

// ---------------------------------------------------------------------------------------------
// PORT-05: Prometheus healthy with its targets up (only when enabled)

const port05: Check = (ctx) => {
  if (!ctx.env.prometheus.enabled) return { status: "skipped", message: NOT_ENABLED };
  if (!ctx.env.prometheus.url) return { status: "broken", message: "prometheus.enabled is true but prometheus.url is not set" };
  const key = probeKeys.prometheus();
  const probe = findProbe<PrometheusProbeResult>(ctx.run, key, "healthy");
  if (!probe) return notCollected(PROMETHEUS_TARGET, key);
  const { result } = probe;
  const expected = "/-/healthy answers 200 and every active target is up";
  const targetsText = result.targets.map((t) => `${t.job}/${t.instance}: ${t.health}${t.lastError ? ` (${t.lastError})` : ""}`);
  const actual = `health ${result.healthStatus ?? "no answer"} ${JSON.stringify(result.healthBody)}; targets: ${targetsText.join(", ") || "none"}${result.error ? `; ${result.error}` : ""}`;
  if (!result.healthy) {
    return { status: "failed", message: `Prometheus at ${ctx.env.prometheus.url} is not healthy (${result.error ?? `status ${result.healthStatus}`}) (S5.2)`, expected, actual, evidence: [key] };
  }
  const down = result.targets.filter((t) => t.health !== "up");
  if (down.length > 0) {
    return {
      status: "failed",
      message: `Prometheus: ${down.length} of ${result.targets.length} targets not up: ${down.map((t) => `${t.job}/${t.instance} ${t.health}`).join(", ")}`,
      expected,
      actual,
      evidence: [key],
    };
  }
  if (result.error) return { status: "broken", message: `Prometheus is healthy but its targets could not be read: ${result.error}`, expected, actual, evidence: [key] };
  if (result.targets.length === 0) {
    return { status: "warning", message: "Prometheus is healthy but scrapes no target", expected, actual, evidence: [key] };
  }
  return { status: "passed", message: `Prometheus healthy, ${result.targets.length} targets up`, expected, actual, evidence: [key] };
};

// ---------------------------------------------------------------------------------------------
// DB-01, DB-02: PostgreSQL from the runner and from every CP host

function findPg(run: CollectedRun) {
  return findProbe<PgProbeResult>(run, probeKeys.pg(), "ok");
}

const db01: Check = (ctx) => {
  const db = ctx.env.database;
  const where = `${db.host}:${db.port}`;
  if (ctx.target === DATABASE_TARGET) {
    const pg = findPg(ctx.run);
    if (!pg) return notCollected(DATABASE_TARGET, probeKeys.pg());
    const expected = `an authenticated session to ${db.database} as ${db.user} on ${where}`;
    if (!pg.result.ok) {
      return {
        status: "failed",
        message: `PostgreSQL on ${where} refused or failed the session: ${pg.result.error ?? "unknown error"} (S5.2)`,
        expected,
        actual: pg.result.error ?? "no session",
        evidence: [probeKeys.pg()],
      };
    }
    return {
      status: "passed",
      message: `PostgreSQL ${pg.result.serverVersion ?? "?"} on ${where} accepts an authenticated session`,
      expected,
      actual: `server_version ${pg.result.serverVersion ?? "?"}; ${pg.result.versionText ?? ""}`,
      evidence: [probeKeys.pg()],
    };
  }
  const host = hostOnly(ctx, "DB-01");
  if (isOutcome(host)) return host;
  const reach = ctx.collection?.hostProbes.find((probe) => probe.section === DB_REACH_SECTION);
  if (!reach) return { status: "broken", message: `${host.name}: the ${DB_REACH_SECTION} probe did not run on this host`, evidence: [DB_REACH_SECTION] };
  const outcome = describeDbReachExit(reach.exitCode, reach.timedOut);
  const expected = `${host.name} opens a TCP connection to ${where}`;
  const actual = `exit ${reach.exitCode ?? "none"}: ${outcome}${reach.stderr.trim() ? `; ${reach.stderr.trim()}` : ""}`;
  if (reach.exitCode !== 0) {
    return { status: "failed", message: `${host.name} cannot reach PostgreSQL on ${where}: ${outcome} (S5.2)`, expected, actual, evidence: [DB_REACH_SECTION] };
  }
  return { status: "passed", message: `${host.name} reaches PostgreSQL on ${where}`, expected, actual, evidence: [DB_REACH_SECTION] };
};

const db02: Check = (ctx) => {
  const pg = findPg(ctx.run);
  if (!pg) return notCollected(DATABASE_TARGET, probeKeys.pg());
  if (!pg.result.ok) {
    return { status: "broken", message: `database HA could not be observed: ${pg.result.error ?? "no session"}`, evidence: [probeKeys.pg()] };
  }
  const replication = pg.result.replication;
  const replicationText =
    replication === null
      ? "not read"
      : "error" in replication
        ? `not readable (${replication.error})`
        : replication.rows.length === 0
          ? "no standby attached"
          : replication.rows
              .map((row) => `${String(row.client_addr ?? row.application_name ?? "?")} ${String(row.state ?? "?")} ${String(row.sync_state ?? "")}`.trim())
              .join(", ");
  const role = pg.result.inRecovery === null ? "unknown" : pg.result.inRecovery ? "a standby (in recovery)" : "a primary";
  return {
    status: "passed",
    message: `recorded only (S2.2: database HA is out of the page's scope): the server is ${role}; replication: ${replicationText}`,
    expected: "recorded, never fails",
    actual: `pg_is_in_recovery() = ${String(pg.result.inRecovery)}; pg_stat_replication: ${replicationText}`,
    evidence: [probeKeys.pg()],
  };
};

export const networkChecks: CheckSet = {
  "SEC-03": sec03,
  "SEC-04": sec04,
  "SEC-05": sec05,
  "PORT-01": port01,
  "PORT-02": port02,
  "PORT-03": port03,
  "PORT-04": port04,
  "PORT-05": port05,
  "DB-01": db01,
  "DB-02": db02,
};
