// Host firewall (SEC-02), judged per address family. firewalld, when it runs, decides both
// families (its zone target); otherwise IPv4 is decided by an nftables input chain of family
// ip/inet that drops by default, else by iptables' INPUT chain, and IPv6 likewise by ip6/inet
// chains, else ip6tables. "Persistent matches runtime" compares what decides inbound traffic with
// what would be loaded at boot. IPv6 needs no default deny where it is disabled on the host.
import type { CommandOutput } from "../../model.js";
import type { FamilyFirewall, FirewallFacts, FirewalldFacts, IpFamily, ZoneBinding } from "../types.js";
import { type Parsed, firstLine, lines, parsed, sectionProblem, unparsed } from "./result.js";

export interface FirewallInputs {
  firewalldState?: CommandOutput;
  firewalldRuntime?: CommandOutput;
  firewalldPermanent?: CommandOutput;
  /** NetworkManager / ifcfg zones of the interfaces (evidence for runtime bindings). */
  zoneBindings?: CommandOutput;
  nftRuleset?: CommandOutput;
  nftPersistent?: CommandOutput;
  iptables?: CommandOutput;
  iptablesPersistent?: CommandOutput;
  ip6tables?: CommandOutput;
  ip6tablesPersistent?: CommandOutput;
  ipv6Disabled?: CommandOutput;
}

const FAMILY_NAME: Record<IpFamily, string> = { ipv4: "IPv4", ipv6: "IPv6" };

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

/**
 * Interface bindings are not part of firewalld's permanent zone on NetworkManager-managed hosts:
 * NetworkManager (or ZONE= in ifcfg) binds the interface at boot, at runtime. Every other field of
 * --list-all (target, services, ports, protocols, sources, rich rules, forward ports, masquerade,
 * ICMP blocks, ...) is what the zone file persists.
 */
const RUNTIME_BINDING_FIELDS = new Set(["interfaces"]);

/** Persisted fields whose values differ (compared as sorted word lists; rich rules by line). */
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
    if (RUNTIME_BINDING_FIELDS.has(key)) continue;
    if (normalise(key, runtime.fields.get(key) ?? "") !== normalise(key, permanent.fields.get(key) ?? "")) {
      differences.push(key);
    }
  }
  return differences;
}

interface BootZone {
  /** Explicit zone, or null for "the default zone". */
  zone: string | null;
  source: string;
}

/** The zone-bindings section: "nm <device> <zone>" and "ifcfg <file> <device> <zone>" lines. */
export function parseZoneBindings(text: string): Map<string, BootZone[]> {
  const byDevice = new Map<string, BootZone[]>();
  const add = (device: string, zone: BootZone) => byDevice.set(device, [...(byDevice.get(device) ?? []), zone]);
  for (const line of lines(text)) {
    const nm = /^nm (\S+) ?(\S*)$/.exec(line);
    if (nm) {
      const zone = nm[2] || null;
      add(nm[1] as string, { zone, source: zone ? `NetworkManager connection zone ${zone}` : "NetworkManager connection without a zone (the default zone)" });
      continue;
    }
    const ifcfg = /^ifcfg (\S+) (\S+) ?(\S*)$/.exec(line);
    if (ifcfg) {
      const file = (ifcfg[1] as string).split("/").pop() as string;
      const zone = ifcfg[3] || null;
      add(ifcfg[2] as string, { zone, source: zone ? `${file} ZONE=${zone}` : `${file} without ZONE= (the default zone)` });
    }
  }
  return byDevice;
}

/** Runtime bindings with their boot-time source; a boot-time zone other than the runtime one is drift. */
function zoneBindings(zone: FirewalldZone, section: CommandOutput | undefined): { bindings: ZoneBinding[]; drift: string[] } {
  const problem = sectionProblem(section);
  const sources = problem === null && section ? parseZoneBindings(section.stdout) : new Map<string, BootZone[]>();
  const bindings: ZoneBinding[] = [];
  const drift: string[] = [];
  for (const device of (zone.fields.get("interfaces") ?? "").split(/\s+/).filter(Boolean)) {
    const boot = sources.get(device) ?? [];
    const source =
      boot.length > 0
        ? boot.map((b) => b.source).join(", ")
        : problem === null
          ? "no NetworkManager connection or ifcfg file names it (the default zone at boot)"
          : `boot-time zone not known (zone-bindings: ${problem})`;
    bindings.push({ interface: device, zone: zone.zone, source });
    const other = boot.find((b) => b.zone !== null && b.zone !== zone.zone);
    if (other) drift.push(`interfaces (${device} is in ${zone.zone} at runtime, ${other.source} at boot)`);
  }
  return { bindings, drift };
}

function describeBindings(bindings: ZoneBinding[]): string {
  if (bindings.length === 0) return "no interface bound to the zone";
  return `bound at runtime: ${bindings.map((b) => `${b.interface} (${b.source})`).join(", ")}`;
}

function firewalldFacts(inputs: FirewallInputs): Parsed<{ facts: FirewalldFacts; family: FamilyFirewall; listingProblem: string | null }> {
  const runtimeProblem = sectionProblem(inputs.firewalldRuntime);
  if (runtimeProblem !== null || !inputs.firewalldRuntime) {
    return unparsed(`firewalld is running but its zone could not be listed (firewall-cmd --list-all: ${runtimeProblem})`);
  }
  const runtime = parseFirewalldListAll(inputs.firewalldRuntime.stdout);
  if (!runtime.ok) return unparsed(`firewall-cmd --list-all: ${runtime.problem}`);
  const zone = runtime.value;
  const { bindings, drift: bindingDrift } = zoneBindings(zone, inputs.zoneBindings);

  let drift: string[] | null = null;
  let listingProblem: string | null = null;
  const permanentProblem = sectionProblem(inputs.firewalldPermanent);
  if (permanentProblem !== null || !inputs.firewalldPermanent) {
    listingProblem = `firewall-cmd --permanent --list-all: ${permanentProblem}`;
  } else {
    const permanent = parseFirewalldListAll(inputs.firewalldPermanent.stdout);
    if (permanent.ok) drift = [...firewalldDifferences(zone, permanent.value), ...bindingDrift];
    else listingProblem = `firewall-cmd --permanent --list-all: ${permanent.problem}`;
  }
  const persistenceText =
    drift === null
      ? `permanent configuration not comparable (${listingProblem})`
      : drift.length === 0
        ? "runtime and permanent agree on every persisted field"
        : `runtime and permanent differ in: ${drift.join(", ")}`;
  const acceptsAll = zone.target.toUpperCase() === "ACCEPT";
  const detail =
    `firewalld: running, zone ${zone.zone} target ${zone.target}${acceptsAll ? " (accepts everything)" : ""}; ` +
    `${persistenceText}; ${describeBindings(bindings)}`;
  return parsed({
    facts: { zone: zone.zone, target: zone.target, drift, bindings },
    family: { tool: "firewalld", defaultDenyInbound: !acceptsAll, persistentMatchesRuntime: drift === null ? null : drift.length === 0, detail },
    listingProblem,
  });
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

/** nft table families that filter each address family's traffic. */
const NFT_FAMILIES: Record<IpFamily, readonly string[]> = { ipv4: ["ip", "inet"], ipv6: ["ip6", "inet"] };

/** Input base chains that drop by default (policy drop or a final drop/reject), of the given table families. */
export function denyingInputChains(
  tables: NftTable[],
  families: readonly string[] = ["ip", "ip6", "inet"],
): Array<{ table: NftTable; chain: NftChain; how: string }> {
  const found: Array<{ table: NftTable; chain: NftChain; how: string }> = [];
  for (const table of tables) {
    if (!families.includes(table.family)) continue;
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

/** The "# api7-audit file: <path>" line the collection script puts before a file's content. */
function persistentFileName(section: CommandOutput): string {
  return /^# api7-audit file: (\S+)/m.exec(section.stdout)?.[1] ?? "the persistent file";
}

function nftPersistence(
  deciding: Array<{ table: NftTable; chain: NftChain }>,
  persistent: CommandOutput | undefined,
): { matches: boolean; text: string } {
  if (!ok(persistent)) {
    return { matches: false, text: `no persistent rule file (${sectionProblem(persistent) ?? "unreadable"})` };
  }
  const file = persistentFileName(persistent);
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
// iptables / ip6tables

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

/** INPUT chain of `iptables -S` or `ip6tables -S` ("-P INPUT DROP", "-A INPUT ..."). */
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

/** iptables for IPv4, ip6tables for IPv6: deny and persistence, or why it does not deny. */
function iptablesFamily(running: CommandOutput | undefined, persistent: CommandOutput | undefined, command: string, backendNote: string): FamilyFirewall | string {
  if (!ok(running)) return `${command}: ${sectionProblem(running)}`;
  const input = parseIptablesInput(running.stdout);
  const how = iptablesDeny(input);
  if (!how) return `${command}: INPUT policy ${input.policy ?? "unknown"} and no final DROP/REJECT rule`;
  let persistence = false;
  let text: string;
  if (!ok(persistent)) {
    text = `no persistent rule file (${sectionProblem(persistent)})`;
  } else {
    const file = persistentFileName(persistent);
    const saved = parseIptablesSaveInput(persistent.stdout);
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
    defaultDenyInbound: true,
    persistentMatchesRuntime: persistence,
    detail: `${command}${backendNote}: chain INPUT ${how}; ${text}`,
  };
}

// ---------------------------------------------------------------------------------------------
// IPv6 disabled?

/**
 * The ipv6-disabled section: "/proc/sys/net/ipv6 absent" (ipv6.disable=1 at boot), or one
 * "<.../conf/IF/disable_ipv6> <0|1>" line per interface. IPv6 is disabled when every interface
 * but lo (and the "all"/"default" templates) has it disabled: no IPv6 packet can then arrive.
 */
export function parseIpv6Disabled(text: string): Parsed<{ disabled: boolean; evidence: string }> {
  if (/^\/proc\/sys\/net\/ipv6 absent$/m.test(text)) {
    return parsed({ disabled: true, evidence: "/proc/sys/net/ipv6 absent (IPv6 disabled at boot)" });
  }
  const values = new Map<string, string>();
  for (const line of lines(text)) {
    const match = /\/conf\/([^/\s]+)\/disable_ipv6 (\d)$/.exec(line);
    if (!match) return unparsed(`unreadable disable_ipv6 line: ${JSON.stringify(line)}`);
    values.set(match[1] as string, match[2] as string);
  }
  const interfaces = [...values.keys()].filter((name) => !["all", "default", "lo"].includes(name));
  if (interfaces.length === 0) return unparsed("no network interface in /proc/sys/net/ipv6/conf");
  const enabled = interfaces.filter((name) => values.get(name) === "0");
  const evidence = interfaces.map((name) => `net.ipv6.conf.${name}.disable_ipv6 = ${values.get(name)}`).join(", ");
  return parsed({ disabled: enabled.length === 0, evidence });
}

// ---------------------------------------------------------------------------------------------

function ok(section: CommandOutput | undefined): section is CommandOutput {
  return sectionProblem(section) === null;
}

/** Without firewalld: an nftables chain of the family's tables, else (ip6)tables. */
function familyWithoutFirewalld(family: IpFamily, inputs: FirewallInputs, notes: string[]): FamilyFirewall {
  const [running, persistent, command] =
    family === "ipv4" ? [inputs.iptables, inputs.iptablesPersistent, "iptables"] : [inputs.ip6tables, inputs.ip6tablesPersistent, "ip6tables"];
  const familyNotes = [...notes];
  let backendNote = "";
  if (ok(inputs.nftRuleset)) {
    const deciding = denyingInputChains(parseNftRuleset(inputs.nftRuleset.stdout), NFT_FAMILIES[family]);
    const native = deciding.filter((d) => !isIptablesNftChain(d.table, d.chain));
    if (native.length > 0) {
      const persistence = nftPersistence(native, inputs.nftPersistent);
      const chains = native.map((d) => `table ${d.table.family} ${d.table.name}, chain ${d.chain.name} hook input ${d.how}`).join("; ");
      return { tool: "nftables", defaultDenyInbound: true, persistentMatchesRuntime: persistence.matches, detail: `nftables: ${chains}; ${persistence.text}` };
    }
    if (deciding.length > 0) backendNote = " (nf_tables backend)";
    familyNotes.push(`nftables: no ${NFT_FAMILIES[family].join("/")} input chain drops by default`);
  } else {
    familyNotes.push(`nftables: ${sectionProblem(inputs.nftRuleset)}`);
  }
  const viaIptables = iptablesFamily(running, persistent, command, backendNote);
  if (typeof viaIptables !== "string") return viaIptables;
  familyNotes.push(viaIptables);
  return {
    tool: null,
    defaultDenyInbound: false,
    persistentMatchesRuntime: null,
    detail: `no default-deny inbound firewall for ${FAMILY_NAME[family]}: ${familyNotes.join("; ")}`,
  };
}

/** The firewalld-state section's stdout for a running firewalld: busctl's reading of its D-Bus
 * property "state", or firewall-cmd --state's word for it (used where busctl got no RUNNING). */
const FIREWALLD_RUNNING = new Set(['s "RUNNING"', "running"]);

function firewalldNote(state: CommandOutput | undefined): string {
  if (state?.exitCode === 127) return "firewalld: not installed";
  return `firewalld: ${firstLine(state?.stderr ?? "") || firstLine(state?.stdout ?? "") || "not running"}`;
}

function summarise(
  families: Record<IpFamily, FamilyFirewall>,
  ipv6Disabled: FirewallFacts["ipv6Disabled"],
  ipv6Problem: string | null,
  firewalld: FirewalldFacts | null,
  listingProblem: string | null,
): FirewallFacts {
  const { ipv4, ipv6 } = families;
  const covered = ipv6Disabled?.disabled ? [ipv4] : [ipv4, ipv6];
  const persistence = covered.map((f) => f.persistentMatchesRuntime);
  const disabledText = ipv6Disabled?.disabled ? `IPv6 disabled on the host (${ipv6Disabled.evidence})` : null;
  const unknownText = ipv6Problem ? ` (whether IPv6 is disabled is not known: ${ipv6Problem})` : "";
  const detail =
    ipv4.tool === "firewalld"
      ? `${ipv4.detail}; the zone covers IPv4 and IPv6${disabledText ? `; ${disabledText}` : unknownText}`
      : `IPv4: ${ipv4.detail}; ${disabledText ?? `IPv6${unknownText}: ${ipv6.detail}`}`;
  const tool = covered.find((f) => f.tool !== null)?.tool ?? null;
  return {
    tool,
    active: tool !== null,
    defaultDenyInbound: covered.every((f) => f.defaultDenyInbound),
    persistentMatchesRuntime: persistence.includes(false) ? false : persistence.includes(null) ? null : true,
    detail,
    families,
    ipv6Disabled,
    firewalld,
    listingProblem,
  };
}

export function parseFirewall(inputs: FirewallInputs): Parsed<FirewallFacts> {
  const { firewalldState, nftRuleset, iptables } = inputs;
  if (!firewalldState && !nftRuleset && !iptables) return unparsed("no firewall section in the collection output");

  const ipv6Problem = sectionProblem(inputs.ipv6Disabled);
  let ipv6Disabled: FirewallFacts["ipv6Disabled"] = null;
  let ipv6Reason = ipv6Problem;
  if (ipv6Problem === null && inputs.ipv6Disabled) {
    const result = parseIpv6Disabled(inputs.ipv6Disabled.stdout);
    if (result.ok) ipv6Disabled = result.value;
    else ipv6Reason = result.problem;
  }

  // A firewalld that does not answer may still be running: its rules cannot be judged.
  if (firewalldState && (firewalldState.timedOut || firewalldState.notRun !== undefined || firewalldState.exitCode === null)) {
    return unparsed(`firewalld-state: ${sectionProblem(firewalldState)}`);
  }
  if (firewalldState?.exitCode === 0 && FIREWALLD_RUNNING.has(firewalldState.stdout.trim())) {
    const result = firewalldFacts(inputs);
    if (!result.ok) return result;
    const { facts, family, listingProblem } = result.value;
    return parsed(summarise({ ipv4: family, ipv6: family }, ipv6Disabled, ipv6Reason, facts, listingProblem));
  }

  const notes = [firewalldNote(firewalldState)];
  const families = { ipv4: familyWithoutFirewalld("ipv4", inputs, notes), ipv6: familyWithoutFirewalld("ipv6", inputs, notes) };
  return parsed(summarise(families, ipv6Disabled, ipv6Reason, null, null));
}
