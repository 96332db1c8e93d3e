import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, unlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { listBundleFiles, readBundle, readManifest, verifyManifest, writeManifest, type ManifestMeta } from "../../../helpers/evidence/manifest.js";
import { redact } from "../../../helpers/evidence/redact.js";

const dirs: string[] = [];
afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

const ENV_TEXT = "name: staging\nhosts: []\n";
const SECRET = "p@ss w/rd:Zq9&x";
const meta: ManifestMeta = {
  runId: "r1",
  environmentName: "staging",
  suite: { version: "0.1.0", commit: "abc123" },
  hosts: ["cp1", "dp1"],
  startedAt: "2026-03-10T01:00:00.000Z",
  finishedAt: "2026-03-10T01:05:00.000Z",
  environmentFile: "environments/staging.yaml",
  environmentSha256: createHash("sha256").update(ENV_TEXT).digest("hex"),
};
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
  await writeManifest(runDir, meta, [SECRET]);
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

  it("records the same sha256 and size as the files on disk, with the manifest itself left out", async () => {
    const manifest = await readManifest(runDir);
    expect(manifest.files.map((f) => f.path)).toEqual(await listBundleFiles(runDir));
    for (const entry of manifest.files) {
      const content = await readFile(join(runDir, entry.path));
      expect(entry).toEqual({ path: entry.path, size: content.length, sha256: createHash("sha256").update(content).digest("hex") });
    }
  });

  it("does not seal a folder that holds a secret: throws, names the file, writes no manifest", async () => {
    await unlink(join(runDir, "manifest.json"));
    await writeFile(join(runDir, "matrix.html"), `<td>${SECRET.replace("&", "&amp;")}</td>`);
    await expect(writeManifest(runDir, meta, [SECRET])).rejects.toThrow("a secret was found in the report folder (matrix.html): the run bundle is not sealed");
    expect(existsSync(join(runDir, "manifest.json"))).toBe(false);
  });
});

describe("readBundle", () => {
  it("finds a planted secret (raw, URL-encoded, JSON-escaped) and a private key, and nothing in clean files", async () => {
    await writeFile(join(runDir, "clean.txt"), redact(`the password was ${SECRET}`, [SECRET]));
    await writeFile(join(runDir, "evidence", "collected.json"), JSON.stringify({ stdout: `x ${SECRET} y` }));
    await writeFile(join(runDir, "report.html"), `<a href="postgres://u:${encodeURIComponent(SECRET)}@db">db</a>`);
    await writeFile(join(runDir, "id_rsa"), "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n");
    const quoted = 'with"quote\\';
    await writeFile(join(runDir, "results.json"), JSON.stringify({ m: quoted }));

    const read = await readBundle(runDir, [SECRET, quoted]);
    expect(read.leaks).toEqual([
      { file: "evidence/collected.json", kind: "secret" },
      { file: "id_rsa", kind: "pem-private-key" },
      { file: "report.html", kind: "secret" },
      { file: "results.json", kind: "secret" },
    ]);
    expect(read.files.map((f) => f.path)).toEqual(await listBundleFiles(runDir));
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
