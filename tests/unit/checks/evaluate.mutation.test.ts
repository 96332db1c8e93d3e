// The verdict engine (helpers/evaluate.ts) on the captured compliant lab run, with small checks
// written here to drive each rule: what a check may read, when a pass stands, how the level and
// the page tag shape the verdict. Statuses and key values are asserted, not wording, except where
// the engine refuses a check: its message must tell that refusal from a crash of the check.
import { describe, expect, it } from "vitest";
import { observed } from "../../../helpers/checks/evidence.js";
import type { CheckContext, CheckModule, Reads, RequirementCheck } from "../../../helpers/checks/types.js";
import type { Environment } from "../../../helpers/environment/schema.js";
import {
  evaluateRun,
  evaluateTarget,
  parseAllFacts,
  planTargets,
  type RequirementRef,
  unsupportedPass,
  verdictFor,
} from "../../../helpers/evaluate.js";
import type { CheckOutcome, CommandOutput, Level, Scope } from "../../../helpers/model.js";
import type { CollectedRun, HostCollection } from "../../../helpers/run/collected.js";
import { labEnv, labRun } from "../../support/lab-run.js";

const env = labEnv;
const baseline = labRun;

const requirement = (scope: Scope[], level: Level = "MUST", id = "T-01"): RequirementRef => ({ id, level, scope, source: ["S9.1", "S9.2"] });
const check = (reads: Reads, decide: (ctx: CheckContext) => CheckOutcome): RequirementCheck => ({ reads, decide });
const input = (run: CollectedRun = baseline, environment: Environment = env) => ({ env: environment, run, allFacts: parseAllFacts(run) });
const hostOf = (name: string) => env.hosts.find((h) => h.name === name)!;
const collectionOf = (run: CollectedRun, name: string) => run.hosts.find((h) => h.name === name)!;

/** The baseline with one host's collection edited. */
function withHost(name: string, edit: (host: HostCollection) => HostCollection): CollectedRun {
  return { ...baseline, hosts: baseline.hosts.map((h) => (h.name === name ? edit(h) : h)) };
}
/** The baseline with one section of one host edited (a real output, broken in one way). */
function withSection(host: string, section: string, edit: (s: CommandOutput) => CommandOutput): CollectedRun {
  return withHost(host, (h) => ({ ...h, sections: h.sections.map((s) => (s.section === section ? edit(s) : s)) }));
}
const permissionDenied = (s: CommandOutput): CommandOutput => ({ ...s, exitCode: 1, stdout: "", stderr: "Permission denied\n" });

function evaluate(target: string, c: RequirementCheck | undefined, level: Level = "MUST", run = baseline, scope: Scope[] = ["all-hosts"]) {
  const req = requirement(scope, level);
  const planned = planTargets(req, env).find((p) => p.target === target)!;
  return evaluateTarget(req, planned, c, input(run));
}

describe("planTargets", () => {
  it.each<[Scope[], string[]]>([
    [["all-hosts"], ["cp1", "cp2", "dp1", "dp2"]],
    [["cp-hosts"], ["cp1", "cp2"]],
    [["dp-hosts"], ["dp1", "dp2"]],
    [["database"], ["@database"]],
    [["prometheus"], ["@prometheus"]],
    [["cp-pair"], ["@cp-pair"]],
    [["dp-pair"], ["@dp-pair"]],
    [["cp-hosts", "all-hosts"], ["cp1", "cp2", "dp1", "dp2"]],
    [["database", "dp-hosts", "database"], ["@database", "dp1", "dp2"]],
  ])("%j → %j", (scope, targets) => {
    const planned = planTargets(requirement(scope), env);
    expect(planned.map((p) => p.target)).toEqual(targets);
    for (const p of planned) {
      expect(p.requirement).toBe("T-01");
      expect(p.host).toEqual(p.target.startsWith("@") ? null : hostOf(p.target));
    }
  });
});

describe("parseAllFacts", () => {
  it("parses every host that answered, and none that did not", () => {
    const facts = parseAllFacts(withHost("dp2", (h) => ({ ...h, error: "connect ECONNREFUSED" })));
    expect([...facts.keys()]).toEqual(["cp1", "cp2", "dp1"]);
    expect(facts.get("cp1")?.host).toBe("cp1");
    expect(facts.get("dp1")?.arch).toBe("x86_64");
  });
});

describe("evaluateTarget: what the engine refuses before a check decides", () => {
  const passing = check({ facts: ["arch"] }, (ctx) => {
    const arch = ctx.fact("arch");
    return arch.observed ? { status: "passed", message: "ok", evidence: [...arch.sources] } : { status: "broken", message: arch.reason };
  });

  it("no check registered: broken, saying so (not a crash of a check)", () => {
    const v = evaluate("cp1", undefined);
    expect(v.status).toBe("broken");
    expect(v.message).toContain("no check is registered for T-01");
  });
  it("host with nothing collected: broken", () => {
    const run = { ...baseline, hosts: baseline.hosts.filter((h) => h.name !== "cp1") };
    expect(evaluate("cp1", passing, "MUST", run).status).toBe("broken");
  });
  it("unreachable host: broken, with its error", () => {
    const v = evaluate("cp1", passing, "MUST", withHost("cp1", (h) => ({ ...h, error: "host key changed" })));
    expect(v.status).toBe("broken");
    expect(v.message).toContain("host key changed");
  });
  it("a check that throws: broken", () => {
    const v = evaluate("cp1", check({}, () => { throw new Error("boom"); }));
    expect(v.status).toBe("broken");
    expect(v.message).toContain("boom");
  });
  it("the host guards hold even for a check that reads nothing", () => {
    const citing = check({}, () => ({ status: "passed", message: "ok", evidence: ["uname-m"] }));
    const failing = check({}, () => ({ status: "failed", message: "no" }));
    expect(evaluate("cp1", citing, "MUST", withHost("cp1", (h) => ({ ...h, error: "host key changed" }))).status).toBe("broken");
    expect(evaluate("cp1", failing, "MUST", { ...baseline, hosts: baseline.hosts.filter((h) => h.name !== "cp1") }).status).toBe("broken");
  });
  it("the same check passes on the intact run", () => {
    const v = evaluate("cp1", passing);
    expect(v).toMatchObject({ requirement: "T-01", host: "cp1", target: "cp1", level: "MUST", status: "passed", evidence: ["uname-m"] });
  });
});

describe("a check sees only what it declared", () => {
  // What the check saw, kept by the check itself (the verdict carries only a message).
  let seen: any = null;
  const reads = (reads: Reads, decide: (ctx: CheckContext) => unknown) =>
    check(reads, (ctx) => {
      seen = decide(ctx);
      return { status: "skipped", message: "seen" };
    });
  const result = (target: string, c: RequirementCheck, run = baseline, scope: Scope[] = ["all-hosts"]) => {
    seen = null;
    const v = evaluate(target, c, "MUST", run, scope);
    return { status: v.status, value: seen };
  };

  it.each<[string, RequirementCheck]>([
    ["an undeclared fact", reads({ facts: ["cpus"] }, (ctx) => ctx.fact("arch"))],
    ["a fact with nothing declared", reads({}, (ctx) => ctx.fact("arch"))],
    ["another host's fact not declared for every host", reads({ facts: ["machineId"] }, (ctx) => ctx.factOf("cp2", "machineId"))],
    ["an undeclared probe kind", reads({ probes: ["http"] }, (ctx) => ctx.probe("tcp", "tcp:cp1:22"))],
    ["probes of an undeclared kind", reads({ probes: ["http"] }, (ctx) => ctx.probesWith("tcp", "tcp:"))],
    ["an undeclared host probe", reads({ hostProbes: [] }, (ctx) => ctx.hostProbe("db-reach"))],
  ])("%s: broken", (_name, c) => expect(evaluate("cp1", c).status).toBe("broken"));

  it("the refusal names what was read without declaring it (not a crash of the check)", () => {
    expect(evaluate("cp1", reads({}, (ctx) => ctx.fact("arch"))).message).toContain("T-01 reads fact arch without declaring it");
    expect(evaluate("@database", reads({ facts: ["arch"] }, (ctx) => ctx.fact("arch")), "MUST", baseline, ["database"]).message).toContain("reads host evidence on @database, which is not a host");
  });

  it("host evidence asked on an endpoint target: broken", () => {
    expect(result("@database", reads({ facts: ["arch"] }, (ctx) => ctx.fact("arch")), baseline, ["database"]).status).toBe("broken");
    expect(result("@database", reads({ hostProbes: ["db-reach"] }, (ctx) => ctx.hostProbe("db-reach")), baseline, ["database"]).status).toBe("broken");
  });

  it("declared facts of the host under test and of other hosts", () => {
    const c = reads({ facts: ["arch"], everyHost: ["machineId"] }, (ctx) => [ctx.fact("arch"), ctx.factOf("cp2", "machineId"), ctx.factOf("ghost", "machineId")]);
    const { status, value } = result("dp1", c);
    expect(status).toBe("skipped");
    expect(value[0]).toEqual({ observed: true, value: "x86_64", sources: ["uname-m"] });
    expect(value[1]).toMatchObject({ observed: true, sources: ["machine-id"] });
    expect(value[1].value).toMatch(/^[0-9a-f]{32}$/);
    expect(value[2]).toMatchObject({ observed: false, sources: [] });
    expect(value[2].reason).toContain("ghost");
  });

  it("another host that could not be reached is a missing fact naming its error", () => {
    const c = reads({ everyHost: ["machineId"] }, (ctx) => ctx.factOf("cp2", "machineId"));
    const { value } = result("cp1", c, withHost("cp2", (h) => ({ ...h, error: "timed out connecting" })));
    expect(value).toMatchObject({ observed: false, sources: [] });
    expect(value.reason).toContain("timed out connecting");
  });

  it("declared probes, one by key and all by prefix and kind", () => {
    const c = reads({ probes: ["tcp", "http"] }, (ctx) => ({
      one: ctx.probe("tcp", "tcp:cp1:22"),
      absent: ctx.probe("tcp", "tcp:cp1:1"),
      tcpOfCp1: ctx.probesWith("tcp", "tcp:cp1:").map((p) => p.key),
      httpOfCp1: ctx.probesWith("http", "http:cp1:").map((p) => p.key),
      tcpUnderHttpPrefix: ctx.probesWith("tcp", "http:cp1:").map((p) => p.key),
      observed: ctx.probesWith("http", "http:cp1:").map((p) => p.fact.observed),
    }));
    const { value } = result("cp1", c);
    expect(value.one).toMatchObject({ observed: true, sources: ["tcp:cp1:22"], value: { state: "open", target: expect.any(String) } });
    expect(value.absent).toMatchObject({ observed: false, sources: ["tcp:cp1:1"] });
    expect(value.tcpOfCp1).toEqual(baseline.probes.filter((p) => p.key.startsWith("tcp:cp1:")).map((p) => p.key));
    expect(value.tcpOfCp1.length).toBeGreaterThan(1);
    expect(value.httpOfCp1).toEqual(["http:cp1:7080", "http:cp1:7900"]);
    expect(value.tcpUnderHttpPrefix).toEqual([]);
    expect(value.observed).toEqual([true, true]);
  });

  describe("host probes: finished is evidence, whatever its exit code", () => {
    const dbReach = (edit: (s: CommandOutput) => CommandOutput | null) =>
      withHost("cp1", (h) => ({ ...h, hostProbes: h.hostProbes.flatMap((p) => (p.section === "db-reach" ? [edit(p)].filter((x): x is CommandOutput => x !== null) : [p])) }));
    const probeOf = (run: CollectedRun) => result("cp1", reads({ hostProbes: ["db-reach"] }, (ctx) => ctx.hostProbe("db-reach")), run).value;

    it("the probe asked for, not another one of the host", () => {
      const withOther = withHost("cp1", (h) => ({ ...h, hostProbes: [{ ...h.hostProbes[0]!, section: "other", exitCode: null }, ...h.hostProbes] }));
      expect(probeOf(withOther)).toMatchObject({ observed: true, sources: ["db-reach"] });
    });

    it.each<[string, (s: CommandOutput) => CommandOutput | null, boolean]>([
      ["as collected", (s) => s, true],
      ["exit 1", (s) => ({ ...s, exitCode: 1 }), true],
      ["not run on this host", () => null, false],
      ["not run", (s) => ({ ...s, notRun: "budget used up" }), false],
      ["timed out", (s) => ({ ...s, timedOut: true }), false],
      ["cut off", (s) => ({ ...s, exitCode: null }), false],
    ])("%s: observed %s", (_name, edit, isObserved) => {
      const fact = probeOf(dbReach(edit));
      expect(fact.observed).toBe(isObserved);
      expect(fact.sources).toEqual(["db-reach"]);
    });
  });
});

describe("a pass must rest on intact evidence", () => {
  const citing = (evidence: string[]) => check({}, () => ({ status: "passed", message: "ok", evidence }));

  it.each<[string, string, string[], CollectedRun, "passed" | "broken"]>([
    ["a clean section", "cp1", ["uname-m"], baseline, "passed"],
    ["no evidence at all", "cp1", [], baseline, "broken"],
    ["a section that failed", "cp1", ["uname-m"], withSection("cp1", "uname-m", permissionDenied), "broken"],
    ["a section of another host that failed", "cp1", ["uname-m"], withSection("cp2", "uname-m", permissionDenied), "passed"],
    ["a section of the last host that failed", "dp2", ["uname-m"], withSection("dp2", "uname-m", permissionDenied), "broken"],
    ["a failed section beside an unrelated experiment", "cp1", ["uname-m"], { ...withSection("cp1", "uname-m", permissionDenied), failover: [{ id: "HA-X/cp1/dashboard" }] }, "broken"],
    ["a section never collected", "cp1", ["no-such-section"], baseline, "broken"],
    ["a probe with a measurement", "cp1", ["tcp:cp1:22"], baseline, "passed"],
    ["a probe that never ran", "cp1", ["tcp:cp1:1"], baseline, "broken"],
    ["a finished host probe", "cp1", ["db-reach"], baseline, "passed"],
    ["a host probe cut off", "cp1", ["db-reach"], withHost("cp1", (h) => ({ ...h, hostProbes: h.hostProbes.map((p) => ({ ...p, exitCode: null })) })), "broken"],
    ["a failed section in a run that recorded no experiment", "cp1", ["uname-m"], { ...withSection("cp1", "uname-m", permissionDenied), failover: [] }, "broken"],
    ["a recorded experiment", "cp1", ["HA-X/cp1/dashboard"], { ...baseline, failover: [{ id: "HA-X/cp1/dashboard" }] }, "passed"],
    ["a section, every host's, on an endpoint target", "@database", ["uname-m"], baseline, "passed"],
    ["a section failed on one host, on an endpoint target", "@database", ["uname-m"], withSection("dp2", "uname-m", permissionDenied), "broken"],
  ])("%s: %s", (_name, target, evidence, run, status) => {
    const v = evaluate(target, citing(evidence), "MUST", run, target.startsWith("@") ? ["database"] : ["all-hosts"]);
    expect(v.status).toBe(status);
  });

  it("names the evidence that failed, and the host when the target is not one", () => {
    const onHost = unsupportedPass({ status: "passed", message: "", evidence: ["uname-m"] }, collectionOf(withSection("cp1", "uname-m", permissionDenied), "cp1"), baseline);
    expect(onHost).toMatch(/^uname-m: exit 1/);
    const endpoint = unsupportedPass({ status: "passed", message: "", evidence: ["uname-m"] }, null, withSection("dp2", "uname-m", permissionDenied));
    expect(endpoint).toMatch(/^dp2 uname-m: exit 1/);
    expect(unsupportedPass({ status: "passed", message: "", evidence: ["uname-m", "tcp:cp1:22", "db-reach"] }, collectionOf(baseline, "cp1"), baseline)).toBeNull();
  });

  it("an outcome that names no evidence at all", () =>
    expect(unsupportedPass({ status: "passed", message: "" }, collectionOf(baseline, "cp1"), baseline)).toBe("it names no evidence"));

  it("a check's failure needs no such support", () => {
    expect(evaluate("cp1", check({}, () => ({ status: "failed", message: "no" }))).status).toBe("failed");
  });
});

describe("level, host and page tag shape the verdict", () => {
  const deciding = (status: CheckOutcome["status"]) => check({}, () => ({ status, message: "said", evidence: ["uname-m"] }));

  it.each<[CheckOutcome["status"], Level, string]>([
    ["failed", "MUST", "failed"],
    ["failed", "SHOULD", "warning"],
    ["failed", "INFO", "passed"],
    ["passed", "SHOULD", "passed"],
    ["warning", "MUST", "warning"],
    ["broken", "SHOULD", "broken"],
    ["broken", "INFO", "broken"],
    ["skipped", "MUST", "skipped"],
  ])("check %s at %s → %s", (decided, level, status) => expect(evaluate("cp1", deciding(decided), level).status).toBe(status));

  it.each<[CheckOutcome["status"], string]>([
    ["passed", "cp1: said (S9.1, S9.2)"],
    ["failed", "cp1: said (S9.1, S9.2)"],
    ["warning", "cp1: said (S9.1, S9.2)"],
    ["broken", "cp1: said"],
    ["skipped", "cp1: said"],
  ])("%s on a host: %s", (decided, message) => expect(evaluate("cp1", deciding(decided)).message).toBe(message));

  it("an endpoint target carries no host prefix and a null host", () => {
    const v = evaluate("@database", deciding("passed"), "MUST", baseline, ["database"]);
    expect(v).toMatchObject({ host: null, target: "@database", status: "passed", message: "said (S9.1, S9.2)" });
  });
});

describe("verdictFor and evaluateRun", () => {
  const always = (status: CheckOutcome["status"]): RequirementCheck => check({}, () => ({ status, message: "m", evidence: ["uname-m"] }));
  const checks: CheckModule = { "T-01": always("failed"), "T-02": always("passed") };

  it("verdictFor evaluates one planned target and refuses one that is not", () => {
    expect(verdictFor(requirement(["cp-hosts"]), "cp2", checks, input())).toMatchObject({ target: "cp2", status: "failed" });
    expect(() => verdictFor(requirement(["cp-hosts"]), "dp1", checks, input())).toThrow("dp1 is not a target of T-01");
  });

  it("evaluateRun: every target of every requirement, waivers judged as of the run's start", () => {
    const day = baseline.startedAt.slice(0, 10);
    const waiver = (expires: string) => ({ requirement: "T-01", host: "cp2", justification: "accepted for the test", approver: "lead", expires });
    const catalogue = [requirement(["cp-hosts"], "MUST", "T-01"), requirement(["dp-pair"], "MUST", "T-02")];
    const statuses = (expires: string) =>
      evaluateRun({ ...env, waivers: [waiver(expires)] }, baseline, catalogue, checks).map((v) => `${v.requirement} ${v.target} ${v.status}`);
    expect(statuses(day)).toEqual(["T-01 cp1 failed", "T-01 cp2 waived", "T-02 @dp-pair passed"]);
    expect(statuses("2000-01-01")).toEqual(["T-01 cp1 failed", "T-01 cp2 failed", "T-02 @dp-pair passed"]);
  });
});
