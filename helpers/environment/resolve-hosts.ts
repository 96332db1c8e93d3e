// From the environment file to concrete hosts: take them from `hosts:` or from the Ansible
// inventory, then resolve every address through the OpenSSH config when `ssh.config` is set.
// Nothing is contacted; only the named files are read (and ansible-inventory run for a dynamic inventory).
import { dirname } from "node:path";
import { inventoryHosts, readInventory } from "./ansible-hosts.js";
import type { EnvironmentProblem } from "./load.js";
import type { Environment, EnvironmentFile, HostEntry, JumpHost } from "./schema.js";
import { expandTilde, readSshConfig, resolveThroughSshConfig, sshConfigPath, type ExplicitSsh } from "./ssh-config.js";

export interface ResolvedHosts {
  env: Environment;
  /** Said once at the start of a run (and of a dry run): settings of the user's files that the suite ignores. */
  notices: string[];
  /** host name → field → where the value came from when not from the environment file itself. */
  origins: Record<string, Record<string, string>>;
  problems: EnvironmentProblem[];
}

/** `raw` is the file as parsed YAML: it tells which ssh.* values were written rather than defaulted. */
export function resolveHosts(file: EnvironmentFile, raw: unknown, environmentFile: string): ResolvedHosts {
  const baseDir = dirname(environmentFile);
  const problems: EnvironmentProblem[] = [];
  const notices: string[] = [];
  const origins: ResolvedHosts["origins"] = {};
  let hosts: HostEntry[] = file.hosts ?? [];
  /** host name → the known_hosts file its inventory or ssh config names (the inventory's -o wins, as on ssh's command line). */
  const knownHostsOf = new Map<string, string>();

  if (file.inventory) {
    const path = expandTilde(file.inventory.ansible, baseDir);
    try {
      // Key files named in the inventory are relative to the inventory's folder.
      const fromInventory = inventoryHosts(readInventory(path), file.inventory.roles, path, dirname(path));
      for (const message of fromInventory.problems) problems.push(asProblem(message, "inventory.ansible"));
      notices.push(...fromInventory.notices);
      hosts = fromInventory.hosts;
      Object.assign(origins, fromInventory.origins);
      for (const [name, knownHostsFile] of Object.entries(fromInventory.knownHosts)) knownHostsOf.set(name, knownHostsFile);
    } catch (error) {
      problems.push({ keyPath: "inventory.ansible", message: `${(error as Error).message}; fix the path (relative to ${baseDir}) or the inventory` });
    }
  }

  const explicit = explicitSsh(raw);
  const configSetting = file.ssh.config;
  let knownHosts = file.ssh.knownHosts;
  if (configSetting !== undefined && configSetting !== false && hosts.length > 0) {
    const path = sshConfigPath(configSetting, baseDir);
    try {
      const config = readSshConfig(path);
      hosts = hosts.map((host, i) => {
        const r = resolveThroughSshConfig(config, host, explicit);
        for (const message of r.problems) problems.push(asProblem(message, file.hosts ? `hosts[${i}].address` : "ssh.config"));
        notices.push(...r.notices);
        if (r.knownHosts && !knownHostsOf.has(host.name)) knownHostsOf.set(host.name, r.knownHosts);
        origins[host.name] = { ...origins[host.name], ...r.origins };
        return r.host;
      });
    } catch (error) {
      problems.push({ keyPath: "ssh.config", message: `cannot read ${path} (${(error as Error).message}); fix the path or remove ssh.config` });
    }
  }
  // One known_hosts file per run: the environment's, else the one the user's files agree on.
  const knownHostsFiles = new Map<string, string[]>();
  for (const [name, knownHostsFile] of knownHostsOf) knownHostsFiles.set(knownHostsFile, [...(knownHostsFiles.get(knownHostsFile) ?? []), name]);
  if (knownHosts === undefined && knownHostsFiles.size > 1) {
    problems.push({
      keyPath: "ssh.knownHosts",
      message: `the ssh config or inventory names several UserKnownHostsFile (${[...knownHostsFiles].map(([f, h]) => `${f} for ${h.join(", ")}`).join("; ")}); set ssh.knownHosts to the one file this run checks against`,
    });
  } else if (knownHosts === undefined && knownHostsFiles.size === 1) {
    knownHosts = [...knownHostsFiles.keys()][0];
  }

  // A hop without a user (from `-J host`) logs in as the target does.
  hosts = hosts.map((host) => (host.jumpHost ? { ...host, jumpHost: fillJumpUser(host.jumpHost, host.user ?? file.ssh.user) } : host));
  const env: Environment = { ...file, hosts, ssh: { ...file.ssh, ...(knownHosts === undefined ? {} : { knownHosts }) } };
  return { env, notices, origins, problems };
}

function fillJumpUser(hop: JumpHost, user: string): JumpHost {
  return { ...hop, user: hop.user || user, ...(hop.jumpHost ? { jumpHost: fillJumpUser(hop.jumpHost, user) } : {}) };
}

/** Messages from the inventory and config readers start with their own key path. */
function asProblem(message: string, fallbackKeyPath: string): EnvironmentProblem {
  const m = /^(inventory\.roles\.(?:cp|dp)|inventory\.ansible|ssh\.config)\b:? ?(.*)$/s.exec(message);
  return m ? { keyPath: m[1]!, message: m[2]! } : { keyPath: fallbackKeyPath, message };
}

function explicitSsh(raw: unknown): ExplicitSsh {
  const ssh = (raw as { ssh?: Record<string, unknown> } | null)?.ssh ?? {};
  return {
    ...(typeof ssh.user === "string" ? { user: ssh.user } : {}),
    ...(typeof ssh.port === "number" ? { port: ssh.port } : {}),
    ...(typeof ssh.identityFile === "string" ? { identityFile: ssh.identityFile } : {}),
  };
}
