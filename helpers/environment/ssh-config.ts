// Host addresses resolved through the operator's OpenSSH client config (ssh_config(5)), parsed by
// the maintained `ssh-config` library: HostName, User, Port, IdentityFile, ProxyJump (chains) and
// UserKnownHostsFile. Values the environment file gives explicitly win, as `ssh -o` wins over the
// config. Host-key checking is never weakened: StrictHostKeyChecking no/accept-new and
// UserKnownHostsFile /dev/null are reported and ignored.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { homedir, userInfo } from "node:os";
import { basename, dirname, isAbsolute, join, resolve } from "node:path";
import SSHConfig from "ssh-config";
import type { HostEntry, JumpHost } from "./schema.js";

export interface SshConfigFile {
  /** Absolute path, for messages. */
  path: string;
  config: SSHConfig;
}

/** ssh.config: `true` is the user's own config; a relative path is relative to the environment file. */
export function sshConfigPath(setting: string | true, environmentDir: string): string {
  if (setting === true) return join(homedir(), ".ssh", "config");
  return expandTilde(setting, environmentDir);
}

export function expandTilde(path: string, relativeTo: string): string {
  if (path === "~" || path.startsWith("~/")) return join(homedir(), path.slice(1));
  return isAbsolute(path) ? path : resolve(relativeTo, path);
}

const MAX_INCLUDE_DEPTH = 16; // OpenSSH's own limit (READCONF_MAX_DEPTH)

/**
 * Read a config file with its `Include` directives expanded in place (relative paths are relative
 * to ~/.ssh, as OpenSSH resolves them for a user config). Throws Error naming the file on a read error.
 */
export function readSshConfig(path: string): SshConfigFile {
  return { path, config: SSHConfig.parse(expandIncludes(path, 0)) };
}

function expandIncludes(path: string, depth: number): string {
  if (depth > MAX_INCLUDE_DEPTH) throw new Error(`${path}: Include nested deeper than ${MAX_INCLUDE_DEPTH} levels`);
  const text = readFileSync(path, "utf8");
  return text
    .split(/\r?\n/)
    .map((line) => {
      const include = /^\s*include\s*[= ]\s*(.+?)\s*$/i.exec(line);
      if (!include) return line;
      return include[1]!
        .split(/\s+/)
        .flatMap((pattern) => globFiles(expandTilde(pattern.replace(/^"|"$/g, ""), join(homedir(), ".ssh"))))
        .map((file) => expandIncludes(file, depth + 1))
        .join("\n");
    })
    .join("\n");
}

/** `*` and `?` in the last path component, as ssh's glob(3) use in Include; no match is no file. */
function globFiles(pattern: string): string[] {
  const name = basename(pattern);
  if (!/[*?]/.test(name)) return existsSync(pattern) ? [pattern] : [];
  const dir = dirname(pattern);
  if (!existsSync(dir)) return [];
  const regex = new RegExp(`^${name.replace(/[.+^${}()|[\]\\]/g, "\\$&").replaceAll("*", ".*").replaceAll("?", ".")}$`);
  return readdirSync(dir)
    .filter((f) => regex.test(f) && statSync(join(dir, f)).isFile())
    .sort()
    .map((f) => join(dir, f));
}

/** What the environment file says for every host; it wins over the config. */
export interface ExplicitSsh {
  user?: string;
  port?: number;
  identityFile?: string;
}

export interface ConfigResolution {
  /** The host with the config's values filled in where the environment file left them out. */
  host: HostEntry;
  /** UserKnownHostsFile of this host (first file), when the config names one. */
  knownHosts?: string;
  /** Where each filled-in value came from, for messages: field → "ssh.config <file>: Host <alias> <Keyword>". */
  origins: Record<string, string>;
  notices: string[];
  problems: string[];
}

/** ssh_config's yes/no spellings that turn strict checking off or to trust-on-first-use. */
const WEAK_STRICT_CHECKING = new Set(["no", "off", "accept-new", "false"]);

/** Resolve one inventory host: its `address` is the Host alias looked up in the config. */
export function resolveThroughSshConfig(file: SshConfigFile, host: HostEntry, explicit: ExplicitSsh): ConfigResolution {
  const alias = host.address;
  const c = compute(file, alias);
  const at = (keyword: string) => `ssh.config ${file.path}: Host ${alias} ${keyword}`;
  const origins: Record<string, string> = {};
  const notices: string[] = [];
  const problems: string[] = [];
  const hostName = c.hostname === undefined ? alias : expandTokens(c.hostname, { h: alias, n: alias }, problems, at("HostName"));
  const port = host.port ?? explicit.port ?? parsePort(c.port, problems, at("Port"));
  const user = host.user ?? explicit.user ?? c.user;
  const tokens = { h: hostName, n: alias, p: String(port ?? 22), r: user ?? "root" };

  const resolved: HostEntry = { ...host, address: hostName };
  if (port !== undefined) resolved.port = port;
  if (user !== undefined) resolved.user = user;
  if (host.identityFile === undefined && explicit.identityFile === undefined && c.identityfile) {
    const identityFile = pickIdentityFile(c.identityfile, tokens, problems, at("IdentityFile"));
    if (identityFile) {
      resolved.identityFile = identityFile;
      origins.identityFile = at("IdentityFile");
    }
  }
  if (host.jumpHost === undefined) {
    const jump = proxyJumpOf(file, c, explicit, [alias], problems, at);
    if (jump) {
      resolved.jumpHost = jump;
      origins.jumpHost = at("ProxyJump");
    }
  }
  if (c.proxycommand !== undefined && c.proxyjump === undefined && c.proxycommand.toLowerCase() !== "none" && host.jumpHost === undefined) {
    problems.push(`${at("ProxyCommand")}: ProxyCommand is not supported (the suite connects itself); use ProxyJump in the config or hosts[].jumpHost`);
  }
  const strict = c.stricthostkeychecking?.toLowerCase();
  if (strict !== undefined && WEAK_STRICT_CHECKING.has(strict)) {
    notices.push(
      `${host.name}: ${at("StrictHostKeyChecking")} ${c.stricthostkeychecking} is ignored: host keys are always checked strictly` +
        `${strict === "accept-new" ? " (pass --accept-new-host-keys for trust on first use)" : ""}`,
    );
  }
  let knownHosts: string | undefined;
  const knownHostsFiles = c.userknownhostsfile;
  if (knownHostsFiles !== undefined) {
    const first = knownHostsFiles[0]!;
    if (first === "/dev/null" || first.toLowerCase() === "none") {
      notices.push(`${host.name}: ${at("UserKnownHostsFile")} ${first} is ignored: host keys are always checked against a known_hosts file`);
    } else {
      knownHosts = expandPath(first, tokens, problems, at("UserKnownHostsFile"));
      if (knownHostsFiles.length > 1) notices.push(`${host.name}: ${at("UserKnownHostsFile")}: only the first file (${knownHosts}) is read`);
    }
  }
  if (c.hostkeyalias !== undefined) {
    notices.push(`${host.name}: ${at("HostKeyAlias")} is not supported: the host key is looked up under ${hostName}`);
  }
  return { host: resolved, knownHosts, origins, notices, problems };
}

/** The config's values for one alias, keywords lower-cased, first value wins (ssh_config(5)). */
interface ComputedConfig {
  hostname?: string;
  user?: string;
  port?: string;
  identityfile?: string[];
  proxyjump?: string;
  proxycommand?: string;
  stricthostkeychecking?: string;
  userknownhostsfile?: string[];
  hostkeyalias?: string;
}

function compute(file: SshConfigFile, alias: string): ComputedConfig {
  // matchExec: false — `Match exec` would run a shell command from the config; never do that.
  const raw = file.config.compute(alias, { ignoreCase: true, matchExec: false });
  const one = (key: string) => {
    const v = raw[key];
    return Array.isArray(v) ? v.join(" ") : v;
  };
  const many = (key: string) => {
    const v = raw[key];
    return v === undefined ? undefined : Array.isArray(v) ? v : v.split(/\s+/);
  };
  return {
    hostname: one("hostname"),
    user: one("user"),
    port: one("port"),
    identityfile: many("identityfile"),
    proxyjump: one("proxyjump"),
    proxycommand: one("proxycommand"),
    stricthostkeychecking: one("stricthostkeychecking"),
    userknownhostsfile: many("userknownhostsfile"),
    hostkeyalias: one("hostkeyalias"),
  };
}

function parsePort(value: string | undefined, problems: string[], where: string): number | undefined {
  if (value === undefined) return undefined;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    problems.push(`${where} ${value}: not a TCP port (1-65535)`);
    return undefined;
  }
  return port;
}

/** OpenSSH skips IdentityFile entries that do not exist; the first one that does is used. */
function pickIdentityFile(files: string[], tokens: Tokens, problems: string[], where: string): string | undefined {
  const paths = files.map((f) => expandPath(f, tokens, problems, where));
  const existing = paths.find((p) => existsSync(p));
  if (existing) return existing;
  problems.push(`${where}: none of ${paths.join(", ")} exists; create the key or give identityFile in the environment file`);
  return undefined;
}

const MAX_JUMP_DEPTH = 8;

/**
 * ProxyJump `a,b`: reach a (itself resolved through the config, its own ProxyJump included), then
 * b through a, then the target through b. `none` disables jumping.
 */
function proxyJumpOf(
  file: SshConfigFile,
  c: ComputedConfig,
  explicit: ExplicitSsh,
  chain: string[],
  problems: string[],
  at: (keyword: string) => string,
): JumpHost | undefined {
  if (c.proxyjump === undefined || c.proxyjump.toLowerCase() === "none") return undefined;
  let previous: JumpHost | undefined;
  for (const [i, spec] of c.proxyjump.split(",").entries()) {
    const hop = parseJumpSpec(spec.trim());
    if (!hop) {
      problems.push(`${at("ProxyJump")} ${c.proxyjump}: "${spec}" is not [user@]host[:port]`);
      return undefined;
    }
    if (chain.includes(hop.host) || chain.length > MAX_JUMP_DEPTH) {
      problems.push(`${at("ProxyJump")}: jump hosts form a loop (${[...chain, hop.host].join(" → ")}); fix the config's ProxyJump lines`);
      return undefined;
    }
    const hc = compute(file, hop.host);
    const hostName = hc.hostname === undefined ? hop.host : expandTokens(hc.hostname, { h: hop.host, n: hop.host }, problems, at("ProxyJump"));
    const port = hop.port ?? parsePort(hc.port, problems, `ssh.config ${file.path}: Host ${hop.host} Port`) ?? 22;
    const user = hop.user ?? hc.user ?? explicit.user ?? "root";
    const jump: JumpHost = { address: hostName, port, user, useAgent: false };
    if (hc.identityfile) {
      const identityFile = pickIdentityFile(hc.identityfile, { h: hostName, n: hop.host, p: String(port), r: user }, problems, `ssh.config ${file.path}: Host ${hop.host} IdentityFile`);
      if (identityFile) jump.identityFile = identityFile;
    }
    // Only the first hop follows its own ProxyJump; later hops are reached through the previous one.
    const before = i === 0 ? proxyJumpOf(file, hc, explicit, [...chain, hop.host], problems, (k) => `ssh.config ${file.path}: Host ${hop.host} ${k}`) : previous;
    if (before) jump.jumpHost = before;
    previous = jump;
  }
  return previous;
}

/** `[ssh://][user@]host[:port]`, IPv6 literals in brackets. */
export function parseJumpSpec(spec: string): { user?: string; host: string; port?: number } | null {
  const m = /^(?:ssh:\/\/)?(?:([^@\s]+)@)?(\[[0-9a-f:.]+\]|[^:@\s/\[\]]+)(?::(\d+))?\/?$/i.exec(spec);
  if (!m) return null;
  const port = m[3] === undefined ? undefined : Number(m[3]);
  if (port !== undefined && (port < 1 || port > 65535)) return null;
  return { ...(m[1] ? { user: m[1] } : {}), host: m[2]!.replace(/^\[|\]$/g, ""), ...(port ? { port } : {}) };
}

interface Tokens {
  h: string;
  n: string;
  p?: string;
  r?: string;
}

/** ssh_config TOKENS the suite can expand without running anything; `~` is the home directory. */
function expandTokens(value: string, tokens: Tokens, problems: string[], where: string): string {
  const expanded = value.replace(/%(.)/g, (whole, token: string) => {
    switch (token) {
      case "%":
        return "%";
      case "h":
        return tokens.h;
      case "n":
        return tokens.n;
      case "p":
        return tokens.p ?? whole;
      case "r":
        return tokens.r ?? whole;
      case "d":
        return homedir();
      case "u":
        return userInfo().username;
      default:
        problems.push(`${where} ${value}: the token ${whole} is not supported; write the value out`);
        return whole;
    }
  });
  return expanded;
}

/** A file named by the config: tokens, then `~`; a relative path is relative to the working directory, as for ssh. */
function expandPath(value: string, tokens: Tokens, problems: string[], where: string): string {
  return expandTilde(expandTokens(value, tokens, problems, where), process.cwd());
}
