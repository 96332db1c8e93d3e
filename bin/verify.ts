// npm run verify -- <bundle dir> [--allowed-signers <file>]
// Offline check of a run bundle for auditors: manifest.json.sig is the signature of manifest.json by a
// key of the allowed_signers file (when given), every file matches manifest.json, and every verdict of
// results.json is recomputed from evidence/collected.json with this suite's parsers and checks.
// Exit 0 only if all of them hold; 1 names what failed; 3 bad usage; 70 internal error.
import { existsSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { evaluateRun } from "../helpers/evaluate.js";
import { describeVerification, isIntact, verifyBundle, type Recompute } from "../helpers/evidence/reverify.js";
import { loadCatalogue } from "../helpers/checks/catalogue.js";
import { SIGNATURE_FILE } from "../helpers/evidence/manifest.js";
import { verifyManifestSignature } from "../helpers/evidence/signature.js";
import { allChecks } from "../specs/checks/index.js";

const USAGE =
  "usage: npm run verify -- <bundle dir> [--allowed-signers <file>]\n" +
  "  <bundle dir>: a reports/<run-id> folder with manifest.json\n" +
  "  --allowed-signers: OpenSSH allowed_signers file (ssh-keygen(1)); the bundle must then be signed by one of its keys";

const recompute: Recompute = (env, run, ids) => {
  const catalogue = loadCatalogue().filter((r) => ids.has(r.id));
  return evaluateRun(env, run, catalogue, allChecks);
};

async function main(argv: string[]): Promise<number> {
  const args = argv.filter((a) => a !== "--");
  const signersAt = args.indexOf("--allowed-signers");
  const allowedSigners = signersAt === -1 ? undefined : args.splice(signersAt, 2)[1];
  if (args.length !== 1 || args[0]!.startsWith("-") || (signersAt !== -1 && allowedSigners === undefined)) {
    console.error(USAGE);
    return 3;
  }
  if (allowedSigners !== undefined && !(existsSync(allowedSigners) && statSync(allowedSigners).isFile())) {
    console.error(`--allowed-signers ${allowedSigners}: not a file\n${USAGE}`);
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
  const signature = allowedSigners === undefined ? null : await verifyManifestSignature(runDir, allowedSigners);
  const results = verification.results;
  console.log(`bundle:   ${runDir}`);
  if (results) console.log(`run:      ${results.runId} (environment ${results.environment}, suite ${results.suite.version} ${results.suite.commit})`);
  if (verification.manifestSha256) console.log(`manifest: sha256 ${verification.manifestSha256}`);
  if (signature === null) {
    const signed = existsSync(join(runDir, SIGNATURE_FILE));
    console.log(`signature: ${signed ? "present, NOT checked" : "none"} (give --allowed-signers <file> to require a signature by a known key)`);
  } else if (signature.ok) console.log(`signature: ${signature.detail}`);

  if (!isIntact(verification) || (signature !== null && !signature.ok)) {
    if (signature !== null && !signature.ok) console.log(`SIGNATURE: ${signature.problem}`);
    for (const line of describeVerification(verification)) console.log(line);
    const counts = [
      ...(signature === null ? [] : [`signature ${signature.ok ? "good" : "BAD"}`]),
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
    console.error(`verify: internal error: ${(error as Error).stack ?? String(error)}`);
    // sysexits' EX_SOFTWARE, as npm run audit: never read as "verified" or as a verdict.
    process.exit(70);
  },
);
