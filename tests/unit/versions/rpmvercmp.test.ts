import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  compareEVR,
  compareKernelRelease,
  kernelBaseBuild,
  parseEVR,
  rpmvercmp,
} from "../../../helpers/versions/rpmvercmp.js";

const vectorsFile = join(dirname(fileURLToPath(import.meta.url)), "../../fixtures/versions/rpmvercmp-vectors.txt");

/** RPMVERCMP(a, b, expected) lines of rpm's tests/rpmvercmp.at; "dnl" lines are comments. */
function readVectors(): Array<[string, string, number]> {
  return readFileSync(vectorsFile, "utf8")
    .split("\n")
    .map((line) => /^RPMVERCMP\(([^,]*), ([^,]*), (-?\d)\)$/.exec(line.trim()))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => [m[1] as string, m[2] as string, Number(m[3])]);
}

describe("rpmvercmp against rpm's own test vectors", () => {
  const vectors = readVectors();
  it("reads all of them", () => expect(vectors.length).toBe(91));
  it.each(vectors)("rpmvercmp(%s, %s) = %i", (a, b, expected) => expect(rpmvercmp(a, b)).toBe(expected));
});

describe("EVR", () => {
  it("splits epoch, version, release", () => {
    expect(parseEVR("1:2.3-4.el7")).toEqual({ epoch: "1", version: "2.3", release: "4.el7" });
    expect(parseEVR("3.10.0")).toEqual({ epoch: null, version: "3.10.0", release: null });
  });
  it("epoch first, missing epoch is 0", () => expect(compareEVR("1:1.0-1", "2.0-1")).toBe(1));
  it("release ignored when one side has none", () => expect(compareEVR("3.10.0", "3.10.0-1160.el7")).toBe(0));
});

describe("kernel releases compared in rpm order (SW-03, SW-04)", () => {
  it.each([
    ["3.10.0-1160.el7.x86_64", "3.10.0-957.el7.x86_64", 1],
    ["3.10.0-957.el7.x86_64", "3.10.0-927", 1],
    ["3.10.0-862.el7.x86_64", "3.10.0-927", -1],
    ["3.10.0-327.36.3.el7.x86_64", "3.10.0-327.el7.x86_64", 1],
    ["4.18.0-425.3.1.el8.x86_64", "3.10.0-1160.el7.x86_64", 1],
    ["5.14.0-427.13.1.el9_4.x86_64", "5.14.0-427.13.1.el9_4.x86_64", 0],
  ])("%s vs %s", (a, b, expected) => expect(compareKernelRelease(a, b)).toBe(expected));

  it("semver would get 3.10.0-1160 vs 3.10.0-957 wrong; rpm order does not", () =>
    expect(compareKernelRelease("3.10.0-1160.el7", "3.10.0-957.el7")).toBe(1));
});

describe("kernelBaseBuild: \"3.10.0-327 or earlier\" includes errata of build 327", () => {
  const atOrBefore327 = (release: string) => compareEVR(kernelBaseBuild(release), "3.10.0-327") <= 0;
  it.each([
    ["3.10.0-229.el7.x86_64", true],
    ["3.10.0-327.el7.x86_64", true],
    ["3.10.0-327.36.3.el7.x86_64", true],
    ["3.10.0-514.el7.x86_64", false],
    ["3.10.0-1160.el7.x86_64", false],
    ["4.18.0-425.3.1.el8.x86_64", false],
  ])("%s → %s", (release, expected) => expect(atOrBefore327(release)).toBe(expected));

  it("cuts the release at its first dot", () =>
    expect(kernelBaseBuild("3.10.0-327.36.3.el7.x86_64")).toEqual({ epoch: null, version: "3.10.0", release: "327" }));
  it("keeps a release without dots (Debian, Ubuntu)", () =>
    expect(kernelBaseBuild("6.1.0-18-amd64")).toEqual({ epoch: null, version: "6.1.0-18", release: "amd64" }));
});
