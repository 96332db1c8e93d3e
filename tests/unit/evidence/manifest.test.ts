import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm, unlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { readManifest, verifyManifest, writeManifest } from "../../../helpers/evidence/manifest.js";

const dirs: string[] = [];
afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

const ENV_TEXT = "name: staging\nhosts: []\n";
let runDir: string;

beforeEach(async () => {
  runDir = await mkdtemp(join(tmpdir(), "manifest-"));
  dirs.push(runDir);
  await mkdir(join(runDir, "evidence"), { recursive: true });
  await mkdir(join(runDir, "allure-results"), { recursive: true });
  await writeFile(join(runDir, "evidence", "environment.yaml"), ENV_TEXT);
  await writeFile(join(runDir, "evidence", "collected.json"), '{"runId":"r1"}');
  await writeFile(join(runDir, "results.json"), '{"results":[]}');
  await writeFile(join(runDir, "allure-results", "a-result.json"), "{}");
  await writeManifest(runDir, {
    runId: "r1",
    environmentName: "staging",
    suite: { version: "0.1.0", commit: "abc123" },
    hosts: ["cp1", "dp1"],
    startedAt: "2026-03-10T01:00:00.000Z",
    finishedAt: "2026-03-10T01:05:00.000Z",
    environmentFile: "environments/staging.yaml",
    environmentSha256: createHash("sha256").update(ENV_TEXT).digest("hex"),
  });
});

describe("writeManifest", () => {
  it("records run metadata and the sha256 + size of every file except itself", async () => {
    const manifest = await readManifest(runDir);
    expect(manifest.files.map((f) => f.path)).toEqual(["allure-results/a-result.json", "evidence/collected.json", "evidence/environment.yaml", "results.json"]);
    const results = manifest.files.find((f) => f.path === "results.json")!;
    expect(results).toEqual({ path: "results.json", size: 14, sha256: createHash("sha256").update('{"results":[]}').digest("hex") });
    expect(manifest.environment).toEqual({
      name: "staging",
      file: "evidence/environment.yaml",
      source: "environments/staging.yaml",
      sha256: createHash("sha256").update(ENV_TEXT).digest("hex"),
    });
    expect(manifest.operator).toMatch(/^.+@.+$/);
    expect(manifest).toMatchObject({ runId: "r1", suite: { version: "0.1.0", commit: "abc123" }, hosts: ["cp1", "dp1"] });
  });
});

describe("verifyManifest", () => {
  it("finds nothing wrong in an untouched bundle", async () => {
    expect(await verifyManifest(runDir)).toEqual([]);
  });

  it("detects an edited file, a missing file and an unexpected file", async () => {
    await writeFile(join(runDir, "results.json"), '{"results":[{"status":"passed"}]}');
    await unlink(join(runDir, "evidence", "collected.json"));
    await writeFile(join(runDir, "notes.txt"), "added later");
    const problems = await verifyManifest(runDir);
    expect(problems.map(({ file, problem }) => ({ file, problem }))).toEqual([
      { file: "evidence/collected.json", problem: "missing" },
      { file: "results.json", problem: "changed" },
      { file: "notes.txt", problem: "unexpected" },
    ]);
  });

  it("detects a same-size edit (hash, not size)", async () => {
    const original = await readFile(join(runDir, "results.json"), "utf8");
    await writeFile(join(runDir, "results.json"), original.replace("[]", "{}"));
    expect((await verifyManifest(runDir)).map((p) => p.problem)).toEqual(["changed"]);
  });

  it("reports a missing manifest", async () => {
    await unlink(join(runDir, "manifest.json"));
    expect(await verifyManifest(runDir)).toEqual([{ file: "manifest.json", problem: "missing", detail: undefined }]);
  });

  it("flags an environment copy that is not the file that was audited", async () => {
    const manifest = JSON.parse(await readFile(join(runDir, "manifest.json"), "utf8"));
    manifest.environment.sha256 = "0".repeat(64);
    await writeFile(join(runDir, "manifest.json"), JSON.stringify(manifest));
    expect((await verifyManifest(runDir)).map((p) => `${p.file} ${p.problem}`)).toEqual(["evidence/environment.yaml changed"]);
  });
});
