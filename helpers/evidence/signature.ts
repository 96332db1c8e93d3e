// The operator's signature over manifest.json: OpenSSH's own `ssh-keygen -Y sign`, so an auditor
// checks it with nothing but OpenSSH (`ssh-keygen -Y verify`) against an allowed_signers file. The
// manifest holds every file's sha256, so the signature binds the whole bundle to the signer's key.
import { execFile, type ExecFileException, type ExecFileOptionsWithStringEncoding } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { MANIFEST_FILE, SIGNATURE_FILE, SIGNATURE_NAMESPACE } from "./manifest.js";

interface KeygenResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * ssh-keygen with an argument array (no shell) and `input` on stdin. Detached, so it has no terminal
 * to prompt on: a key that needs a passphrase fails at once instead of waiting for one.
 */
function sshKeygen(args: readonly string[], input = ""): Promise<KeygenResult> {
  return new Promise((resolve) => {
    // `detached` reaches spawn(), which execFile() calls with these options.
    const options: ExecFileOptionsWithStringEncoding & { detached: boolean } = { encoding: "utf8", timeout: 30_000, detached: true };
    const child = execFile("ssh-keygen", args, options, (error: ExecFileException | null, stdout: string, stderr: string) => {
      const code = error ? (typeof error.code === "number" ? error.code : 255) : 0;
      resolve({ code, stdout, stderr: stderr || (error && typeof error.code !== "number" ? error.message : "") });
    });
    child.stdin?.on("error", () => undefined);
    child.stdin?.end(input);
  });
}

const firstLine = (text: string) => text.trim().split("\n").filter(Boolean).pop() ?? "";

/** "ED25519 SHA256:..." of a private key or public key file; throws with ssh-keygen's words. */
async function keyFingerprint(keyPath: string): Promise<string> {
  const listed = await sshKeygen(["-l", "-f", keyPath]);
  const m = /^\d+ (SHA256:\S+) .*\((\w+)\)$/.exec(listed.stdout.trim());
  if (listed.code !== 0 || !m) throw new Error(firstLine(listed.stderr) || `${keyPath} is not an SSH key`);
  return `${m[2]} ${m[1]}`;
}

/**
 * Checked before any host is contacted: the key exists and signs without a prompt (an unencrypted
 * private key, or the .pub of a key that ssh-agent holds). Returns its fingerprint, or the problem.
 */
export async function signingKeyCheck(keyPath: string): Promise<{ signer: string } | { problem: string }> {
  if (!existsSync(keyPath)) return { problem: `${keyPath} does not exist; give an SSH private key, or the .pub of a key loaded in ssh-agent` };
  try {
    const signer = await keyFingerprint(keyPath);
    const trial = await sshKeygen(["-Y", "sign", "-n", SIGNATURE_NAMESPACE, "-f", keyPath], "signing check\n");
    if (trial.code !== 0 || !trial.stdout.includes("BEGIN SSH SIGNATURE")) {
      return {
        problem: `${keyPath} cannot sign without a prompt (ssh-keygen: ${firstLine(trial.stderr)}); give an unencrypted key, or load the key into ssh-agent (ssh-add) and give its .pub`,
      };
    }
    return { signer };
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === "ENOENT";
    return { problem: missing ? "ssh-keygen (OpenSSH) is not installed: install openssh-client" : `${keyPath}: ${(error as Error).message}` };
  }
}

/** Write manifest.json.sig: the signature of manifest.json's bytes as they are on disk. */
export async function signManifest(runDir: string, keyPath: string): Promise<void> {
  const manifest = await readFile(join(runDir, MANIFEST_FILE));
  const signed = await sshKeygen(["-Y", "sign", "-n", SIGNATURE_NAMESPACE, "-f", keyPath], manifest.toString("utf8"));
  if (signed.code !== 0 || !signed.stdout.includes("BEGIN SSH SIGNATURE")) throw new Error(`signing ${MANIFEST_FILE} with ${keyPath} failed: ${firstLine(signed.stderr)}`);
  await writeFile(join(runDir, SIGNATURE_FILE), signed.stdout);
}

export type SignatureCheck = { ok: true; detail: string } | { ok: false; problem: string };

/** manifest.json.sig is a valid signature of manifest.json by a key the allowed_signers file lists. */
export async function verifyManifestSignature(runDir: string, allowedSigners: string): Promise<SignatureCheck> {
  const signature = join(runDir, SIGNATURE_FILE);
  if (!existsSync(signature)) return { ok: false, problem: `${SIGNATURE_FILE} is missing: the bundle is not signed` };
  const manifest = (await readFile(join(runDir, MANIFEST_FILE))).toString("utf8");
  const found = await sshKeygen(["-Y", "find-principals", "-s", signature, "-f", allowedSigners], manifest);
  const principals = found.code === 0 ? found.stdout.trim().split("\n").filter(Boolean) : [];
  if (principals.length === 0) {
    return { ok: false, problem: `${SIGNATURE_FILE} was made by a key that ${allowedSigners} does not list${found.stderr.trim() ? ` (ssh-keygen: ${firstLine(found.stderr)})` : ""}` };
  }
  const failures: string[] = [];
  for (const principal of principals) {
    const verified = await sshKeygen(["-Y", "verify", "-f", allowedSigners, "-I", principal, "-n", SIGNATURE_NAMESPACE, "-s", signature], manifest);
    if (verified.code === 0) return { ok: true, detail: firstLine(verified.stdout) || firstLine(verified.stderr) };
    failures.push(`${principal}: ${firstLine(verified.stderr) || firstLine(verified.stdout)}`);
  }
  return { ok: false, problem: `${SIGNATURE_FILE} does not verify against ${MANIFEST_FILE} (${failures.join("; ")}): the manifest was changed after it was signed` };
}
