// The catalogue is a contract: each section of the page has one spec file and one check module,
// and the module checks exactly the catalogue's requirements of that section.
import { existsSync, readFileSync } from "node:fs";
import { expect, test } from "vitest";
import { loadCatalogue, PAGE_SECTIONS, requirementsOf } from "../../helpers/checks/catalogue.js";
import { specFileOf, specFilesFor } from "../../helpers/run/spec-files.js";
import { allChecks, CHECK_MODULES } from "../../specs/checks/index.js";

const catalogueIds = loadCatalogue().map((r) => r.id);

test.each(PAGE_SECTIONS)("section %s: its check module checks exactly its catalogue requirements", (section) => {
  expect(Object.keys(CHECK_MODULES[section]).sort()).toEqual(requirementsOf(section).map((r) => r.id).sort());
});

test.each(PAGE_SECTIONS)("section %s: its spec file audits its own check module", (section) => {
  const file = specFileOf(section);
  expect(existsSync(file)).toBe(true);
  expect(readFileSync(file, "utf8")).toMatch(new RegExp(`auditSection\\("${section}", \\w+\\)`));
});

test("every catalogue ID has exactly one check, and every check a catalogue ID", () => {
  expect(catalogueIds.filter((id) => !(id in allChecks))).toEqual([]);
  expect(Object.keys(allChecks).sort()).toEqual([...catalogueIds].sort());
});

test("--only starts just the spec files that hold the selected IDs", () => {
  const files = specFilesFor(["HA-", "SW-05"]).map((f) => f.split("/").pop());
  expect(files).toEqual(["software.spec.ts", "failover.spec.ts"]);
  expect(specFilesFor(null)).toHaveLength(PAGE_SECTIONS.length);
});
