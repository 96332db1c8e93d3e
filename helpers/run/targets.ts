// Inventory entries → SSH targets, with the environment's defaults and `~` expanded.
import { homedir } from "node:os";
import { resolve } from "node:path";
import type { Environment, HostEntry } from "../environment/schema.js";
import type { SshTarget } from "../transport/ssh-pool.js";

export function expandHome(path: string): string {
  return path === "~" || path.startsWith("~/") ? resolve(homedir(), path.slice(2)) : resolve(path);
}

export function knownHostsPath(env: Environment): string {
  return expandHome(env.ssh.knownHosts ?? "~/.ssh/known_hosts");
}

export function sshTarget(host: HostEntry, env: Environment): SshTarget {
  const identityFile = host.identityFile ?? env.ssh.identityFile;
  const jump = host.jumpHost;
  return {
    name: host.name,
    address: host.address,
    port: host.port ?? env.ssh.port,
    user: host.user ?? env.ssh.user,
    identityFile: identityFile ? expandHome(identityFile) : undefined,
    useAgent: host.useAgent ?? env.ssh.useAgent,
    sudo: host.sudo ?? env.ssh.sudo,
    jumpHost: jump
      ? { ...jump, identityFile: jump.identityFile ? expandHome(jump.identityFile) : identityFile ? expandHome(identityFile) : undefined }
      : undefined,
  };
}
