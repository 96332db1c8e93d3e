// npm run verify -- <bundle dir>
// Offline check of a run bundle for auditors: every file matches manifest.json, and every verdict of
// results.json is recomputed from evidence/collected.json with this suite's parsers and checks.
// Exit 0 intact, 1 a file changed/missing or a verdict does not follow from its evidence, 3 bad usage.
import { existsSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { evaluateRun } from "../helpers/evaluate.js";
import { describeVerification, isIntact, verifyBundle, type Recompute } from "../helpers/evidence/reverify.js";
import { loadCatalogue } from "../helpers/checks/catalogue.js";
import { allChecks } from "../specs/checks/index.js";

const USAGE = "usage: npm run verify -- <bundle dir>   (a reports/<run-id> folder with manifest.json)";

const recompute: Recompute = (env, run, ids) => {
  const catalogue = loadCatalogue().filter((r) => ids.has(r.id));
  return evaluateRun(env, run, catalogue, allChecks);
};

async function main(argv: string[]): Promise<number> {
  const args = argv.filter((a) => a !== "--");
  if (args.length !== 1 || args[0] === "--help" || args[0] === "-h") {
    console.error(USAGE);
    return 3;
  }
  const runDir = resolve(args[0]!);
  if (!existsSync(runDir) || !statSync(runDir).isDirectory()) {
    console.error(`${runDir}: not a folder\n${USAGE}`);
    return 3;
  }
  if (!existsSync(resolve(runDir, "manifest.json")) && !existsSync(resolve(runDir, "results.json"))) {
    console.error(`${runDir}: no manifest.json or results.json: not a run bundle\n${USAGE}`);
    return 3;
  }

  const verification = await verifyBundle(runDir, recompute);
  const results = verification.results;
  console.log(`bundle:   ${runDir}`);
  if (results) console.log(`run:      ${results.runId} (environment ${results.environment}, suite ${results.suite.version} ${results.suite.commit})`);
  if (verification.manifestSha256) console.log(`manifest: sha256 ${verification.manifestSha256}`);

  if (!isIntact(verification)) {
    for (const line of describeVerification(verification)) console.log(line);
    const counts = [
      `${verification.manifestProblems.length} file problem(s)`,
      `${verification.bundleProblems.length} bundle problem(s)`,
      `${verification.verdictProblems.length} verdict problem(s)`,
    ];
    console.log(`\nNOT VERIFIED: ${counts.join(", ")}`);
    return 1;
  }
  const s = results!.summary;
  console.log(`files:    every hash of the manifest matches`);
  console.log(`verdicts: ${verification.verdictsChecked} recomputed from evidence/collected.json, all agree with results.json`);
  console.log(`summary:  passed ${s.passed} | failed ${s.failed} | warning ${s.warning} | broken ${s.broken} | skipped ${s.skipped} | waived ${s.waived}`);
  console.log("VERIFIED");
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`verify: ${(error as Error).stack ?? String(error)}`);
    process.exit(1);
  },
);
