// Ansible inventories, read as Ansible reads them (pure parsers, no file access): static INI and YAML
// (groups of groups, [group:vars], ranges such as dp[1:2].example.com, host:port) and the JSON that
// `ansible-inventory --list` prints (the form dynamic inventories are accepted in).
import { parseYamlText } from "./yaml-text.js";

export interface InventoryGroup {
  name: string;
  /** Direct members, in inventory order. */
  hosts: string[];
  children: string[];
  vars: Record<string, unknown>;
}

export interface Inventory {
  groups: Map<string, InventoryGroup>;
  /** Variables set on the host itself (for a --list JSON: every variable, groups' already merged in). */
  hostVars: Map<string, Record<string, unknown>>;
}

/** A line or key of the inventory that Ansible would refuse too. */
export class InventorySyntaxError extends Error {}

function emptyInventory(): Inventory {
  const inventory: Inventory = { groups: new Map(), hostVars: new Map() };
  group(inventory, "all");
  group(inventory, "ungrouped");
  return inventory;
}

function group(inventory: Inventory, name: string): InventoryGroup {
  let g = inventory.groups.get(name);
  if (!g) {
    g = { name, hosts: [], children: [], vars: {} };
    inventory.groups.set(name, g);
  }
  return g;
}

function addHost(inventory: Inventory, groupName: string, host: string, vars: Record<string, unknown>): void {
  const g = group(inventory, groupName);
  if (!g.hosts.includes(host)) g.hosts.push(host);
  inventory.hostVars.set(host, { ...inventory.hostVars.get(host), ...vars });
}

function addChild(inventory: Inventory, parent: string, child: string): void {
  group(inventory, child);
  const g = group(inventory, parent);
  if (!g.children.includes(child)) g.children.push(child);
}

/**
 * A host pattern with its ranges expanded (`www[01:50:2].example.com`, `db-[a:f]`) and an optional
 * `:port` split off (IPv6 literals only with brackets, as Ansible's parse_address).
 */
export function expandHostPattern(pattern: string): { hosts: string[]; port?: number } {
  let name = pattern;
  let port: number | undefined;
  const bracketed = /^\[([0-9a-f:.]+)\](?::(\d+))?$/i.exec(pattern);
  const withPort = /^([^:]+):(\d+)$/.exec(pattern);
  if (bracketed && bracketed[1]!.includes(":")) {
    name = bracketed[1]!;
    port = bracketed[2] ? Number(bracketed[2]) : undefined;
  } else if (withPort) {
    name = withPort[1]!;
    port = Number(withPort[2]);
  }
  return { hosts: expandRanges(name), ...(port === undefined ? {} : { port }) };
}

function expandRanges(name: string): string[] {
  const m = /^(.*?)\[([^\]:]+):([^\]:]+)(?::(\d+))?\](.*)$/.exec(name);
  if (!m) return [name];
  const [, head, start, end, stepText, tail] = m as unknown as [string, string, string, string, string | undefined, string];
  const step = stepText === undefined ? 1 : Number(stepText);
  if (!(step > 0)) throw new InventorySyntaxError(`${name}: the range step must be a positive number`);
  const middles: string[] = [];
  if (/^\d+$/.test(start) && /^\d+$/.test(end)) {
    const width = start.startsWith("0") ? start.length : 0;
    for (let i = Number(start); i <= Number(end); i += step) middles.push(String(i).padStart(width, "0"));
  } else if (/^[a-z]$/i.test(start) && /^[a-z]$/i.test(end)) {
    for (let c = start.charCodeAt(0); c <= end.charCodeAt(0); c += step) middles.push(String.fromCharCode(c));
  } else {
    throw new InventorySyntaxError(`${name}: a range is [number:number] or [letter:letter]`);
  }
  if (middles.length === 0) throw new InventorySyntaxError(`${name}: the range [${start}:${end}] is empty`);
  return middles.flatMap((middle) => expandRanges(`${head}${middle}${tail}`));
}

/** POSIX shlex.split with comments, as Ansible splits INI host lines. */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (/\s/.test(ch)) {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
    } else if (ch === "#" && !inWord) {
      break;
    } else if (ch === "'") {
      const close = line.indexOf("'", i + 1);
      if (close < 0) throw new InventorySyntaxError("no closing quotation");
      word += line.slice(i + 1, close);
      i = close;
      inWord = true;
    } else if (ch === '"') {
      let j = i + 1;
      for (; j < line.length && line[j] !== '"'; j++) {
        if (line[j] === "\\" && /["\\$`]/.test(line[j + 1] ?? "")) j++;
        word += line[j];
      }
      if (j >= line.length) throw new InventorySyntaxError("no closing quotation");
      i = j;
      inWord = true;
    } else if (ch === "\\" && i + 1 < line.length) {
      word += line[++i];
      inWord = true;
    } else {
      word += ch;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}

/** Host-line values are Python literals for Ansible (ast.literal_eval); whatever is not one stays a string. */
function pythonLiteral(text: string): unknown {
  if (/^[-+]?\d+$/.test(text)) return Number(text);
  if (/^[-+]?(\d+\.\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) return Number(text);
  if (text === "True") return true;
  if (text === "False") return false;
  if (text === "None") return null;
  return text;
}

function keyValue(text: string, where: string): [string, string] {
  const eq = text.indexOf("=");
  if (eq <= 0) throw new InventorySyntaxError(`${where}: expected key=value, got "${text}"`);
  return [text.slice(0, eq).trim(), text.slice(eq + 1).trim()];
}

/** Ansible's INI inventory format. Errors name the line. */
export function parseIniInventory(text: string): Inventory {
  const inventory = emptyInventory();
  let section: { group: string; kind: "hosts" | "vars" | "children" } = { group: "ungrouped", kind: "hosts" };
  text.split(/\r?\n/).forEach((raw, index) => {
    const where = `line ${index + 1}`;
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line.startsWith(";")) return;
    try {
      const header = /^\[([^\]]*)\]\s*(?:[#;].*)?$/.exec(line);
      if (header) {
        const [name, kind = "hosts", extra] = header[1]!.split(":");
        if (!name || extra !== undefined || !["hosts", "vars", "children"].includes(kind)) {
          throw new InventorySyntaxError(`section [${header[1]}]: expected [group], [group:vars] or [group:children]`);
        }
        section = { group: name, kind: kind as typeof section.kind };
        group(inventory, name);
        return;
      }
      if (line.startsWith("[")) throw new InventorySyntaxError(`"${line}" is not a section header ([group], [group:vars], [group:children])`);
      if (section.kind === "vars") {
        // In [group:vars] Ansible keeps values as strings.
        const [key, value] = keyValue(line, where);
        group(inventory, section.group).vars[key] = value.replace(/^(['"])(.*)\1$/, "$2");
      } else if (section.kind === "children") {
        const words = shellWords(line);
        if (words.length !== 1) throw new InventorySyntaxError(`a [${section.group}:children] line names one group, got "${line}"`);
        addChild(inventory, section.group, words[0]!);
      } else {
        const [pattern, ...assignments] = shellWords(line);
        if (!pattern) return;
        const vars: Record<string, unknown> = {};
        for (const assignment of assignments) {
          const [key, value] = keyValue(assignment, where);
          vars[key] = pythonLiteral(value);
        }
        const { hosts, port } = expandHostPattern(pattern);
        for (const host of hosts) addHost(inventory, section.group, host, port === undefined ? vars : { ansible_port: port, ...vars });
      }
    } catch (error) {
      if (error instanceof InventorySyntaxError && !error.message.startsWith("line ")) throw new InventorySyntaxError(`${where}: ${error.message}`);
      throw error;
    }
  });
  linkTopLevelGroups(inventory);
  return inventory;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const GROUP_KEYS = new Set(["hosts", "vars", "children"]);

/** Ansible's YAML inventory format: group → {hosts, vars, children}, nested to any depth. */
export function parseYamlInventory(text: string): Inventory {
  const doc: unknown = parseYamlText(text, { uniqueKeys: false });
  if (!isRecord(doc)) throw new InventorySyntaxError("a YAML inventory is a mapping of group names (usually all:)");
  const inventory = emptyInventory();
  const readGroup = (name: string, body: unknown, path: string) => {
    group(inventory, name);
    if (body === null || body === undefined) return;
    if (!isRecord(body)) throw new InventorySyntaxError(`${path}: a group is a mapping with hosts, vars and children`);
    for (const key of Object.keys(body)) {
      if (!GROUP_KEYS.has(key)) throw new InventorySyntaxError(`${path}.${key}: a group has only hosts, vars and children (is "${key}" a host? put it under hosts:)`);
    }
    const hosts = body.hosts ?? {};
    if (!isRecord(hosts)) throw new InventorySyntaxError(`${path}.hosts: a mapping of host names to their variables`);
    for (const [pattern, vars] of Object.entries(hosts)) {
      if (vars !== null && !isRecord(vars)) throw new InventorySyntaxError(`${path}.hosts.${pattern}: host variables are a mapping`);
      const { hosts: names, port } = expandHostPattern(pattern);
      for (const host of names) addHost(inventory, name, host, { ...(port === undefined ? {} : { ansible_port: port }), ...(vars ?? {}) });
    }
    const vars = body.vars ?? {};
    if (!isRecord(vars)) throw new InventorySyntaxError(`${path}.vars: a mapping of variables`);
    Object.assign(group(inventory, name).vars, vars);
    const children = body.children ?? {};
    if (!isRecord(children)) throw new InventorySyntaxError(`${path}.children: a mapping of group names`);
    for (const [child, childBody] of Object.entries(children)) {
      addChild(inventory, name, child);
      readGroup(child, childBody, `${path}.children.${child}`);
    }
  };
  for (const [name, body] of Object.entries(doc)) readGroup(name, body, name);
  linkTopLevelGroups(inventory);
  return inventory;
}

/** The JSON of `ansible-inventory -i X --list`: groups with hosts/children, every host's variables in _meta. */
export function parseInventoryList(text: string): Inventory {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    throw new InventorySyntaxError(`not JSON: ${(error as Error).message}`);
  }
  if (!isRecord(doc) || !isRecord(doc._meta) || !isRecord(doc.all)) {
    throw new InventorySyntaxError("expected the output of `ansible-inventory -i <inventory> --list` (an object with _meta and all)");
  }
  const inventory = emptyInventory();
  const hostvars = isRecord(doc._meta.hostvars) ? doc._meta.hostvars : {};
  for (const [name, body] of Object.entries(doc)) {
    if (name === "_meta") continue;
    if (!isRecord(body)) throw new InventorySyntaxError(`${name}: a group is an object with hosts, children and vars`);
    group(inventory, name);
    for (const host of asStrings(body.hosts, `${name}.hosts`)) addHost(inventory, name, host, {});
    for (const child of asStrings(body.children, `${name}.children`)) addChild(inventory, name, child);
    if (isRecord(body.vars)) Object.assign(group(inventory, name).vars, body.vars);
  }
  for (const [host, vars] of Object.entries(hostvars)) {
    if (isRecord(vars)) inventory.hostVars.set(host, { ...inventory.hostVars.get(host), ...vars });
  }
  return inventory;
}

function asStrings(value: unknown, path: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) throw new InventorySyntaxError(`${path}: a list of names`);
  return value as string[];
}

/** Groups nobody lists as a child belong to all; hosts in no group but all are "ungrouped". */
function linkTopLevelGroups(inventory: Inventory): void {
  const listed = new Set([...inventory.groups.values()].flatMap((g) => g.children));
  for (const name of inventory.groups.keys()) {
    if (name !== "all" && !listed.has(name)) addChild(inventory, "all", name);
  }
  const all = inventory.groups.get("all")!;
  for (const host of all.hosts.splice(0)) {
    const elsewhere = [...inventory.groups.values()].some((g) => g.name !== "all" && g.hosts.includes(host));
    if (!elsewhere) addHost(inventory, "ungrouped", host, {});
  }
}

/** Every host of a group, its children's included, in inventory order. */
export function hostsOfGroup(inventory: Inventory, name: string, seen = new Set<string>()): string[] {
  const g = inventory.groups.get(name);
  if (!g || seen.has(name)) return [];
  seen.add(name);
  const hosts = [...g.hosts, ...g.children.flatMap((child) => hostsOfGroup(inventory, child, seen))];
  return [...new Set(hosts)];
}

/** Groups a host belongs to, directly or through children, each with its depth below all. */
function groupsOfHost(inventory: Inventory, host: string): Array<{ name: string; depth: number }> {
  const depth = new Map<string, number>([["all", 0]]);
  const visit = (name: string, d: number, path: Set<string>) => {
    if (path.has(name)) return; // a cycle: Ansible refuses it too; depth stays finite
    if ((depth.get(name) ?? -1) < d) depth.set(name, d);
    const g = inventory.groups.get(name);
    for (const child of g?.children ?? []) visit(child, d + 1, new Set([...path, name]));
  };
  visit("all", 0, new Set());
  return [...inventory.groups.values()]
    .filter((g) => g.name === "all" || hostsOfGroup(inventory, g.name).includes(host))
    .map((g) => ({ name: g.name, depth: depth.get(g.name) ?? 1 }));
}

/**
 * A host's variables as Ansible merges them: all, then groups from shallow to deep (alphabetical
 * within a depth), then the host's own.
 */
export function hostVariables(inventory: Inventory, host: string): Record<string, unknown> {
  const groups = groupsOfHost(inventory, host).sort((a, b) => a.depth - b.depth || a.name.localeCompare(b.name));
  return Object.assign({}, ...groups.map((g) => inventory.groups.get(g.name)!.vars), inventory.hostVars.get(host) ?? {});
}
