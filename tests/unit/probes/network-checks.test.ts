// The network checks on hand-built runs: each requirement shown passing and failing.
import { describe, expect, it } from "vitest";
import { environmentSchema, type Environment, type EnvironmentInput } from "../../../helpers/environment/schema.js";
import type { HostFacts, Listener } from "../../../helpers/facts/types.js";
import type { CommandOutput } from "../../../helpers/model.js";
import type * as Probes from "../../../helpers/probes/types.js";
import type { CollectedRun, HostCollection, ProbeRecord } from "../../../helpers/run/collected.js";
import { requirementById } from "../../../helpers/checks/catalogue.js";
import { type EvaluationInput, verdictFor } from "../../../helpers/evaluate.js";
import { isLoopbackAddress } from "../../../helpers/probes/addresses.js";
import { WITNESS_CANDIDATE_PORTS, WITNESS_PORT_COUNT } from "../../../helpers/probes/plan.js";
import { allChecks } from "../../../specs/checks/index.js";
import { allowedPorts, renderPortTable } from "../../../specs/checks/ports.js";
import { listenerFacts, noGlobalIpv6, noNatRules, ranSsListen } from "../../support/listener-facts.js";

const PROBED_AT = "2026-06-01T12:00:00.000Z";

function environment(overrides: Partial<EnvironmentInput> = {}): Environment {
  const component = (role: "cp" | "dp", ports: number[], name: string) => ({ role, ports, detect: { container: name } });
  return environmentSchema.parse({
    name: "unit",
    hosts: [
      { name: "cp1", address: "10.0.0.11", roles: ["cp"] },
      { name: "cp2", address: "10.0.0.12", roles: ["cp"] },
      { name: "dp1", address: "10.0.0.21", roles: ["dp"] },
      { name: "dp2", address: "10.0.0.22", roles: ["dp"] },
      { name: "mon", address: "10.0.0.30", roles: ["cp"] },
    ],
    components: {
      dashboard: component("cp", [7080], "api7-ee-dashboard"),
      dpManager: component("cp", [7900], "api7-ee-dp-manager"),
      gateway: component("dp", [9080, 9443], "api7-ee-gateway"),
    },
    entrypoints: {
      gateway: { url: "http://10.0.0.40:9080/" },
      dashboard: { url: "http://10.0.0.41:7080/" },
      dpManager: { url: "http://10.0.0.41:7900/" },
    },
    database: { host: "10.0.0.50", database: "api7ee", user: "api7ee", passwordEnv: "API7_AUDIT_PG_PASSWORD" },
    prometheus: { enabled: true, url: "http://10.0.0.30:9090/" },
    policy: { extraPorts: [{ role: "cp", port: 7943, reason: "DP Manager mTLS for gateways" }] },
    ...overrides,
  });
}

function record(key: string, kind: ProbeRecord["kind"], result: unknown, host: string | null = null): ProbeRecord {
  return { key, kind, host, target: key, startedAt: PROBED_AT, durationMs: 3, result };
}
const tcp = (key: string, state: Probes.TcpProbeResult["state"]) =>
  record(key, "tcp", { state, ms: 1, ...(state === "open" ? {} : { error: state === "closed" ? "ECONNREFUSED" : "timeout" }) } satisfies Probes.TcpProbeResult);
const httpOk = (key: string, status = 404): ProbeRecord =>
  record(key, "http", { ok: true, status, headers: { server: "APISIX" }, bodySnippet: '{"error_msg":"404 Route Not Found"}', ms: 2 } satisfies Probes.HttpProbeResult);
const httpFail = (key: string): ProbeRecord =>
  record(key, "http", { ok: false, status: null, headers: {}, bodySnippet: "", ms: 2, error: "ECONNREFUSED: connect ECONNREFUSED" } satisfies Probes.HttpProbeResult);
function tlsResult(validTo: string, validFrom = "2026-01-01T00:00:00.000Z"): Probes.TlsProbeResult {
  return {
    ok: true,
    protocol: "TLSv1.3",
    subject: "CN=gateway.example.com",
    issuer: "CN=Example CA",
    subjectAltNames: ["DNS:gateway.example.com"],
    validFrom,
    validTo,
    daysRemaining: null,
    authorized: false,
    authorizationError: "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  };
}
const pgOk: Probes.PgProbeResult = {
  ok: true,
  serverVersion: "15.18 (Debian 15.18-0+deb12u1)",
  versionText: "PostgreSQL 15.18 (Debian 15.18-0+deb12u1) on x86_64-pc-linux-gnu",
  inRecovery: false,
  replication: { rows: [{ client_addr: "10.0.0.51", state: "streaming", sync_state: "async" }] },
  ms: 12,
};

function listener(port: number, address = "0.0.0.0", process: string | null = null): Listener {
  return { protocol: "tcp", address, port, process };
}

/** A healthy lab: every member answers, nothing else is open. Tests then break one thing. */
function compliantProbes(): ProbeRecord[] {
  return [
    // SEC-02's witness ports (the first candidates no host here listens on), filtered by the firewall.
    ...["cp1", "cp2", "mon", "dp1", "dp2"].flatMap((h) => WITNESS_CANDIDATE_PORTS.slice(0, WITNESS_PORT_COUNT).map((port) => tcp(`tcp:${h}:${port}`, "filtered"))),
    ...["cp1", "cp2", "mon"].flatMap((h) => [
      tcp(`tcp:${h}:22`, "open"),
      tcp(`tcp:${h}:7080`, "open"),
      tcp(`tcp:${h}:7900`, "open"),
      tcp(`tcp:${h}:9090`, h === "mon" ? "open" : "closed"),
      tcp(`tcp:${h}:5000`, "closed"),
      httpOk(`http:${h}:7080`, 200),
      httpOk(`http:${h}:7900`, 404),
    ]),
    ...["dp1", "dp2"].flatMap((h) => [
      tcp(`tcp:${h}:22`, "open"),
      tcp(`tcp:${h}:9080`, "open"),
      tcp(`tcp:${h}:9443`, "open"),
      tcp(`tcp:${h}:9090`, "filtered"),
      httpOk(`http:${h}:9080`),
      httpOk(`http:${h}:9443`),
      record(`tls:${h}:9443`, "tls", tlsResult("2027-06-01T00:00:00.000Z")),
    ]),
    tcp("tcp:@database:5432", "open"),
    tcp("tcp:@prometheus:9090", "open"),
    record("pg:database", "pg", pgOk),
    record("prometheus", "prometheus", {
      healthy: true,
      healthBody: "Prometheus Server is Healthy.",
      healthStatus: 200,
      targets: [{ job: "api7", instance: "10.0.0.11:7900", health: "up", lastError: "" }],
      ms: 4,
    } satisfies Probes.PrometheusProbeResult),
  ];
}

const dbReach = (exitCode: number | null): CommandOutput => ({
  section: "db-reach",
  command: "timeout 5 bash -c 'exec 3<>\"/dev/tcp/$1/$2\"' _ 10.0.0.50 5432",
  exitCode,
  stdout: "",
  stderr: exitCode === 0 ? "" : "bash: connect: Connection refused",
  durationMs: 3,
});

interface Scenario {
  env?: Environment;
  probes?: ProbeRecord[];
  listeners?: Record<string, Listener[]>;
  hostProbes?: Record<string, CommandOutput[]>;
  fullPortSweep?: boolean;
}

function context(target: string, scenario: Scenario = {}): { target: string; input: EvaluationInput } {
  const env = scenario.env ?? environment();
  const hostListeners = (name: string) =>
    scenario.listeners?.[name] ??
    (name.startsWith("dp")
      ? [listener(22, "0.0.0.0", "sshd"), listener(9080, "0.0.0.0", "nginx"), listener(9443, "0.0.0.0", "nginx")]
      : [listener(22, "0.0.0.0", "sshd"), listener(7080, "0.0.0.0", "nginx"), listener(7900, "[::]", "nginx"), listener(5000, "127.0.0.1", "helper")]);
  const hosts: HostCollection[] = env.hosts.map((h) => ({
    name: h.name,
    address: h.address,
    roles: h.roles,
    error: null,
    sections: [ranSsListen, noGlobalIpv6, ...noNatRules],
    hostProbes: scenario.hostProbes?.[h.name] ?? (h.roles.includes("cp") ? [dbReach(0)] : []),
  }));
  const run: CollectedRun = {
    runId: "unit",
    environmentName: env.name,
    startedAt: PROBED_AT,
    options: { fullPortSweep: scenario.fullPortSweep ?? false, allowDisruption: false, strict: false },
    hosts,
    probes: scenario.probes ?? compliantProbes(),
    failover: [],
  } as CollectedRun;
  const allFacts = new Map(env.hosts.map((h) => [h.name, listenerFacts(h.name, hostListeners(h.name))]));
  return { target, input: { env, run, allFacts } };
}

/** The verdict of requirement `id` on the context's target, through the engine. */
const check =
  (id: string) =>
  ({ target, input }: ReturnType<typeof context>) =>
    verdictFor(requirementById(id), target, allChecks, input);
const replaceProbe = (key: string, replacement: ProbeRecord | null) => {
  const probes = compliantProbes().filter((p) => p.key !== key);
  return replacement ? [...probes, replacement] : probes;
};

describe("SEC-03: the table's ports are reachable from the runner", () => {
  it("passes when a DP host's gateway ports are open", () => {
    const outcome = check("SEC-03")(context("dp1"));
    expect(outcome.status).toBe("passed");
    expect(outcome.evidence).toEqual(["tcp:dp1:9080", "tcp:dp1:9443"]);
  });
  it("fails when a CP port is filtered, naming port and state", () => {
    const outcome = check("SEC-03")(context("cp1", { probes: replaceProbe("tcp:cp1:7900", tcp("tcp:cp1:7900", "filtered")) }));
    expect(outcome.status).toBe("failed");
    expect(outcome.message).toMatch(/^cp1: 7900 filtered \(timeout\)/);
    expect(outcome.message).toContain("7080 (API7 Dashboard), 7900 (DP Manager)");
  });
  it("checks PostgreSQL on the database endpoint", () => {
    expect(check("SEC-03")(context("@database")).status).toBe("passed");
    const closed = check("SEC-03")(context("@database", { probes: replaceProbe("tcp:@database:5432", tcp("tcp:@database:5432", "closed")) }));
    expect(closed.status).toBe("failed");
    expect(closed.message).toContain("5432 closed (ECONNREFUSED)");
  });
  it("checks Prometheus only when enabled", () => {
    expect(check("SEC-03")(context("@prometheus")).status).toBe("passed");
    const disabled = check("SEC-03")(context("@prometheus", { env: environment({ prometheus: { enabled: false } }) }));
    expect(disabled).toMatchObject({ status: "skipped", message: "optional component not enabled" });
  });
  it("is broken, not passed, when the probe never ran", () => {
    expect(check("SEC-03")(context("dp1", { probes: replaceProbe("tcp:dp1:9443", null) })).status).toBe("broken");
  });
});

describe("SEC-04: every other port closed from the runner", () => {
  it("passes when only allowed ports are open, with a port table as evidence", () => {
    const outcome = check("SEC-04")(context("dp1"));
    expect(outcome.status).toBe("passed");
    expect(outcome.actual).toContain("| 9090 | filtered    | -        | ok (not reachable)");
    expect(outcome.actual).toContain("| 22   | open        | sshd     | allowed: management port (S5.3)");
    expect(outcome.evidence).toContain("tcp:dp1:9080");
    expect(outcome.evidence).toContain("tcp:dp1:4");
  });
  it("is broken when a witness port's probe is missing (the plan probes it)", () => {
    expect(check("SEC-04")(context("dp1", { probes: replaceProbe("tcp:dp1:4", null) })).status).toBe("broken");
  });
  it("fails on an open port outside the allow-list and names its process", () => {
    const probes = [...compliantProbes(), tcp("tcp:dp1:8081", "open")];
    const listeners = { dp1: [listener(22, "0.0.0.0", "sshd"), listener(8081, "0.0.0.0", "python3")] };
    const outcome = check("SEC-04")(context("dp1", { probes, listeners }));
    expect(outcome.status).toBe("failed");
    expect(outcome.message).toMatch(/^dp1: 8081 \(python3\) open from the runner but not in/);
    expect(outcome.actual).toMatch(/\| 8081 \| open +\| python3 +\| NOT ALLOWED/);
  });
  it("fails on 9090 open where Prometheus does not run, passes where it runs", () => {
    const probes = replaceProbe("tcp:cp1:9090", tcp("tcp:cp1:9090", "open"));
    expect(check("SEC-04")(context("cp1", { probes })).status).toBe("failed");
    expect(check("SEC-04")(context("mon")).status).toBe("passed");
  });
  it("fails on 9090 open when Prometheus is disabled (S2.3 + S5.3)", () => {
    const env = environment({ prometheus: { enabled: false } });
    expect(check("SEC-04")(context("mon", { env })).status).toBe("failed");
  });
  it("accepts declared extra ports only for their role", () => {
    const probes = [...compliantProbes(), tcp("tcp:cp1:7943", "open"), tcp("tcp:dp1:7943", "open")];
    expect(check("SEC-04")(context("cp1", { probes })).status).toBe("passed");
    expect(check("SEC-04")(context("dp1", { probes })).status).toBe("failed");
  });
  it("uses the full sweep's open ports when the sweep ran", () => {
    const sweep: Probes.SweepResult = {
      address: "10.0.0.21",
      open: [22, 9080, 9443, 31337],
      counts: { probed: 65535, open: 4, closed: 0, filtered: 65531 },
      concurrency: 2000,
      timeoutMs: 750,
      ms: 25_000,
    };
    const outcome = check("SEC-04")(context("dp1", { probes: [...compliantProbes(), record("sweep:dp1", "sweep", sweep)], fullPortSweep: true }));
    expect(outcome.status).toBe("failed");
    expect(outcome.message).toContain("31337");
    expect(outcome.actual).toContain("full sweep 1-65535: 4 open, 0 closed, 65531 filtered");
    expect(outcome.evidence).toContain("sweep:dp1");
  });
  it("is broken when a full sweep was asked for but is missing", () => {
    expect(check("SEC-04")(context("dp1", { fullPortSweep: true })).status).toBe("broken");
  });
});

describe("SEC-05: no listener outside the allow-list on a non-loopback address", () => {
  it("passes when only loopback listeners are outside the allow-list", () => {
    expect(check("SEC-05")(context("cp1")).status).toBe("passed");
  });
  it("is broken when the listeners could not be read", () => {
    const ctx = context("cp1");
    const failed: CommandOutput = { ...ranSsListen, exitCode: 1, stdout: "", stderr: "Cannot open netlink socket: Operation not permitted" };
    ctx.input.run.hosts = ctx.input.run.hosts.map((h) => (h.name === "cp1" ? { ...h, sections: [failed, noGlobalIpv6, ...noNatRules] } : h));
    const outcome = check("SEC-05")(ctx);
    expect(outcome).toMatchObject({ status: "broken", evidence: ["ss-listen"] });
    expect(outcome.message).toContain("Operation not permitted");
    expect(check("SEC-04")(ctx)).toMatchObject({ status: "broken" });
  });
  it("fails on a wildcard listener outside the allow-list", () => {
    const listeners = { cp1: [listener(22, "0.0.0.0", "sshd"), listener(6379, "[::]", "redis-server"), listener(5000, "127.0.0.1", "helper")] };
    const outcome = check("SEC-05")(context("cp1", { listeners }));
    expect(outcome.status).toBe("warning"); // SEC-05 is a SHOULD
    expect(outcome.message).toBe("cp1: [::]:6379 (redis-server) listening outside the allow-list (defense in depth) (S5.3)");
  });
});

describe("PORT-01/03: HTTP answers on 9080 and 7080", () => {
  it("passes on any HTTP status, a 404 included", () => {
    const outcome = check("PORT-01")(context("dp1"));
    expect(outcome.status).toBe("passed");
    expect(outcome.actual).toContain("HTTP 404, server APISIX");
    expect(check("PORT-03")(context("cp1")).status).toBe("passed");
  });
  it("fails without an HTTP answer", () => {
    expect(check("PORT-01")(context("dp2", { probes: replaceProbe("http:dp2:9080", httpFail("http:dp2:9080")) })).status).toBe("failed");
    const outcome = check("PORT-03")(context("cp2", { probes: replaceProbe("http:cp2:7080", httpFail("http:cp2:7080")) }));
    expect(outcome.status).toBe("failed");
    expect(outcome.message).toContain("cp2: API7 Dashboard on 7080 gave no HTTP answer (ECONNREFUSED");
  });
});

describe("PORT-02: TLS on 9443", () => {
  const withCert = (validTo: string, validFrom?: string) => ({
    probes: replaceProbe("tls:dp1:9443", record("tls:dp1:9443", "tls", tlsResult(validTo, validFrom))),
  });
  it("passes and records subject, issuer and expiry", () => {
    const outcome = check("PORT-02")(context("dp1"));
    expect(outcome.status).toBe("passed");
    expect(outcome.actual).toContain("subject CN=gateway.example.com; issuer CN=Example CA; valid 2026-01-01T00:00:00.000Z to 2027-06-01T00:00:00.000Z (364 days left)");
  });
  it("fails on an expired certificate", () => {
    const outcome = check("PORT-02")(context("dp1", withCert("2026-05-01T00:00:00.000Z")));
    expect(outcome.status).toBe("failed");
    expect(outcome.message).toBe("dp1: the certificate on 9443 expired on 2026-05-01T00:00:00.000Z (S5.2)");
  });
  it("fails on a certificate not valid yet", () => {
    expect(check("PORT-02")(context("dp1", withCert("2027-06-01T00:00:00.000Z", "2026-07-01T00:00:00.000Z"))).status).toBe("failed");
  });
  it("warns within the certificate warning window", () => {
    const outcome = check("PORT-02")(context("dp1", withCert("2026-06-15T00:00:00.000Z")));
    expect(outcome.status).toBe("warning");
    expect(outcome.message).toContain("expires in 13 days");
  });
  it("fails when the handshake fails or HTTP does not answer", () => {
    const failedTls = { ...tlsResult("2027-01-01T00:00:00.000Z"), ok: false, error: "ECONNRESET" };
    expect(check("PORT-02")(context("dp1", { probes: replaceProbe("tls:dp1:9443", record("tls:dp1:9443", "tls", failedTls)) })).status).toBe("failed");
    expect(check("PORT-02")(context("dp1", { probes: replaceProbe("http:dp1:9443", httpFail("http:dp1:9443")) })).status).toBe("failed");
  });
});

describe("PORT-04: DP Manager on 7900", () => {
  it("passes when the port is open and answers HTTP", () => {
    const outcome = check("PORT-04")(context("cp1"));
    expect(outcome.status).toBe("passed");
    expect(outcome.evidence).toEqual(["tcp:cp1:7900", "http:cp1:7900"]);
  });
  it("fails when the port is closed", () => {
    const outcome = check("PORT-04")(context("cp1", { probes: replaceProbe("tcp:cp1:7900", tcp("tcp:cp1:7900", "closed")) }));
    expect(outcome).toMatchObject({ status: "failed", message: "cp1: DP Manager port 7900 is closed from the runner (ECONNREFUSED) (S5.2)" });
  });
});

describe("PORT-05: Prometheus healthy, targets up", () => {
  const prometheus = (result: Partial<Probes.PrometheusProbeResult>) => ({
    probes: replaceProbe(
      "prometheus",
      record("prometheus", "prometheus", { healthy: true, healthBody: "ok", healthStatus: 200, targets: [], ms: 1, ...result }),
    ),
  });
  it("passes when healthy with every target up", () => {
    expect(check("PORT-05")(context("@prometheus")).status).toBe("passed");
  });
  it("is skipped with the page's reason when disabled", () => {
    expect(check("PORT-05")(context("@prometheus", { env: environment({ prometheus: { enabled: false } }) }))).toMatchObject({
      status: "skipped",
      message: "optional component not enabled",
    });
  });
  it("fails when unhealthy or a target is down", () => {
    expect(check("PORT-05")(context("@prometheus", prometheus({ healthy: false, healthStatus: 503 }))).status).toBe("failed");
    const down = check("PORT-05")(
      context("@prometheus", prometheus({ targets: [{ job: "api7", instance: "10.0.0.11:7900", health: "down", lastError: "connection refused" }] })),
    );
    expect(down.status).toBe("failed");
    expect(down.message).toBe("Prometheus: 1 of 1 targets not up: api7/10.0.0.11:7900 down (S2.3, S5.2)");
  });
  it("warns when no target is scraped", () => {
    expect(check("PORT-05")(context("@prometheus", prometheus({ targets: [] }))).status).toBe("warning");
  });
});

describe("DB-01: PostgreSQL from the runner and from every CP host", () => {
  it("passes on an authenticated session and records the version", () => {
    const outcome = check("DB-01")(context("@database"));
    expect(outcome.status).toBe("passed");
    expect(outcome.message).toBe("PostgreSQL 15.18 (Debian 15.18-0+deb12u1) on 10.0.0.50:5432 accepts an authenticated session (S5.2)");
  });
  it("fails when the session is refused", () => {
    const refused: Probes.PgProbeResult = { ...pgOk, ok: false, serverVersion: null, error: '28P01: password authentication failed for user "api7ee"' };
    // The server's own refusal: the runner reached the database's address (helpers/checks/reach.ts).
    const outcome = check("DB-01")(context("@database", { probes: replaceProbe("pg:database", { ...record("pg:database", "pg", refused), target: "10.0.0.50:5432/api7ee" }) }));
    expect(outcome.status).toBe("failed");
    expect(outcome.message).toContain("password authentication failed");
  });
  it("passes on a CP host that reaches the database and fails on one that cannot", () => {
    expect(check("DB-01")(context("cp1")).status).toBe("passed");
    const timedOut = check("DB-01")(context("cp2", { hostProbes: { cp2: [dbReach(124)] } }));
    expect(timedOut.status).toBe("failed");
    expect(timedOut.message).toContain("timed out");
    expect(timedOut.evidence).toEqual(["db-reach"]);
  });
  it("is broken when the host probe did not run", () => {
    expect(check("DB-01")(context("cp1", { hostProbes: { cp1: [] } })).status).toBe("broken");
  });
});

describe("DB-02: database HA recorded only", () => {
  it("records recovery state and replication rows", () => {
    const outcome = check("DB-02")(context("@database"));
    expect(outcome.status).toBe("passed");
    expect(outcome.actual).toBe("pg_is_in_recovery() = false; pg_stat_replication: 10.0.0.51 streaming async");
  });
  it("is broken when the database could not be queried", () => {
    const refused: Probes.PgProbeResult = { ...pgOk, ok: false, error: "ECONNREFUSED" };
    expect(check("DB-02")(context("@database", { probes: replaceProbe("pg:database", record("pg:database", "pg", refused)) })).status).toBe("broken");
  });
});

describe("helpers of the network checks", () => {
  it("recognises loopback addresses as ss prints them", () => {
    for (const address of ["127.0.0.1", "127.0.0.53%lo", "[::1]", "::1", "::ffff:127.0.0.1"]) expect(isLoopbackAddress(address)).toBe(true);
    for (const address of ["0.0.0.0", "*", "[::]", "10.0.0.11", "[fe80::1]%eth0"]) expect(isLoopbackAddress(address)).toBe(false);
  });
  it("builds the allow-list from roles, management and extra ports", () => {
    const env = environment();
    const cp1 = env.hosts.find((h) => h.name === "cp1")!;
    expect(allowedPorts(env, cp1).map((a) => a.port)).toEqual([22, 7080, 7900, 7943]);
    const mon = env.hosts.find((h) => h.name === "mon")!;
    expect(allowedPorts(env, mon).map((a) => a.port)).toContain(9090);
  });
  it("renders an aligned port table", () => {
    expect(renderPortTable("dp1", [{ port: 22, state: "open", listener: "sshd", verdict: "allowed" }])).toBe(
      [
        "Ports of dp1 probed from the audit runner",
        "| port | from runner | listener | verdict |",
        "|------|-------------|----------|---------|",
        "| 22   | open        | sshd     | allowed |",
      ].join("\n"),
    );
  });
});
