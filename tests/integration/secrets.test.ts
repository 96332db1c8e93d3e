// No secret in any output. A distinct secret is planted in each place one can hide (the database
// password variable, the password of an entrypoint URL and of the Prometheus URL, the identity file's
// key material); the real CLI runs a dry run and a real run (every host and probe pointing at a
// loopback socket that drops each connection, so the whole pipeline writes its bundle); the whole run
// folder, stdout and stderr are searched for every planted secret: 0 hits.
import { readdirSync, readFileSync, rmSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { runCli, type CliRun } from "../e2e/run-audit.js";
import { writeLocalCredentials } from "../fixtures/environments/local-credentials.js";
import { baseEnvironment, connectionRecorder, type Env } from "../support/loopback-environment.js";

const PASSWORD_VARIABLE = "SECRETS_TEST_PG_PASSWORD";
/** Each distinct, so a hit names the redaction that is missing. */
const PLANTED = {
  databasePassword: "db-pw-planted-7Qx9vR",
  entrypointPassword: "url-pw-planted-3Kd8wL",
  prometheusPassword: "prom-pw-planted-5Tz2nM",
};

const root = mkdtempSync(join(tmpdir(), "api7-secrets-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Every file under a folder, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

/** The lines of the private key's body: key material that must never leave the runner. */
function keyMaterial(identityFile: string): string[] {
  return readFileSync(identityFile, "utf8").split("\n").filter((line) => line.length >= 16 && !line.startsWith("-----"));
}

/** "<secret> in <where>" for every planted secret found. */
function hits(secrets: Record<string, string>, places: Record<string, Buffer | string>): string[] {
  return Object.entries(places).flatMap(([where, content]) =>
    Object.entries(secrets).filter(([, value]) => content.includes(value)).map(([name]) => `${name} in ${where}`),
  );
}

describe("no planted secret reaches any output of the CLI", () => {
  let dir: string;
  let envFile: string;
  let secrets: Record<string, string>;
  let recorder: Awaited<ReturnType<typeof connectionRecorder>>;

  beforeAll(async () => {
    recorder = await connectionRecorder();
    dir = join(root, "run");
    const credentials = writeLocalCredentials(join(dir, "credentials"));
    const env: Env = baseEnvironment({ dir, port: recorder.port, credentials, file: () => "" }, PASSWORD_VARIABLE);
    const at = `127.0.0.1:${recorder.port}`;
    env.entrypoints.gateway.url = `http://auditor:${PLANTED.entrypointPassword}@${at}/`;
    env.prometheus.url = `http://metrics:${PLANTED.prometheusPassword}@${at}`;
    envFile = join(dir, "environment.yaml");
    writeFileSync(envFile, stringify(env));
    secrets = { ...PLANTED, ...Object.fromEntries(keyMaterial(credentials.identityFile).map((line, i) => [`key line ${i + 1}`, line])) };
  });
  afterAll(() => recorder.close());

  const cli = (args: string[]): Promise<CliRun> => runCli("audit", ["--env", envFile, ...args], { [PASSWORD_VARIABLE]: PLANTED.databasePassword });

  test("--dry-run prints none of them", async () => {
    const run = await cli(["--dry-run"]);
    expect(run.code, run.stderr).toBe(0);
    expect(hits(secrets, { stdout: run.stdout, stderr: run.stderr })).toEqual([]);
    // The dry run does print the URLs, with the password redacted.
    expect(run.stdout).toContain(`http://auditor:[REDACTED]@127.0.0.1:${recorder.port}/`);
  });

  test("a run writes none of them into any file of its folder, nor on the console", async () => {
    const reports = join(dir, "reports");
    const run = await cli(["--report-dir", reports, "--run-id", "planted"]);
    // Nothing answers: failed (1) or broken (2), with a sealed bundle.
    expect([1, 2], run.stdout + run.stderr).toContain(run.code);
    const runDir = join(reports, "planted");
    const files = filesUnder(runDir);
    expect(files.map((f) => f.slice(runDir.length + 1))).toEqual(expect.arrayContaining(["manifest.json", "results.json", "evidence/environment.yaml", "evidence/environment.resolved.json", "evidence/collected.json"]));
    const places: Record<string, Buffer | string> = { stdout: run.stdout, stderr: run.stderr };
    for (const file of files) places[file.slice(runDir.length + 1)] = readFileSync(file);
    expect(hits(secrets, places)).toEqual([]);
    // The environment's copy still shows where a password was, and still parses for `npm run verify`.
    expect(readFileSync(join(runDir, "evidence/environment.yaml"), "utf8")).toContain("http://auditor:REDACTED@127.0.0.1");
    const manifest = JSON.parse(readFileSync(join(runDir, "manifest.json"), "utf8")) as { environment: { sha256: string | null; redacted?: boolean } };
    expect(manifest.environment).toMatchObject({ sha256: null, redacted: true });
  }, 300_000);
});
