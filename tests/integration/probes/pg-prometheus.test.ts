// pgProbe against a real PostgreSQL 15 cluster and prometheusProbe against a real Prometheus,
// both started on loopback by the test (Debian packages postgresql-15 and prometheus).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pgProbe } from "../../../helpers/probes/pg.js";
import { prometheusProbe } from "../../../helpers/probes/prometheus.js";
import { commandExists, inCi, freePort, postgresAvailable, startPostgres, startPrometheus, waitFor, type TestPostgres, type TestPrometheus } from "./servers.js";

const LOOPBACK = "127.0.0.1";

describe.runIf(inCi || (await postgresAvailable()))("pgProbe against PostgreSQL 15", () => {
  let pg: TestPostgres;
  beforeAll(async () => {
    pg = await startPostgres();
  });
  afterAll(async () => {
    await pg?.stop();
  });
  const options = () => ({ host: LOOPBACK, port: pg.port, database: pg.database, user: pg.user, password: pg.password, ssl: false, timeoutMs: 5000 });

  it("opens an authenticated session and records version, recovery state and replication rows", async () => {
    const result = await pgProbe(options());
    expect(result.error).toBeUndefined();
    expect(result.ok).toBe(true);
    expect(result.serverVersion).toMatch(/^15\.\d+/);
    expect(result.versionText).toMatch(/^PostgreSQL 15\./);
    expect(result.inRecovery).toBe(false);
    expect(result.replication).toEqual({ rows: [] });
    expect(JSON.stringify(result)).not.toContain(pg.password);
  });

  it("reports a wrong password without ever showing it", async () => {
    const wrong = `${pg.password}-wrong`;
    const result = await pgProbe({ ...options(), password: wrong });
    expect(result.ok).toBe(false);
    expect(result.error).toMatch(/password authentication failed for user "audit_admin"/);
    expect(JSON.stringify(result)).not.toContain(wrong);
    expect(JSON.stringify(result)).not.toContain(pg.password);
  });

  it("reports a missing password", async () => {
    const result = await pgProbe({ ...options(), password: undefined });
    expect(result.ok).toBe(false);
    expect(result.error).toBeTruthy();
  });

  it("reports a server that requires TLS it does not offer", async () => {
    const result = await pgProbe({ ...options(), ssl: true });
    expect(result.ok).toBe(false);
    expect(result.error).toMatch(/does not support SSL/i);
    expect(JSON.stringify(result)).not.toContain(pg.password);
  });

  it("reports a closed port", async () => {
    const result = await pgProbe({ ...options(), port: await freePort() });
    expect(result.ok).toBe(false);
    expect(result.error).toMatch(/ECONNREFUSED/);
  });
});

describe.runIf(inCi || (await commandExists("prometheus")))("prometheusProbe against Prometheus", () => {
  let prometheus: TestPrometheus;
  beforeAll(async () => {
    prometheus = await startPrometheus(await freePort());
    // Wait until both targets were scraped once, so that their health is known.
    await waitFor(
      "both targets scraped",
      async () => {
        const result = await prometheusProbe(prometheus.baseUrl, { timeoutMs: 1000 });
        return result.healthy && result.targets.length === 2 && result.targets.every((t) => t.health !== "unknown") ? result : null;
      },
      60_000,
    );
  });
  afterAll(async () => {
    await prometheus?.stop();
  });

  it("reads health and every target's state", async () => {
    const result = await prometheusProbe(prometheus.baseUrl);
    expect(result.error).toBeUndefined();
    expect(result.healthy).toBe(true);
    expect(result.healthStatus).toBe(200);
    expect(result.healthBody).toMatch(/Healthy/);
    const byJob = Object.fromEntries(result.targets.map((t) => [t.job, t]));
    expect(byJob.self).toMatchObject({ health: "up", lastError: "" });
    expect(byJob.missing?.health).toBe("down");
    expect(byJob.missing?.lastError).toMatch(/connection refused/);
  });

  it("reports an address where no Prometheus answers", async () => {
    const result = await prometheusProbe(`http://${LOOPBACK}:${await freePort()}/`);
    expect(result.healthy).toBe(false);
    expect(result.targets).toEqual([]);
    expect(result.error).toMatch(/ECONNREFUSED/);
  });
});
