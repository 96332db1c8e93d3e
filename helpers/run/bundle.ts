// The last steps of a run: results.json, the Allure report, the traceability matrix, and the manifest
// that seals the folder (written last, from the same read of every file that checks that no secret
// leaked into it).
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Requirement } from "../checks/catalogue.js";
import { generateAllureReport, writeAllureExtras, type AllureGenerator } from "../evidence/allure-extras.js";
import { writeManifest } from "../evidence/manifest.js";
import { signManifest } from "../evidence/signature.js";
import { writeMatrix } from "../evidence/matrix.js";
import { redact, redactDeep, REDACTED_IN_CONFIG } from "../evidence/redact.js";
import type { LoadedEnvironment } from "../environment/load.js";
import type { Environment } from "../environment/schema.js";
import type { CollectedRun } from "./collected.js";
import { addedHostKeys, readKnownHosts, type KnownHostEntry } from "../transport/known-hosts.js";
import { runFiles } from "./context.js";
import type { ResultsFile } from "./results.js";
import { historyDir } from "./history.js";

export interface BundleInput {
  runDir: string;
  reportRoot: string;
  resultsFile: ResultsFile;
  loaded: LoadedEnvironment;
  env: Environment;
  catalogue: Requirement[];
  secrets: string[];
  /** The run's collection as stored in collected.json (redacted). */
  collected: CollectedRun;
  /** A generator started ahead (npm run audit starts it before collecting); else one starts here. */
  allure?: AllureGenerator;
  /** Sign manifest.json with this key (checked before the run). */
  signWith?: SigningKey;
}

export interface SigningKey {
  keyPath: string;
  /** "ED25519 SHA256:...", recorded in the manifest. */
  signer: string;
}

/** evidence/environment.yaml: the file as read, its secrets (URL passwords) replaced by a bare word. */
export function environmentSourceCopy(text: string, secrets: readonly string[]): string {
  return redact(text, secrets, REDACTED_IN_CONFIG);
}

/** The environment's two copies in the run folder, secrets redacted the same way in both. */
export function writeEnvironmentCopies(runDir: string, loaded: LoadedEnvironment, env: Environment, secrets: readonly string[]): void {
  writeFileSync(runFiles.environmentSource(runDir), environmentSourceCopy(loaded.text, secrets));
  writeFileSync(runFiles.resolvedEnvironment(runDir), JSON.stringify(redactDeep(env, secrets, REDACTED_IN_CONFIG), null, 2));
}

/** evidence/trusted-host-keys.json: the keys --accept-new-host-keys added to known_hosts during the run. */
export const TRUSTED_HOST_KEYS_FILE = "evidence/trusted-host-keys.json";

/** Say and record each host key this run trusted on first use (known_hosts before vs. now). */
export function recordTrustedHostKeys(runDir: string, knownHostsFile: string, before: readonly KnownHostEntry[], log: (line: string) => void): void {
  const trusted = addedHostKeys(before, readKnownHosts(knownHostsFile).entries);
  for (const key of trusted) log(`  host key trusted on first use (--accept-new-host-keys): ${key.host} ${key.keyType} ${key.fingerprint}`);
  writeFileSync(join(runDir, TRUSTED_HOST_KEYS_FILE), `${JSON.stringify({ knownHosts: knownHostsFile, trusted }, null, 2)}\n`);
}

export async function finishBundle(input: BundleInput): Promise<void> {
  const { runDir, resultsFile, secrets } = input;
  writeFileSync(runFiles.results(runDir), JSON.stringify(redactDeep(resultsFile, secrets), null, 2));
  await writeAllureExtras(runDir, { environment: input.env.name, suite: resultsFile.suite, extra: { runId: resultsFile.runId } });
  const history = historyDir(input.reportRoot, input.env.name, resultsFile.scope);
  // The report is generated in its own process: the matrix is written meanwhile.
  await Promise.all([
    input.allure ? input.allure.generate(runDir, history) : generateAllureReport(runDir, history),
    writeMatrix(runDir, resultsFile, input.catalogue, input.collected, secrets),
  ]);
  await writeManifest(runDir, {
    runId: resultsFile.runId,
    environmentName: input.env.name,
    environmentFile: input.loaded.file,
    // The hash of a file that held a secret would let anyone test guesses of it: not recorded then.
    ...(environmentSourceCopy(input.loaded.text, secrets) === input.loaded.text ? { environmentSha256: input.loaded.sha256 } : { environmentRedacted: true }),
    suite: resultsFile.suite,
    hosts: input.env.hosts.map((h) => h.name),
    startedAt: resultsFile.startedAt,
    finishedAt: resultsFile.finishedAt,
    signer: input.signWith?.signer,
  }, secrets);
  if (input.signWith) await signManifest(runDir, input.signWith.keyPath);
}
