// The catalogue is a contract: every ID has a spec test and a check, and no spec names an ID the
// catalogue does not have.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "vitest";
import { loadCatalogue } from "../../specs/catalogue.js";
import { allChecks } from "../../specs/checks/index.js";

const specsDir = join(import.meta.dirname, "../../specs");

function idsInSpecFiles(): string[] {
  return readdirSync(specsDir)
    .filter((f) => f.endsWith(".spec.ts"))
    .flatMap((f) => [...readFileSync(join(specsDir, f), "utf8").matchAll(/ids:\s*\[([^\]]*)\]/g)].flatMap((m) => [...m[1]!.matchAll(/"([A-Z]+(?:-[A-Z]+)?-\d{2})"/g)].map((x) => x[1]!)));
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
