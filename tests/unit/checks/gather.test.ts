// What a run gathers follows from the selected checks' `reads`: the whole catalogue needs every
// section of the facts script (none is dead), a narrower selection runs only what it reads.
import { describe, expect, test } from "vitest";
import { loadCatalogue } from "../../../helpers/checks/catalogue.js";
import { gatherPlan } from "../../../helpers/checks/gather.js";
import { collectionScript, PROBE_INPUT_SECTIONS, SCRIPT_SECTIONS, sectionsGathering } from "../../../helpers/facts/script.js";
import { parseSelection, selectsRequirement } from "../../../helpers/run/selection.js";
import { allChecks } from "../../../specs/checks/index.js";

const ids = loadCatalogue().map((r) => r.id);
const planFor = (only: string | undefined) => gatherPlan(ids.filter((id) => selectsRequirement(parseSelection(only), id)).map((id) => allChecks[id]!.reads));
const names = (only: string | undefined) => planFor(only).sections.map((s) => s.name);

describe("gatherPlan", () => {
  test("the whole catalogue runs every section of the script, probes, failover and the database", () => {
    const plan = planFor(undefined);
    expect(names(undefined)).toEqual(SCRIPT_SECTIONS.map((s) => s.name));
    expect(plan).toMatchObject({ probes: true, failover: true, database: true });
  });

  test("hardware, software and SELinux need no firewall listing, no probe input and no process list", () => {
    const plan = planFor("HW-,SW-,SEC-01");
    expect(plan).toMatchObject({ probes: false, failover: false, database: false });
    const gathered = names("HW-,SW-,SEC-01");
    expect(gathered).toEqual(expect.arrayContaining(["uname-m", "nproc", "meminfo", "df", "docker-root", "os-release", "uname-r", "docker-version", "getenforce", "selinux-config"]));
    for (const unread of ["firewalld-state", "firewalld-runtime", "nft-ruleset", "iptables", "ss-listen", "machine-id"]) expect(gathered).not.toContain(unread);
  });

  test("a requirement probed from the runner gathers what the probes are planned from", () => {
    const plan = planFor("SEC-04");
    expect(plan.probes).toBe(true);
    expect(names("SEC-04")).toEqual(expect.arrayContaining([...PROBE_INPUT_SECTIONS]));
  });

  test("the failover experiments read no fact: the hosts run no script (collect.ts keeps the connection's host key)", () => {
    expect(planFor("HA-")).toMatchObject({ probes: false, failover: true });
    expect(names("HA-")).toEqual([]);
  });

  test("only DB- checks set the database password as needed", () => {
    expect(planFor("DB-").database).toBe(true);
    expect(planFor("SEC-").database).toBe(false);
  });
});

describe("sectionsGathering", () => {
  test("a section runs with the earlier sections whose results it reads", () => {
    expect(sectionsGathering(["df"]).map((s) => s.name)).toEqual(["docker-root", "df"]);
    expect(sectionsGathering(["firewalld-permanent"]).map((s) => s.name)).toEqual(["firewalld-state", "firewalld-permanent"]);
  });

  test("every section it needs comes earlier in the script", () => {
    const order = SCRIPT_SECTIONS.map((s) => s.name);
    for (const section of SCRIPT_SECTIONS) for (const need of section.needs ?? []) expect(order.indexOf(need), `${section.name} needs ${need}`).toBeLessThan(order.indexOf(section.name));
  });

  test("the narrowed script holds only the chosen sections' functions", () => {
    const script = collectionScript(sectionsGathering(["uname-m", "df"]));
    expect(script).toContain("api7audit_run df ");
    expect(script).not.toContain("api7audit_run firewalld-state ");
    expect(script).not.toContain("firewall-cmd");
  });
});
