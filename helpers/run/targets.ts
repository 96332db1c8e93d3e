// Inventory entries → SSH targets, with the environment's defaults and `~` expanded.
import type { Environment, HostEntry, JumpHost } from "../environment/schema.js";
import { expandHome } from "../transport/paths.js";
import type { SshHop, SshTarget } from "../transport/ssh-pool.js";

export function knownHostsPath(env: Environment): string {
  return expandHome(env.ssh.knownHosts ?? "~/.ssh/known_hosts");
}

export function sshTarget(host: HostEntry, env: Environment): SshTarget {
  const identityFile = host.identityFile ?? env.ssh.identityFile;
  const fallbackIdentity = identityFile ? expandHome(identityFile) : undefined;
  return {
    name: host.name,
    address: host.address,
    port: host.port ?? env.ssh.port,
    user: host.user ?? env.ssh.user,
    identityFile: fallbackIdentity,
    useAgent: host.useAgent ?? env.ssh.useAgent,
    sudo: host.sudo ?? env.ssh.sudo,
    jumpHost: host.jumpHost ? jumpHop(host.jumpHost, fallbackIdentity) : undefined,
  };
}

/** A jump host (and the hops before it, for a ProxyJump chain) without a key of its own uses the target's. */
function jumpHop(jump: JumpHost, fallbackIdentity: string | undefined): SshHop {
  return {
    address: jump.address,
    port: jump.port,
    user: jump.user,
    useAgent: jump.useAgent,
    identityFile: jump.identityFile ? expandHome(jump.identityFile) : fallbackIdentity,
    ...(jump.jumpHost ? { jumpHost: jumpHop(jump.jumpHost, fallbackIdentity) } : {}),
  };
}
