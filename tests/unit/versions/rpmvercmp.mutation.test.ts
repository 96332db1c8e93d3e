// rpm's order at the edges its own vectors (rpmvercmp-vectors.txt) leave loose: the last letters
// of each case, tilde and caret against an ended string, numeric runs of different lengths.
import { describe, expect, it } from "vitest";
import { compareEVR, kernelBaseBuild, kernelEVR, rpmvercmp } from "../../../helpers/versions/rpmvercmp.js";

describe("rpmvercmp edges", () => {
  it.each<[string, string, number]>([
    ["1.0z", "1.0y", 1],
    ["1.0Z", "1.0Y", 1],
    ["1.0Z", "1.0a", -1],
    ["1.0z", "1.0", 1],
    ["1.0Z", "1.0", 1],
    ["1.9", "1.10", -1],
    ["1.10", "1.9", 1],
    ["1.010", "1.9", 1],
    ["1.0~rc1", "1.0", -1],
    ["1.0", "1.0~rc1", 1],
    ["1.0~rc1", "1.0~rc2", -1],
    ["1.0^", "1.0", 1],
    ["1.0", "1.0^", -1],
    ["1.0^git1", "1.0.1", -1],
    ["1.0.1", "1.0^git1", 1],
    ["1.0^git1", "1.0^git2", -1],
    ["1.0^git2", "1.0^git1", 1],
    ["1.0^git1", "1.0^git1", 0],
    ["1.0a", "1.0.1", -1],
    ["1.0.1", "1.0a", 1],
    ["1..0", "1.0", 0],
  ])("rpmvercmp(%s, %s) = %i", (a, b, expected) => expect(rpmvercmp(a, b)).toBe(expected));

  it("EVR: epoch first, a missing release matches any", () => {
    expect(compareEVR("1:1.0-1", "2.0-1")).toBe(1);
    expect(compareEVR("0:1.0-1", "1.0-1")).toBe(0);
    expect(compareEVR("1.0", "1.0-5")).toBe(0);
    expect(compareEVR("1.0-4", "1.0-5")).toBe(-1);
    expect(compareEVR(":1.0-4", "0:1.0-4")).toBe(0);
  });

  it("kernel releases: arch suffix dropped, base build cut at its first dot", () => {
    expect(kernelEVR("3.10.0-1160.el7.x86_64\n")).toEqual({ epoch: null, version: "3.10.0", release: "1160.el7" });
    expect(kernelEVR("5.14.0-427.13.1.el9_4.aarch64")).toEqual({ epoch: null, version: "5.14.0", release: "427.13.1.el9_4" });
    expect(kernelBaseBuild("3.10.0-327.36.3.el7.x86_64")).toEqual({ epoch: null, version: "3.10.0", release: "327" });
    expect(kernelBaseBuild("3.10.0")).toEqual({ epoch: null, version: "3.10.0", release: null });
  });
});
