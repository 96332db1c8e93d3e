// `npm run new-requirement -- <ID> <section>`: adds a requirement's catalogue entry and check as
// stubs that cannot pass, then prints the checklist's remaining steps. Both files are worked out
// before either is written, so bad input (exit 3) leaves nothing half-applied.
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { catalogueWithStub, checkModuleWithStub, nextSteps, ScaffoldError, validateNewRequirement } from "../helpers/checks/new-requirement.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const [id = "", section = ""] = process.argv.slice(2);
try {
  if (!id || !section) throw new ScaffoldError("usage: npm run new-requirement -- <ID> <section>, e.g. npm run new-requirement -- SEC-06 security");
  const cataloguePath = `${root}specs/catalogue.yaml`;
  const catalogue = readFileSync(cataloguePath, "utf8");
  const existingIds = [...catalogue.matchAll(/^ {2}- id: (\S+)$/gm)].map((match) => match[1]!);
  const pageSection = validateNewRequirement(id, section, existingIds);
  const checksPath = `${root}specs/checks/${pageSection}.ts`;
  const newCatalogue = catalogueWithStub(catalogue, id, pageSection);
  const newChecks = checkModuleWithStub(readFileSync(checksPath, "utf8"), id, pageSection);
  writeFileSync(cataloguePath, newCatalogue);
  writeFileSync(checksPath, newChecks);
  console.log(`added ${id} to specs/catalogue.yaml and specs/checks/${pageSection}.ts; what is left:`);
  for (const step of nextSteps(id, pageSection)) console.log(`  ${step}`);
} catch (error) {
  if (!(error instanceof ScaffoldError)) throw error;
  console.error(`new-requirement: ${error.message}`);
  process.exitCode = 3;
}
