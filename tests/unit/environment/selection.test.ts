import { describe, expect, test } from "vitest";
import { parseSelection, selectsRequirement, unmatchedSelection } from "../../../helpers/run/selection.js";
import { exitCodeOf, reconcile, summarize } from "../../../helpers/run/results.js";

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
    const s = (over: Partial<ReturnType<typeof summarize>>) => ({ ...summarize([]), ...over });
    expect(exitCodeOf(s({ passed: 3 }), false)).toBe(0);
    expect(exitCodeOf(s({ failed: 1, broken: 1 }), false)).toBe(1);
    expect(exitCodeOf(s({ broken: 1 }), false)).toBe(2);
    expect(exitCodeOf(s({ warning: 1 }), false)).toBe(0);
    expect(exitCodeOf(s({ warning: 1 }), true)).toBe(1);
    expect(exitCodeOf(s({ waived: 2 }), false)).toBe(0);
  });
});
