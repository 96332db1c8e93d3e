import { describe, expect, test } from "vitest";
import { parseEnvironmentText } from "../../../helpers/environment/load.js";
import { planTargets } from "../../../helpers/evaluate.js";
import { mergeJunit } from "../../../helpers/run/merge.js";
import {
  ownedTargets,
  parseShard,
  shardEnvironment,
  shardHosts,
  shardRecord,
  shardSetProblems,
  shardTestNamePattern,
  ShardSyntaxError,
  testNamePattern,
} from "../../../helpers/run/shard.js";
import { loadCatalogue } from "../../../helpers/checks/catalogue.js";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";

const REPO = resolve(import.meta.dirname, "../../..");
/** The committed lab file with 10 concrete hosts instead of placeholders. */
function inventory(names: string[]) {
  const text = readFileSync(join(REPO, "environments/lab.yaml"), "utf8").replace(/"\{\{[a-z0-9-]+\}\}"/g, '"10.0.0.1"');
  const env = parseEnvironmentText(text, "lab.yaml");
  return { ...env, hosts: names.map((name, i) => ({ name, address: `10.0.0.${i + 2}`, roles: [name.startsWith("cp") ? ("cp" as const) : ("dp" as const)] })) };
}

describe("parseShard", () => {
  test("reads i/n", () => {
    expect(parseShard("2/3")).toEqual({ index: 2, count: 3 });
    expect(parseShard(" 1 / 1 ")).toEqual({ index: 1, count: 1 });
  });
  test.each(["0/2", "3/2", "1/0", "1", "a/b", "1/2/3", "-1/2"])("rejects %s", (value) => {
    expect(() => parseShard(value)).toThrow(ShardSyntaxError);
  });
});

describe("host assignment", () => {
  const names = ["cp1", "cp2", "dp1", "dp2", "h005", "h006", "h007"];
  test("round-robin in inventory order: every host in exactly one shard, deterministic", () => {
    const shards = [1, 2, 3].map((index) => shardHosts(names, { index, count: 3 }));
    expect(shards).toEqual([
      ["cp1", "dp2", "h007"],
      ["cp2", "h005"],
      ["dp1", "h006"],
    ]);
    expect(shards.flat().sort()).toEqual([...names].sort());
    expect(shardHosts(names, { index: 1, count: 1 })).toEqual(names);
  });
  test("two shards of the lab get one CP and one DP host each", () => {
    expect(shardHosts(["cp1", "cp2", "dp1", "dp2"], { index: 1, count: 2 })).toEqual(["cp1", "dp1"]);
    expect(shardHosts(["cp1", "cp2", "dp1", "dp2"], { index: 2, count: 2 })).toEqual(["cp2", "dp2"]);
  });
  test("the shard environment keeps everything but the other hosts", () => {
    const env = inventory(names);
    const part = shardEnvironment(env, { index: 2, count: 3 });
    expect(part.hosts.map((h) => h.name)).toEqual(["cp2", "h005"]);
    expect(part.database).toEqual(env.database);
  });
});

describe("target ownership over the real catalogue", () => {
  const env = inventory(["cp1", "cp2", "dp1", "dp2", "h005"]);
  const catalogue = loadCatalogue();
  const planned = catalogue.flatMap((r) => planTargets(r, env));
  const key = (p: { requirement: string; target: string }) => `${p.requirement} ${p.target}`;

  test.each([2, 3, 5])("n = %i: shards partition every target except the deferred TOPO-01", (count) => {
    const owned = Array.from({ length: count }, (_, i) => ownedTargets(planned, { index: i + 1, count }, env).map(key));
    const union = owned.flat();
    expect(new Set(union).size).toBe(union.length);
    expect(union.sort()).toEqual(planned.filter((p) => p.requirement !== "TOPO-01").map(key).sort());
  });
  test("host-free targets go to shard 1 only", () => {
    const second = ownedTargets(planned, { index: 2, count: 2 }, env);
    expect(second.some((p) => p.target.startsWith("@"))).toBe(false);
    const first = ownedTargets(planned, { index: 1, count: 2 }, env).map(key);
    expect(first).toEqual(expect.arrayContaining(["DB-02 @database", "PORT-05 @prometheus", "HA-CP-01 @cp-pair", "SEC-03 @database", "DB-01 @database"]));
  });
  test("one shard of one owns everything, TOPO-01 included", () => {
    expect(ownedTargets(planned, { index: 1, count: 1 }, env)).toEqual(planned);
  });
  test("the record defers TOPO-01 only when it is selected and n > 1", () => {
    expect(shardRecord(env, { index: 2, count: 2 }, ["TOPO-01", "HW-01"], undefined).deferred).toEqual(["TOPO-01"]);
    expect(shardRecord(env, { index: 2, count: 2 }, ["HW-01"], "HW-").deferred).toEqual([]);
    expect(shardRecord(env, { index: 1, count: 1 }, ["TOPO-01"], undefined).deferred).toEqual([]);
  });
});

describe("test-name pattern (vitest --testNamePattern)", () => {
  // Full names as vitest builds them: "<describe> <test title>", the title from helpers/requirement.ts.
  const name = (id: string, target: string) => `Minimum hardware ${id} ${target}: Some title (with: colons)`;
  const pattern = new RegExp(testNamePattern(["cp1", "h0.5", "@database"], ["TOPO-01"]));
  test("selects the shard's targets", () => {
    expect(pattern.test(name("HW-01", "cp1"))).toBe(true);
    expect(pattern.test(name("HA-CP-01", "@database"))).toBe(true);
    expect(pattern.test(name("SEC-04", "h0.5"))).toBe(true);
  });
  test("not a prefix, not a regex wildcard, not a deferred requirement", () => {
    expect(pattern.test(name("HW-01", "cp10"))).toBe(false);
    expect(pattern.test(name("HW-01", "h005"))).toBe(false);
    expect(pattern.test(name("TOPO-01", "cp1"))).toBe(false);
    expect(pattern.test(name("HW-01", "cp2"))).toBe(false);
  });
  test("a shard record's pattern adds the host-free targets on shard 1 only", () => {
    const env = inventory(["cp1", "cp2", "dp1", "dp2"]);
    const one = new RegExp(shardTestNamePattern(shardRecord(env, { index: 1, count: 2 }, ["DB-01"], undefined), ["@database"]));
    const two = new RegExp(shardTestNamePattern(shardRecord(env, { index: 2, count: 2 }, ["DB-01"], undefined), ["@database"]));
    expect(one.test(name("DB-01", "@database"))).toBe(true);
    expect(two.test(name("DB-01", "@database"))).toBe(false);
    expect(two.test(name("DB-01", "cp2"))).toBe(true);
  });
  test("an empty target list matches nothing", () => {
    expect(new RegExp(testNamePattern([])).test(name("HW-01", "cp1"))).toBe(false);
  });
});

describe("shard set checks (merge input)", () => {
  const record = (index: number, count: number, hosts: string[]) => ({ index, count, hosts, hostFreeTargets: index === 1, deferred: [], only: null });
  test("complete and disjoint: no problem", () => {
    expect(shardSetProblems([record(2, 2, ["cp2"]), record(1, 2, ["cp1"])])).toEqual([]);
  });
  test("missing, duplicate, mixed n, overlapping hosts", () => {
    expect(shardSetProblems([record(1, 3, ["a"]), record(1, 3, ["b"]), record(2, 2, ["a"])])).toEqual([
      "the runs were split differently (n = 3, 2)",
      "shard 1/3 is given 2 times",
      "shard 3/3 is missing",
      "host a was audited by shard 1 and shard 2",
    ]);
  });
});

describe("mergeJunit", () => {
  const junit = (cases: string) => `<?xml version="1.0" encoding="UTF-8" ?>\n<testsuites name="x" tests="2">\n<testsuite name="specs/h.spec.ts">\n${cases}\n</testsuite>\n</testsuites>\n`;
  const tc = (name: string, body = "") => `<testcase classname="specs/h.spec.ts" name="Hardware &gt; ${name}: t" time="0.1">${body}\n</testcase>`;
  test("keeps each source's own cases and drops the filter's skipped placeholders", () => {
    const merged = mergeJunit([
      { xml: junit(`${tc("HW-01 cp1")}\n${tc("HW-01 cp2", "<skipped/>")}`), owns: new RegExp(testNamePattern(["cp1"])) },
      { xml: junit(`${tc("HW-01 cp1", "<skipped/>")}\n${tc("HW-01 cp2", '<failure message="m"/>')}`), owns: new RegExp(testNamePattern(["cp2"])) },
    ]);
    expect(merged.match(/<testcase /g)).toHaveLength(2);
    expect(merged).not.toContain("<skipped");
    expect(merged).toContain('<testsuites name="api7-ha-audit" tests="2" failures="1" errors="0">');
  });
});
