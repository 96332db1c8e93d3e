// The catalogue is a contract: every ID has a spec test and a check, and no spec names an ID the
// catalogue does not have.
import { expect, test } from "vitest";
import { loadCatalogue } from "../../specs/catalogue.js";
import { allChecks } from "../../specs/checks/index.js";
import { specFileIds, specFilesFor } from "../../helpers/run/spec-files.js";

function idsInSpecFiles(): string[] {
  return [...specFileIds().values()].flat();
}

const catalogueIds = loadCatalogue().map((r) => r.id);

test("every catalogue ID is asserted by exactly one spec", () => {
  const specIds = idsInSpecFiles();
  expect(catalogueIds.filter((id) => !specIds.includes(id))).toEqual([]);
  expect(specIds.filter((id, i) => specIds.indexOf(id) !== i)).toEqual([]);
});

test("no spec names an ID that is not in the catalogue", () => {
  expect(idsInSpecFiles().filter((id) => !catalogueIds.includes(id))).toEqual([]);
});

test("every catalogue ID has a check, and every check a catalogue ID", () => {
  expect(catalogueIds.filter((id) => !(id in allChecks))).toEqual([]);
  expect(Object.keys(allChecks).filter((id) => !catalogueIds.includes(id))).toEqual([]);
});

test("--only starts just the spec files that hold the selected IDs", () => {
  const files = specFilesFor(["HA-", "SW-05"]).map((f) => f.split("/").pop());
  expect(files).toEqual(["failover.spec.ts", "software.spec.ts"]);
  expect(specFilesFor(null)).toHaveLength(specFileIds().size);
});
