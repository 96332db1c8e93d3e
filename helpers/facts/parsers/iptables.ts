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
 * `-m tcp` after `-p tcp` is implied, and an ICMP type name is its number: iptables prints the
 * number and the match module, hand-written files often use the name and omit the module.
 */
export function normaliseIptablesRule(rule: string): string {
  return rule
    .replace(/-p (tcp|udp|sctp|udplite|icmp)( -m \1)\b/g, "-p $1")
    .replace(/--icmp-type (\S+)/g, (whole, type: string) => (Object.hasOwn(ICMP_TYPE_NUMBERS, type) ? `--icmp-type ${ICMP_TYPE_NUMBERS[type]}` : whole))
    .replace(/\s+/g, " ")
    .trim();
}

function addLine(table: IptablesTable, line: string): void {
  const policy = /^-P (\S+) (\S+)/.exec(line);
  if (policy) table.policies.set(policy[1] as string, policy[2] as string);
  const chain = /^-N (\S+)/.exec(line);
  if (chain && !table.rules.has(chain[1] as string)) table.rules.set(chain[1] as string, []);
  const rule = /^-A (\S+) /.exec(line);
  if (rule) table.rules.set(rule[1] as string, [...(table.rules.get(rule[1] as string) ?? []), normaliseIptablesRule(line)]);
}

/** `iptables -S` (the filter table): "-P INPUT DROP", "-N chain", "-A chain ...". */
export function parseIptablesRules(text: string): IptablesTable {
  const table: IptablesTable = { policies: new Map(), rules: new Map() };
  for (const line of text.split("\n").map((l) => l.trim())) addLine(table, line);
  return table;
}

/** The *filter table of an iptables-save file (":INPUT DROP [0:0]", "-A INPUT ..."); null without one. */
export function parseIptablesSaveFilter(text: string): IptablesTable | null {
  const table: IptablesTable = { policies: new Map(), rules: new Map() };
  let inFilter = false;
  let seenFilter = false;
  for (const line of text.split("\n").map((l) => l.trim())) {
    if (line.startsWith("*")) {
      inFilter = line === "*filter";
      seenFilter ||= inFilter;
      continue;
    }
    if (!inFilter) continue;
    const declared = /^:(\S+) (\S+)/.exec(line);
    if (declared) {
      // Built-in chains carry a policy, user chains "-".
      if (declared[2] !== "-") table.policies.set(declared[1] as string, declared[2] as string);
      else if (!table.rules.has(declared[1] as string)) table.rules.set(declared[1] as string, []);
    } else addLine(table, line);
  }
  if (!seenFilter) return null;
  if (!table.policies.has("INPUT")) table.policies.set("INPUT", "ACCEPT");
  return table;
}

/** `start` and every chain it reaches through jumps and gotos, in a stable order. */
export function chainsReachedFrom(table: IptablesTable, start: string): string[] {
  const seen: string[] = [];
  const visit = (name: string) => {
    if (seen.includes(name)) return;
    seen.push(name);
    for (const rule of table.rules.get(name) ?? []) {
      const target = /\s-[jg] (\S+)/.exec(rule)?.[1];
      if (target && table.rules.has(target)) visit(target);
    }
  };
  visit(start);
  return seen;
}

/** Splits a rule into words, keeping a quoted comment whole. */
function words(rule: string): string[] {
  return [...rule.matchAll(/"[^"]*"|\S+/g)].map((m) => m[0]);
}

const TERMINAL = new Set(["ACCEPT", "DROP", "REJECT", "RETURN"]);

/** What a REJECT answers: ICMP port-unreachable by default, or its --reject-with type. */
function rejectAnswer(type: string | undefined): DenyAnswer {
  if (type === undefined || /port-unreach|tcp-reset/.test(type)) return "closed-port";
  return "icmp-error";
}

/** A normalised "-A <chain> ..." rule as an effect on new inbound packets. */
export function iptablesRuleEffect(rule: string, userChains: ReadonlySet<string>): RuleEffect {
  const list = words(rule).slice(2);
  const when: Condition = { ...EVERY_PACKET, sources: [], unknown: [] };
  let target: string | null = null;
  let goto = false;
  let rejectWith: string | undefined;
  for (let i = 0; i < list.length; i++) {
    const word = list[i] as string;
    const value = list[i + 1];
    const take = () => {
      i++;
      return value ?? "";
    };
    if (word === "!") {
      // A negated match limits the rule in a way not modelled here: a limited opening at most.
      when.unknown.push(`! ${list[i + 1] ?? ""} ${list[i + 2] ?? ""}`.trim());
      i += 2;
    } else if (word === "-j" || word === "-g") {
      target = take();
      goto = word === "-g";
    } else if (word === "--reject-with") rejectWith = take();
    else if (word === "-i") {
      const iface = take();
      if (iface === "lo") when.harmless = true;
      else when.iface = iface;
    } else if (word === "-s") when.sources.push(...take().split(","));
    else if (word === "-p") {
      const protocol = take();
      when.protocol = protocol === "ipv6-icmp" || protocol === "icmpv6" ? "icmp" : protocol;
    } else if (word === "--dport" || word === "--dports" || word === "--destination-ports") {
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
  if (target === null) return { kind: "none", rule };
  if (target === "ACCEPT") return { kind: "accept", when, rule };
  if (target === "DROP") return { kind: "deny", when, rule, answer: "silence" };
  if (target === "REJECT") return { kind: "deny", when, rule, answer: rejectAnswer(rejectWith) };
  if (target === "RETURN") return { kind: "return", when, rule };
  if (!TERMINAL.has(target) && userChains.has(target)) return { kind: "jump", when, rule, target, goto };
  // LOG, MARK and other non-terminating targets.
  return { kind: "none", rule };
}

/** INPUT of the filter table walked in first-match order. */
export function iptablesInputVerdict(table: IptablesTable): PathVerdict {
  const userChains = new Set([...table.rules.keys()].filter((name) => !table.policies.has(name)));
  const chains = new Map<string, ChainRules>(
    [...table.rules.entries()].map(([name, rules]) => [name, { policy: table.policies.get(name) ?? null, effects: rules.map((r) => iptablesRuleEffect(r, userChains)) }]),
  );
  if (!chains.has("INPUT")) chains.set("INPUT", { policy: table.policies.get("INPUT") ?? "ACCEPT", effects: [] });
  return walkInputPath("INPUT", chains);
}

/** `iptables -t nat -S`: every DNAT/REDIRECT with a destination port reached from PREROUTING (Docker's DOCKER chain included). */
export function iptablesForwardedPorts(text: string, command: string): ForwardedPort[] {
  const table = parseIptablesRules(text);
  const found: ForwardedPort[] = [];
  for (const chain of chainsReachedFrom(table, "PREROUTING")) {
    for (const rule of table.rules.get(chain) ?? []) {
      if (!/\s-j (DNAT|REDIRECT)\b/.test(rule)) continue;
      const protocol = /\s-p (tcp|udp)\b/.exec(rule)?.[1] as "tcp" | "udp" | undefined;
      const ports = parsePortList(/\s--dports? (\S+)/.exec(rule)?.[1] ?? "");
      const iface = /(?:^|\s)-i (\S+)/.exec(rule.replace(/! -i \S+/, ""))?.[1];
      if (!protocol || !ports || (iface !== undefined && (iface === "lo" || CONTAINER_BRIDGE.test(iface)))) continue;
      for (const range of ports) found.push({ protocol, ports: range, rule: `${command}: ${rule}` });
    }
  }
  return found;
}
