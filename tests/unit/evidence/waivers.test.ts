import { describe, expect, it } from "vitest";
import type { Waiver } from "../../../helpers/environment/schema.js";
import { applyWaivers, formatWaiverError, validateWaivers } from "../../../helpers/evidence/waivers.js";
import type { Verdict } from "../../../helpers/model.js";

const verdict = (requirement: string, target: string, status: Verdict["status"], level: Verdict["level"] = "MUST"): Verdict => ({
  requirement,
  host: target.startsWith("@") ? null : target,
  target,
  level,
  status,
  message: `${requirement} on ${target}`,
});

const waiver = (requirement: string, host: string, expires: string): Waiver => ({
  requirement,
  host,
  justification: "accepted until the firewall migration is done",
  approver: "security@example.com",
  expires,
});

describe("applyWaivers", () => {
  const today = "2026-03-10";

  it("waives a failed verdict of the named host and attaches the waiver", () => {
    const out = applyWaivers([verdict("SEC-02", "cp1", "failed"), verdict("SEC-02", "cp2", "failed")], [waiver("SEC-02", "cp1", "2026-06-30")], today);
    expect(out.verdicts.map((v) => v.status)).toEqual(["waived", "failed"]);
    expect(out.verdicts[0]!.waiver).toEqual({ justification: "accepted until the firewall migration is done", approver: "security@example.com", expires: "2026-06-30" });
    expect(out.applied).toEqual([{ waiver: waiver("SEC-02", "cp1", "2026-06-30"), requirement: "SEC-02", target: "cp1" }]);
    expect(out.expired).toEqual([]);
  });

  it('"*" covers every host and endpoint target, warnings included', () => {
    const out = applyWaivers(
      [verdict("SW-01", "cp1", "warning", "SHOULD"), verdict("SW-01", "dp1", "warning", "SHOULD"), verdict("DB-01", "@database", "failed")],
      [waiver("SW-01", "*", "2026-12-31"), waiver("DB-01", "*", "2026-12-31")],
      today,
    );
    expect(out.verdicts.map((v) => v.status)).toEqual(["waived", "waived", "waived"]);
  });

  it("never touches passed, broken or skipped verdicts", () => {
    const input = [verdict("HW-01", "cp1", "passed"), verdict("HW-01", "cp2", "broken"), verdict("HW-01", "dp1", "skipped")];
    const out = applyWaivers(input, [waiver("HW-01", "*", "2026-12-31")], today);
    expect(out.verdicts).toEqual(input);
    expect(out.unused).toHaveLength(1);
  });

  it("an expired waiver no longer applies and is listed as expired; the expiry day itself is covered", () => {
    const expired = waiver("SEC-04", "dp1", "2026-03-09");
    const lastDay = waiver("SEC-05", "dp1", "2026-03-10");
    const out = applyWaivers([verdict("SEC-04", "dp1", "failed"), verdict("SEC-05", "dp1", "warning", "SHOULD")], [expired, lastDay], today);
    expect(out.verdicts.map((v) => v.status)).toEqual(["failed", "waived"]);
    expect(out.verdicts[0]!.waiver).toBeUndefined();
    expect(out.expired).toEqual([expired]);
  });

  it("prefers the host-specific waiver over '*'", () => {
    const specific = waiver("SEC-04", "dp1", "2026-04-01");
    const out = applyWaivers([verdict("SEC-04", "dp1", "failed")], [waiver("SEC-04", "*", "2026-12-31"), specific], today);
    expect(out.verdicts[0]!.waiver?.expires).toBe("2026-04-01");
  });

  it("rejects a date that is not ISO", () => {
    expect(() => applyWaivers([], [], "10/03/2026")).toThrow(/ISO date/);
  });
});

describe("validateWaivers", () => {
  const ids = ["HW-01", "HW-02", "SEC-01", "SEC-04"];
  const hosts = ["cp1", "cp2", "dp1", "dp2"];

  it("accepts catalogue IDs with inventory hosts or '*'", () => {
    expect(validateWaivers([waiver("SEC-04", "dp1", "2026-01-01"), waiver("HW-01", "*", "2026-01-01")], ids, hosts, "environments/staging.yaml")).toEqual([]);
  });

  it("names the file, the key path and the fix for an unknown ID and an unknown host", () => {
    const errors = validateWaivers([waiver("HW-01", "cp1", "2026-01-01"), waiver("SEC-09", "dp9", "2026-01-01")], ids, hosts, "environments/staging.yaml");
    expect(errors.map((e) => e.keyPath)).toEqual(["waivers[1].requirement", "waivers[1].host"]);
    expect(errors.every((e) => e.file === "environments/staging.yaml")).toBe(true);
    expect(errors[0]!.fix).toContain("SEC-01, SEC-04");
    expect(errors[1]!.fix).toContain('"cp1", "cp2", "dp1", "dp2"');
    expect(formatWaiverError(errors[1]!)).toBe(
      'environments/staging.yaml: waivers[1].host: "dp9" is not a host of the inventory; fix: use one of "cp1", "cp2", "dp1", "dp2" or "*" for every host',
    );
  });

  it("flags a duplicate (requirement, host) pair", () => {
    const errors = validateWaivers([waiver("SEC-01", "cp1", "2026-01-01"), waiver("SEC-01", "cp1", "2026-02-01")], ids, hosts, "env.yaml");
    expect(errors).toHaveLength(1);
    expect(errors[0]!.keyPath).toBe("waivers[1]");
  });
});
