// iptables / ip6tables: `iptables -w -S` and iptables-save files (/etc/sysconfig/iptables), each
// rule reduced to its effect on new inbound packets (./input-path.ts walks INPUT and its jumps).
import type { DenyAnswer, ForwardedPort } from "../types.js";
import { CONTAINER_BRIDGE, type ChainRules, type Condition, EVERY_PACKET, type PathVerdict, type RuleEffect, parsePortList, walkInputPath } from "./input-path.js";

/** The filter table's chains: policies of the built-in ones, and every chain's rules in order. */
export interface IptablesTable {
  policies: Map<string, string>;
  /** Chain → its normalised "-A <chain> ..." rules. */
  rules: Map<string, string[]>;
}

/** ICMP type names a file may use, as `iptables -S` prints them back: their numbers (any code). */
const ICMP_TYPE_NUMBERS: Record<string, string> = {
  "echo-reply": "0",
  "destination-unreachable": "3",
  "source-quench": "4",
  redirect: "5",
  "echo-request": "8",
  "router-advertisement": "9",
  "router-solicitation": "10",
  "time-exceeded": "11",
  "parameter-problem": "12",
  "timestamp-request": "13",
  "timestamp-reply": "14",
  "address-mask-request": "17",
  "address-mask-reply": "18",
};

/**
 * Words single-spaced, `-m tcp` after `-p tcp` implied, ICMPv6 named as ip6tables prints it
 * ("ipv6-icmp", its `-m icmp6` implied), and an ICMP type name its number: iptables prints the
 * number and the match module; hand-written files often use the name, omit the module, and indent
 * or space out their rules (iptables-restore reads them all the same).
 */
export function normaliseIptablesRule(rule: string): string {
  return rule
    .replace(/\s+/g, " ")
    .trim()
    .replace(/-p (tcp|udp|sctp|udplite|icmp)( -m \1)\b/g, "-p $1")
    .replace(/-p (icmpv6|ipv6-icmp)( -m icmp6)?\b/g, "-p ipv6-icmp")
    .replace(/--icmp-type (\S+)/g, (whole, type: string) => (Object.hasOwn(ICMP_TYPE_NUMBERS, type) ? `--icmp-type ${ICMP_TYPE_NUMBERS[type]}` : whole));
}

/** One normalised line as `iptables -S` prints it: "-P INPUT DROP", "-N chain" or "-A chain ...". */
function addLine(table: IptablesTable, line: string): void {
  const [option, chain = "", policy = ""] = line.split(" ");
  if (option === "-P") table.policies.set(chain, policy);
  else if (option === "-N") table.rules.set(chain, []);
  else if (option === "-A") table.rules.set(chain, [...(table.rules.get(chain) ?? []), line]);
}

/** `iptables -S` (the filter table): "-P INPUT DROP", "-N chain", "-A chain ...". */
export function parseIptablesRules(text: string): IptablesTable {
  const table: IptablesTable = { policies: new Map(), rules: new Map() };
  for (const line of text.split("\n")) addLine(table, normaliseIptablesRule(line));
  return table;
}

/** An iptables-save declaration as `iptables -S` prints it: ":INPUT DROP [0:0]" a policy, ":chain - [0:0]" a user chain. */
function asListed(line: string): string {
  if (!line.startsWith(":")) return line;
  const [chain, policy] = line.slice(1).split(" ");
  return policy === "-" ? `-N ${chain}` : `-P ${chain} ${policy}`;
}

/** The *filter table of an iptables-save file (":INPUT DROP [0:0]", "-A INPUT ..."); null without one. */
export function parseIptablesSaveFilter(text: string): IptablesTable | null {
  // Each "*table" line starts a table; lines before the first (comments) belong to none.
  const tables = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of text.split("\n").map(normaliseIptablesRule)) {
    if (line.startsWith("*")) tables.set(line, (current = []));
    else current?.push(line);
  }
  const filter = tables.get("*filter");
  if (!filter) return null;
  const table: IptablesTable = { policies: new Map(), rules: new Map() };
  for (const line of filter) addLine(table, asListed(line));
  if (!table.policies.has("INPUT")) table.policies.set("INPUT", "ACCEPT");
  return table;
}

/** `start` and every chain it reaches through jumps and gotos, in a stable order. */
export function chainsReachedFrom(table: IptablesTable, start: string): string[] {
  const seen: string[] = [];
  const visit = (name: string) => {
    if (seen.includes(name)) return;
    seen.push(name);
    table.rules.get(name)?.forEach((rule) => {
      const { target } = readRule(rule);
      if (table.rules.has(target)) visit(target);
    });
  };
  visit(start);
  return seen;
}

/** Splits a rule into words, keeping a quoted comment whole. */
function words(rule: string): string[] {
  return [...rule.matchAll(/"[^"]*"|\S+/g)].map((m) => m[0]);
}

/** What a REJECT answers: ICMP port-unreachable by default, or its --reject-with type. */
function rejectAnswer(type: string | undefined): DenyAnswer {
  if (type === undefined || /port-unreach|tcp-reset/.test(type)) return "closed-port";
  return "icmp-error";
}

/** A normalised "-A <chain> ..." rule read word by word: its matches, and its target ("" without one). */
interface ReadRule {
  when: Condition;
  target: string;
  /** "-j" (jump) or "-g" (goto). */
  via: string;
  rejectWith?: string;
}

function readRule(rule: string): ReadRule {
  const list = words(rule).slice(2);
  const read: ReadRule = { when: { ...EVERY_PACKET, sources: [], unknown: [] }, target: "", via: "" };
  const { when } = read;
  for (let i = 0; i < list.length; i++) {
    const word = list[i] as string;
    const value = list[i + 1];
    const take = () => {
      i++;
      return value ?? "";
    };
    if (word === "!") {
      // A negated match limits the rule in a way not modelled here: a limited opening at most.
      when.unknown.push(list.slice(i, i + 3).join(" "));
      i += 2;
    } else if (word === "-j" || word === "-g") {
      read.via = word;
      read.target = take();
    } else if (word === "--reject-with") read.rejectWith = take();
    else if (word === "-i") {
      const iface = take();
      if (iface === "lo") when.harmless = true;
      else when.iface = iface;
    } else if (word === "-s") when.sources.push(...take().split(","));
    else if (word === "-p") {
      const protocol = take();
      when.protocol = protocol === "ipv6-icmp" ? "icmp" : protocol;
    } else if (word === "--dport" || word === "--dports") {
      // iptables prints numbers; a port it could not have printed is a limit not read, never every port.
      const ports = parsePortList(take());
      if (ports) when.ports = ports;
      else when.unknown.push(`${word} ${value}`);
    } else if (word === "--state" || word === "--ctstate") {
      if (!take().split(",").includes("NEW")) when.harmless = true;
    } else if (word === "-m") {
      // Match modules only name what the following options test.
      take();
    } else if (word === "--comment" || word === "--icmp-type" || word === "--icmpv6-type") take();
    else when.unknown.push(word);
  }
  return read;
}

/** A normalised "-A <chain> ..." rule as an effect on new inbound packets; `chains` are the table's own (jump targets). */
export function iptablesRuleEffect(rule: string, chains: ReadonlySet<string>): RuleEffect {
  const { when, target, via, rejectWith } = readRule(rule);
  if (target === "ACCEPT") return { kind: "accept", when, rule };
  if (target === "DROP") return { kind: "deny", when, rule, answer: "silence" };
  if (target === "REJECT") return { kind: "deny", when, rule, answer: rejectAnswer(rejectWith) };
  if (target === "RETURN") return { kind: "return", when, rule };
  if (chains.has(target)) return { kind: "jump", when, rule, target, goto: via === "-g" };
  // No target (a counter), LOG, MARK and other non-terminating targets.
  return { kind: "none", rule };
}

/** INPUT of the filter table walked in first-match order. */
export function iptablesInputVerdict(table: IptablesTable): PathVerdict {
  // A jump's target is one of the table's chains (iptables refuses a jump to a built-in one).
  const names = new Set(table.rules.keys());
  const chains = new Map<string, ChainRules>(
    [...table.rules.entries()].map(([name, rules]) => [name, { policy: table.policies.get(name) ?? null, effects: rules.map((r) => iptablesRuleEffect(r, names)) }]),
  );
  if (!chains.has("INPUT")) chains.set("INPUT", { policy: table.policies.get("INPUT") ?? "ACCEPT", effects: [] });
  return walkInputPath("INPUT", chains);
}

/**
 * `iptables -t nat -S`: every DNAT/REDIRECT of TCP or UDP ports reached from PREROUTING (Docker's
 * DOCKER chain included), unless only loopback or a container bridge's traffic meets it; null when
 * the text lists no PREROUTING chain (not the nat table).
 */
export function iptablesForwardedPorts(text: string, command: string): ForwardedPort[] | null {
  const table = parseIptablesRules(text);
  if (!table.policies.has("PREROUTING")) return null;
  const found: ForwardedPort[] = [];
  for (const chain of chainsReachedFrom(table, "PREROUTING")) {
    table.rules.get(chain)?.forEach((rule) => {
      const { when, target } = readRule(rule);
      const { protocol, ports } = when;
      if (target !== "DNAT" && target !== "REDIRECT") return;
      if ((protocol !== "tcp" && protocol !== "udp") || !Array.isArray(ports) || when.harmless || CONTAINER_BRIDGE.test(when.iface ?? "")) return;
      for (const range of ports) found.push({ protocol, ports: range, rule: `${command}: ${rule}` });
    });
  }
  return found;
}
