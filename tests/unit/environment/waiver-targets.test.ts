// Waivers are validated by the matcher's own rule: a waiver must name a target its requirement is
// evaluated on ("@database" for DB-01, a host for HW-01), so what the validator accepts is exactly
// what can waive something.
import { describe, expect, test } from "vitest";
import { loadCatalogue } from "../../../helpers/checks/catalogue.js";
import { planTargets } from "../../../helpers/evaluate.js";
import { validateWaivers } from "../../../helpers/evidence/waivers.js";
import { loadEnvironment } from "../../../helpers/environment/load.js";

const catalogue = loadCatalogue();
const { env } = loadEnvironment("lab");
const ids = catalogue.map((r) => r.id);
const hosts = env.hosts.map((h) => h.name);
const targetsOf = new Map(catalogue.map((r) => [r.id, planTargets(r, env).map((p) => p.target)]));
const waiver = (requirement: string, host: string) => ({ requirement, host });

describe("waiver targets follow the matcher", () => {
  test("@database is accepted for a database requirement, and a host for a host requirement", () => {
    expect(validateWaivers([waiver("DB-01", "@database"), waiver("HW-01", "cp1"), waiver("HA-CP-01", "@cp-pair"), waiver("SEC-04", "*")], ids, hosts, "lab.yaml", targetsOf)).toEqual([]);
  });

  test("a target the requirement is never evaluated on would waive nothing, and is refused naming the valid ones", () => {
    const errors = validateWaivers([waiver("HW-01", "@database"), waiver("HW-03", "dp9")], ids, hosts, "lab.yaml", targetsOf);
    expect(errors.map((e) => e.keyPath)).toEqual(["waivers[0].host", "waivers[1].host"]);
    expect(errors[0]!.message).toMatch(/"@database" is not a target of HW-01/);
    expect(errors[0]!.fix).toContain('"cp1", "cp2", "dp1", "dp2"');
  });
});
