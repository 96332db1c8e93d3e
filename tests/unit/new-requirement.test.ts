// The scaffold of a new requirement: stubs that cannot pass, at the catalogue's place for them, and
// bad input refused before either file is written.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { transformSync } from "esbuild";
import { describe, expect, it } from "vitest";
import { parseCatalogue } from "../../helpers/checks/catalogue-schema.js";
import { catalogueWithStub, checkModuleWithStub, validateNewRequirement } from "../../helpers/checks/new-requirement.js";

const CATALOGUE = readFileSync("specs/catalogue.yaml", "utf8");
const ids = parseCatalogue(CATALOGUE).map((r) => r.id);

describe("validateNewRequirement", () => {
  it("accepts a new ID in a section of the page", () => {
    expect(validateNewRequirement("SEC-06", "security", ids)).toBe("security");
  });
  it.each([
    ["sec-06", "security", /not a requirement ID/],
    ["HW-01", "hardware", /already has HW-01: IDs are a contract/],
    ["SEC-06", "firewall", /not a section of the page: use one of topology, hardware/],
    ["HA-DP-03", "failover", /rows of HA_EXPERIMENTS/],
  ])("refuses %s in %s", (id, section, message) => {
    expect(() => validateNewRequirement(id, section, ids)).toThrow(message);
  });
});

describe("catalogueWithStub", () => {
  const withStub = catalogueWithStub(CATALOGUE, "SEC-06", "security");

  it("leaves a catalogue that does not load until every value is filled in, naming them", () => {
    const error = (() => {
      try {
        parseCatalogue(withStub);
      } catch (thrown) {
        return (thrown as Error).message;
      }
      return "loaded";
    })();
    for (const key of ["source", "title", "check", "evidence", "remediation", "sentence.zh", "sentence.en"]) expect(error).toContain(`(SEC-06).${key}: Too small`);
  });

  it("puts the entry at the end of its section and changes nothing else", () => {
    const filled = withStub.replace(/^(\s+)(title|check|evidence|remediation|zh|en): ""$/gm, "$1$2: written").replace("source: [] #", "source: [S5.1] #");
    const requirements = parseCatalogue(filled);
    const at = requirements.findIndex((r) => r.id === "SEC-06");
    expect(requirements[at - 1]!.id).toBe("SEC-02");
    expect(requirements[at + 1]!.id).toBe("SEC-03");
    expect(requirements[at]).toMatchObject({ section: "security", level: "MUST", scope: ["all-hosts"], source: ["S5.1"] });
    expect(requirements.filter((r) => r.id !== "SEC-06")).toEqual(parseCatalogue(CATALOGUE));
  });
});

describe("checkModuleWithStub", () => {
  it("adds a check that is broken until written, importing broken where the module lacks it", () => {
    const software = readFileSync("specs/checks/software.ts", "utf8");
    expect(software).not.toMatch(/import \{[^}]*\bbroken\b[^}]*\} from "\.\.\/\.\.\/helpers\/checks\/assert\.js"/);
    const withStub = checkModuleWithStub(software, "SW-06", "software");
    expect(withStub).toMatch(/import \{[^}]*\bbroken\b[^}]*\} from "\.\.\/\.\.\/helpers\/checks\/assert\.js"/);
    expect(withStub).toMatch(/ {2}"SW-06": \{\n(.*\n){2} {4}reads: \{\},\n {4}decide: \(\) => broken\("SW-06: the check is not written yet"\),\n {2}\},\n\};/);
    expect(() => transformSync(withStub, { loader: "ts" })).not.toThrow();
  });

  it("refuses a module without an exported check object", () => {
    const failover = readFileSync("specs/checks/failover.ts", "utf8");
    expect(() => checkModuleWithStub(failover, "HA-DP-03", "security")).toThrow(/no `export const …Checks: CheckModule = \{` object/);
  });
});

describe("npm run new-requirement", () => {
  it("exits 3 on an ID already in the catalogue and writes nothing", () => {
    const before = [readFileSync("specs/catalogue.yaml", "utf8"), readFileSync("specs/checks/hardware.ts", "utf8")];
    const run = spawnSync(process.execPath, ["--import", "tsx", "bin/new-requirement.ts", "HW-01", "hardware"], { encoding: "utf8" });
    expect(run.status).toBe(3);
    expect(run.stderr).toContain("new-requirement: specs/catalogue.yaml already has HW-01");
    expect([readFileSync("specs/catalogue.yaml", "utf8"), readFileSync("specs/checks/hardware.ts", "utf8")]).toEqual(before);
  });
});
