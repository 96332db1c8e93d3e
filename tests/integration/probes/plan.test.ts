// collectNetworkProbes end to end on loopback: two "hosts" on their own loopback addresses run
// real servers on the page's ports, a real PostgreSQL and Prometheus when installed, and the
// host-side probe runs for real through a local executor (the runner plays the CP host). The
// collected records then go through the network checks.
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import type net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { environmentSchema, type Environment } from "../../../helpers/environment/schema.js";
import type { CommandOutput } from "../../../helpers/model.js";
import { collectNetworkProbes, startNetworkProbes, type NetworkProbeOutput } from "../../../helpers/probes/run.js";
import { prometheusProbe } from "../../../helpers/probes/prometheus.js";
import type { CollectedRun } from "../../../helpers/run/collected.js";
import { requirementById } from "../../../helpers/checks/catalogue.js";
import { verdictFor } from "../../../helpers/evaluate.js";
import { allChecks } from "../../../specs/checks/index.js";
import { listenerFacts, noGlobalIpv6, noNatRules, ranSsListen } from "../../support/listener-facts.js";
import {
  commandExists,
  freePort,
  inCi,
  makeCertificates,
  postgresAvailable,
  startPostgres,
  startPrometheus,
  tempDir,
  waitFor,
  type TestPostgres,
  type TestPrometheus,
} from "./servers.js";

const CP = "127.0.0.61";
const DP = "127.0.0.62";
const PASSWORD_ENV = "API7_AUDIT_SELFTEST_PG_PASSWORD";

/** Runs argv on this machine without a shell: the transport's contract, minus SSH. */
function execLocally(_host: string, argv: string[], section: string): Promise<CommandOutput> {
  const started = performance.now();
  return new Promise((resolve) => {
    execFile(argv[0]!, argv.slice(1), { timeout: 15_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : null) : 0;
      resolve({ section, command: argv.join(" "), exitCode: code, stdout, stderr, durationMs: Math.round(performance.now() - started) });
    });
  });
}

const TIMEOUTS = { tcpMs: 1000, httpMs: 2000, tlsMs: 2000, pgMs: 5000, dbReachSeconds: 3 };

describe.runIf(inCi || (await postgresAvailable()))("collectNetworkProbes on loopback", () => {
  const folder = tempDir("plan");
  const servers: net.Server[] = [];
  let pg: TestPostgres;
  let prometheus: TestPrometheus | null = null;
  let env: Environment;
  let output: NetworkProbeOutput;
  let extraPort: number;
  const log: string[] = [];

  const serve = (server: net.Server, host: string, port: number) =>
    new Promise<void>((resolve, reject) => {
      servers.push(server);
      server.once("error", reject);
      server.listen(port, host, () => resolve());
    });
  const answer = (status: number) => (_req: http.IncomingMessage, res: http.ServerResponse) => {
    res.writeHead(status, { "content-type": "text/plain" });
    res.end(`status ${status}`);
  };

  beforeAll(async () => {
    const certs = await makeCertificates(folder.path);
    pg = await startPostgres();
    if (await commandExists("prometheus")) prometheus = await startPrometheus(await freePort());
    await serve(http.createServer(answer(200)), CP, 7080);
    await serve(http.createServer(answer(404)), CP, 7900);
    await serve(http.createServer(answer(404)), DP, 9080);
    await serve(https.createServer({ key: readFileSync(certs.valid.key), cert: readFileSync(certs.valid.cert) }, answer(404)), DP, 9443);
    // Not in any allow-list: SEC-04 must catch it.
    extraPort = await freePort(DP);
    await serve(http.createServer(answer(200)), DP, extraPort);

    process.env[PASSWORD_ENV] = pg.password;
    env = environmentSchema.parse({
      name: "loopback",
      hosts: [
        { name: "cp1", address: CP, roles: ["cp"] },
        { name: "dp1", address: DP, roles: ["dp"] },
      ],
      components: {
        dashboard: { role: "cp", ports: [7080], detect: { process: "node" } },
        dpManager: { role: "cp", ports: [7900], detect: { process: "node" } },
        gateway: { role: "dp", ports: [9080, 9443], detect: { process: "node" } },
      },
      entrypoints: {
        gateway: { url: `http://${DP}:9080/` },
        gatewayTls: { url: `https://${DP}:9443/`, insecureTls: true },
        dashboard: { url: `http://${CP}:7080/` },
        dpManager: { url: `http://${CP}:7900/` },
      },
      database: { host: "127.0.0.1", port: pg.port, database: pg.database, user: pg.user, passwordEnv: PASSWORD_ENV },
      prometheus: prometheus ? { enabled: true, url: prometheus.baseUrl } : { enabled: false },
    });
    if (prometheus) {
      const url = prometheus.baseUrl;
      await waitFor(
        "both Prometheus targets scraped",
        async () => {
          const state = await prometheusProbe(url, { timeoutMs: 1000 });
          return state.targets.length === 2 && state.targets.every((t) => t.health !== "unknown") ? true : null;
        },
        60_000,
      );
    }
    output = await collectNetworkProbes({
      env,
      hosts: probedHosts(),
      execOnHost: execLocally,
      fullPortSweep: false,
      log: (line) => log.push(line),
      timeouts: TIMEOUTS,
    });
  });

  afterAll(async () => {
    delete process.env[PASSWORD_ENV];
    for (const server of servers) await new Promise((resolve) => server.close(resolve));
    await pg?.stop();
    await prometheus?.stop();
    folder.remove();
  });

  const probe = (key: string) => output.probes.find((p) => p.key === key);
  const probedHosts = () => [
    { name: "cp1", address: CP, roles: ["cp" as const], listeners: [{ protocol: "tcp" as const, address: CP, port: 7080, process: "node" }] },
    { name: "dp1", address: DP, roles: ["dp" as const], listeners: [{ protocol: "tcp" as const, address: DP, port: extraPort, process: "node" }] },
  ];

  it("stores one record per planned probe under stable keys", () => {
    expect(probe("tcp:cp1:7080")?.result).toMatchObject({ state: "open" });
    expect(probe("tcp:cp1:9090")?.result).toMatchObject({ state: "closed" });
    expect(probe(`tcp:dp1:${extraPort}`)?.result).toMatchObject({ state: "open" });
    expect(probe("http:dp1:9080")?.result).toMatchObject({ ok: true, status: 404 });
    expect(probe("tls:dp1:9443")?.result).toMatchObject({ ok: true, subject: "O=api7-ha-audit, CN=valid.gateway.test" });
    expect(probe("http:entrypoint:gatewayTls")?.result).toMatchObject({ ok: true, status: 404 });
    expect(probe("pg:database")?.result).toMatchObject({ ok: true, inRecovery: false });
    expect(probe("pg:database")?.target).toBe(`127.0.0.1:${pg.port}/postgres`);
    expect(JSON.stringify(output)).not.toContain(pg.password);
    expect(log[0]).toMatch(/^network probes: \d+ targeted, 0 full sweeps, 1 on hosts$/);
  });

  it("gives the same records, in plan order, when hosts arrive one by one and in another order", async () => {
    const run = startNetworkProbes({ env, execOnHost: execLocally, fullPortSweep: false, timeouts: TIMEOUTS });
    const [cp1, dp1] = probedHosts();
    run.addHost(dp1!);
    expect(() => run.addHost(dp1!)).toThrow("network probes: host dp1 added twice");
    await new Promise((resolve) => setTimeout(resolve, 50));
    run.addHost(cp1!);
    const stepwise = await run.finish();
    const outcome = (record: (typeof output.probes)[number]) => [record.key, JSON.stringify(record.result).match(/"(state|ok)":("?\w+"?)/)?.[0]];
    expect(stepwise.probes.map(outcome)).toEqual(output.probes.map(outcome));
    expect(Object.keys(stepwise.hostProbes)).toEqual(["cp1"]);
  });

  it("runs the database reach probe on the CP host only", () => {
    expect(Object.keys(output.hostProbes)).toEqual(["cp1"]);
    expect(output.hostProbes.cp1).toEqual([expect.objectContaining({ section: "db-reach", exitCode: 0 })]);
  });

  it("gives the expected verdicts when the records go through the checks", () => {
    const run: CollectedRun = {
      runId: "plan-test",
      environmentName: env.name,
      startedAt: new Date().toISOString(),
      options: { fullPortSweep: false, allowDisruption: false, strict: false },
      hosts: env.hosts.map((h) => ({ name: h.name, address: h.address, roles: h.roles, error: null, sections: [ranSsListen, noGlobalIpv6, ...noNatRules], hostProbes: output.hostProbes[h.name] ?? [] })),
      probes: output.probes,
      failover: [],
    } as CollectedRun;
    const allFacts = new Map(probedHosts().map((h) => [h.name, listenerFacts(h.name, h.listeners)]));
    const verdict = (id: string, target: string) => verdictFor(requirementById(id), target, allChecks, { env, run, allFacts });
    expect(verdict("SEC-03", "cp1").status).toBe("passed");
    expect(verdict("SEC-03", "dp1").status).toBe("passed");
    expect(verdict("SEC-03", "@database").status).toBe("passed");
    expect(verdict("SEC-04", "cp1").status).toBe("passed");
    const sec04 = verdict("SEC-04", "dp1");
    expect(sec04.status).toBe("failed");
    expect(sec04.message).toContain(`dp1: ${extraPort} (node) open from the runner`);
    expect(verdict("PORT-01", "dp1").status).toBe("passed");
    expect(verdict("PORT-02", "dp1").status).toBe("passed");
    expect(verdict("PORT-03", "cp1").status).toBe("passed");
    expect(verdict("PORT-04", "cp1").status).toBe("passed");
    expect(verdict("DB-01", "@database").message).toMatch(/^PostgreSQL 15\.\d+/);
    expect(verdict("DB-01", "cp1").status).toBe("passed");
    expect(verdict("DB-02", "@database").actual).toBe("pg_is_in_recovery() = false; pg_stat_replication: no standby attached");
    if (prometheus) {
      // The test Prometheus scrapes a closed port on purpose: PORT-05 must see that target down.
      expect(verdict("SEC-03", "@prometheus").status).toBe("passed");
      const port05 = verdict("PORT-05", "@prometheus");
      expect(port05.status).toBe("failed");
      expect(port05.message).toMatch(/^Prometheus: 1 of 2 targets not up: missing\/127\.0\.0\.1:\d+ down \(S2\.3, S5\.2\)$/);
    } else {
      expect(verdict("PORT-05", "@prometheus").status).toBe("skipped");
    }
  });
});
