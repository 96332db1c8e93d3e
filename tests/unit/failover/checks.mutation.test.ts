// Mutation tests of the HA-* checks (specs/checks/failover.ts): status, expected, actual and the
// experiments a verdict cites. The experiments are the ten captured by the lab run
// (tests/fixtures/runs/lab/collected.json, every member restored within budget), with one field
// edited per case (the edit is written beside it); traffic with errors is recorded by
// experiment.ts's history, as tests/unit/failover/checks.test.ts does.
import { describe, expect, it } from "vitest";
import type { CheckContext } from "../../../helpers/checks/types.js";
import type { Environment } from "../../../helpers/environment/schema.js";
import { analyseTraffic } from "../../../helpers/failover/analysis.js";
import type { FailoverExperiment, HaRequirement, HealthCheck } from "../../../helpers/failover/record.js";
import type { CollectedRun } from "../../../helpers/run/collected.js";
import { failoverChecks } from "../../../specs/checks/failover.js";
import { labEnv, labRun } from "../../support/lab-run.js";
import { historyOf, T0 } from "./history.js";

const captured = labRun.failover as FailoverExperiment[];
const experiment = (id: string) => structuredClone(captured.find((e) => e.id === id)!);
const { rtoSeconds, errorBudget, recoverySeconds } = labEnv.failover;

/** The lab's experiments with those of `edits` replaced by an edited copy (or dropped: null). */
function experiments(edits: Record<string, ((e: FailoverExperiment) => FailoverExperiment) | null> = {}): unknown[] {
  return captured.flatMap((e) => {
    if (!(e.id in edits)) return [e];
    const edit = edits[e.id];
    return edit ? [edit(structuredClone(e))] : [];
  });
}

function judge(requirement: HaRequirement, failover: unknown[] = captured, env: Environment = labEnv, allowDisruption = true) {
  const run: CollectedRun = { ...labRun, options: { ...labRun.options, allowDisruption }, failover };
  const none = () => {
    throw new Error("failover checks read experiments only");
  };
  const ctx: CheckContext = { env, run, target: requirement.includes("DP-01") ? "@dp-pair" : "@cp-pair", host: null, hostEntry: none, fact: none, factOf: none, probe: none, probesWith: none, hostProbe: none };
  return failoverChecks[requirement]!.decide(ctx);
}

/** An experiment's traffic replaced by a recorded pattern ("." answered, "x" 503, "-" refused; 50 ms apart). */
function withTraffic(e: FailoverExperiment, pattern: string, faultSlot: number, rollbackSlot: number): FailoverExperiment {
  const history = historyOf(pattern);
  const faultAt = T0 + 50 * faultSlot;
  const downAt = faultAt + 120;
  return {
    ...e,
    history,
    faultAt,
    confirmation: { ...e.confirmation!, commandsEndedAt: faultAt + 80, downAt },
    rollbackAt: T0 + 50 * rollbackSlot,
    traffic: { ratePerSecond: 20, startMs: T0, endMs: T0 + 50 * pattern.length, sent: pattern.length },
    analysis: analyseTraffic(history, { faultMs: faultAt, rollbackMs: T0 + 50 * rollbackSlot }),
  };
}

const DP1 = "HA-DP-01/dp1/gateway";
const DP2 = "HA-DP-01/dp2/gateway";
const DP1_BH = "HA-DP-01/dp1/gateway/black-hole";
const DP2_BH = "HA-DP-01/dp2/gateway/black-hole";
const CP1_DASH = "HA-CP-01/cp1/dashboard";
const CP2_DASH = "HA-CP-01/cp2/dashboard";
const CP1_BOTH = "HA-DP-02/cp1/dashboard+dpManager";

describe("the captured lab experiments", () => {
  it.each<[HaRequirement, string[]]>([
    ["HA-DP-01", [DP1, DP2, DP1_BH, DP2_BH]],
    ["HA-CP-01", [CP1_DASH, CP2_DASH]],
    ["HA-CP-02", ["HA-CP-02/cp1/dpManager", "HA-CP-02/cp2/dpManager"]],
    ["HA-DP-02", [CP1_BOTH, "HA-DP-02/cp2/dashboard+dpManager"]],
  ])("%s passes, citing each planned member's experiment", (requirement, ids) => {
    const v = judge(requirement);
    expect(v.status, v.message).toBe("passed");
    expect(v.evidence).toEqual(ids);
    expect(v.actual).toBe(v.message.slice(`${requirement}: `.length, v.message.lastIndexOf("; ")));
  });

  it("HA-DP-01: each member and fault kind, with how soon the member was down", () => {
    const e = experiment(DP1);
    const v = judge("HA-DP-01");
    const downAfter = ((e.confirmation!.downAt! - e.faultAt!) / 1000).toFixed(2);
    // The captured stop of dp1's gateway lost one request (a 50 ms outage), within the budget.
    expect(e.analysis).toMatchObject({ errors: 1, longestOutageMs: expect.closeTo(50.5, 1) });
    expect(v.actual!.split("; ")[0]).toBe(`stopping dp1's gateway (down after ${downAfter} s) gave 1 failed request and a 0.1 s outage`);
    expect(v.actual!.split("; ")[2]).toMatch(/^black-holing dp1's gateway \(down after \d\.\d\d s\) gave 0 failed requests and no outage$/);
    expect(v.expected).toBe(`per dp host stopped: at most ${errorBudget} failed requests, longest outage at most ${rtoSeconds} s, restored within ${recoverySeconds} s`);
    expect(v.message.endsWith(`; budget ${errorBudget} errors, RTO ${rtoSeconds} s`)).toBe(true);
  });

  it("HA-DP-02: the control plane down, gateway errors not tolerated", () => {
    const v = judge("HA-DP-02");
    expect(v.actual!.split("; ")[0]).toMatch(/^cp1's dashboard and DP Manager down \(down after \d\.\d\d s\) with 0 failed gateway requests and no outage$/);
    expect(v.expected).toBe(`0 failed gateway requests while either CP host's dashboard and DP Manager is down; the host restored within ${recoverySeconds} s`);
    expect(v.message.endsWith("; no gateway error expected while the control plane is down")).toBe(true);
  });

  it("a rerun of the suite appends: the latest experiment of a member decides", () => {
    // cp1's experiment recorded twice: first with a 503 burst, then the captured clean one, and the other way round.
    const noisy = withTraffic(experiment(CP1_DASH), `${".".repeat(20)}${"x".repeat(40)}${".".repeat(20)}`, 20, 60);
    expect(judge("HA-CP-01", [noisy, ...captured]).status).toBe("passed");
    expect(judge("HA-CP-01", [...captured, noisy]).status).toBe("failed");
  });

  it("ignores experiments of another requirement", () => {
    // HA-CP-01's cp1 record relabelled HA-CP-02 with a 503 burst: HA-CP-01 no longer has it.
    const relabelled = { ...withTraffic(experiment(CP1_DASH), `${".".repeat(20)}${"x".repeat(40)}`, 20, 60), requirement: "HA-CP-02" as const };
    const v = judge("HA-CP-01", experiments({ [CP1_DASH]: () => relabelled }));
    expect(v.status).toBe("broken");
    expect(v.evidence).toEqual([CP2_DASH]);
  });
});

describe("skipped and short pairs", () => {
  it("is skipped unless both the command line and the environment allow disruption", () => {
    expect(judge("HA-DP-01", captured, labEnv, false)).toMatchObject({ status: "skipped" });
    expect(judge("HA-DP-01", captured, { ...labEnv, failover: { ...labEnv.failover, allowDisruption: false } })).toMatchObject({ status: "skipped" });
  });

  it.each<[string, string[], string]>([
    ["one dp host", ["cp1", "cp2", "dp1"], "1"],
    ["no dp host", ["cp1", "cp2"], "0"],
  ])("fails a pair with %s, whatever was recorded", (_name, hosts, actual) => {
    const env = { ...labEnv, hosts: labEnv.hosts.filter((h) => hosts.includes(h.name)) };
    const v = judge("HA-DP-01", captured, env);
    expect(v).toMatchObject({ status: "failed", expected: "2 or more dp hosts", actual });
    expect(v.evidence).toBeUndefined();
    expect(v.message).toContain(actual === "0" ? "(none)" : "(dp1)");
  });

  it("judges the declared pair, not every host of the role", () => {
    // failover.pairs.dp names dp1 and dp2 of an inventory with a third DP host.
    const env = { ...labEnv, hosts: [...labEnv.hosts, { name: "dp3", address: "172.23.0.5", roles: ["dp" as const] }], failover: { ...labEnv.failover, pairs: { dp: ["dp1", "dp2"] } } };
    expect(judge("HA-DP-01", captured, env).status).toBe("passed");
    expect(judge("HA-DP-01", captured, { ...env, failover: labEnv.failover }).status).toBe("broken");
  });
});

describe("budgets", () => {
  // 40 slots of 50 ms before the fault, the pattern's failures right after it, then answered again.
  const burst = (failures: string) => `${".".repeat(40)}${failures}${".".repeat(40)}`;
  const dp1With = (failures: string) => judge("HA-DP-01", experiments({ [DP1]: (e) => withTraffic(e, burst(failures), 40, 40 + failures.length + 10) }));

  it("errors up to the budget pass; one more fails", () => {
    // The lab's budget is 5 errors and an RTO of 1.5 s: 5 503s are a 0.25 s outage.
    expect(dp1With("x".repeat(errorBudget))).toMatchObject({ status: "passed" });
    const v = dp1With("x".repeat(errorBudget + 1));
    expect(v.status).toBe("failed");
    expect(v.actual).toContain(`gave ${errorBudget + 1} failed requests and a 0.3 s outage (${errorBudget + 1} failed requests > budget ${errorBudget})`);
  });

  it("one failed request is singular", () => {
    expect(dp1With("x").actual).toContain("gave 1 failed request and a 0.1 s outage;");
  });

  it("an outage of exactly the RTO passes, a longer one within the error budget fails", () => {
    // The captured dp1 experiment with its analysis edited: one closed outage of exactly 1.5 s.
    const atRto = (e: FailoverExperiment) => ({ ...e, analysis: { ...e.analysis, errors: 1, longestOutage: { ...outageOf(rtoSeconds * 1000), open: false } } });
    expect(judge("HA-DP-01", experiments({ [DP1]: atRto })).status).toBe("passed");
    const over = (e: FailoverExperiment) => ({ ...e, analysis: { ...e.analysis, errors: 1, longestOutage: { ...outageOf(rtoSeconds * 1000 + 1), open: false } } });
    const v = judge("HA-DP-01", experiments({ [DP1]: over }));
    expect(v.status).toBe("failed");
    expect(v.actual).toContain(`gave 1 failed request and a 1.5 s outage (outage 1.5 s > RTO ${rtoSeconds} s)`);
  });

  it("an outage still open when recording stopped fails, and says so", () => {
    const open = (e: FailoverExperiment) => withTraffic(e, `${".".repeat(40)}xx`, 40, 42);
    const v = judge("HA-DP-01", experiments({ [DP1]: open }));
    expect(v.status).toBe("failed");
    expect(v.actual).toContain("outage still open when recording stopped (the outage had not ended when recording stopped)");
  });

  it("HA-DP-02 fails on a single gateway error, and ignores the outage budget", () => {
    const one = (e: FailoverExperiment) => withTraffic(e, `${".".repeat(40)}x${".".repeat(40)}`, 40, 50);
    const v = judge("HA-DP-02", experiments({ [CP1_BOTH]: one }));
    expect(v.status).toBe("failed");
    expect(v.actual).toContain("with 1 failed gateway request and a 0.1 s outage (1 failed request > budget 0)");
    // An open outage with no failed request (edited analysis) is not a finding of HA-DP-02.
    const quietOpen = (e: FailoverExperiment) => ({ ...e, analysis: { ...e.analysis, errors: 0, longestOutage: { ...outageOf(60_000), open: true } } });
    expect(judge("HA-DP-02", experiments({ [CP1_BOTH]: quietOpen })).status).toBe("passed");
  });

  it("a member not restored fails; a steady state not back after it fails", () => {
    const notRestored = judge("HA-CP-01", experiments({ [CP2_DASH]: (e) => ({ ...e, restored: false, recoveredAt: null }) }));
    expect(notRestored.status).toBe("failed");
    expect(notRestored.actual).toContain(`(cp2 not healthy again within ${recoverySeconds} s of the rollback)`);
    const notSteady = judge("HA-CP-01", experiments({ [CP2_DASH]: (e) => ({ ...e, steadyAfter: { ...e.steadyAfter!, ok: false } }) }));
    expect(notSteady.status).toBe("failed");
    expect(notSteady.actual).toContain("(steady state not back after the experiment)");
    // No steady-state reading after the experiment is not a finding on its own.
    expect(judge("HA-CP-01", experiments({ [CP2_DASH]: (e) => ({ ...e, steadyAfter: null }) })).status).toBe("passed");
  });
});

/** A closed outage of the given length, as analyseTraffic reports one. */
function outageOf(durationMs: number) {
  const history = historyOf(`${".".repeat(10)}x${".".repeat(10)}`);
  const outage = analyseTraffic(history, { faultMs: T0, rollbackMs: T0 + 1000 }).longestOutage!;
  return { ...outage, durationMs };
}

describe("an experiment counts only when its preconditions hold", () => {
  const dp1 = (edit: (e: FailoverExperiment) => FailoverExperiment) => judge("HA-DP-01", experiments({ [DP1]: edit }));
  // dp1's stop is planned first and dp2's (the captured, passing one) second.
  const summaryOfDp1 = (v: ReturnType<typeof judge>) => v.actual!.slice(0, v.actual!.indexOf("; stopping dp2's gateway"));

  it("no steady state before the fault: names each check that failed, the entrypoint by its detail", () => {
    // The captured steady state with one member port and the entrypoint failing, one port answering.
    const checks: HealthCheck[] = [
      { target: "entrypoint:gateway", ok: false, detail: "30 of 40 requests answered before the fault" },
      { target: "dp2:gateway:9080", ok: false, detail: "ECONNREFUSED" },
      { target: "dp2:gateway:9443", ok: true, detail: "accepts connections" },
    ];
    const v = dp1((e) => ({ ...e, steadyBefore: { ...e.steadyBefore!, ok: false, checks } }));
    expect(v.status).toBe("broken");
    expect(summaryOfDp1(v)).toBe("dp1 (stop): no steady state: 30 of 40 requests answered before the fault; dp2:gateway:9080 ECONNREFUSED");
  });

  it("no steady-state reading at all does not stop the experiment from counting", () => {
    expect(dp1((e) => ({ ...e, steadyBefore: null })).status).toBe("passed");
  });

  it("no fault injected, for a reason the record gives or not", () => {
    const v = dp1((e) => ({ ...e, faultAt: null, confirmation: null, error: "ssh: connect to host dp1 port 22: Connection timed out" }));
    expect(v.status).toBe("broken");
    expect(summaryOfDp1(v)).toBe("dp1 (stop): no fault injected (ssh: connect to host dp1 port 22: Connection timed out)");
    // Not restored, but nothing was taken out: no "left down" note.
    const untouched = dp1((e) => ({ ...e, faultAt: null, confirmation: null, restored: false, error: "ssh: connect to host dp1 port 22: Connection timed out" }));
    expect(summaryOfDp1(untouched)).not.toContain("not healthy again");
  });

  it("a failed fault command, and the member left down after it", () => {
    const error = "stopping gateway on dp1 exited 1: Error response from daemon: No such container: api7-ee-gateway";
    const v = dp1((e) => ({ ...e, faultError: error, confirmation: null }));
    expect(summaryOfDp1(v)).toBe(`dp1 (stop): fault not injected: ${error}`);
    const leftDown = dp1((e) => ({ ...e, faultError: error, confirmation: null, restored: false }));
    expect(summaryOfDp1(leftDown)).toBe(`dp1 (stop): fault not injected: ${error}; dp1 not healthy again within ${recoverySeconds} s of the rollback`);
    expect(leftDown.status).toBe("broken");
  });

  it("not confirmed down: the ports that still answer, one or several", () => {
    const still = (ok9080: boolean, ok9443: boolean) => (e: FailoverExperiment) => ({
      ...e,
      confirmation: {
        ...e.confirmation!,
        downAt: null,
        checks: [
          { target: "dp1:gateway:9080", ok: ok9080, detail: ok9080 ? "accepts connections" : "ECONNREFUSED" },
          { target: "dp1:gateway:9443", ok: ok9443, detail: ok9443 ? "accepts connections" : "ECONNREFUSED" },
        ],
      },
    });
    expect(summaryOfDp1(dp1(still(true, true)))).toBe("dp1 (stop): fault not confirmed: 9080, 9443 still answer on dp1 3.0 s after the stop");
    expect(summaryOfDp1(dp1(still(false, true)))).toBe("dp1 (stop): fault not confirmed: 9443 still answers on dp1 3.0 s after the stop");
    expect(dp1(still(false, false)).status).toBe("broken");
    // A black hole is named as such.
    const bh = judge("HA-DP-01", experiments({ [DP1_BH]: still(true, false) }));
    expect(bh.actual).toContain("dp1 (black-hole): fault not confirmed: 9080 still answers on dp1 3.0 s after the black hole");
  });

  it("no confirmation recorded at all is not a confirmation", () => {
    const v = dp1((e) => ({ ...e, confirmation: null }));
    expect(v.status).toBe("broken");
    expect(summaryOfDp1(v)).toBe("dp1 (stop): fault not confirmed: the member still answer on dp1 0.0 s after the stop");
  });

  it("a member that came back before the rollback: only the ports that answered", () => {
    const heldChecks: HealthCheck[] = [
      { target: "dp1:gateway:9080", ok: false, detail: "ECONNREFUSED" },
      { target: "dp1:gateway:9443", ok: true, detail: "accepts connections" },
    ];
    const v = dp1((e) => ({ ...e, confirmation: { ...e.confirmation!, heldUntilRollback: false, heldChecks } }));
    expect(v.status).toBe("broken");
    expect(summaryOfDp1(v)).toBe("dp1 (stop): fault not held: 9443 answered again on dp1 before the rollback");
    // No observation window (null) is not a restart.
    expect(dp1((e) => ({ ...e, confirmation: { ...e.confirmation!, heldUntilRollback: null } })).status).toBe("passed");
  });

  it("too little traffic: at least 90 % of rate × window must have been sent", () => {
    // The captured window edited to exactly 10 s at 20/s: 200 expected, 180 is 90 %.
    const sent = (n: number) => (e: FailoverExperiment) => ({ ...e, traffic: { ratePerSecond: 20, startMs: e.traffic!.startMs, endMs: e.traffic!.startMs + 10_000, sent: n } });
    expect(dp1(sent(180)).status).toBe("passed");
    const v = dp1(sent(179));
    expect(v.status).toBe("broken");
    expect(summaryOfDp1(v)).toBe("dp1 (stop): too little traffic: 179 requests sent in 10.0 s, fewer than 90 % of 20/s × 10.0 s (200)");
    const none = dp1((e) => ({ ...e, traffic: null }));
    expect(summaryOfDp1(none)).toBe("dp1 (stop): too little traffic: none was recorded");
  });

  it("the first unmet precondition is the reason given", () => {
    // A failed fault command and no traffic: the fault is named, not the traffic.
    const v = dp1((e) => ({ ...e, faultError: "exit 1", confirmation: null, traffic: null }));
    expect(summaryOfDp1(v)).toBe("dp1 (stop): fault not injected: exit 1");
  });

  it("a broken member makes the pair broken; a failed member makes it failed whatever the others", () => {
    const broken = judge("HA-DP-01", experiments({ [DP2]: null }));
    expect(broken.status).toBe("broken");
    expect(broken.actual).toContain("dp2 (stop): no experiment recorded (the suite stops after a member is left down)");
    expect(broken.evidence).toEqual([DP1, DP1_BH, DP2_BH]);
    const both = judge("HA-DP-01", experiments({ [DP2]: null, [DP1]: (e) => withTraffic(e, `${".".repeat(40)}${"x".repeat(10)}${".".repeat(40)}`, 40, 60) }));
    expect(both.status).toBe("failed");
  });
});
