// The audit's Allure reporter: allure-vitest's, with a results writer that skips the per-file fsync
// and writes the same files.
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FileSystemWriter, type Writer } from "allure-js-commons/sdk/reporter";
import type { TestResult, TestResultContainer } from "allure-js-commons";
import type { Vitest } from "vitest/node";
import { afterEach, describe, expect, it } from "vitest";
import AuditAllureReporter, { UnsyncedResultsWriter } from "../../../helpers/run/allure-reporter.js";

const folders: string[] = [];
const scratch = async () => {
  const folder = await mkdtemp(join(tmpdir(), "allure-reporter-"));
  folders.push(folder);
  return folder;
};
afterEach(async () => {
  await Promise.all(folders.splice(0).map((folder) => rm(folder, { recursive: true, force: true })));
});

async function contents(folder: string): Promise<Record<string, string>> {
  const names = (await readdir(folder)).sort();
  return Object.fromEntries(await Promise.all(names.map(async (name) => [name, await readFile(join(folder, name), "utf8")] as const)));
}

function writeEveryKind(writer: Writer, source: string): void {
  writer.writeResult({ uuid: "r1", name: "HW-01 cp1: CPU architecture", labels: [{ name: "requirement", value: "HW-01" }] } as TestResult);
  writer.writeGroup({ uuid: "g1", name: "Minimum hardware", children: ["r1"] } as TestResultContainer);
  writer.writeAttachment("a1-attachment.txt", Buffer.from("x86_64\n"));
  writer.writeAttachmentFromPath("a2-attachment.json", source);
  writer.writeGlobals("gl-globals.json", { attachments: [], errors: [] });
}

describe("UnsyncedResultsWriter", () => {
  it("writes the same files, byte for byte, as allure-js-commons' FileSystemWriter", async () => {
    const [plain, synced, sources] = [join(await scratch(), "results"), join(await scratch(), "results"), await scratch()];
    const source = join(sources, "facts.json");
    await writeFile(source, '{"arch":"x86_64"}');
    writeEveryKind(new UnsyncedResultsWriter(plain), source);
    writeEveryKind(new FileSystemWriter({ resultsDir: synced }), source);
    expect(await contents(plain)).toEqual(await contents(synced));
    expect(Object.keys(await contents(plain))).toHaveLength(5);
  });
});

describe("AuditAllureReporter", () => {
  it("gives allure-vitest's runtime the unsynced writer when vitest starts", async () => {
    const reporter = new AuditAllureReporter({ resultsDir: join(await scratch(), "results") });
    reporter.onInit({ projects: [] } as unknown as Vitest);
    const runtime = (reporter as unknown as { allureReporterRuntime: { writer: Writer } }).allureReporterRuntime;
    expect(runtime.writer).toBeInstanceOf(UnsyncedResultsWriter);
  });
});
