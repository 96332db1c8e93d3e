import { describe, expect, test } from "vitest";
import { parseSelection, selectsRequirement, unmatchedSelection } from "../../../helpers/run/selection.js";
import { EXIT, exitCodeOf, reconcile, unprovenMusts } from "../../../helpers/run/results.js";
import type { Verdict } from "../../../helpers/model.js";

describe("--only", () => {
  test("IDs and prefixes", () => {
    const only = parseSelection("hw-, SEC-04,HA");
    expect(only).toEqual(["HW-", "SEC-04", "HA"]);
    expect(selectsRequirement(only, "HW-03")).toBe(true);
    expect(selectsRequirement(only, "SEC-04")).toBe(true);
    expect(selectsRequirement(only, "SEC-05")).toBe(false);
    expect(selectsRequirement(only, "HA-DP-01")).toBe(true);
    expect(selectsRequirement(parseSelection(""), "TOPO-01")).toBe(true);
  });

  test("a selection that matches nothing is reported", () => {
    expect(unmatchedSelection(["HW-", "XX-"], ["HW-01", "SW-01"])).toEqual(["XX-"]);
  });
});

describe("results", () => {
  test("a planned target without a recorded verdict is broken, never missing", () => {
    const planned = [{ target: { requirement: "HW-01", target: "cp1", host: null }, level: "MUST" as const }];
    const [v] = reconcile(planned, []);
    expect(v!.status).toBe("broken");
    expect(v!.message).toMatch(/no spec test recorded a verdict/);
  });

  test("exit codes follow the status model", () => {
    const v = (status: Verdict["status"], level: Verdict["level"] = "MUST"): Verdict => ({ requirement: "HW-01", host: "cp1", target: "cp1", level, status, message: status });
    expect(exitCodeOf([v("passed"), v("passed")], false)).toBe(0);
    expect(exitCodeOf([v("failed"), v("broken")], false)).toBe(1);
    expect(exitCodeOf([v("broken"), v("skipped")], false)).toBe(2);
    expect(exitCodeOf([v("warning", "SHOULD")], false)).toBe(0);
    expect(exitCodeOf([v("warning", "SHOULD")], true)).toBe(1);
    expect(exitCodeOf([v("waived"), v("waived")], false)).toBe(0);
  });

  test("an in-scope MUST that was not evaluated is not every MUST met: exit 101, the incomplete code", () => {
    const v = (status: Verdict["status"], level: Verdict["level"]): Verdict => ({ requirement: "HA-DP-01", host: null, target: "@dp-pair", level, status, message: status });
    expect(exitCodeOf([v("passed", "MUST"), v("skipped", "MUST")], false)).toBe(EXIT.incomplete);
    expect(EXIT.incomplete).toBe(101);
    expect(exitCodeOf([v("passed", "MUST"), v("skipped", "SHOULD")], false)).toBe(0);
    expect(unprovenMusts([v("skipped", "MUST"), v("passed", "MUST")])).toHaveLength(1);
  });
});
