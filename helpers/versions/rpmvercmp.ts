// RPM version comparison, ported from rpm's rpmio/rpmvercmp.c so that kernel and package
// versions are ordered exactly as `rpm` and `yum` order them (SW-03, SW-04): not semver.

/** -1 when a is older than b, 0 when equal, 1 when a is newer. */
export type Comparison = -1 | 0 | 1;

// rpm uses its own ASCII-only classes (risdigit/risalpha), never the locale's.
const isDigit = (c: string): boolean => c >= "0" && c <= "9";
const isAlpha = (c: string): boolean => (c >= "a" && c <= "z") || (c >= "A" && c <= "Z");
const isAlnum = (c: string): boolean => isDigit(c) || isAlpha(c);

/**
 * rpmvercmp(a, b): compares alternating runs of digits and letters; any other character only
 * separates runs. Digits compare numerically (leading zeros ignored, longer wins), letters by
 * byte order, and a numeric run beats a letter run. `~` sorts before everything (even the end
 * of the string: 1.0~rc1 < 1.0); `^` sorts after the end of the string but before any other
 * run (1.0 < 1.0^git1 < 1.0.1).
 */
export function rpmvercmp(a: string, b: string): Comparison {
  if (a === b) return 0;
  let i = 0;
  let j = 0;
  // `at` mimics C's NUL terminator: past the end reads "".
  const at = (s: string, k: number): string => (k < s.length ? s.charAt(k) : "");

  while (i < a.length || j < b.length) {
    while (i < a.length && !isAlnum(at(a, i)) && at(a, i) !== "~" && at(a, i) !== "^") i++;
    while (j < b.length && !isAlnum(at(b, j)) && at(b, j) !== "~" && at(b, j) !== "^") j++;

    // Tilde: sorts before everything else.
    if (at(a, i) === "~" || at(b, j) === "~") {
      if (at(a, i) !== "~") return 1;
      if (at(b, j) !== "~") return -1;
      i++;
      j++;
      continue;
    }

    // Caret: like tilde, except that the string that ended (the base version) is older.
    if (at(a, i) === "^" || at(b, j) === "^") {
      if (i >= a.length) return -1;
      if (j >= b.length) return 1;
      if (at(a, i) !== "^") return 1;
      if (at(b, j) !== "^") return -1;
      i++;
      j++;
      continue;
    }

    if (!(i < a.length && j < b.length)) break;

    const startA = i;
    const startB = j;
    const numeric = isDigit(at(a, i));
    const inRun = numeric ? isDigit : isAlpha;
    while (i < a.length && inRun(at(a, i))) i++;
    while (j < b.length && inRun(at(b, j))) j++;

    // b has a run of the other type here (rpm: "numeric segments are always newer than alpha").
    if (startB === j) return numeric ? 1 : -1;

    let runA = a.slice(startA, i);
    let runB = b.slice(startB, j);
    if (numeric) {
      runA = runA.replace(/^0+/, "");
      runB = runB.replace(/^0+/, "");
      if (runA.length > runB.length) return 1;
      if (runB.length > runA.length) return -1;
    }
    if (runA !== runB) return runA < runB ? -1 : 1;
  }

  if (i >= a.length && j >= b.length) return 0;
  return i >= a.length ? -1 : 1;
}

export interface EVR {
  epoch: string | null;
  version: string;
  release: string | null;
}

/** Splits "[epoch:]version[-release]" the way rpm does (the last "-" starts the release). */
export function parseEVR(evr: string): EVR {
  let rest = evr;
  let epoch: string | null = null;
  const colon = rest.indexOf(":");
  if (colon >= 0 && /^\d*$/.test(rest.slice(0, colon))) {
    epoch = rest.slice(0, colon) || "0";
    rest = rest.slice(colon + 1);
  }
  const dash = rest.lastIndexOf("-");
  if (dash >= 0) return { epoch, version: rest.slice(0, dash), release: rest.slice(dash + 1) };
  return { epoch, version: rest, release: null };
}

/**
 * rpm's rpmverCmp: epoch (missing = 0), then version, then release only when both sides have
 * one, so "3.10.0" matches any 3.10.0-* release.
 */
export function compareEVR(a: EVR | string, b: EVR | string): Comparison {
  const left = typeof a === "string" ? parseEVR(a) : a;
  const right = typeof b === "string" ? parseEVR(b) : b;
  const byEpoch = rpmvercmp(left.epoch ?? "0", right.epoch ?? "0");
  if (byEpoch !== 0) return byEpoch;
  const byVersion = rpmvercmp(left.version, right.version);
  if (byVersion !== 0) return byVersion;
  if (left.release !== null && right.release !== null) return rpmvercmp(left.release, right.release);
  return 0;
}

const ARCH_SUFFIX = /\.(x86_64|aarch64|ppc64le|ppc64|s390x|i[3-6]86|noarch)$/;

/** `uname -r` as rpm's kernel EVR: "3.10.0-1160.el7.x86_64" → version 3.10.0, release 1160.el7. */
export function kernelEVR(release: string): EVR {
  const evr = parseEVR(release.trim().replace(ARCH_SUFFIX, ""));
  return { epoch: null, version: evr.version, release: evr.release };
}

/** Compares two kernel releases as rpm compares kernel packages (arch suffix ignored). */
export function compareKernelRelease(a: string, b: string): Comparison {
  return compareEVR(kernelEVR(a), kernelEVR(b));
}

/**
 * The build a kernel release belongs to, for thresholds the vendor writes as "3.10.0-327 or
 * earlier": the release is cut at its first "." so errata of a build stay in that build:
 * "3.10.0-327.36.3.el7" → version "3.10.0", release "327". Compared with rpm rules, that makes
 * 3.10.0-327.36.3.el7 "equal" to 3.10.0-327 (so "327 or earlier" includes it) while
 * 3.10.0-514.el7 is later. A release without a "." is kept whole.
 */
export function kernelBaseBuild(release: string): EVR {
  const evr = kernelEVR(release);
  const base = evr.release === null ? null : (evr.release.split(".")[0] ?? evr.release);
  return { epoch: null, version: evr.version, release: base };
}
