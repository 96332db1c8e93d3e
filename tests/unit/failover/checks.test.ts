import { describe, expect, it } from "vitest";
import type { CollectedRun } from "../../../helpers/run/collected.js";
import type { Environment } from "../../../helpers/environment/schema.js";
import { failoverChecks } from "../../../specs/checks/failover.js";
import type { CheckContext } from "../../../specs/checks/context.js";
import { experimentOf, labEnvironment } from "./experiment.js";

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
  return { env, run, target, host: null, collection: null, facts: null, allFacts: new Map() };
}

const check = (id: string) => failoverChecks[id]!;

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
      "HA-DP-01: stopping dp1's gateway gave 2 failed requests and a 0.1 s outage; stopping dp2's gateway gave 0 failed requests and no outage; budget 5 errors, RTO 5 s",
    );
    expect(outcome.evidence).toEqual(["HA-DP-01/dp1/gateway", "HA-DP-01/dp2/gateway"]);
  });

  it("fails with the measured outage when a member's loss exceeds the budgets", () => {
    // 120 failed requests at 20/s: a 6 s outage.
    const outcome = check("HA-DP-01")(
      context(env, [experimentOf("HA-DP-01", "dp1", `${clean}${"x".repeat(120)}${clean}`), experimentOf("HA-DP-01", "dp2", clean)], "@dp-pair"),
    );
    expect(outcome.status).toBe("failed");
    expect(outcome.message).toContain("stopping dp1's gateway gave 120 failed requests and a 6.0 s outage (120 failed requests > budget 5; outage 6.0 s > RTO 5 s)");
    expect(outcome.actual).toContain("dp2's gateway gave 0 failed requests");
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
    expect(missing.message).toContain("cp2: no experiment recorded");
    const refused = check("HA-CP-02")(
      context(env, [experimentOf("HA-CP-02", "cp1", clean), experimentOf("HA-CP-02", "cp2", "", { faultAt: null, error: "steady state not met before the fault" })], "@cp-pair"),
    );
    expect(refused).toMatchObject({ status: "broken" });
    expect(refused.message).toContain("cp2: no fault injected (steady state not met before the fault)");
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
    expect(outcome.message).toContain("cp1's dashboard and DP Manager down with 1 failed gateway request and a 0.1 s outage (1 failed request > budget 0)");
  });

  it("ignores records of other requirements and foreign values", () => {
    const outcome = check("HA-DP-01")(
      context(env, [null, { id: "HA-DP-01/dp1/gateway" }, experimentOf("HA-CP-01", "dp1", "xxxx"), experimentOf("HA-DP-01", "dp1", clean), experimentOf("HA-DP-01", "dp2", clean)], "@dp-pair"),
    );
    expect(outcome.status).toBe("passed");
  });
});
