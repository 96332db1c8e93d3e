// Encrypted key files made by ssh-keygen itself: the public half is found beside the file or inside it.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import ssh2 from "ssh2";
import { isEncryptedKey, newEd25519KeyPair, publicKeyBlobOf } from "../../../helpers/transport/key-files.js";

const dir = mkdtempSync(join(tmpdir(), "api7-key-files-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function keygen(name: string, args: string[]): { path: string; blob: Buffer } {
  const path = join(dir, name);
  execFileSync("ssh-keygen", ["-q", ...args, "-f", path]);
  return { path, blob: Buffer.from(readFileSync(`${path}.pub`, "utf8").split(" ")[1]!, "base64") };
}

describe("publicKeyBlobOf", () => {
  test("an encrypted OpenSSH key without .pub: the public half from the file's header", () => {
    const key = keygen("openssh", ["-t", "ed25519", "-N", "passphrase"]);
    rmSync(`${key.path}.pub`);
    const data = readFileSync(key.path);
    expect(isEncryptedKey(data)).toBe(true);
    expect(publicKeyBlobOf(key.path, data)).toEqual(key.blob);
  });

  test("an encrypted PEM key: the public half from its .pub, none without it", () => {
    const key = keygen("pem", ["-t", "ecdsa", "-m", "PEM", "-N", "passphrase"]);
    const data = readFileSync(key.path);
    expect(isEncryptedKey(data)).toBe(true);
    expect(publicKeyBlobOf(key.path, data)).toEqual(key.blob);
    rmSync(`${key.path}.pub`);
    expect(publicKeyBlobOf(key.path, data)).toBeNull();
  });

  test("an unencrypted key is not encrypted", () => {
    expect(isEncryptedKey(readFileSync(keygen("plain", ["-t", "ed25519", "-N", ""]).path))).toBe(false);
  });
});

describe("newEd25519KeyPair", () => {
  test("every pair parses (ssh2's generator alone writes a malformed private key about once in 250)", () => {
    const pairs = Array.from({ length: 2000 }, (_, i) => newEd25519KeyPair(i === 0 ? "api7-ha-audit-lab" : undefined));
    expect(pairs.filter((pair) => ssh2.utils.parseKey(pair.private) instanceof Error)).toEqual([]);
    expect(pairs[0]!.public).toMatch(/^ssh-ed25519 \S+ api7-ha-audit-lab$/);
  });
});
