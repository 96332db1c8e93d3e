// The check layer's building blocks, table-driven: the assertion helpers (helpers/checks/assert.ts),
// when a section's failure is itself an observation (evidence.ts) and when a probe record is a
// measurement (probes.ts). Statuses, values and evidence are asserted, not wording.
import { describe, expect, it } from "vitest";
import { allOf, allOfNamed, atLeast, equals, fail, given, mapFact, pass, skip, versionAtLeast, warn } from "../../../helpers/checks/assert.js";
import { type Fact, missing, observed, reportsAbsence, unusable } from "../../../helpers/checks/evidence.js";
import { probeFact, probeKindOf, recordFact } from "../../../helpers/checks/probes.js";
import type { CommandOutput } from "../../../helpers/model.js";
import type { CollectedRun, ProbeRecord } from "../../../helpers/run/collected.js";
import { absentFile, fixture } from "../facts/fixtures.js";

const seen = <T>(value: T, ...sources: string[]): Fact<T> => observed(value, sources);
const gone = (reason: string, ...sources: string[]): Fact<never> => missing(reason, sources);

describe("decisions", () => {
  it("carry their status, message and detail", () => {
    expect(pass("m", { expected: "e", actual: "a" })).toEqual({ status: "passed", message: "m", expected: "e", actual: "a" });
    expect(fail("m", { expected: "e" })).toEqual({ status: "failed", message: "m", expected: "e" });
    expect(warn("m")).toEqual({ status: "warning", message: "m" });
    expect(skip("m")).toEqual({ status: "skipped", message: "m" });
  });
});

describe("given", () => {
  it("decides from observed values; the evidence is every source once, then the decision's own", () => {
    const outcome = given({ a: seen(2, "s1", "s2"), b: seen("x", "s2", "s3") }, ({ a, b }) => ({ ...pass(`${a}${b}`), evidence: ["s3", "p1"] }));
    expect(outcome).toEqual({ status: "passed", message: "2x", evidence: ["s1", "s2", "s3", "p1"] });
  });

  it("a decision without evidence of its own keeps the facts' sources", () => {
    expect(given({ a: seen(1, "s1") }, () => fail("no"))).toEqual({ status: "failed", message: "no", evidence: ["s1"] });
  });

  it("a decision that says its evidence is undefined keeps the facts' sources", () => {
    expect(given({ a: seen(1, "s1") }, () => ({ status: "broken", message: "no", evidence: undefined }))).toEqual({ status: "broken", message: "no", evidence: ["s1"] });
  });

  it("any missing fact is broken before deciding, naming each missing one", () => {
    let decided = false;
    const outcome = given({ a: seen(1, "s1"), b: gone("timed out", "s2"), c: gone("exit 1", "s3") }, () => {
      decided = true;
      return pass("never");
    });
    expect(decided).toBe(false);
    expect(outcome.status).toBe("broken");
    expect(outcome.evidence).toEqual(["s1", "s2", "s3"]);
    expect(outcome.message).toContain("b unknown (timed out)");
    expect(outcome.message).toContain("c unknown (exit 1)");
    expect(outcome.message).not.toContain("a unknown");
  });
});

describe("mapFact and allOf", () => {
  it("mapFact transforms an observed value and keeps a missing one", () => {
    expect(mapFact(seen(2, "s"), (n) => n * 3)).toEqual({ observed: true, value: 6, sources: ["s"] });
    const absent = gone("why", "s");
    expect(mapFact(absent, () => 1)).toBe(absent);
  });

  it("allOf: every value in order, sources once", () => {
    expect(allOf([seen(1, "a"), seen(2, "b", "a")])).toEqual({ observed: true, value: [1, 2], sources: ["a", "b"] });
    expect(allOf([])).toEqual({ observed: true, value: [], sources: [] });
  });

  it("allOf: missing as soon as one is, with every reason", () => {
    const fact = allOf<number>([seen(1, "a"), gone("r1", "b"), gone("r2", "c")]);
    expect(fact).toMatchObject({ observed: false, sources: ["a", "b", "c"] });
    expect(fact.observed ? "" : fact.reason.split("; ")).toEqual(["r1", "r2"]);
  });
});

describe("allOfNamed", () => {
  it("every value under its name, sources once", () => {
    expect(allOfNamed({ a: seen(1, "s1"), b: seen("x", "s2", "s1") })).toEqual({ observed: true, value: { a: 1, b: "x" }, sources: ["s1", "s2"] });
  });

  it("missing as soon as one is, naming each missing one with its reason", () => {
    expect(allOfNamed({ a: seen(1, "s1"), b: gone("r1", "s2"), c: gone("r2", "s3") })).toEqual({ observed: false, reason: "b: r1; c: r2", sources: ["s1", "s2", "s3"] });
  });
});

describe("comparisons against a named threshold", () => {
  const TWO = { value: 2, expected: "at least 2" };

  it.each<[string, () => ReturnType<typeof equals>, string, string | undefined]>([
    ["equals, same", () => equals(seen("x86_64", "uname-m"), { value: "x86_64", expected: "x86_64" }, "arch"), "passed", "x86_64"],
    ["equals, different", () => equals(seen("aarch64", "uname-m"), { value: "x86_64", expected: "x86_64" }, "arch"), "failed", "aarch64"],
    ["equals, shown", () => equals(seen(4, "n"), { value: 4, expected: "4" }, "n", (v) => `${v} cores`), "passed", "4 cores"],
    ["atLeast, below", () => atLeast(seen(1, "nproc"), TWO, "cpus"), "failed", "1"],
    ["atLeast, equal", () => atLeast(seen(2, "nproc"), TWO, "cpus"), "passed", "2"],
    ["atLeast, above", () => atLeast(seen(3, "nproc"), TWO, "cpus", (n) => `${n}!`), "passed", "3!"],
    ["versionAtLeast, older", () => versionAtLeast(seen("19.03.15", "v"), { value: "20.10", expected: "20.10+" }, "docker"), "failed", "19.03.15"],
    ["versionAtLeast, equal", () => versionAtLeast(seen("20.10", "v"), { value: "20.10", expected: "20.10+" }, "docker"), "passed", "20.10"],
    ["versionAtLeast, newer", () => versionAtLeast(seen("20.10.24", "v"), { value: "20.10", expected: "20.10+" }, "docker"), "passed", "20.10.24"],
  ])("%s → %s", (_name, outcome, status, actual) => {
    const o = outcome();
    expect(o.status).toBe(status);
    expect(o.actual).toBe(actual);
    expect(o.expected).toBeTypeOf("string");
    expect(o.evidence?.length).toBe(1);
  });

  it.each([
    ["equals", equals(gone("r", "s"), { value: 1, expected: "1" }, "x")],
    ["atLeast", atLeast(gone("r", "s"), { value: 1, expected: "1" }, "x")],
    ["versionAtLeast", versionAtLeast(gone("r", "s"), { value: "1", expected: "1" }, "x")],
  ])("%s on a missing fact is broken", (_name, outcome) => {
    expect(outcome).toMatchObject({ status: "broken", evidence: ["s"] });
    expect(outcome.expected).toBeUndefined();
  });

  it("the threshold's wording is the expected value", () => {
    expect(atLeast(seen(1, "n"), TWO, "cpus").expected).toBe("at least 2");
    expect(equals(seen(1, "n"), { value: 1, expected: "exactly one" }, "n").expected).toBe("exactly one");
  });
});

describe("unusable and reportsAbsence", () => {
  const uname = fixture("kernel/6.1.0-18-amd64", "uname-r");
  const lookup = (sections: CommandOutput[]) => (name: string) => sections.find((s) => s.section === name);

  it("unusable names the section, or null when it ran cleanly", () => {
    expect(unusable(lookup([uname]), "uname-r")).toBeNull();
    expect(unusable(lookup([]), "uname-r")).toMatch(/^uname-r: /);
    expect(unusable(lookup([{ ...uname, exitCode: 2 }]), "uname-r")).toMatch(/^uname-r: exit 2/);
  });

  const absent = absentFile("selinux-config", "/etc/selinux/config");
  const notInstalled = fixture("docker/version-not-installed", "docker-version");
  it.each<[string, CommandOutput | undefined, boolean]>([
    ["a file that does not exist", absent, true],
    ["a program that is not installed", notInstalled, true],
    ["exit 127 without 'not found'", { ...notInstalled, stderr: "bash: docker: Permission denied\n" }, false],
    ["no such file, but permission denied too", { ...absent, stderr: `${absent.stderr}cat: /etc/selinux: Permission denied\n` }, false],
    ["no such file with exit 0", { ...absent, exitCode: 0 }, false],
    ["another failure", { ...absent, stderr: "cat: /etc/selinux/config: Input/output error\n" }, false],
    ["a section never collected", undefined, false],
    ["not run", { ...absent, notRun: "budget used up" }, false],
    ["timed out", { ...absent, timedOut: true }, false],
    ["cut off", { ...absent, exitCode: null }, false],
    ["the daemon's docker down", fixture("docker/version-daemon-down", "docker-version"), false],
  ])("%s: absence %s", (_name, section, isAbsence) => expect(reportsAbsence(section)).toBe(isAbsence));
});

describe("probe records as facts", () => {
  const record = (key: string, kind: ProbeRecord["kind"], result: unknown): ProbeRecord => ({ key, kind, host: null, target: "10.0.0.1:22", startedAt: "2026-06-01T12:00:00.000Z", durationMs: 3, result });
  const run = (probes: ProbeRecord[]): CollectedRun => ({ runId: "r", environmentName: "unit", startedAt: "2026-06-01T12:00:00.000Z", options: { fullPortSweep: false, allowDisruption: false, strict: false }, hosts: [], probes, failover: [] });

  it.each<[string, string | null]>([
    ["tcp:cp1:22", "tcp"],
    ["tls:dp1:9443", "tls"],
    ["http:entrypoint:gateway", "http"],
    ["pg:database", "pg"],
    ["sweep:cp1", "sweep"],
    ["prometheus", "prometheus"],
    ["db-reach", null],
    ["uname-m", null],
    ["ftp:cp1:21", null],
  ])("the kind of %s is %s", (key, kind) => expect(probeKindOf(key)).toBe(kind));

  it.each<[string, unknown, boolean]>([
    ["open", { state: "open", ms: 1 }, true],
    ["closed", { state: "closed", ms: 1, error: "ECONNREFUSED" }, true],
    ["filtered, silent", { state: "filtered", ms: 3000, error: "timeout after 3000 ms" }, true],
    ["filtered, no error given", { state: "filtered", ms: 3000 }, true],
    ["filtered, host prohibited", { state: "filtered", ms: 1, error: "EHOSTUNREACH" }, true],
    ["filtered, name not resolved", { state: "filtered", ms: 1, error: "ENOTFOUND" }, false],
    ["filtered, a local error mentioning a timeout", { state: "filtered", ms: 1, error: "EPERM (timeout)" }, false],
    ["the probe's own error", { error: "EPERM" }, false],
    ["no result", null, false],
    ["garbage", "<html>503</html>", false],
  ])("tcp %s: observed %s", (_name, result, isObserved) => {
    const fact = recordFact(record("tcp:cp1:22", "tcp", result), "tcp");
    expect(fact.observed).toBe(isObserved);
    expect(fact.sources).toEqual(["tcp:cp1:22"]);
    if (fact.observed) expect(fact.value).toMatchObject({ ...(result as object), startedAt: "2026-06-01T12:00:00.000Z", target: "10.0.0.1:22" });
  });

  it("a missing shape field is the probe's failure, its error named", () => {
    const fact = recordFact(record("http:cp1:7080", "http", { error: "socket hang up" }), "http");
    expect(fact.observed ? "" : fact.reason).toContain("socket hang up");
    expect(recordFact(record("http:cp1:7080", "http", { ok: false, status: null, error: "ECONNREFUSED" }), "http").observed).toBe(true);
    expect(recordFact(record("pg:database", "pg", { state: "open" }), "pg").observed).toBe(false);
  });

  it("a filtered state matters only for tcp", () => {
    expect(recordFact(record("sweep:cp1", "sweep", { open: [22], state: "filtered", error: "ENOTFOUND" }), "sweep").observed).toBe(true);
  });

  it("probeFact finds the record by key, or says it did not run", () => {
    const probes = [record("tcp:cp1:22", "tcp", { state: "open", ms: 1 }), record("tcp:cp1:80", "tcp", { error: "x" })];
    expect(probeFact(run(probes), "tcp", "tcp:cp1:22")).toMatchObject({ observed: true, sources: ["tcp:cp1:22"] });
    expect(probeFact(run(probes), "tcp", "tcp:cp1:80").observed).toBe(false);
    expect(probeFact(run(probes), "tcp", "tcp:cp1:443")).toMatchObject({ observed: false, sources: ["tcp:cp1:443"] });
  });
});
