// The runner's reach is not the host's fault: probe failures at an address nothing answered from are
// broken, not failed. Input: the captured compliant lab run, its endpoint probes edited as a runner
// without a route to them records them (each edit named in the test).
import { describe, expect, it } from "vitest";
import { requirementById } from "../../../helpers/checks/catalogue.js";
import { runnerReach, targetAddress } from "../../../helpers/checks/reach.js";
import { parseAllFacts, verdictFor } from "../../../helpers/evaluate.js";
import type { CollectedRun } from "../../../helpers/run/collected.js";
import { allChecks } from "../../../specs/checks/index.js";
import { labEnv, labRun } from "../../support/lab-run.js";

const noRoute = (address: string, port: number) => `connect EHOSTUNREACH ${address}:${port}`;
const databaseAddress = labEnv.database.host;
const prometheusAddress = new URL(labEnv.prometheus.url!).hostname;

/** The lab run with some probe results replaced, by key. */
function withResults(replaced: Record<string, unknown>): CollectedRun {
  return { ...labRun, probes: labRun.probes.map((p) => (p.key in replaced ? { ...p, result: replaced[p.key] } : p)) };
}

const verdict = (run: CollectedRun, id: string, target: string) => verdictFor(requirementById(id), target, allChecks, { env: labEnv, run, allFacts: parseAllFacts(run) });

const pgFailed = (error: string) => ({ ok: false, serverVersion: null, versionText: null, inRecovery: null, replication: null, ms: 3000, error });
const tcpFiltered = (error: string) => ({ state: "filtered", ms: 3, error, attempts: 2, timeoutMs: 300, rttMs: null });
const prometheusFailed = (error: string) => ({ healthy: false, healthBody: "", healthStatus: null, targets: [], ms: 3, error });

describe("the database and Prometheus endpoints", () => {
  const unroutable = withResults({
    "pg:database": pgFailed(noRoute(databaseAddress, 5432)),
    "tcp:@database:5432": tcpFiltered("EHOSTUNREACH"),
    prometheus: prometheusFailed(noRoute(prometheusAddress, 9090)),
    "tcp:@prometheus:9090": tcpFiltered("EHOSTUNREACH"),
  });

  it("no route from the runner to either: DB-01, SEC-03 and PORT-05 are broken, naming the address and the error", () => {
    for (const [id, target, address] of [
      ["DB-01", "@database", databaseAddress],
      ["SEC-03", "@database", databaseAddress],
      ["SEC-03", "@prometheus", prometheusAddress],
      ["PORT-05", "@prometheus", prometheusAddress],
    ] as const) {
      const v = verdict(unroutable, id, target);
      expect(v.status, `${id} ${target}`).toBe("broken");
      expect(v.message).toMatch(new RegExp(`^the runner cannot reach ${address.replace(/\./g, "\\.")}: .*EHOSTUNREACH`));
    }
  });

  it("the database refuses the connection (the address answered): DB-01 and SEC-03 stay failed", () => {
    const refused = withResults({ "pg:database": pgFailed(`connect ECONNREFUSED ${databaseAddress}:5432`), "tcp:@database:5432": { state: "closed", ms: 1, error: "ECONNREFUSED" } });
    expect(verdict(refused, "DB-01", "@database").status).toBe("failed");
    expect(verdict(refused, "SEC-03", "@database").status).toBe("failed");
  });

  it("the session fails but the port answered: the failure stands", () => {
    const timedOut = withResults({ "pg:database": pgFailed("timeout: no answer to the startup message in 5000 ms") });
    expect(runnerReach(timedOut, databaseAddress)).toEqual({ reached: true, by: "probe tcp:@database:5432" });
    expect(verdict(timedOut, "DB-01", "@database").status).toBe("failed");
  });
});

describe("inventory hosts", () => {
  it("a filtered table port on a host whose SSH connection answered stays a finding", () => {
    const run = withResults({ "tcp:cp1:7080": tcpFiltered("timeout") });
    expect(runnerReach(run, labRun.hosts.find((h) => h.name === "cp1")!.address)).toEqual({ reached: true, by: "the SSH connection to cp1" });
    expect(verdict(run, "SEC-03", "cp1").status).toBe("failed");
  });

  it("an SSH error that is silence does not show reach; one that is an answer (a changed host key) does", () => {
    const cp1 = labRun.hosts.find((h) => h.name === "cp1")!;
    const only = (error: string): CollectedRun => ({ ...labRun, hosts: [{ ...cp1, error, sections: [] }], probes: [] });
    expect(runnerReach(only(`connect EHOSTUNREACH ${cp1.address}:22`), cp1.address)).toEqual({ reached: false, errors: [`ssh cp1: connect EHOSTUNREACH ${cp1.address}:22`] });
    expect(runnerReach(only("host key of cp1 changed"), cp1.address).reached).toBe(true);
    // Connected, then the facts script ran out of time: sections came back, so SSH answered.
    expect(runnerReach({ ...labRun, hosts: [{ ...cp1, error: "the facts script timed out after 90 s" }], probes: [] }, cp1.address).reached).toBe(true);
  });
});

it("probe targets name their address: host:port, IPv6 with the port last, a path, a URL", () => {
  expect(targetAddress("10.0.0.5:5432/api7")).toBe("10.0.0.5");
  expect(targetAddress("fd7a:abc1:f21a:1::2:22")).toBe("fd7a:abc1:f21a:1::2");
  expect(targetAddress("http://db.example:9090")).toBe("db.example");
  expect(targetAddress("https://[fd00::5]:9443/")).toBe("fd00::5");
});
