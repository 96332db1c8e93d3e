// manifest.json: who ran what, against which environment file, and the sha256 + size of every file
// of the run bundle, so an auditor can tell whether anything changed after the run.
import { createHash } from "node:crypto";
import { createReadStream, existsSync } from "node:fs";
import { readdir, readFile, stat, writeFile } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { secretScanner, type SecretFinding } from "./redact.js";
import { operatorName } from "./suite-identity.js";

export const MANIFEST_FILE = "manifest.json";
/** The operator's signature of manifest.json (helpers/evidence/signature.ts): outside the file list it signs. */
export const SIGNATURE_FILE = `${MANIFEST_FILE}.sig`;
/** ssh-keygen's namespace: a signature made for anything else (git commits, files) does not verify here. */
export const SIGNATURE_NAMESPACE = "api7-ha-audit";
export const ENVIRONMENT_COPY = "evidence/environment.yaml";

export interface ManifestMeta {
  runId: string;
  environmentName: string;
  suite: { version: string; commit: string };
  /** Inventory host names, in inventory order. */
  hosts: string[];
  startedAt: string;
  finishedAt: string;
  /** user@hostname of the runner; computed when absent. */
  operator?: string;
  /** Where the environment file was read from (recorded for the auditor; the bundle holds a copy). */
  environmentFile?: string;
  /** sha256 of the environment file as read; must equal the copy's hash in the bundle. */
  environmentSha256?: string;
  /** The bundle's copy had secrets replaced (then the original's hash is not recorded). */
  environmentRedacted?: boolean;
  /** The manifest is signed (written after it) with this key: "ED25519 SHA256:...". */
  signer?: string;
}

export interface ManifestEntry {
  /** "/"-separated path relative to the run folder. */
  path: string;
  size: number;
  sha256: string;
}

export interface Manifest {
  manifestVersion: 1;
  runId: string;
  /** `file` is the copy inside the bundle; `source` where it was read from. */
  environment: { name: string; file: string; source: string | null; sha256: string | null; redacted?: boolean };
  suite: { version: string; commit: string };
  operator: string;
  hosts: string[];
  startedAt: string;
  finishedAt: string;
  files: ManifestEntry[];
  /** Present when the operator signed the manifest: its signature file and the signing key. */
  signature?: { file: string; namespace: string; signer: string };
}

export type ManifestProblemKind = "changed" | "missing" | "unexpected";

export interface ManifestProblem {
  file: string;
  problem: ManifestProblemKind;
  detail?: string;
}

export function sha256File(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash("sha256");
    createReadStream(path)
      .on("error", reject)
      .on("data", (chunk) => hash.update(chunk))
      .on("end", () => resolve(hash.digest("hex")));
  });
}

export function sha256Text(text: string | Buffer): string {
  return createHash("sha256").update(text).digest("hex");
}

/** Every regular file under the run folder except the manifest and its signature, sorted, "/"-separated. */
export async function listBundleFiles(runDir: string): Promise<string[]> {
  const walk = async (dir: string): Promise<string[]> => {
    const entries = await readdir(dir, { withFileTypes: true });
    const nested = await Promise.all(
      entries.map(async (e) => {
        const path = join(dir, e.name);
        if (e.isDirectory()) return walk(path);
        return e.isFile() ? [relative(runDir, path).split(sep).join("/")] : [];
      }),
    );
    return nested.flat();
  };
  return (await walk(runDir)).filter((p) => p !== MANIFEST_FILE && p !== SIGNATURE_FILE).sort();
}

async function describeFile(runDir: string, path: string): Promise<ManifestEntry> {
  const full = join(runDir, path);
  const [info, sha256] = await Promise.all([stat(full), sha256File(full)]);
  return { path, size: info.size, sha256 };
}

export interface BundleRead {
  /** Every bundle file (as listBundleFiles) with its size and sha256, as the manifest lists them. */
  files: ManifestEntry[];
  /** Files that still hold one of the run's secrets or a private key. */
  leaks: SecretFinding[];
}

/** One read of every file of the bundle: what the manifest records and what the secret check needs. */
export async function readBundle(runDir: string, secrets: readonly string[]): Promise<BundleRead> {
  const findSecrets = secretScanner(secrets);
  const read: BundleRead = { files: [], leaks: [] };
  // Sequential on purpose: bundles hold thousands of small report files; keep file handles low.
  for (const path of await listBundleFiles(runDir)) {
    const content = await readFile(join(runDir, path));
    read.files.push({ path, size: content.length, sha256: sha256Text(content) });
    for (const kind of findSecrets(content)) read.leaks.push({ file: path, kind });
  }
  return read;
}

/** The bundle still holds a secret after redaction: a defect of the suite, never sealed over. */
export class BundleNotSealed extends Error {
  constructor(readonly leaks: SecretFinding[]) {
    const files = [...new Set(leaks.map((l) => l.file))];
    const named = files.length > 5 ? `${files.slice(0, 5).join(", ")} and ${files.length - 5} more files` : files.join(", ");
    super(`a secret was found in the report folder (${named}): the run bundle is not sealed`);
    this.name = "BundleNotSealed";
  }
}

/**
 * Write manifest.json last: after it, any change to the bundle is detectable by verifyManifest.
 * Throws, and writes nothing, when a file still holds one of `secrets` or a private key: such a
 * bundle is not sealed.
 */
export async function writeManifest(runDir: string, meta: ManifestMeta, secrets: readonly string[]): Promise<Manifest> {
  const { files, leaks } = await readBundle(runDir, secrets);
  if (leaks.length > 0) {
    throw new BundleNotSealed(leaks);
  }
  const environmentEntry = files.find((f) => f.path === ENVIRONMENT_COPY);
  const manifest: Manifest = {
    manifestVersion: 1,
    runId: meta.runId,
    environment: {
      name: meta.environmentName,
      file: ENVIRONMENT_COPY,
      source: meta.environmentFile ?? null,
      sha256: meta.environmentRedacted ? null : (meta.environmentSha256 ?? environmentEntry?.sha256 ?? null),
      ...(meta.environmentRedacted ? { redacted: true } : {}),
    },
    suite: meta.suite,
    operator: meta.operator ?? operatorName(),
    hosts: meta.hosts,
    startedAt: meta.startedAt,
    finishedAt: meta.finishedAt,
    files,
    ...(meta.signer ? { signature: { file: SIGNATURE_FILE, namespace: SIGNATURE_NAMESPACE, signer: meta.signer } } : {}),
  };
  await writeFile(join(runDir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

export async function readManifest(runDir: string): Promise<Manifest> {
  const parsed = JSON.parse(await readFile(join(runDir, MANIFEST_FILE), "utf8")) as Manifest;
  if (parsed.manifestVersion !== 1 || !Array.isArray(parsed.files)) throw new Error(`${MANIFEST_FILE}: not a manifest of this suite (manifestVersion 1)`);
  return parsed;
}

/** Every difference between the bundle on disk and its manifest; empty when intact. */
export async function verifyManifest(runDir: string): Promise<ManifestProblem[]> {
  let manifest: Manifest;
  try {
    manifest = await readManifest(runDir);
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === "ENOENT";
    return [{ file: MANIFEST_FILE, problem: missing ? "missing" : "changed", detail: missing ? undefined : (error as Error).message }];
  }
  const problems: ManifestProblem[] = [];
  const onDisk = new Set(await listBundleFiles(runDir));
  for (const entry of manifest.files) {
    if (!onDisk.has(entry.path)) {
      problems.push({ file: entry.path, problem: "missing" });
      continue;
    }
    const actual = await describeFile(runDir, entry.path);
    if (actual.sha256 !== entry.sha256 || actual.size !== entry.size) {
      problems.push({ file: entry.path, problem: "changed", detail: `sha256 ${actual.sha256} (${actual.size} bytes), manifest says ${entry.sha256} (${entry.size} bytes)` });
    }
  }
  if (manifest.signature && !existsSync(join(runDir, manifest.signature.file))) {
    problems.push({ file: manifest.signature.file, problem: "missing", detail: `the manifest says it was signed by ${manifest.signature.signer}` });
  }
  const listed = new Set(manifest.files.map((f) => f.path));
  for (const path of onDisk) if (!listed.has(path)) problems.push({ file: path, problem: "unexpected" });
  const environmentEntry = manifest.files.find((f) => f.path === manifest.environment.file);
  if (manifest.environment.sha256 !== null && environmentEntry && environmentEntry.sha256 !== manifest.environment.sha256) {
    problems.push({ file: manifest.environment.file, problem: "changed", detail: "the copy's sha256 differs from the environment file that was audited" });
  }
  return problems;
}

/** sha256 of manifest.json itself: print it in the CI log so the manifest can be checked out of band. */
export async function manifestDigest(runDir: string): Promise<string> {
  return sha256File(join(runDir, MANIFEST_FILE));
}
