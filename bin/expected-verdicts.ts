// `npx tsx bin/expected-verdicts.ts <run dir>`: print a run's verdicts in the format of
// tests/expected/*.tsv, to review row by row when a seeded violation is added. Never copy it
// blindly: every non-passed row must be the violation its host was built to have.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { ResultsFile } from "../helpers/run/results.js";

const runDir = process.argv[2];
if (!runDir) {
  console.error("usage: npx tsx bin/expected-verdicts.ts <run dir>");
  process.exit(3);
}
const results = JSON.parse(readFileSync(join(runDir, "results.json"), "utf8")) as ResultsFile;
console.log(`# Expected verdicts of environment ${results.environment}: requirement<TAB>target<TAB>status.`);
console.log("# Compared row by row, and in total, by tests/e2e/audit.test.ts.");
for (const v of results.results) {
  const why = v.status === "passed" ? "" : `\t# ${v.message.replace(/\s+/g, " ").slice(0, 140)}`;
  console.log(`${v.requirement}\t${v.target}\t${v.status}${why}`);
}
