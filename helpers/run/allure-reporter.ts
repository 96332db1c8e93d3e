// allure-vitest's reporter, writing the audit's Allure results without an fsync per file.
//
// allure-js-commons' FileSystemWriter writes each file aside, fsyncs it and renames it into place: for
// the ~175 result, container and attachment files of a 4-host audit that is 0.1-0.3 s of waiting on
// the disk at the end of the specs, on the audit's critical path. Nothing reads allure-results before
// vitest has exited, and a crash mid-run loses the run anyway (the audit seals the folder afterwards,
// hashing every file), so plain writes are enough. allure-vitest 3.12 builds its writer itself and
// ignores a `writer` option: the writer is swapped right after it is built.
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Globals, TestResult, TestResultContainer } from "allure-js-commons";
import { FileSystemWriter, type Writer } from "allure-js-commons/sdk/reporter";
import AllureVitestReporter from "allure-vitest/reporter";
import type { Vitest } from "vitest/node";

/** The per-test files written plainly; environment and categories (once per run) as allure-js-commons does. */
export class UnsyncedResultsWriter extends FileSystemWriter {
  private readonly resultsDir: string;

  constructor(resultsDir: string) {
    super({ resultsDir });
    this.resultsDir = resultsDir;
    mkdirSync(resultsDir, { recursive: true });
  }

  override writeResult(result: TestResult): void {
    writeFileSync(join(this.resultsDir, `${result.uuid}-result.json`), JSON.stringify(result));
  }

  override writeGroup(group: TestResultContainer): void {
    writeFileSync(join(this.resultsDir, `${group.uuid}-container.json`), JSON.stringify(group));
  }

  override writeAttachment(fileName: string, content: Buffer): void {
    writeFileSync(join(this.resultsDir, fileName), content);
  }

  override writeAttachmentFromPath(fileName: string, from: string): void {
    copyFileSync(from, join(this.resultsDir, fileName));
  }

  override writeGlobals(fileName: string, globals: Globals): void {
    writeFileSync(join(this.resultsDir, fileName), JSON.stringify(globals));
  }
}

/** vitest.config.ts names this module as a reporter: vitest constructs its default export with the options. */
export default class AuditAllureReporter extends AllureVitestReporter {
  private readonly resultsDir: string;

  constructor(options: { resultsDir: string }) {
    super(options);
    this.resultsDir = options.resultsDir;
  }

  override onInit(vitest: Vitest): void {
    super.onInit(vitest);
    const built = this as unknown as { allureReporterRuntime?: { writer: Writer } };
    // Fails loudly should a later allure-vitest keep its runtime elsewhere, rather than fsync quietly.
    if (!built.allureReporterRuntime) throw new Error("allure-vitest: no allureReporterRuntime after onInit, cannot give it the results writer");
    built.allureReporterRuntime.writer = new UnsyncedResultsWriter(this.resultsDir);
  }
}
