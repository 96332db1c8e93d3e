// The last steps of a run: results.json, the Allure report, the traceability matrix, and the manifest
// that seals the folder (written last, from the same read of every file that checks that no secret
// leaked into it).
import { writeFileSync } from "node:fs";
import type { Requirement } from "../checks/catalogue.js";
import { generateAllureReport, writeAllureExtras, type AllureGenerator } from "../evidence/allure-extras.js";
import { writeManifest } from "../evidence/manifest.js";
import { writeMatrix } from "../evidence/matrix.js";
import { redactDeep } from "../evidence/redact.js";
import type { LoadedEnvironment } from "../environment/load.js";
import type { Environment } from "../environment/schema.js";
import type { CollectedRun } from "./collected.js";
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
  collected: CollectedRun;
  /** A generator started ahead (npm run audit starts it before collecting); else one starts here. */
  allure?: AllureGenerator;
}

export async function finishBundle(input: BundleInput): Promise<void> {
  const { runDir, resultsFile, secrets } = input;
  writeFileSync(runFiles.results(runDir), JSON.stringify(redactDeep(resultsFile, secrets), null, 2));
  await writeAllureExtras(runDir, { environment: input.env.name, suite: resultsFile.suite, extra: { runId: resultsFile.runId } });
  const history = historyDir(input.reportRoot, input.env.name, resultsFile.scope);
  // The report is generated in its own process: the matrix is written meanwhile.
  await Promise.all([
    input.allure ? input.allure.generate(runDir, history) : generateAllureReport(runDir, history),
    writeMatrix(runDir, resultsFile, input.catalogue, redactDeep(input.collected, secrets), secrets),
  ]);
  await writeManifest(runDir, {
    runId: resultsFile.runId,
    environmentName: input.env.name,
    environmentFile: input.loaded.file,
    environmentSha256: input.loaded.sha256,
    suite: resultsFile.suite,
    hosts: input.env.hosts.map((h) => h.name),
    startedAt: resultsFile.startedAt,
    finishedAt: resultsFile.finishedAt,
  }, secrets);
}
