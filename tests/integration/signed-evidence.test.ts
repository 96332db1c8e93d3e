// Signed evidence with OpenSSH's ssh-keygen -Y: a run signed with --sign verifies against the
// matching allowed_signers file; the same bundle with one verdict edited and its manifest recomputed
// does not, nor does an unsigned bundle when --allowed-signers is given. RSA keys and keys held only
// by ssh-agent (given as their .pub) sign too. The run is the real CLI against loopback sockets that
// answer nothing: a whole bundle in seconds.
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { sha256Text, SIGNATURE_FILE, type Manifest } from "../../helpers/evidence/manifest.js";
import { signManifest, signingKeyCheck, verifyManifestSignature } from "../../helpers/evidence/signature.js";
import type { ResultsFile } from "../../helpers/run/results.js";
import { runCli } from "../e2e/run-audit.js";
import { writeLocalCredentials } from "../fixtures/environments/local-credentials.js";
import { baseEnvironment, connectionRecorder } from "../support/loopback-environment.js";
import { withAgent } from "./transport/sshd-fixture.js";

const PASSWORD_VARIABLE = "SIGNED_TEST_PG_PASSWORD";
const root = mkdtempSync(join(tmpdir(), "api7-signed-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function keygen(name: string, type: "ed25519" | "rsa", passphrase = ""): string {
  const path = join(root, name);
  execFileSync("ssh-keygen", ["-q", "-t", type, ...(type === "rsa" ? ["-b", "3072"] : []), "-N", passphrase, "-C", `${name}@example`, "-f", path]);
  return path;
}

/** allowed_signers: one principal per key, as ssh-keygen(1) describes the file. */
function allowedSigners(name: string, ...keys: string[]): string {
  const path = join(root, name);
  writeFileSync(path, keys.map((k) => `${basename(k)}@example ${readFileSync(`${k}.pub`, "utf8").split(" ").slice(0, 2).join(" ")}\n`).join(""));
  return path;
}

/** What a forger does: change a file, then recompute every hash of the manifest. */
function reseal(runDir: string): void {
  const manifestPath = join(runDir, "manifest.json");
  const manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as Manifest;
  for (const entry of manifest.files) {
    const content = readFileSync(join(runDir, entry.path));
    entry.sha256 = sha256Text(content);
    entry.size = content.length;
  }
  writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
}

describe("npm run audit --sign, npm run verify --allowed-signers", () => {
  let operator: string;
  let signers: string;
  let runDir: string;
  let unsignedDir: string;

  beforeAll(async () => {
    operator = keygen("operator", "ed25519");
    signers = allowedSigners("allowed_signers", operator);
    const recorder = await connectionRecorder();
    try {
      const dir = join(root, "env");
      const env = baseEnvironment({ dir, port: recorder.port, credentials: writeLocalCredentials(join(dir, "credentials")), file: () => "" }, PASSWORD_VARIABLE);
      const envFile = join(root, "environment.yaml");
      writeFileSync(envFile, stringify(env));
      const vars = { [PASSWORD_VARIABLE]: "not-a-real-password" };
      const reports = join(root, "reports");
      const signed = await runCli("audit", ["--env", envFile, "--only", "HW-,DB-01", "--sign", operator, "--report-dir", reports, "--run-id", "signed"], vars);
      expect([1, 2], signed.stdout + signed.stderr).toContain(signed.code);
      const unsigned = await runCli("audit", ["--env", envFile, "--only", "HW-,DB-01", "--report-dir", reports, "--run-id", "unsigned"], vars);
      expect([1, 2], unsigned.stdout + unsigned.stderr).toContain(unsigned.code);
      runDir = join(reports, "signed");
      unsignedDir = join(reports, "unsigned");
    } finally {
      await recorder.close();
    }
  }, 300_000);

  test("the signed run verifies against the matching allowed_signers: signature, files and verdicts", async () => {
    const manifest = JSON.parse(readFileSync(join(runDir, "manifest.json"), "utf8")) as Manifest;
    expect(manifest.signature).toMatchObject({ file: SIGNATURE_FILE, namespace: "api7-ha-audit", signer: expect.stringMatching(/^ED25519 SHA256:/) });
    const verified = await runCli("verify", [runDir, "--allowed-signers", signers]);
    expect(verified.code, verified.stdout + verified.stderr).toBe(0);
    expect(verified.stdout).toContain('signature: Good "api7-ha-audit" signature for operator@example with ED25519 key');
    expect(verified.stdout).toContain("VERIFIED");
  }, 120_000);

  test("one verdict edited and the manifest recomputed: the signature names the forgery", async () => {
    const forged = join(root, "forged");
    cpSync(runDir, forged, { recursive: true });
    const resultsPath = join(forged, "results.json");
    const results = JSON.parse(readFileSync(resultsPath, "utf8")) as ResultsFile;
    const verdict = results.results.find((v) => v.status !== "passed")!;
    verdict.status = "passed";
    writeFileSync(resultsPath, JSON.stringify(results, null, 2));
    reseal(forged);
    const run = await runCli("verify", [forged, "--allowed-signers", signers]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`SIGNATURE: ${SIGNATURE_FILE} does not verify against manifest.json`);
    expect(run.stdout).toContain("NOT VERIFIED: signature BAD");
  }, 120_000);

  test("re-signed with another key: the signer is not allowed", async () => {
    const forged = join(root, "resigned");
    cpSync(runDir, forged, { recursive: true });
    await signManifest(forged, keygen("intruder", "ed25519"));
    const run = await runCli("verify", [forged, "--allowed-signers", signers]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`was made by a key that ${signers} does not list`);
  }, 120_000);

  test("an unsigned bundle fails when --allowed-signers is given, and says so without it", async () => {
    const run = await runCli("verify", [unsignedDir, "--allowed-signers", signers]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`SIGNATURE: ${SIGNATURE_FILE} is missing: the bundle is not signed`);
    const plain = await runCli("verify", [unsignedDir]);
    expect(plain.code, plain.stdout).toBe(0);
    expect(plain.stdout).toContain("signature: none (give --allowed-signers <file> to require a signature by a known key)");
  }, 120_000);
});

describe("signing keys", () => {
  const bundle = (name: string) => {
    const dir = join(root, "bundles", name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "manifest.json"), '{"manifestVersion":1}\n');
    return dir;
  };

  test("an RSA key signs and verifies", async () => {
    const rsa = keygen("rsa-operator", "rsa");
    expect(await signingKeyCheck(rsa)).toEqual({ signer: expect.stringMatching(/^RSA SHA256:/) });
    const dir = bundle("rsa");
    await signManifest(dir, rsa);
    expect(await verifyManifestSignature(dir, allowedSigners("rsa_signers", rsa))).toMatchObject({ ok: true });
  });

  test("an encrypted key held by ssh-agent signs when given as its .pub; without the agent it is refused before the run", async () => {
    const encrypted = keygen("agent-operator", "ed25519", "a passphrase nobody types");
    expect(await signingKeyCheck(encrypted)).toEqual({ problem: expect.stringContaining("cannot sign without a prompt") });
    // ssh-add cannot type the passphrase either: the agent gets the key from an unencrypted copy.
    const plainCopy = join(root, "agent-operator-plain");
    cpSync(encrypted, plainCopy);
    execFileSync("ssh-keygen", ["-q", "-p", "-P", "a passphrase nobody types", "-N", "", "-f", plainCopy]);
    await withAgent(join(root, "signing-agent"), [plainCopy], async () => {
      rmSync(plainCopy);
      expect(await signingKeyCheck(`${encrypted}.pub`)).toEqual({ signer: expect.stringMatching(/^ED25519 SHA256:/) });
      const dir = bundle("agent");
      await signManifest(dir, `${encrypted}.pub`);
      expect(await verifyManifestSignature(dir, allowedSigners("agent_signers", encrypted))).toMatchObject({ ok: true });
    });
  });
});
