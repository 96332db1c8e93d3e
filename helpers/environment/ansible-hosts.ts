// `inventory: { ansible: <path>, roles: { cp: <group>, dp: <group> } }`: the audited hosts taken
// from the operator's Ansible inventory, with the connection variables Ansible would use.
// Static INI/YAML are parsed here; a dynamic inventory runs through `ansible-inventory --list`
// (execFile with an argument array, no shell), or is given as the saved JSON of that command.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, extname, join } from "node:path";
import { UNSAFE_IN_PATH } from "./schema.js";
import { parseYamlText, YamlTextError } from "./yaml-text.js";
import { parse as parseYaml } from "yaml";
import {
  hostsOfGroup,
  hostVariables,
  InventorySyntaxError,
  parseIniInventory,
  parseInventoryList,
  parseYamlInventory,
  type Inventory,
} from "./ansible-inventory.js";
import type { HostEntry, JumpHost } from "./schema.js";
import { expandTilde, parseJumpSpec } from "./ssh-config.js";

export interface InventoryHosts {
  hosts: HostEntry[];
  /** Settings the suite ignores (host-key checking turned off), said at the start of the run. */
  notices: string[];
  /** host name → field → where it came from, for messages. */
  origins: Record<string, Record<string, string>>;
  /** host name → the file of `-o UserKnownHostsFile=...` in its ssh args. */
  knownHosts: Record<string, string>;
  problems: string[];
}

const ANSIBLE_INVENTORY_TIMEOUT_MS = 120_000;

/** Dynamic: an executable script, an inventory plugin's YAML (`plugin:`), or a directory of sources. */
function isDynamic(path: string, text: string | null): boolean {
  const stat = statSync(path);
  if (stat.isDirectory()) return true;
  if ((stat.mode & 0o111) !== 0 && text?.startsWith("#!")) return true;
  if (/\.ya?ml$/i.test(path) && text !== null) {
    try {
      const doc: unknown = parseYaml(text);
      return typeof doc === "object" && doc !== null && "plugin" in doc;
    } catch {
      return false;
    }
  }
  return false;
}

/** Read an inventory the way its format asks; throws Error with a message that names the file. */
export function readInventory(path: string): Inventory {
  if (!existsSync(path)) throw new Error(`${path} does not exist`);
  const text = statSync(path).isFile() ? readFileSync(path, "utf8") : null;
  const syntax = (what: () => Inventory) => {
    try {
      return what();
    } catch (error) {
      if (error instanceof InventorySyntaxError || error instanceof YamlTextError) throw new Error(`${path}: ${error.message}`);
      throw error;
    }
  };
  if (isDynamic(path, text)) return syntax(() => parseInventoryList(runAnsibleInventory(path)));
  if (/\.json$/i.test(path)) return syntax(() => parseInventoryList(text!));
  const inventory = syntax(() => (/\.ya?ml$/i.test(extname(path)) ? parseYamlInventory(text!) : parseIniInventory(text!)));
  addVarsDirectories(inventory, dirname(path));
  return inventory;
}

export function runAnsibleInventory(path: string): string {
  try {
    return execFileSync("ansible-inventory", ["-i", path, "--list"], {
      encoding: "utf8",
      timeout: ANSIBLE_INVENTORY_TIMEOUT_MS,
      maxBuffer: 64 * 1024 * 1024,
      stdio: ["ignore", "pipe", "pipe"],
      // An inventory source Ansible cannot parse must fail, not become an empty inventory.
      env: { ...process.env, ANSIBLE_INVENTORY_UNPARSED_FAILED: "true", ANSIBLE_INVENTORY_ANY_UNPARSED_IS_FAILED: "true" },
    });
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === "ENOENT") {
      throw new Error(
        `${path} is a dynamic inventory and ansible-inventory is not installed: install ansible-core, or save ` +
          `\`ansible-inventory -i ${path} --list > inventory.json\` where it is installed and give that file`,
      );
    }
    throw new Error(`ansible-inventory -i ${path} --list failed: ${(e.stderr ?? e.message).trim().split("\n").slice(-3).join(" ")}`);
  }
}

/** group_vars/<group>[.yml|.yaml] and host_vars/<host>[...] next to the inventory, files or directories of files. */
function addVarsDirectories(inventory: Inventory, dir: string): void {
  const read = (kind: "group_vars" | "host_vars", name: string): Record<string, unknown> => {
    // A name such as "../x" would read outside the inventory's folder; such a host is refused later.
    if (UNSAFE_IN_PATH.test(name)) return {};
    const base = join(dir, kind, name);
    const files = [base, `${base}.yml`, `${base}.yaml`, `${base}.json`].filter((f) => existsSync(f));
    return Object.assign(
      {},
      ...files.flatMap((f) =>
        statSync(f).isDirectory()
          ? readdirSync(f).filter((x) => /\.(ya?ml|json)$/.test(x)).sort().map((x) => readVarsFile(join(f, x)))
          : [readVarsFile(f)],
      ),
    );
  };
  if (existsSync(join(dir, "group_vars"))) {
    for (const g of inventory.groups.values()) Object.assign(g.vars, read("group_vars", g.name));
  }
  if (existsSync(join(dir, "host_vars"))) {
    for (const host of hostsOfGroup(inventory, "all")) inventory.hostVars.set(host, { ...read("host_vars", host), ...inventory.hostVars.get(host) });
  }
}

function readVarsFile(file: string): Record<string, unknown> {
  const text = readFileSync(file, "utf8");
  if (text.startsWith("$ANSIBLE_VAULT")) {
    throw new Error(`${file} is vault-encrypted: give the saved output of \`ansible-inventory --list --vault-id ...\` instead`);
  }
  let vars: unknown;
  try {
    vars = parseYamlText(text, { uniqueKeys: false });
  } catch (error) {
    throw error instanceof YamlTextError ? new Error(`${file}: ${error.message}`) : error;
  }
  if (vars === null || vars === undefined) return {};
  if (typeof vars !== "object" || Array.isArray(vars)) throw new Error(`${file}: variables are a mapping`);
  return vars as Record<string, unknown>;
}

const TRUE_WORDS = new Set(["yes", "on", "1", "true", "y", "t"]);
const FALSE_WORDS = new Set(["no", "off", "0", "false", "n", "f"]);

/** Ansible's boolean(): yes/no, true/false, on/off, 1/0, in any case. */
function ansibleBoolean(value: unknown): boolean | null {
  if (typeof value === "boolean") return value;
  const word = String(value).toLowerCase();
  if (TRUE_WORDS.has(word)) return true;
  if (FALSE_WORDS.has(word)) return false;
  return null;
}

/** The first of several spellings Ansible accepts for one setting. */
function firstOf(vars: Record<string, unknown>, names: string[]): [string, unknown] | undefined {
  for (const name of names) if (vars[name] !== undefined && vars[name] !== null) return [name, vars[name]];
  return undefined;
}

/** `-o ProxyJump=x`, `-o ProxyJump x`, `-oProxyJump=x`, `-J x` in ansible_ssh_common_args / ansible_ssh_extra_args. */
export function proxyJumpFromArgs(args: string): { jump?: string; proxyCommand: boolean; strictHostKeyChecking?: string; userKnownHostsFile?: string } {
  const words = args.match(/"[^"]*"|'[^']*'|\S+/g)?.map((w) => w.replace(/^(['"])(.*)\1$/, "$2")) ?? [];
  let jump: string | undefined;
  let proxyCommand = false;
  let strictHostKeyChecking: string | undefined;
  let userKnownHostsFile: string | undefined;
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    let option: string | undefined;
    if (w === "-J") jump = words[++i];
    else if (w.startsWith("-J")) jump = w.slice(2);
    else if (w === "-o") option = words[++i];
    else if (w.startsWith("-o")) option = w.slice(2);
    const m = option === undefined ? null : /^(\w+)\s*[= ]\s*(.*)$/.exec(option);
    if (m && m[1]!.toLowerCase() === "proxyjump") jump = m[2];
    if (m && m[1]!.toLowerCase() === "proxycommand") proxyCommand = true;
    if (m && m[1]!.toLowerCase() === "stricthostkeychecking") strictHostKeyChecking = m[2];
    if (m && m[1]!.toLowerCase() === "userknownhostsfile") userKnownHostsFile = m[2]!.split(/\s+/)[0];
  }
  return {
    ...(jump ? { jump } : {}),
    proxyCommand,
    ...(strictHostKeyChecking ? { strictHostKeyChecking } : {}),
    ...(userKnownHostsFile ? { userKnownHostsFile } : {}),
  };
}

const HOST_NAME = /^[a-z0-9][a-z0-9._-]*$/i;
const SSH_CONNECTIONS = new Set(["ssh", "smart", "paramiko", "paramiko_ssh"]);

/**
 * The hosts of the role groups, each with ansible_host/port/user/ssh_private_key_file/become and
 * a ProxyJump from its ssh args. Variables Ansible would template (`{{ ... }}`) cannot be used.
 */
export function inventoryHosts(inventory: Inventory, roles: { cp: string; dp: string }, source: string, baseDir: string): InventoryHosts {
  const problems: string[] = [];
  const notices: string[] = [];
  const origins: InventoryHosts["origins"] = {};
  const knownHosts: InventoryHosts["knownHosts"] = {};
  const known = [...inventory.groups.keys()].filter((g) => g !== "all" && g !== "ungrouped");
  const members = new Map<string, Array<"cp" | "dp">>();
  for (const role of ["cp", "dp"] as const) {
    const name = roles[role];
    if (!inventory.groups.has(name)) {
      problems.push(`inventory.roles.${role}: group "${name}" is not in ${source}; its groups are ${known.map((g) => `"${g}"`).join(", ") || "(none)"}`);
      continue;
    }
    const hosts = hostsOfGroup(inventory, name);
    if (hosts.length === 0) problems.push(`inventory.roles.${role}: group "${name}" of ${source} has no host; put the ${role} hosts in it (directly or through :children)`);
    for (const host of hosts) members.set(host, [...(members.get(host) ?? []), role]);
  }
  const hosts: HostEntry[] = [];
  for (const [name, hostRoles] of members) {
    const vars = hostVariables(inventory, name);
    const at = (variable: string) => `inventory.ansible ${source}: host ${name} ${variable}`;
    const templated = Object.entries(vars).filter(([k, v]) => k.startsWith("ansible_") && typeof v === "string" && v.includes("{{"));
    for (const [k] of templated) problems.push(`${at(k)}: is a Jinja template, which only Ansible can render; give the saved output of \`ansible-inventory -i ${source} --list\` instead`);
    if (!HOST_NAME.test(name)) problems.push(`${at("")}: "${name}" is not usable as a host name (letters, digits, '.', '_' or '-')`);
    const connection = firstOf(vars, ["ansible_connection"]);
    if (connection && !SSH_CONNECTIONS.has(String(connection[1]))) {
      problems.push(`${at("ansible_connection")}=${String(connection[1])}: the suite audits hosts over SSH only; leave such hosts out of the role groups`);
    }
    const host: HostEntry = { name, address: String(firstOf(vars, ["ansible_host", "ansible_ssh_host"])?.[1] ?? name), roles: hostRoles };
    const port = firstOf(vars, ["ansible_port", "ansible_ssh_port"]);
    if (port) {
      const n = Number(port[1]);
      if (Number.isInteger(n) && n >= 1 && n <= 65535) host.port = n;
      else problems.push(`${at(port[0])}=${String(port[1])}: not a TCP port (1-65535)`);
    }
    const user = firstOf(vars, ["ansible_user", "ansible_ssh_user"]);
    if (user) host.user = String(user[1]);
    const key = firstOf(vars, ["ansible_ssh_private_key_file", "ansible_private_key_file"]);
    if (key) {
      host.identityFile = expandTilde(String(key[1]), baseDir);
      (origins[name] ??= {}).identityFile = at(key[0]);
    }
    const become = firstOf(vars, ["ansible_become", "ansible_sudo"]);
    if (become) {
      const on = ansibleBoolean(become[1]);
      if (on === null) problems.push(`${at(become[0])}=${String(become[1])}: not a boolean (yes/no, true/false)`);
      else host.sudo = on;
      const method = firstOf(vars, ["ansible_become_method"]);
      if (on && method && String(method[1]) !== "sudo") {
        problems.push(`${at("ansible_become_method")}=${String(method[1])}: the suite becomes root with \`sudo -n\` only; use sudo or give the host without ansible_become`);
      }
    }
    const keyChecking = firstOf(vars, ["ansible_host_key_checking", "ansible_ssh_host_key_checking"]);
    if (keyChecking && ansibleBoolean(keyChecking[1]) === false) {
      notices.push(`${name}: ${at(keyChecking[0])}=${String(keyChecking[1])} is ignored: host keys are always checked strictly`);
    }
    for (const argsVar of ["ansible_ssh_common_args", "ansible_ssh_extra_args"]) {
      if (vars[argsVar] === undefined) continue;
      const { jump, proxyCommand, strictHostKeyChecking, userKnownHostsFile } = proxyJumpFromArgs(String(vars[argsVar]));
      if (userKnownHostsFile === "/dev/null") notices.push(`${name}: ${at(argsVar)} -o UserKnownHostsFile=/dev/null is ignored: host keys are always checked against a known_hosts file`);
      else if (userKnownHostsFile) knownHosts[name] = expandTilde(userKnownHostsFile, process.cwd());
      if (strictHostKeyChecking !== undefined && /^(no|off|accept-new|false)$/i.test(strictHostKeyChecking)) {
        notices.push(`${name}: ${at(argsVar)} -o StrictHostKeyChecking=${strictHostKeyChecking} is ignored: host keys are always checked strictly`);
      }
      if (proxyCommand && !jump) problems.push(`${at(argsVar)}: ProxyCommand is not supported (the suite connects itself); use -o ProxyJump=[user@]bastion[:port] or -J`);
      if (!jump || jump.toLowerCase() === "none") continue;
      const chain = jumpChain(jump);
      if (!chain) problems.push(`${at(argsVar)}: ProxyJump "${jump}" is not [user@]host[:port][,...]`);
      else {
        host.jumpHost = chain;
        (origins[name] ??= {}).jumpHost = at(argsVar);
      }
    }
    hosts.push(host);
  }
  return { hosts, notices, origins, knownHosts, problems };
}

/** `a,b` → b reached through a. The user of a hop without one is the target's (filled in later). */
function jumpChain(spec: string): JumpHost | null {
  let previous: JumpHost | undefined;
  for (const part of spec.split(",")) {
    const hop = parseJumpSpec(part.trim());
    if (!hop) return null;
    const jump: JumpHost = { address: hop.host, port: hop.port ?? 22, user: hop.user ?? "", useAgent: false };
    if (previous) jump.jumpHost = previous;
    previous = jump;
  }
  return previous ?? null;
}
