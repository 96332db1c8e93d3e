// Host firewall (SEC-02): firewalld when it runs, else an nftables input chain that drops by
// default, else iptables' INPUT chain. "Persistent matches runtime" compares what decides
// inbound traffic with what would be loaded at boot.
import type { CommandOutput } from "../../model.js";
import type { FirewallFacts } from "../types.js";
import { type Parsed, firstLine, parsed, sectionProblem, unparsed } from "./result.js";

export interface FirewallInputs {
  firewalldState?: CommandOutput;
  firewalldRuntime?: CommandOutput;
  firewalldPermanent?: CommandOutput;
  nftRuleset?: CommandOutput;
  nftPersistent?: CommandOutput;
  iptables?: CommandOutput;
  iptablesPersistent?: CommandOutput;
}

// ---------------------------------------------------------------------------------------------
// firewalld

export interface FirewalldZone {
  zone: string;
  /** "default", "ACCEPT", "DROP", "REJECT" or "%%REJECT%%". */
  target: string;
  /** Field name → its value, e.g. "services" → "dhcpv6-client ssh". */
  fields: Map<string, string>;
}

/** `firewall-cmd [--permanent] --list-all`: a zone line, then indented "key: value" lines. */
export function parseFirewalldListAll(text: string): Parsed<FirewalldZone> {
  const rows = text.split("\n").filter((line) => line.trim() !== "");
  const head = rows.shift();
  if (!head || /^\s/.test(head)) return unparsed("no zone line in firewall-cmd --list-all output");
  const zone = head.trim().replace(/\s+\((active|default)\)/g, "").trim();
  const fields = new Map<string, string>();
  let last: string | null = null;
  for (const row of rows) {
    const match = /^\s+([a-z0-9 -]+):\s?(.*)$/.exec(row);
    if (match) {
      last = match[1] as string;
      fields.set(last, (match[2] as string).trim());
    } else if (last !== null) {
      // Rich rules continue on their own lines.
      fields.set(last, `${fields.get(last) ?? ""}\n${row.trim()}`.trim());
    }
  }
  return parsed({ zone, target: fields.get("target") ?? "default", fields });
}

/** Field names whose values differ (values compared as sorted word lists; rich rules by line). */
export function firewalldDifferences(runtime: FirewalldZone, permanent: FirewalldZone): string[] {
  const normalise = (key: string, value: string) =>
    (key === "rich rules" ? value.split("\n") : value.split(/\s+/))
      .map((v) => v.trim())
      .filter(Boolean)
      .sort()
      .join("\n");
  const differences: string[] = [];
  if (runtime.zone !== permanent.zone) differences.push("zone");
  const keys = new Set([...runtime.fields.keys(), ...permanent.fields.keys()]);
  for (const key of keys) {
    if (normalise(key, runtime.fields.get(key) ?? "") !== normalise(key, permanent.fields.get(key) ?? "")) {
      differences.push(key);
    }
  }
  return differences;
}

function firewalldFacts(inputs: FirewallInputs): FirewallFacts {
  const runtime = ok(inputs.firewalldRuntime) ? parseFirewalldListAll(inputs.firewalldRuntime.stdout) : null;
  const permanent = ok(inputs.firewalldPermanent) ? parseFirewalldListAll(inputs.firewalldPermanent.stdout) : null;
  if (!runtime?.ok) {
    return {
      tool: "firewalld",
      active: true,
      defaultDenyInbound: true,
      persistentMatchesRuntime: null,
      detail: "firewalld: running; zone listing unavailable, so its target and persistence are not known",
    };
  }
  const zone = runtime.value;
  const acceptsAll = zone.target.toUpperCase() === "ACCEPT";
  let persistence: boolean | null = null;
  let persistenceText = "permanent configuration unavailable";
  if (permanent?.ok) {
    const differences = firewalldDifferences(zone, permanent.value);
    persistence = differences.length === 0;
    persistenceText = persistence
      ? "runtime and permanent --list-all identical"
      : `runtime and permanent --list-all differ in: ${differences.join(", ")}`;
  }
  return {
    tool: "firewalld",
    active: true,
    defaultDenyInbound: !acceptsAll,
    persistentMatchesRuntime: persistence,
    detail: `firewalld: running, zone ${zone.zone} target ${zone.target}${acceptsAll ? " (accepts everything)" : ""}; ${persistenceText}`,
  };
}

// ---------------------------------------------------------------------------------------------
// nftables

export interface NftChain {
  name: string;
  hook: string | null;
  /** "accept" when a base chain states none (nft's default). null for regular chains. */
  policy: string | null;
  /** Normalised rules, in order. */
  rules: string[];
}

export interface NftTable {
  family: string;
  name: string;
  chains: NftChain[];
}

/**
 * Reads the block syntax shared by `nft list ruleset` and most rule files. Sets, maps and other
 * blocks inside a table are skipped; command-style files (`add rule ...`) yield no tables.
 */
export function parseNftRuleset(text: string): NftTable[] {
  const tables: NftTable[] = [];
  let table: NftTable | null = null;
  let chain: NftChain | null = null;
  let skipDepth = 0;
  let pending = "";
  for (const raw of text.split("\n")) {
    let line = stripComment(raw).trim();
    if (line === "") continue;
    if (pending !== "") {
      line = `${pending} ${line}`;
      pending = "";
    }
    if (skipDepth > 0) {
      skipDepth += count(line, "{") - count(line, "}");
      continue;
    }
    if (!table) {
      const t = /^table\s+(?:(ip|ip6|inet|arp|bridge|netdev)\s+)?(\S+)\s*\{$/.exec(line);
      if (t) table = { family: t[1] ?? "ip", name: t[2] as string, chains: [] };
      continue;
    }
    if (!chain) {
      if (line === "}") {
        tables.push(table);
        table = null;
        continue;
      }
      const c = /^chain\s+(\S+)\s*\{$/.exec(line);
      if (c) {
        chain = { name: c[1] as string, hook: null, policy: null, rules: [] };
        continue;
      }
      // set / map / flowtable / counter / quota blocks
      if (line.endsWith("{")) skipDepth = 1;
      continue;
    }
    if (line === "}") {
      table.chains.push(chain);
      chain = null;
      continue;
    }
    // A rule whose anonymous set continues on the next lines.
    if (count(line, "{") > count(line, "}")) {
      pending = line;
      continue;
    }
    if (/^type\s+\S+\s+hook\s+/.test(line) || /^policy\s+\S+\s*;?$/.test(line)) {
      const hook = /\bhook\s+(\S+?)\b/.exec(line)?.[1];
      if (hook) chain.hook = hook;
      const policy = /\bpolicy\s+(\w+)/.exec(line)?.[1];
      chain.policy = policy ?? chain.policy ?? "accept";
      continue;
    }
    chain.rules.push(normaliseNftRule(line));
  }
  return tables;
}

function stripComment(line: string): string {
  // A "#" outside double quotes starts a comment (nft's `comment "..."` statement is quoted).
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '"') quoted = !quoted;
    else if (c === "#" && !quoted) return line.slice(0, i);
  }
  return line;
}

function count(text: string, char: string): number {
  return text.split(char).length - 1;
}

/** Drops counters' values and quotes, and spacing, which differ between a file and a listing. */
export function normaliseNftRule(rule: string): string {
  return rule
    .replace(/\bcounter\s+packets\s+\d+\s+bytes\s+\d+/g, "counter")
    .replace(/"/g, "")
    .replace(/\s*\{\s*/g, " { ")
    .replace(/\s*\}\s*/g, " } ")
    .replace(/\s*,\s*/g, ", ")
    .replace(/\s+/g, " ")
    .trim();
}

function isFinalDrop(rule: string): boolean {
  const verdict = rule.replace(/\bcounter\b/g, "").trim();
  return /^(drop|reject)(\s|$)/.test(verdict);
}

export function denyingInputChains(tables: NftTable[]): Array<{ table: NftTable; chain: NftChain; how: string }> {
  const found: Array<{ table: NftTable; chain: NftChain; how: string }> = [];
  for (const table of tables) {
    if (!["ip", "ip6", "inet"].includes(table.family)) continue;
    for (const chain of table.chains) {
      if (chain.hook !== "input") continue;
      if (chain.policy === "drop") found.push({ table, chain, how: "policy drop" });
      else if (chain.rules.length > 0 && isFinalDrop(chain.rules[chain.rules.length - 1] as string)) {
        found.push({ table, chain, how: `final rule "${chain.rules[chain.rules.length - 1]}"` });
      }
    }
  }
  return found;
}

// iptables-nft keeps its rules in nft tables "ip filter"/"ip6 filter" with uppercase chains.
const isIptablesNftChain = (table: NftTable, chain: NftChain) =>
  (table.family === "ip" || table.family === "ip6") && table.name === "filter" && chain.name === "INPUT";

function nftPersistence(
  deciding: Array<{ table: NftTable; chain: NftChain }>,
  persistent: CommandOutput | undefined,
): { matches: boolean; text: string } {
  if (!ok(persistent)) {
    return { matches: false, text: `no persistent rule file (${sectionProblem(persistent) ?? "unreadable"})` };
  }
  const file = /^# api7-audit file: (\S+)/m.exec(persistent.stdout)?.[1] ?? "the persistent file";
  const saved = parseNftRuleset(persistent.stdout);
  const differences: string[] = [];
  for (const { table, chain } of deciding) {
    const savedChain = saved
      .find((t) => t.family === table.family && t.name === table.name)
      ?.chains.find((c) => c.name === chain.name);
    const where = `table ${table.family} ${table.name} chain ${chain.name}`;
    if (!savedChain) differences.push(`${where} is not declared`);
    else if ((savedChain.policy ?? "accept") !== (chain.policy ?? "accept")) {
      differences.push(`${where} policy ${savedChain.policy ?? "accept"} instead of ${chain.policy}`);
    } else if (savedChain.rules.join("\n") !== chain.rules.join("\n")) {
      differences.push(`${where} has ${savedChain.rules.length} rules that differ from the ${chain.rules.length} running`);
    }
  }
  if (differences.length > 0) return { matches: false, text: `${file}: ${differences.join("; ")}` };
  return {
    matches: true,
    text: `${file} declares the same policy and normalised rules for ${deciding.map((d) => `chain ${d.chain.name}`).join(", ")}`,
  };
}

// ---------------------------------------------------------------------------------------------
// iptables

export interface IptablesInput {
  policy: string | null;
  rules: string[];
}

/** `-m tcp` after `-p tcp` is implied; iptables prints it, hand-written files often omit it. */
export function normaliseIptablesRule(rule: string): string {
  return rule
    .replace(/-p (tcp|udp|sctp|udplite)( -m \1)\b/g, "-p $1")
    .replace(/\s+/g, " ")
    .trim();
}

/** INPUT chain of `iptables -S` ("-P INPUT DROP", "-A INPUT ..."). */
export function parseIptablesInput(text: string): IptablesInput {
  let policy: string | null = null;
  const rules: string[] = [];
  for (const line of text.split("\n").map((l) => l.trim())) {
    const p = /^-P INPUT (\S+)/.exec(line);
    if (p) policy = p[1] as string;
    else if (line.startsWith("-A INPUT ")) rules.push(normaliseIptablesRule(line));
  }
  return { policy, rules };
}

/** INPUT chain of the filter table in an iptables-save file (":INPUT DROP [0:0]", "-A INPUT ..."). */
export function parseIptablesSaveInput(text: string): IptablesInput | null {
  let inFilter = false;
  let seenFilter = false;
  let policy: string | null = null;
  const rules: string[] = [];
  for (const line of text.split("\n").map((l) => l.trim())) {
    if (line.startsWith("*")) {
      inFilter = line === "*filter";
      seenFilter ||= inFilter;
      continue;
    }
    if (!inFilter) continue;
    const p = /^:INPUT (\S+)/.exec(line);
    if (p) policy = p[1] as string;
    else if (line.startsWith("-A INPUT ")) rules.push(normaliseIptablesRule(line));
  }
  return seenFilter ? { policy: policy ?? "ACCEPT", rules } : null;
}

function iptablesDeny(input: IptablesInput): string | null {
  if (input.policy === "DROP") return "policy DROP";
  const last = input.rules[input.rules.length - 1];
  // Only an unconditional final rule closes the chain (e.g. CentOS 7's "-j REJECT --reject-with ...").
  if (last && /^-A INPUT (-m comment --comment ("[^"]*"|\S+) )?-j (DROP|REJECT)( --reject-with \S+)?$/.test(last)) {
    return `final rule "${last}"`;
  }
  return null;
}

function iptablesFacts(inputs: FirewallInputs, backendNote: string): FirewallFacts | string {
  if (!ok(inputs.iptables)) return `iptables: ${sectionProblem(inputs.iptables)}`;
  const input = parseIptablesInput(inputs.iptables.stdout);
  const how = iptablesDeny(input);
  if (!how) return `iptables: INPUT policy ${input.policy ?? "unknown"} and no final DROP/REJECT rule`;
  let persistence = false;
  let text: string;
  if (!ok(inputs.iptablesPersistent)) {
    text = `no persistent rule file (${sectionProblem(inputs.iptablesPersistent)})`;
  } else {
    const file = /^# api7-audit file: (\S+)/m.exec(inputs.iptablesPersistent.stdout)?.[1] ?? "the persistent file";
    const saved = parseIptablesSaveInput(inputs.iptablesPersistent.stdout);
    if (!saved) text = `${file} has no *filter table`;
    else if (saved.policy !== input.policy) text = `${file} sets INPUT policy ${saved.policy}, running ${input.policy}`;
    else if (saved.rules.join("\n") !== input.rules.join("\n")) {
      text = `${file} has ${saved.rules.length} INPUT rules that differ from the ${input.rules.length} running`;
    } else {
      persistence = true;
      text = `${file} has the same INPUT policy and ${input.rules.length} normalised rules`;
    }
  }
  return {
    tool: "iptables",
    active: true,
    defaultDenyInbound: true,
    persistentMatchesRuntime: persistence,
    detail: `iptables${backendNote}: chain INPUT ${how}; ${text}`,
  };
}

// ---------------------------------------------------------------------------------------------

function ok(section: CommandOutput | undefined): section is CommandOutput {
  return sectionProblem(section) === null;
}

export function parseFirewall(inputs: FirewallInputs): Parsed<FirewallFacts> {
  const { firewalldState, nftRuleset, iptables } = inputs;
  if (!firewalldState && !nftRuleset && !iptables) return unparsed("no firewall section in the collection output");

  const notes: string[] = [];
  if (firewalldState && firewalldState.exitCode === 0 && firewalldState.stdout.trim() === "running") {
    return parsed(firewalldFacts(inputs));
  }
  notes.push(
    firewalldState?.exitCode === 127
      ? "firewalld: not installed"
      : `firewalld: ${firstLine(firewalldState?.stderr ?? "") || firstLine(firewalldState?.stdout ?? "") || "not running"}`,
  );

  if (ok(nftRuleset)) {
    const deciding = denyingInputChains(parseNftRuleset(nftRuleset.stdout));
    const native = deciding.filter((d) => !isIptablesNftChain(d.table, d.chain));
    if (native.length > 0) {
      const persistence = nftPersistence(native, inputs.nftPersistent);
      const chains = native
        .map((d) => `table ${d.table.family} ${d.table.name}, chain ${d.chain.name} hook input ${d.how}`)
        .join("; ");
      return parsed({
        tool: "nftables",
        active: true,
        defaultDenyInbound: true,
        persistentMatchesRuntime: persistence.matches,
        detail: `nftables: ${chains}; ${persistence.text}`,
      });
    }
    const viaIptablesNft = deciding.length > 0;
    notes.push(viaIptablesNft ? "nftables: only iptables-nft tables drop input" : "nftables: no input chain drops by default");
    if (viaIptablesNft) {
      const facts = iptablesFacts(inputs, " (nf_tables backend)");
      if (typeof facts !== "string") return parsed(facts);
      notes.push(facts);
    }
  } else {
    notes.push(`nftables: ${sectionProblem(nftRuleset)}`);
  }

  const facts = iptablesFacts(inputs, "");
  if (typeof facts !== "string") return parsed(facts);
  notes.push(facts);
  return parsed({
    tool: null,
    active: false,
    defaultDenyInbound: false,
    persistentMatchesRuntime: null,
    detail: `no default-deny inbound firewall: ${[...new Set(notes)].join("; ")}`,
  });
}
