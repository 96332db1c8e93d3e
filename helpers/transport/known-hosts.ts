// OpenSSH known_hosts: parsing, matching and fingerprints, as `ssh` and `ssh-keygen` do them,
// so an audit trusts exactly the hosts the operator's own ssh client trusts.
import { createHash, createHmac } from "node:crypto";
import { appendFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { dirname } from "node:path";

export type KnownHostMarker = "revoked" | "cert-authority";

/** One host pattern of a line: plain (may hold `*`, `?`, leading `!`) or hashed (`|1|salt|hash`). */
export type HostPattern =
  | { kind: "plain"; pattern: string; negated: boolean }
  | { kind: "hashed"; salt: Buffer; hash: Buffer };

export interface KnownHostEntry {
  /** 1-based line number in the file, for messages that point at the line to fix. */
  line: number;
  marker: KnownHostMarker | null;
  hosts: HostPattern[];
  keyType: string;
  keyBlob: Buffer;
}

export type HostKeyCheck =
  | { status: "match" }
  | { status: "unknown"; fingerprint: string }
  | { status: "changed"; fingerprint: string; expectedFingerprints: string[] }
  | { status: "revoked"; fingerprint: string };

/** `SHA256:<base64 without padding>`, the form `ssh-keygen -l` and `ssh` print. */
export function fingerprintSha256(keyBlob: Buffer): string {
  return `SHA256:${createHash("sha256").update(keyBlob).digest("base64").replace(/=+$/, "")}`;
}

/** The key type is the first string of the SSH wire-format blob (RFC 4253 §6.6). */
export function keyTypeOfBlob(keyBlob: Buffer): string {
  if (keyBlob.length < 4) throw new Error("host key blob too short");
  const length = keyBlob.readUInt32BE(0);
  if (length === 0 || 4 + length > keyBlob.length) throw new Error("host key blob has an invalid type field");
  return keyBlob.subarray(4, 4 + length).toString("latin1");
}

/** How OpenSSH names a host in known_hosts: bare for port 22, `[host]:port` otherwise. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

function parseHostPattern(text: string): HostPattern | null {
  if (text.startsWith("|1|")) {
    const [salt, hash] = text.slice(3).split("|");
    if (!salt || !hash) return null;
    return { kind: "hashed", salt: Buffer.from(salt, "base64"), hash: Buffer.from(hash, "base64") };
  }
  if (text.startsWith("!")) return { kind: "plain", pattern: text.slice(1).toLowerCase(), negated: true };
  return { kind: "plain", pattern: text.toLowerCase(), negated: false };
}

/**
 * Parse a known_hosts file. Lines that are blank, comments or malformed are skipped, as ssh does;
 * `problems` lists the malformed ones so a broken file is visible in the report.
 */
export function parseKnownHosts(text: string): { entries: KnownHostEntry[]; problems: string[] } {
  const entries: KnownHostEntry[] = [];
  const problems: string[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    const trimmed = raw.trim();
    if (trimmed === "" || trimmed.startsWith("#")) return;
    const fields = trimmed.split(/\s+/);
    let marker: KnownHostMarker | null = null;
    if (fields[0]?.startsWith("@")) {
      const name = fields.shift()!.slice(1);
      if (name !== "revoked" && name !== "cert-authority") {
        problems.push(`line ${line}: unknown marker @${name}`);
        return;
      }
      marker = name;
    }
    const [hostField, keyType, keyBase64] = fields;
    if (!hostField || !keyType || !keyBase64) {
      problems.push(`line ${line}: expected "hosts keytype base64-key"`);
      return;
    }
    const keyBlob = Buffer.from(keyBase64, "base64");
    let blobType: string;
    try {
      blobType = keyTypeOfBlob(keyBlob);
    } catch {
      problems.push(`line ${line}: the key is not valid base64 SSH key data`);
      return;
    }
    if (blobType !== keyType) {
      problems.push(`line ${line}: key type ${keyType} does not match the key data (${blobType})`);
      return;
    }
    const hosts = hostField.split(",").map(parseHostPattern);
    if (hosts.some((h) => h === null)) {
      problems.push(`line ${line}: malformed hashed host name`);
      return;
    }
    entries.push({ line, marker, hosts: hosts as HostPattern[], keyType, keyBlob });
  });
  return { entries, problems };
}

/** A missing file is an empty trust store: every host is unknown. */
export function readKnownHosts(path: string): { entries: KnownHostEntry[]; problems: string[] } {
  if (!existsSync(path)) return { entries: [], problems: [] };
  return parseKnownHosts(readFileSync(path, "utf8"));
}

function wildcardMatch(pattern: string, name: string): boolean {
  const regex = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replaceAll("*", ".*").replaceAll("?", ".");
  return new RegExp(`^${regex}$`).test(name);
}

/** ssh's rule: any negated pattern that matches rejects the line; otherwise one positive match accepts it. */
export function entryMatchesHost(entry: KnownHostEntry, host: string, port: number): boolean {
  const name = knownHostsName(host.toLowerCase(), port);
  let matched = false;
  for (const pattern of entry.hosts) {
    if (pattern.kind === "hashed") {
      const digest = createHmac("sha1", pattern.salt).update(name).digest();
      if (digest.length === pattern.hash.length && digest.equals(pattern.hash)) matched = true;
    } else if (wildcardMatch(pattern.pattern, name)) {
      if (pattern.negated) return false;
      matched = true;
    }
  }
  return matched;
}

/**
 * Decide whether a presented host key is trusted. Stricter than "same type only": when the host has
 * any trusted key and the presented one is not among them, that is "changed" (a server that suddenly
 * offers another key type is treated like a new key, never silently accepted). @cert-authority lines
 * are ignored: host certificates are not used by this suite.
 */
export function checkHostKey(
  entries: readonly KnownHostEntry[],
  host: string,
  port: number,
  keyType: string,
  keyBlob: Buffer,
): HostKeyCheck {
  const fingerprint = fingerprintSha256(keyBlob);
  const forHost = entries.filter((e) => e.marker !== "cert-authority" && entryMatchesHost(e, host, port));
  const sameKey = (e: KnownHostEntry) => e.keyType === keyType && e.keyBlob.equals(keyBlob);
  // @revoked applies to a key wherever it appears, whatever host pattern it was listed with.
  if (entries.some((e) => e.marker === "revoked" && sameKey(e))) return { status: "revoked", fingerprint };
  const trusted = forHost.filter((e) => e.marker === null);
  if (trusted.some(sameKey)) return { status: "match" };
  if (trusted.length === 0) return { status: "unknown", fingerprint };
  const expectedFingerprints = [...new Set(trusted.map((e) => `${e.keyType} ${fingerprintSha256(e.keyBlob)}`))];
  return { status: "changed", fingerprint, expectedFingerprints };
}

/** Key types trusted for a host, so the client can ask the server for exactly those first. */
export function trustedKeyTypes(entries: readonly KnownHostEntry[], host: string, port: number): string[] {
  const types = entries
    .filter((e) => e.marker === null && entryMatchesHost(e, host, port))
    .map((e) => e.keyType);
  return [...new Set(types)];
}

export function formatKnownHostLine(host: string, port: number, keyType: string, keyBlob: Buffer): string {
  return `${knownHostsName(host, port)} ${keyType} ${keyBlob.toString("base64")}`;
}

/**
 * Trust on first use (--accept-new-host-keys): append the key of a host the file does not know yet.
 * Re-checks the file first so a changed or revoked key is refused even if the caller did not check,
 * and a key already present is not written twice. Synchronous so parallel connections cannot
 * interleave their lines.
 */
export function appendKnownHost(path: string, host: string, port: number, keyType: string, keyBlob: Buffer): void {
  const { entries } = readKnownHosts(path);
  const check = checkHostKey(entries, host, port, keyType, keyBlob);
  if (check.status === "match") return;
  if (check.status !== "unknown") {
    throw new Error(
      `refusing to record the key of ${knownHostsName(host, port)}: it is ${check.status} (${check.fingerprint})`,
    );
  }
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const existing = existsSync(path) ? readFileSync(path, "utf8") : "";
  const separator = existing === "" || existing.endsWith("\n") ? "" : "\n";
  appendFileSync(path, `${separator}${formatKnownHostLine(host, port, keyType, keyBlob)}\n`, { mode: 0o600 });
}

/** A host key trusted on first use, as the console and the evidence name it. */
export interface TrustedHostKey {
  host: string;
  keyType: string;
  fingerprint: string;
}

const patternText = (p: HostPattern) => (p.kind === "plain" ? `${p.negated ? "!" : ""}${p.pattern}` : "(hashed)");

/** The trusted lines of `after` that `before` did not hold: what --accept-new-host-keys recorded. */
export function addedHostKeys(before: readonly KnownHostEntry[], after: readonly KnownHostEntry[]): TrustedHostKey[] {
  const identity = (e: KnownHostEntry) => `${e.hosts.map(patternText).join(",")} ${e.keyType} ${e.keyBlob.toString("base64")}`;
  const known = new Set(before.map(identity));
  return after
    .filter((e) => e.marker === null && !known.has(identity(e)))
    .map((e) => ({ host: e.hosts.map(patternText).join(","), keyType: e.keyType, fingerprint: fingerprintSha256(e.keyBlob) }));
}

/** ssh2's own default order; the host's known key types are moved to the front (as OpenSSH does). */
const DEFAULT_HOST_KEY_ALGORITHMS = [
  "ssh-ed25519",
  "ecdsa-sha2-nistp256",
  "ecdsa-sha2-nistp384",
  "ecdsa-sha2-nistp521",
  "rsa-sha2-512",
  "rsa-sha2-256",
  "ssh-rsa",
] as const;
type HostKeyAlgorithm = (typeof DEFAULT_HOST_KEY_ALGORITHMS)[number];

/** An `ssh-rsa` key can sign with any RSA algorithm; other key types name their one algorithm. */
function algorithmsForKeyType(keyType: string): HostKeyAlgorithm[] {
  if (keyType === "ssh-rsa") return ["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"];
  return DEFAULT_HOST_KEY_ALGORITHMS.filter((a) => a === keyType);
}

export function hostKeyAlgorithmOrder(knownTypes: readonly string[]): HostKeyAlgorithm[] {
  const preferred = knownTypes.flatMap(algorithmsForKeyType);
  return [...new Set([...preferred, ...DEFAULT_HOST_KEY_ALGORITHMS])];
}
