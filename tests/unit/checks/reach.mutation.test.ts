// Focused tests for helpers/checks/reach.ts on the captured compliant lab run
// (tests/fixtures/runs/lab): probe targets as the runner writes them (a URL, a bracketed IPv6
// address, a sweep's port range), a host named by its inventory name, each kind of result that
// shows an answer on its own (a port's state, a session, an HTTP status, Prometheus' health status,
// a sweep's counts), results that show none, and the outcome unlessUnreached makes of them.
import { describe, expect, it } from "vitest";
import { runnerReach, targetAddress, unlessUnreached } from "../../../helpers/checks/reach.js";
import type { CheckOutcome } from "../../../helpers/model.js";
import type { CollectedRun } from "../../../helpers/run/collected.js";
import { labRun } from "../../support/lab-run.js";

type Probe = CollectedRun["probes"][number];
const probe = (key: string) => labRun.probes.find((p) => p.key === key)!;
const cp1 = labRun.hosts.find((h) => h.name === "cp1")!;
const cp1v6 = "fd7a:3bb:3085:1::2";
const database = probe("pg:database");
const prometheus = probe("prometheus");

/** A run that holds only these probes (with these results) and no inventory host. */
const only = (...probes: [Probe, unknown][]): CollectedRun => ({ ...labRun, hosts: [], probes: probes.map(([p, result]) => ({ ...p, result })) });

// Results as the probes record them when nothing answered, or when something did.
const tcpFiltered = { state: "filtered", ms: 82, error: "EHOSTUNREACH", attempts: 1, timeoutMs: 1000, rttMs: null };
const pgNoRoute = { ok: false, serverVersion: null, versionText: null, inRecovery: null, replication: null, ms: 3000, error: "connect EHOSTUNREACH 192.168.144.6:5432" };
const httpStatus = (status: number) => ({ ...probe("http:cp1:7080").result as object, ok: false, status });
const prometheusUnhealthy = (healthStatus: number | null, error?: string) => ({ healthy: false, healthBody: "", healthStatus, targets: [], ms: 3, ...(error === undefined ? {} : { error }) });

/** A full sweep of cp1 as the runner records it (the lab run was captured without one). */
const sweep = (counts: { open: number; closed: number; filtered: number }): Probe => ({
  key: "sweep:cp1",
  kind: "sweep",
  host: "cp1",
  target: `${cp1.address}:1-65535`,
  startedAt: "2026-12-07T19:23:01.692Z",
  durationMs: 25_000,
  result: { address: cp1.address, open: counts.open > 0 ? [22, 7080, 7900].slice(0, counts.open) : [], counts: { probed: 65535, ...counts }, concurrency: 2000, timeoutMs: 750, ms: 25_000 },
});

describe("targetAddress", () => {
  it("reads the address of every captured probe target", () => {
    expect(targetAddress(probe("http:cp1:7080").target)).toBe(cp1.address);
    expect(targetAddress(probe("http:dp1:9443").target)).toBe("192.168.144.7");
    expect(targetAddress(prometheus.target)).toBe("192.168.144.3");
    expect(targetAddress(database.target)).toBe("192.168.144.6");
    expect(targetAddress(probe("tcp:cp1@ipv6:7080").target)).toBe(cp1v6);
  });

  it("a bracketed IPv6 address, with a port or a path, and a URL scheme in capitals", () => {
    expect(targetAddress(`[${cp1v6}]:5432/api7`)).toBe(cp1v6);
    expect(targetAddress(`[${cp1v6}]:9443`)).toBe(cp1v6);
    expect(targetAddress(`HTTP://[${cp1v6}]:9090`)).toBe(cp1v6);
  });

  it("a sweep's target names its address and the port range", () => {
    expect(targetAddress(sweep({ open: 3, closed: 0, filtered: 65532 }).target)).toBe(cp1.address);
    expect(targetAddress(`${cp1v6}:1-65535`)).toBe(cp1v6);
  });
});

describe("what shows an answer", () => {
  it("an open port alone", () => {
    expect(runnerReach(only([probe("tcp:cp1:22"), probe("tcp:cp1:22").result]), cp1.address)).toEqual({ reached: true, by: "probe tcp:cp1:22" });
  });

  it("a closed port alone (the connection refused)", () => {
    const refused = probe("tcp:cp1@ipv6:7080");
    expect(runnerReach(only([refused, refused.result]), cp1v6)).toEqual({ reached: true, by: "probe tcp:cp1@ipv6:7080" });
  });

  it("an error that is the server's own answer, with nothing else in the result (PostgreSQL refusing the login)", () => {
    const refused = { ...pgNoRoute, error: 'password authentication failed for user "api7"' };
    expect(runnerReach(only([database, refused]), "192.168.144.6")).toEqual({ reached: true, by: "probe pg:database" });
  });

  it("a filtered port does not, whatever else its record holds", () => {
    expect(runnerReach(only([probe("tcp:cp1:4"), probe("tcp:cp1:4").result]), cp1.address)).toEqual({ reached: false, errors: ["tcp:cp1:4: EHOSTUNREACH"] });
  });

  it("an HTTP response, by its status alone", () => {
    const http = probe("http:cp1:7080");
    expect(runnerReach(only([http, http.result]), cp1.address)).toEqual({ reached: true, by: "probe http:cp1:7080" });
    expect(runnerReach(only([http, httpStatus(503)]), cp1.address).reached).toBe(true);
    expect(runnerReach(only([http, { ...httpStatus(503), status: null, error: "connect EHOSTUNREACH 192.168.144.2:7080" }]), cp1.address).reached).toBe(false);
  });

  it("a PostgreSQL session (ok, no status)", () => {
    expect(runnerReach(only([database, database.result]), "192.168.144.6")).toEqual({ reached: true, by: "probe pg:database" });
  });

  it("Prometheus' health status alone, even unhealthy", () => {
    expect(runnerReach(only([prometheus, prometheusUnhealthy(503)]), "192.168.144.3")).toEqual({ reached: true, by: "probe prometheus" });
    expect(runnerReach(only([prometheus, prometheusUnhealthy(null, "timeout after 5000 ms")]), "192.168.144.3")).toEqual({ reached: false, errors: ["prometheus: timeout after 5000 ms"] });
  });

  it("a result with neither an answer nor an error does not", () => {
    expect(runnerReach(only([prometheus, prometheusUnhealthy(null)]), "192.168.144.3")).toEqual({ reached: false, errors: ["prometheus: no answer"] });
  });

  it("a result that is not an object (a record without its result) does not, and its error is 'no answer'", () => {
    expect(runnerReach(only([database, null]), "192.168.144.6")).toEqual({ reached: false, errors: ["pg:database: no answer"] });
    expect(runnerReach(only([database, "EHOSTUNREACH"]), "192.168.144.6")).toEqual({ reached: false, errors: ["pg:database: no answer"] });
  });

  describe("a full sweep, by its counts", () => {
    const sweepOnly = (p: Probe): CollectedRun => ({ ...labRun, hosts: [], probes: [p] });
    it("open ports answered", () => expect(runnerReach(sweepOnly(sweep({ open: 3, closed: 0, filtered: 65532 })), cp1.address)).toEqual({ reached: true, by: "probe sweep:cp1" }));
    it("closed ports alone answered too", () => expect(runnerReach(sweepOnly(sweep({ open: 0, closed: 2, filtered: 65533 })), cp1.address).reached).toBe(true));
    it("every port filtered is no answer", () => expect(runnerReach(sweepOnly(sweep({ open: 0, closed: 0, filtered: 65535 })), cp1.address)).toEqual({ reached: false, errors: ["sweep:cp1: no answer"] }));
  });
});

describe("which records count for an address", () => {
  it("a host named by its inventory name: its SSH connection", () => {
    expect(runnerReach({ ...labRun, probes: [] }, "cp1")).toEqual({ reached: true, by: "the SSH connection to cp1" });
    expect(runnerReach({ ...labRun, probes: [] }, "CP1")).toEqual({ reached: true, by: "the SSH connection to cp1" });
  });

  it("a host listed in the inventory by its IPv6 address: its SSH connection", () => {
    expect(runnerReach({ ...labRun, hosts: [{ ...cp1, address: cp1v6 }], probes: [] }, cp1v6)).toEqual({ reached: true, by: "the SSH connection to cp1" });
  });

  it("an address given bracketed or in capitals matches the probes of that address", () => {
    expect(runnerReach(labRun, `[${cp1v6.toUpperCase()}]`)).toEqual({ reached: true, by: "probe tcp:cp1@ipv6:22" });
  });

  it("a database host written in capitals in the inventory matches its probe's target", () => {
    const pg = { ...database, target: "DB1.LAB:5432/api7" };
    expect(runnerReach(only([pg, database.result]), "db1.lab")).toEqual({ reached: true, by: "probe pg:database" });
  });

  it("an unreached address: the SSH error, then every probe's error, in order", () => {
    const run: CollectedRun = {
      ...labRun,
      hosts: [{ ...cp1, error: `connect EHOSTUNREACH ${cp1.address}:22`, sections: [] }],
      probes: [
        { ...probe("tcp:cp1:4"), result: tcpFiltered },
        { ...probe("http:cp1:7080"), result: { ...httpStatus(0), status: null, error: `connect EHOSTUNREACH ${cp1.address}:7080` } },
        { ...probe("tcp:cp1@ipv6:22"), result: probe("tcp:cp1@ipv6:22").result },
      ],
    };
    expect(runnerReach(run, cp1.address)).toEqual({
      reached: false,
      errors: [`ssh cp1: connect EHOSTUNREACH ${cp1.address}:22`, "tcp:cp1:4: EHOSTUNREACH", `http:cp1:7080: connect EHOSTUNREACH ${cp1.address}:7080`],
    });
  });

  it("an address nothing was tried at has no errors", () => {
    expect(runnerReach(labRun, "192.168.144.250")).toEqual({ reached: false, errors: [] });
  });
});

describe("unlessUnreached", () => {
  const finding: CheckOutcome = { status: "failed", message: "PostgreSQL on 192.168.144.6:5432 refused or failed the session", expected: "a session", actual: "no session", evidence: ["pg:database"] };
  const unreached = only([database, pgNoRoute], [probe("tcp:cp1:4"), tcpFiltered]);

  it("a failure at an unreached address is broken, naming the address, every error and the failure, keeping the rest", () => {
    const run = only([database, pgNoRoute], [{ ...probe("tcp:cp1:4"), target: "192.168.144.6:5432" }, tcpFiltered]);
    expect(unlessUnreached(run, "192.168.144.6", finding)).toEqual({
      ...finding,
      status: "broken",
      message: `the runner cannot reach 192.168.144.6: pg:database: connect EHOSTUNREACH 192.168.144.6:5432; tcp:cp1:4: EHOSTUNREACH; so this says nothing about the deployment (${finding.message})`,
    });
  });

  it("a warning there is broken too", () => {
    expect(unlessUnreached(unreached, "192.168.144.6", { ...finding, status: "warning" }).status).toBe("broken");
  });

  it("nothing tried at the address: 'nothing answered'", () => {
    expect(unlessUnreached(unreached, "192.168.144.250", finding).message).toBe(
      `the runner cannot reach 192.168.144.250: nothing answered; so this says nothing about the deployment (${finding.message})`,
    );
  });

  it("a pass, or a failure at a reached address, is returned as it is", () => {
    const passed: CheckOutcome = { status: "passed", message: "PostgreSQL 15.20 answered" };
    expect(unlessUnreached(unreached, "192.168.144.6", passed)).toBe(passed);
    const broken: CheckOutcome = { ...finding, status: "broken" };
    expect(unlessUnreached(unreached, "192.168.144.6", broken)).toBe(broken);
    expect(unlessUnreached(labRun, "192.168.144.6", finding)).toBe(finding);
  });
});
