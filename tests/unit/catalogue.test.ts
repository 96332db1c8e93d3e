// The catalogue against the requirement contract: every stable ID exactly once, and the loader's
// strictness. The ID list is committed here: it is the contract the reports and waivers rely on.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { CATALOGUE_FILE, CatalogueError, loadCatalogue, requirementById } from "../../helpers/checks/catalogue.js";
import { parseCatalogue } from "../../helpers/checks/catalogue-schema.js";

/** The stable requirement IDs, in the page's order. */
const CONTRACT_IDS = [
  "TOPO-01", "TOPO-02", "TOPO-03", "TOPO-04",
  "HW-01", "HW-02", "HW-03", "HW-04",
  "SW-01", "SW-02", "SW-03", "SW-04", "SW-05",
  "SEC-01", "SEC-02", "SEC-03", "SEC-04", "SEC-05",
  "PORT-01", "PORT-02", "PORT-03", "PORT-04", "PORT-05",
  "DB-01", "DB-02",
  "HA-CP-01", "HA-CP-02", "HA-DP-01", "HA-DP-02",
];

/** Level and scope per the contract table (PORT-05 "MUST when enabled" is MUST). */
const CONTRACT: Record<string, { level: string; scope: string[] }> = {
  "TOPO-01": { level: "MUST", scope: ["all-hosts"] },
  "TOPO-02": { level: "MUST", scope: ["cp-hosts"] },
  "TOPO-03": { level: "MUST", scope: ["dp-hosts"] },
  "TOPO-04": { level: "SHOULD", scope: ["all-hosts"] },
  "HW-01": { level: "MUST", scope: ["all-hosts"] },
  "HW-02": { level: "MUST", scope: ["all-hosts"] },
  "HW-03": { level: "MUST", scope: ["all-hosts"] },
  "HW-04": { level: "MUST", scope: ["all-hosts"] },
  "SW-01": { level: "SHOULD", scope: ["all-hosts"] },
  "SW-02": { level: "MUST", scope: ["all-hosts"] },
  "SW-03": { level: "SHOULD", scope: ["all-hosts"] },
  "SW-04": { level: "MUST", scope: ["all-hosts"] },
  "SW-05": { level: "MUST", scope: ["all-hosts"] },
  "SEC-01": { level: "MUST", scope: ["all-hosts"] },
  "SEC-02": { level: "MUST", scope: ["all-hosts"] },
  "SEC-03": { level: "MUST", scope: ["all-hosts", "database", "prometheus"] },
  "SEC-04": { level: "MUST", scope: ["all-hosts"] },
  "SEC-05": { level: "SHOULD", scope: ["all-hosts"] },
  "PORT-01": { level: "MUST", scope: ["dp-hosts"] },
  "PORT-02": { level: "MUST", scope: ["dp-hosts"] },
  "PORT-03": { level: "MUST", scope: ["cp-hosts"] },
  "PORT-04": { level: "MUST", scope: ["cp-hosts"] },
  "PORT-05": { level: "MUST", scope: ["prometheus"] },
  "DB-01": { level: "MUST", scope: ["database", "cp-hosts"] },
  "DB-02": { level: "INFO", scope: ["database"] },
  "HA-CP-01": { level: "MUST", scope: ["cp-pair"] },
  "HA-CP-02": { level: "MUST", scope: ["cp-pair"] },
  "HA-DP-01": { level: "MUST", scope: ["dp-pair"] },
  "HA-DP-02": { level: "SHOULD", scope: ["dp-pair"] },
};

const catalogueText = readFileSync(CATALOGUE_FILE, "utf8");

describe("catalogue contents", () => {
  const requirements = loadCatalogue();
  const ids = requirements.map((requirement) => requirement.id);

  it("holds every contract ID exactly once, and nothing else", () => {
    for (const id of CONTRACT_IDS) expect(ids.filter((candidate) => candidate === id), id).toHaveLength(1);
    expect(ids.filter((id) => !CONTRACT_IDS.includes(id))).toEqual([]);
    expect(ids).toHaveLength(CONTRACT_IDS.length);
  });

  it("keeps the contract's level and scope", () => {
    for (const requirement of requirements) {
      expect({ id: requirement.id, level: requirement.level, scope: requirement.scope }).toEqual({
        id: requirement.id,
        ...CONTRACT[requirement.id],
      });
    }
  });

  it("marks exactly the failover requirements destructive", () => {
    for (const requirement of requirements) {
      expect(requirement.destructive, requirement.id).toBe(requirement.id.startsWith("HA-"));
      if (requirement.destructive) expect(requirement.section).toBe("failover");
    }
  });

  it("quotes the page in both languages and says the S4.2 numbers are kernel releases", () => {
    for (const requirement of requirements) {
      expect(requirement.sentence.zh, requirement.id).toMatch(/[\u4e00-\u9fff]/);
      expect(requirement.sentence.en, requirement.id).toMatch(/[A-Za-z]{2}/);
    }
    for (const id of ["SW-03", "SW-04", "SW-05"]) {
      const requirement = requirementById(id);
      expect(requirement.source).toContain("S4.2");
      expect(requirement.check, id).toMatch(/kernel|Docker/);
    }
    expect(requirementById("SW-03").check).toMatch(/kernel releases/);
    expect(requirementById("SW-04").check).toMatch(/kernel releases/);
  });

  it("gives CentOS 7 remediation where the page's host settings are concerned", () => {
    expect(requirementById("SEC-01").remediation).toContain("setenforce 1");
    expect(requirementById("SEC-01").remediation).toContain("SELINUX=enforcing");
    expect(requirementById("SEC-02").remediation).toContain("systemctl enable --now firewalld");
    expect(requirementById("SEC-03").remediation).toContain("firewall-cmd --permanent --add-port=");
  });

  it("is cached and looked up by ID", () => {
    expect(loadCatalogue()).toBe(requirements);
    expect(requirementById("HW-03").title).toMatch(/4 GiB/);
    expect(() => requirementById("HW-99")).toThrow(/unknown requirement ID "HW-99"/);
  });

  it("is what parsing and validating the YAML gives, whether it came from the JSON cache or not", () => {
    expect(requirements).toEqual(parseCatalogue(catalogueText));
    expect(Object.isFrozen(requirements) && requirements.every((requirement) => Object.isFrozen(requirement))).toBe(true);
  });
});

describe("catalogue validation", () => {
  const minimal = (extra = "", sentenceExtra = "") => `
page: { title: t, slug: /s, language: zh }
requirements:
  - id: HW-01
    source: [S3.1]
    level: MUST
    scope: [all-hosts]
    section: hardware
    title: x86_64
    check: uname -m
    evidence: uname -m
    remediation: none
    sentence: { zh: 处理器, en: processor${sentenceExtra} }
${extra}`;

  it("accepts a minimal catalogue and defaults destructive to false", () => {
    expect(parseCatalogue(minimal())[0]?.destructive).toBe(false);
  });

  it("names an unknown key, with the requirement it is in", () => {
    expect(() => parseCatalogue(minimal("    scored: true"))).toThrow(CatalogueError);
    expect(() => parseCatalogue(minimal("    scored: true"))).toThrow(/requirements\[0\] \(HW-01\): Unrecognized key: "scored"/);
    expect(() => parseCatalogue(minimal("", ", fr: processeur"))).toThrow(/\(HW-01\)\.sentence: Unrecognized key: "fr"/);
  });

  it("rejects duplicate IDs, unknown levels, scopes and source tags", () => {
    const duplicate = minimal().replace(/requirements:\n([\s\S]*)$/, (_all, entry: string) => `requirements:\n${entry}${entry}`);
    expect(() => parseCatalogue(duplicate)).toThrow(/duplicate requirement ID HW-01/);
    expect(() => parseCatalogue(minimal().replace("level: MUST", "level: MAY"))).toThrow(/level/);
    expect(() => parseCatalogue(minimal().replace("[all-hosts]", "[every-host]"))).toThrow(/scope\[0\]/);
    expect(() => parseCatalogue(minimal().replace("[S3.1]", "[S9.9]"))).toThrow(/source\[0\]/);
  });

  it("reports YAML syntax errors and the real file validates", () => {
    expect(() => parseCatalogue("requirements: [", "broken.yaml")).toThrow(/broken.yaml: not valid YAML/);
    expect(parseCatalogue(catalogueText)).toHaveLength(CONTRACT_IDS.length);
  });
});
