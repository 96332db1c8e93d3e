// More of rpm's order, each case found by a mutant the vectors and rpmvercmp.mutation.test.ts let
// live. Expected values follow rpm's rpmio/rpmvercmp.c and the parseEVR of rpmds.c/rpmver.c.
import { describe, expect, it } from "vitest";
import { compareEVR, parseEVR, rpmvercmp } from "../../../helpers/versions/rpmvercmp.js";

describe("rpmvercmp: character classes and run types", () => {
  it.each<[string, string, number]>([
    // rpm's risalpha is A-Z and a-z only: "|" (after "z" in ASCII) separates runs like ".".
    ["2.0|1", "2.0.1", 0],
    ["2.0.1", "2.0|1", 0],
    // "A" and "a", the first letters of each case, are letters.
    ["1.0A", "1.0", 1],
    ["1.0", "1.0A", -1],
    ["1.0a", "1.0", 1],
    // Letter runs compare by bytes, not by length (that rule is for numbers only).
    ["1.0ab", "1.0b", -1],
    ["1.0b", "1.0ab", 1],
    // A caret against a letter run: the caret (the base version's continuation) is older.
    ["1.0a", "1.0^", 1],
    ["1.0^", "1.0a", -1],
  ])("rpmvercmp(%s, %s) = %i", (a, b, expected) => expect(rpmvercmp(a, b)).toBe(expected));
});

describe("parseEVR: only digits before the first colon are an epoch", () => {
  it.each<[string, ReturnType<typeof parseEVR>]>([
    ["12", { epoch: null, version: "12", release: null }],
    ["10:2.3-4", { epoch: "10", version: "2.3", release: "4" }],
    [":1.0-4", { epoch: "0", version: "1.0", release: "4" }],
    ["git:1.0", { epoch: null, version: "git:1.0", release: null }],
    ["1a:2.0", { epoch: null, version: "1a:2.0", release: null }],
    // The last "-" starts the release, even when it is the first character.
    ["-4.el7", { epoch: null, version: "", release: "4.el7" }],
  ])("%s", (evr, expected) => expect(parseEVR(evr)).toEqual(expected));

  it("a release on the left side only is not compared", () => {
    expect(compareEVR("1.0-5", "1.0")).toBe(0);
    expect(compareEVR("3.10.0-1160.el7", "3.10.0")).toBe(0);
  });
});
