// Private key files as OpenSSH users keep them: possibly encrypted, with the public half in a .pub
// beside them or, for OpenSSH's own format, in the file's unencrypted header. Pure but for reading
// the .pub.
import { existsSync, readFileSync } from "node:fs";
import ssh2 from "ssh2";

/** True when ssh2 cannot use the key without its passphrase. */
export function isEncryptedKey(data: Buffer): boolean {
  const parsed = ssh2.utils.parseKey(data);
  return parsed instanceof Error && /encrypted/i.test(parsed.message) && /passphrase/i.test(parsed.message);
}

const OPENSSH_MAGIC = Buffer.from("openssh-key-v1\0", "latin1");

/** The public key blob of an "OPENSSH PRIVATE KEY" file: its header holds it unencrypted. */
function opensshHeaderPublicKey(text: string): Buffer | null {
  const body = /-----BEGIN OPENSSH PRIVATE KEY-----([\s\S]*?)-----END OPENSSH PRIVATE KEY-----/.exec(text)?.[1];
  if (!body) return null;
  const data = Buffer.from(body.replace(/\s+/g, ""), "base64");
  if (!data.subarray(0, OPENSSH_MAGIC.length).equals(OPENSSH_MAGIC)) return null;
  let offset = OPENSSH_MAGIC.length;
  const field = (): Buffer | null => {
    if (offset + 4 > data.length) return null;
    const length = data.readUInt32BE(offset);
    const value = data.subarray(offset + 4, offset + 4 + length);
    offset += 4 + length;
    return value.length === length ? value : null;
  };
  // cipher name, KDF name, KDF options, then the number of keys and the first public key.
  if (!field() || !field() || !field() || offset + 4 > data.length) return null;
  offset += 4;
  return field();
}

/** The public half of a private key file: `<file>.pub`, else the file's own public part; null if neither. */
export function publicKeyBlobOf(path: string, data: Buffer): Buffer | null {
  const pub = `${path}.pub`;
  if (existsSync(pub)) {
    const base64 = readFileSync(pub, "utf8").trim().split(/\s+/)[1];
    if (base64) return Buffer.from(base64, "base64");
  }
  return opensshHeaderPublicKey(data.toString("utf8"));
}

const PRIVATE_KEY_BLOCK = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g;

/** Errors end up in reports: never let key material through, whatever a library put in a message. */
export function redactKeyMaterial(message: string): string {
  return message.replace(PRIVATE_KEY_BLOCK, "[private key redacted]");
}

/**
 * A new ed25519 key pair in OpenSSH's format (the embedded lab's client key, tests' credentials).
 * ssh2's generator writes a private key that its own parser refuses as "Malformed" about once in
 * 250 pairs (seen: 13 of 3,000), which would break a whole lab run: such a pair is drawn again.
 */
export function newEd25519KeyPair(comment?: string): { private: string; public: string } {
  for (;;) {
    const pair = ssh2.utils.generateKeyPairSync("ed25519", comment === undefined ? undefined : { comment });
    if (!(ssh2.utils.parseKey(pair.private) instanceof Error)) return pair;
  }
}
