import { describe, expect, it } from "vitest";
import type { CollectedRun } from "../../../helpers/run/collected.js";
import type { Environment } from "../../../helpers/environment/schema.js";
import { failoverChecks } from "../../../specs/checks/failover.js";
import type { CheckContext } from "../../../helpers/checks/types.js";
import type { FailoverExperiment } from "../../../helpers/failover/record.js";
import { experimentOf, labEnvironment } from "./experiment.js";
import { T0 } from "./history.js";

const clean = ".".repeat(30);

function context(env: Environment, failover: unknown[], target: string, allowDisruption = true): CheckContext {
  const run: CollectedRun = {
    runId: "unit",
    environmentName: env.name,
    startedAt: "2026-01-01T00:00:00.000Z",
    options: { fullPortSweep: false, allowDisruption, strict: false },
    hosts: [],
    probes: [],
    failover,
  };
  const none = () => {
    throw new Error("failover checks read experiments only");
  };
  return { env, run, target, host: null, hostEntry: none, fact: none, factOf: none, probe: none, probesWith: none, hostProbe: none };
}

const check = (id: string) => failoverChecks[id]!.decide;

describe("failoverChecks", () => {
  const env = labEnvironment();

  it("covers the four HA requirements", () => {
    expect(Object.keys(failoverChecks).sort()).toEqual(["HA-CP-01", "HA-CP-02", "HA-DP-01", "HA-DP-02"]);
  });

  it("is skipped with the reason when disruption is not allowed on the command line or in the environment", () => {
    const reason = "destructive: needs --allow-disruption and failover.allowDisruption: true in the environment";
    expect(check("HA-DP-01")(context(env, [], "@dp-pair", false))).toMatchObject({ status: "skipped", message: `HA-DP-01: ${reason}` });
    const notInEnv = labEnvironment({ failover: { allowDisruption: false } });
    expect(check("HA-CP-01")(context(notInEnv, [], "@cp-pair", true))).toMatchObject({ status: "skipped" });
  });

  it("passes a pair whose members each stayed within budget", () => {
    const outcome = check("HA-DP-01")(
      context(env, [experimentOf("HA-DP-01", "dp1", `${clean}xx${clean}`), experimentOf("HA-DP-01", "dp2", clean + clean)], "@dp-pair"),
    );
    expect(outcome.status).toBe("passed");
    expect(outcome.message).toBe(
      "HA-DP-01: stopping dp1's gateway (down after 0.12 s) gave 2 failed requests and a 0.1 s outage; stopping dp2's gateway (down after 0.12 s) gave 0 failed requests and no outage; budget 5 errors, RTO 5 s",
    );
    expect(outcome.evidence).toEqual(["HA-DP-01/dp1/gateway", "HA-DP-01/dp2/gateway"]);
  });

  it("fails with the measured outage when a member's loss exceeds the budgets", () => {
    // 120 failed requests at 20/s: a 6 s outage.
    const outcome = check("HA-DP-01")(
      context(env, [experimentOf("HA-DP-01", "dp1", `${clean}${"x".repeat(120)}${clean}`), experimentOf("HA-DP-01", "dp2", clean)], "@dp-pair"),
    );
    expect(outcome.status).toBe("failed");
    expect(outcome.message).toContain("stopping dp1's gateway (down after 0.12 s) gave 120 failed requests and a 6.0 s outage (120 failed requests > budget 5; outage 6.0 s > RTO 5 s)");
    expect(outcome.actual).toContain("dp2's gateway (down after 0.12 s) gave 0 failed requests");
  });

  it("fails when a member was not restored, and when an outage never ended", () => {
    const notRestored = check("HA-CP-01")(
      context(env, [experimentOf("HA-CP-01", "cp1", clean), experimentOf("HA-CP-01", "cp2", clean, { restored: false, recoveredAt: null })], "@cp-pair"),
    );
    expect(notRestored).toMatchObject({ status: "failed" });
    expect(notRestored.message).toContain("cp2 not healthy again within 30 s of the rollback");
    const open = check("HA-CP-02")(
      context(env, [experimentOf("HA-CP-02", "cp1", `${clean}xx`), experimentOf("HA-CP-02", "cp2", clean)], "@cp-pair"),
    );
    expect(open.status).toBe("failed");
    expect(open.message).toContain("the outage had not ended when recording stopped");
  });

  it("is broken when an experiment is missing or injected no fault", () => {
    const missing = check("HA-CP-02")(context(env, [experimentOf("HA-CP-02", "cp1", clean)], "@cp-pair"));
    expect(missing.status).toBe("broken");
    expect(missing.message).toContain("cp2 (stop): no experiment recorded");
    const refused = check("HA-CP-02")(
      context(env, [experimentOf("HA-CP-02", "cp1", clean), experimentOf("HA-CP-02", "cp2", "", { faultAt: null, error: "steady state not met before the fault" })], "@cp-pair"),
    );
    expect(refused).toMatchObject({ status: "broken" });
    expect(refused.message).toContain("cp2 (stop): no fault injected (steady state not met before the fault)");
  });

  describe("an experiment counts only when its fault was confirmed: never passed otherwise", () => {
    const judged = (dp1: Partial<FailoverExperiment>) =>
      check("HA-DP-01")(context(env, [experimentOf("HA-DP-01", "dp1", clean + clean, dp1), experimentOf("HA-DP-01", "dp2", clean + clean)], "@dp-pair"));

    it("is broken when the stop command exits 1", () => {
      const outcome = judged({ faultError: "stopping gateway on dp1 exited 1: Error response from daemon: No such container: api7-ee-gateway", confirmation: null });
      expect(outcome.status).toBe("broken");
      expect(outcome.message).toContain("dp1 (stop): fault not injected: stopping gateway on dp1 exited 1: Error response from daemon: No such container");
    });

    it("is broken when the stop command exits 0 but the component keeps listening", () => {
      const stillListening = [
        { target: "dp1:gateway:9080", ok: true, detail: "accepts connections" },
        { target: "dp1:gateway:9443", ok: false, detail: "ECONNREFUSED" },
      ];
      const outcome = judged({ confirmation: { withinSeconds: 3, commandsEndedAt: T0 + 600, downAt: null, checks: stillListening, heldUntilRollback: null, heldChecks: [] } });
      expect(outcome.status).toBe("broken");
      expect(outcome.message).toContain("dp1 (stop): fault not confirmed: 9080 still answers on dp1 3.0 s after the stop");
    });

    it("is broken when something restarted the member during the observation", () => {
      const back = [{ target: "dp1:gateway:9080", ok: true, detail: "accepts connections" }];
      const outcome = judged({ confirmation: { withinSeconds: 3, commandsEndedAt: T0 + 600, downAt: T0 + 620, checks: [], heldUntilRollback: false, heldChecks: back } });
      expect(outcome).toMatchObject({ status: "broken" });
      expect(outcome.message).toContain("fault not held: 9080 answered again on dp1 before the rollback");
    });

    it("is broken when the entrypoint answered nothing before the fault", () => {
      const steadyBefore = {
        ok: false,
        at: new Date(T0).toISOString(),
        checks: [{ target: "entrypoint:gateway", ok: false, detail: "0 of 40 requests answered before the fault; a steady state needs 95 %" }],
      };
      const outcome = judged({ steadyBefore, faultAt: null, rollbackAt: null, confirmation: null, error: "no steady state, no fault injected" });
      expect(outcome.status).toBe("broken");
      expect(outcome.message).toContain("dp1 (stop): no steady state: 0 of 40 requests answered before the fault");
    });

    it("is broken when the recorder sent too few requests", () => {
      const outcome = judged({ traffic: { ratePerSecond: 20, startMs: T0, endMs: T0 + 10_000, sent: 60 } });
      expect(outcome.status).toBe("broken");
      expect(outcome.message).toContain("too little traffic: 60 requests sent in 10.0 s, fewer than 90 % of 20/s × 10.0 s (200)");
    });

    it("is broken, not failed, even when the unconfirmed experiment's traffic broke the budgets", () => {
      const outcome = check("HA-DP-01")(
        context(env, [experimentOf("HA-DP-01", "dp1", `${clean}${"x".repeat(120)}${clean}`, { faultError: "stopping gateway on dp1 exited 1", confirmation: null }), experimentOf("HA-DP-01", "dp2", clean)], "@dp-pair"),
      );
      expect(outcome.status).toBe("broken");
    });

    it("says how soon the member was down when the experiment counts", () => {
      const outcome = judged({});
      expect(outcome.status).toBe("passed");
      expect(outcome.message).toContain("stopping dp1's gateway (down after 0.12 s) gave 0 failed requests");
    });
  });

  it("judges every fault kind the environment asks for, per member", () => {
    const both = labEnvironment({ failover: { allowDisruption: true, faults: { "HA-DP-01": ["stop", "black-hole"] } } });
    const blackHole = (member: string, pattern: string) => {
      const experiment = experimentOf("HA-DP-01", member, pattern, { faultKind: "black-hole" });
      return { ...experiment, id: `${experiment.id}/black-hole` };
    };
    const stops = [experimentOf("HA-DP-01", "dp1", clean), experimentOf("HA-DP-01", "dp2", clean)];
    const onlyStops = check("HA-DP-01")(context(both, stops, "@dp-pair"));
    expect(onlyStops.status).toBe("broken");
    expect(onlyStops.message).toContain("dp1 (black-hole): no experiment recorded");
    const timeouts = check("HA-DP-01")(context(both, [...stops, blackHole("dp1", `${clean}${"-".repeat(60)}${clean}`), blackHole("dp2", clean)], "@dp-pair"));
    expect(timeouts.status).toBe("failed");
    expect(timeouts.message).toContain("black-holing dp1's gateway (down after 0.12 s) gave 60 failed requests");
    expect(timeouts.evidence).toEqual(["HA-DP-01/dp1/gateway", "HA-DP-01/dp2/gateway", "HA-DP-01/dp1/gateway/black-hole", "HA-DP-01/dp2/gateway/black-hole"]);
  });

  it("fails a pair with a single member without any experiment", () => {
    const single = labEnvironment({ hosts: [{ name: "dp1", address: "127.0.0.21", roles: ["dp"] }, { name: "cp1", address: "127.0.0.11", roles: ["cp"] }] });
    expect(check("HA-DP-01")(context(single, [], "@dp-pair"))).toMatchObject({ status: "failed", actual: "1" });
  });

  it("HA-DP-02 tolerates no gateway error while a control-plane member is down", () => {
    const calm = [experimentOf("HA-DP-02", "cp1", clean), experimentOf("HA-DP-02", "cp2", clean)];
    expect(check("HA-DP-02")(context(env, calm, "@cp-pair")).status).toBe("passed");
    const disturbed = [experimentOf("HA-DP-02", "cp1", `${clean}x${clean}`), experimentOf("HA-DP-02", "cp2", clean)];
    const outcome = check("HA-DP-02")(context(env, disturbed, "@cp-pair"));
    expect(outcome.status).toBe("failed");
    expect(outcome.message).toContain("cp1's dashboard and DP Manager down (down after 0.12 s) with 1 failed gateway request and a 0.1 s outage (1 failed request > budget 0)");
  });

  it("ignores records of other requirements and foreign values", () => {
    const outcome = check("HA-DP-01")(
      context(env, [null, { id: "HA-DP-01/dp1/gateway" }, experimentOf("HA-CP-01", "dp1", "xxxx"), experimentOf("HA-DP-01", "dp1", clean), experimentOf("HA-DP-01", "dp2", clean)], "@dp-pair"),
    );
    expect(outcome.status).toBe("passed");
  });
});
