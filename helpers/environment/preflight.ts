// What can be checked on this machine before any host is contacted: the identity files exist, are
// readable and are private keys; credentials exist at all; the known_hosts file is a readable file
// (or absent, with --accept-new-host-keys); the database password variable is set. Each problem
// names the key path and the fix; the CLI exits 3 on any of them.
import { readFileSync, statSync } from "node:fs";
import ssh2 from "ssh2";
import { knownHostsPath, sshTarget } from "../run/targets.js";
import { secretProblems, secretSources } from "../evidence/redact.js";
import { isEncryptedKey, publicKeyBlobOf } from "../transport/key-files.js";
import type { SshHop } from "../transport/ssh-pool.js";
import { EnvironmentError, type EnvironmentProblem, type LoadedEnvironment } from "./load.js";

export interface PreflightOptions {
  acceptNewHostKeys: boolean;
  /** The run will probe the database (so it needs the password). */
  needsDatabasePassword: boolean;
}

/** Throws EnvironmentError listing every problem; a lab's key and known_hosts come from the lab itself. */
export function preflight(loaded: LoadedEnvironment, opts: PreflightOptions): void {
  const { env } = loaded;
  if (env.lab) return;
  const found: EnvironmentProblem[] = [];
  const keyProblems = new Map<string, string | null>();
  const checkKey = (path: string, keyPath: string, useAgent: boolean) => {
    const cacheKey = `${useAgent} ${path}`;
    if (!keyProblems.has(cacheKey)) keyProblems.set(cacheKey, identityFileProblem(path, useAgent));
    const problem = keyProblems.get(cacheKey);
    if (problem) found.push({ keyPath, message: problem });
  };

  env.hosts.forEach((host, i) => {
    const target = sshTarget(host, env);
    const origins = loaded.origins?.[host.name] ?? {};
    const hostKeyPath = host.identityFile !== undefined ? (origins.identityFile ?? `hosts[${i}].identityFile`) : "ssh.identityFile";
    const agentKeyPath = host.useAgent !== undefined ? `hosts[${i}].useAgent` : "ssh.useAgent";
    if (target.identityFile) checkKey(target.identityFile, hostKeyPath, target.useAgent ?? false);
    else if (!target.useAgent) {
      const perHost = env.inventory ? "ansible_ssh_private_key_file in the inventory" : `hosts[${i}].identityFile`;
      found.push({ keyPath: "ssh.identityFile", message: `host ${host.name} has no credentials: set ssh.identityFile (or ${perHost}) to a private key, or useAgent: true` });
    }
    if (target.useAgent && !process.env.SSH_AUTH_SOCK) {
      found.push({ keyPath: agentKeyPath, message: "useAgent is true but SSH_AUTH_SOCK is not set: start ssh-agent and ssh-add the key, or give identityFile" });
    }
    let hop: SshHop | undefined = target.jumpHost;
    let path = origins.jumpHost ?? `hosts[${i}].jumpHost`;
    let configured = host.jumpHost;
    while (hop && configured) {
      // A hop's own key was written for it; otherwise it is the host's, already checked above.
      if (configured.identityFile && hop.identityFile) checkKey(hop.identityFile, `${path}.identityFile`, hop.useAgent ?? false);
      hop = hop.jumpHost;
      configured = configured.jumpHost;
      path += ".jumpHost";
    }
  });

  const knownHosts = knownHostsPath(env);
  const knownHostsProblem = knownHostsFileProblem(knownHosts, opts.acceptNewHostKeys);
  if (knownHostsProblem) found.push({ keyPath: "ssh.knownHosts", message: knownHostsProblem });

  if (opts.needsDatabasePassword && process.env[env.database.passwordEnv] === undefined) {
    found.push({
      keyPath: "database.passwordEnv",
      message: `the variable ${env.database.passwordEnv} is not set: export ${env.database.passwordEnv}=... before the run (the password is never stored in the file)`,
    });
  }
  // Hosts sharing one default key would repeat the same line.
  const problems = found.filter((p, i) => found.findIndex((q) => q.keyPath === p.keyPath && q.message === p.message) === i);
  if (problems.length > 0) throw new EnvironmentError(loaded.file, problems);
}

function errnoOf(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? (error as Error).message;
}

/**
 * null when the file is a readable private key ssh2 can use: unencrypted, or encrypted with the agent
 * to sign for it (then its public half must be known, to pick the agent's matching key).
 */
export function identityFileProblem(path: string, useAgent = false): string | null {
  let data: Buffer;
  try {
    if (!statSync(path).isFile()) return `${path} is not a file; give the path of a private key (e.g. ~/.ssh/id_ed25519)`;
    data = readFileSync(path);
  } catch (error) {
    const code = errnoOf(error);
    return code === "ENOENT"
      ? `${path} does not exist; create the key (ssh-keygen -t ed25519 -f ${path}) or fix the path`
      : `${path} cannot be read (${code}); fix its permissions or the path`;
  }
  if (isEncryptedKey(data)) {
    if (!useAgent) return `${path} is encrypted with a passphrase, which the suite cannot ask for: load it into ssh-agent (ssh-add ${path}) and set useAgent: true, or use an unencrypted key`;
    return publicKeyBlobOf(path, data) ? null : `${path} is encrypted and its public half is unknown, so the agent's matching key cannot be chosen: put its public key beside it as ${path}.pub`;
  }
  const parsed = ssh2.utils.parseKey(data);
  if (parsed instanceof Error) return `${path} is not a private key (${parsed.message}); give the private key file, not the .pub or another file`;
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  if (!key?.isPrivateKey()) return `${path} is a public key; give the private key (the same path without .pub)`;
  return null;
}

/** A regular, readable file; an absent one only when unknown keys may be recorded (--accept-new-host-keys). */
export function knownHostsFileProblem(path: string, acceptNewHostKeys: boolean): string | null {
  try {
    if (!statSync(path).isFile()) return `${path} is not a regular file (a directory?); point ssh.knownHosts at a known_hosts file`;
    readFileSync(path);
    return null;
  } catch (error) {
    const code = errnoOf(error);
    if (code !== "ENOENT") return `${path} cannot be read (${code}); fix its permissions or point ssh.knownHosts at a readable known_hosts file`;
    if (acceptNewHostKeys) return null;
    return (
      `${path} does not exist, so no host key could be verified: fill it with ssh-keyscan -t ed25519 HOST >> ${path} ` +
      "(and compare the fingerprints), or run once with --accept-new-host-keys to record the keys on first use"
    );
  }
}

/**
 * The operator's secrets, once each is known to be redactable: at least 8 characters and absent from
 * the environment's own text (else EnvironmentError, exit 3). A lab sets its own database password,
 * so there only the URLs' passwords are the operator's.
 */
export function refuseIndistinguishableSecrets(loaded: LoadedEnvironment): string[] {
  const sources = secretSources(loaded.env, loaded.env.lab ? {} : process.env);
  const problems = secretProblems(sources, `${loaded.text}\n${JSON.stringify(loaded.env)}`);
  if (problems.length > 0) throw new EnvironmentError(loaded.file, problems);
  return sources.map((s) => s.value);
}
