// nftables rulesets (`nft list ruleset` and the persisted rule files): the block syntax, and each
// rule reduced to its effect on new inbound packets (./input-path.ts walks them).
import type { DenyAnswer, ForwardedPort, IpFamily } from "../types.js";
import { CONTAINER_BRIDGE, type ChainRules, type Condition, EVERY_PACKET, type PathVerdict, type RuleEffect, parsePortList, walkInputPath } from "./input-path.js";
import { type Parsed, parsed, unparsed } from "./result.js";

export interface NftChain {
  name: string;
  hook: string | null;
  /** "accept" when a base chain states none (nft's default). null for regular chains. */
  policy: string | null;
  /** Normalised rules, in order. */
  rules: string[];
}

/** A named set: its normalised lines (type, flags, elements), read when a rule names it (`@name`). */
export interface NftSet {
  name: string;
  lines: string[];
}

export interface NftTable {
  family: string;
  name: string;
  chains: NftChain[];
  sets: NftSet[];
}

/**
 * Reads the block syntax shared by `nft list ruleset` and most rule files. Maps and other blocks
 * inside a table are skipped; command-style files (`add rule ...`) yield no tables.
 */
export function parseNftRuleset(text: string): NftTable[] {
  return readRuleset(text).tables;
}

/** A line outside every table block that is not a comment, or a block left open: the text is not an nft ruleset. */
export function nftTopLevelProblem(text: string): string | null {
  return readRuleset(text).problem;
}

/** The tables, and the first line outside a table (or a last block left open) that makes the text no ruleset. */
function readRuleset(text: string): { tables: NftTable[]; problem: string | null } {
  const tables: NftTable[] = [];
  let problem: string | null = null;
  let table: NftTable | null = null;
  let chain: NftChain | null = null;
  let set: NftSet | null = null;
  let skipDepth = 0;
  let pending = "";
  for (const raw of text.split("\n")) {
    // Normalised first: the patterns below read single spaces, and rules are kept as compared. A
    // rule whose anonymous set spans lines, or a set's elements, is read whole, after its last line.
    const line = normaliseNftRule(`${pending} ${stripComment(raw)}`);
    if (line === "") continue;
    pending = "";
    if (skipDepth > 0) {
      skipDepth += braceBalance(line);
      continue;
    }
    if (!table) {
      const t = /^table (?:(ip|ip6|inet|arp|bridge|netdev) )?(\S+) \{$/.exec(line);
      if (t) table = { family: t[1] ?? "ip", name: t[2] as string, chains: [], sets: [] };
      else problem ??= `not nft ruleset syntax: ${JSON.stringify(stripComment(raw).trim().slice(0, 80))}`;
      continue;
    }
    // Inside a block, an anonymous set or a set's elements continue on the next lines.
    if ((chain ?? set) !== null && braceBalance(line) > 0) {
      pending = line;
      continue;
    }
    if (set) {
      if (line === "}") {
        table.sets.push(set);
        set = null;
      } else set.lines.push(line);
      continue;
    }
    if (!chain) {
      if (line === "}") {
        tables.push(table);
        table = null;
        continue;
      }
      const block = /^(chain|set) (\S+) \{$/.exec(line);
      if (block?.[1] === "chain") chain = { name: block[2] as string, hook: null, policy: null, rules: [] };
      else if (block) set = { name: block[2] as string, lines: [] };
      // map / flowtable / counter / quota blocks
      else if (line.endsWith("{")) skipDepth = 1;
      continue;
    }
    if (line === "}") {
      table.chains.push(chain);
      chain = null;
      continue;
    }
    // `type filter hook input priority filter; policy drop;`, or a policy on a line of its own.
    if (line.startsWith("type ") || line.startsWith("policy ")) {
      const hook = /\bhook (\w+)/.exec(line)?.[1];
      if (hook) chain.hook = hook;
      const policy = /\bpolicy (\w+)/.exec(line)?.[1];
      chain.policy = policy ?? chain.policy ?? "accept";
      continue;
    }
    chain.rules.push(line);
  }
  return { tables, problem: problem ?? (table === null ? null : "the ruleset ends inside a block") };
}

function stripComment(line: string): string {
  // A "#" outside double quotes starts a comment (nft's `comment "..."` statement is quoted).
  let quoted = false;
  for (const [i, c] of line.split("").entries()) {
    if (c === '"') quoted = !quoted;
    else if (c === "#" && !quoted) return line.slice(0, i);
  }
  return line;
}

/**
 * A quoted string: nft prints a log prefix, a comment or an interface name in double quotes, and its
 * grammar allows no quote inside one (no escapes).
 */
const QUOTED = /("[^"]*")/;

/** Braces a line opens minus those it closes (a quoted string's braces are text). */
function braceBalance(line: string): number {
  const bare = line.replace(/"[^"]*"/g, "");
  return bare.split("{").length - bare.split("}").length;
}

/**
 * Drops counters' values and spacing, which differ between a file and a listing. A quoted string is
 * one token: kept whole with its quotes when it holds a space or a sign, else a bare word as a file
 * may write it (`iifname lo`, `comment ssh`).
 */
export function normaliseNftRule(rule: string): string {
  return rule
    .split(QUOTED)
    .map((part, i) => (i % 2 === 1 ? quotedToken(part) : normaliseSpacing(part)))
    .join("")
    .trim();
}

function quotedToken(quoted: string): string {
  const text = quoted.slice(1, -1);
  return /^[\w.:/*-]+$/.test(text) ? text : quoted;
}

function normaliseSpacing(text: string): string {
  return text
    .replace(/\s*\{\s*/g, " { ")
    .replace(/\s*\}\s*/g, " } ")
    .replace(/\s*,\s*/g, ", ")
    .replace(/\s+/g, " ")
    .replace(/\bcounter packets \d+ bytes \d+/g, "counter");
}

/** nft table families that filter each address family's traffic. */
export const NFT_FAMILIES: Record<IpFamily, readonly string[]> = { ipv4: ["ip", "inet"], ipv6: ["ip6", "inet"] };

// ---------------------------------------------------------------------------------------------
// Rules as effects on new inbound packets

/** A value: a quoted string (one token) or a word. */
const VALUE = String.raw`(?:"[^"]*"|\S+)`;

/** Statements that never decide: counters, logging, marks (the comment, always last, is cut first). */
const STATEMENTS = new RegExp(String.raw`^(counter|log(?: prefix ${VALUE}| level \S+| flags \S+| group \d+)*|notrack|meta mark set \S+|ct mark set \S+)(?: |$)`);

/** One match at the start of `text`: how it limits the rule, and the rest. null: not understood. */
function readMatch(text: string, family: IpFamily, when: Condition, sets: readonly NftSet[]): string | null {
  const set = String.raw`(\{ [^}]* \}|[^\s,]+(?:, [^\s,]+)*)`;
  const rules: Array<[RegExp, (m: RegExpExecArray) => void]> = [
    // A concatenation (`ip saddr . tcp dport @pairs`): its elements are pairs, not read here.
    [/^\S+ \S+(?: \. \S+ \S+)+ (?:@\S+|\{ [^}]* \})/, (m) => {
      if (m[0].includes("dport")) when.ports = "unknown";
      when.unknown.push(m[0]);
    }],
    [new RegExp(`^ct state ${set}`), (m) => {
      // Without "new", no new connection matches: only replies and related flows.
      if (!setItems(m[1]!).includes("new")) when.harmless = true;
    }],
    [new RegExp(`^(?:iif|iifname) ${set}`), (m) => {
      if (m[1] === "lo") when.harmless = true;
      else when.iface = m[1]!;
    }],
    [new RegExp(`^(ip|ip6) saddr ${set}`), (m) => {
      if ((m[1] === "ip") !== (family === "ipv4")) when.otherFamily = true;
      // A set not read stays its name: a source no trusted network holds.
      when.sources.push(...(namedSetAddresses(m[2]!, m[1] === "ip" ? "ipv4_addr" : "ipv6_addr", sets) ?? setItems(m[2]!)));
    }],
    // A destination limit (one of the host's addresses, a multicast group): a limited opening at most.
    [new RegExp(`^(ip|ip6) daddr ${set}`), (m) => {
      if ((m[1] === "ip") !== (family === "ipv4")) when.otherFamily = true;
      when.unknown.push(`${m[1]} daddr ${m[2]}`);
    }],
    [new RegExp(`^(tcp|udp|sctp|th) dport ${set}`), (m) => {
      if (m[1] !== "th") when.protocol = m[1]!;
      when.ports = portsOf(m[2]!, sets);
      // A set not read (`@ports` of another type, elements with counters): a limit not understood, never every port.
      if (when.ports === null) {
        when.ports = "unknown";
        when.unknown.push(`${m[1]} dport ${m[2]}`);
      }
    }],
    [new RegExp(`^(?:meta l4proto|ip protocol|ip6 nexthdr) ${set}`), (m) => {
      when.protocol = setItems(m[1]!).join("/");
    }],
    // The set first: `\S+` alone would stop at its "{".
    [/^(icmp|icmpv6) type (?:\{ [^}]* \}|\S+)/, (m) => {
      when.protocol = m[1]!;
    }],
    [/^meta nfproto (ipv4|ipv6)/, (m) => {
      if (m[1] !== family) when.otherFamily = true;
    }],
    // Every packet the input hook sees is addressed to the host.
    [/^fib daddr type local/, () => undefined],
  ];
  for (const [pattern, apply] of rules) {
    const match = pattern.exec(text);
    if (match) {
      apply(match);
      return text.slice(match[0].length).trim();
    }
  }
  return null;
}

/**
 * The elements of the named set `@name` when nft lists all of them: a set of `type`, with flags
 * interval or constant at most (a dynamic set or one with timeouts is the moment's state) and plain
 * elements. null for any other set, a map, or a name no set of the table has.
 */
function namedSetElements(value: string, type: string, sets: readonly NftSet[]): string[] | null {
  const set = sets.find((s) => `@${s.name}` === value);
  if (!set?.lines.includes(`type ${type}`)) return null;
  let elements: string[] | null = null;
  for (const line of set.lines) {
    if (line.startsWith("elements = ")) elements = setItems(line.slice("elements = ".length));
    else if (line !== `type ${type}` && !isListedInFull(line)) return null;
  }
  return elements;
}

/** A set line that leaves the listing whole: flags interval or constant, auto-merge. */
function isListedInFull(line: string): boolean {
  if (line === "auto-merge") return true;
  return line.startsWith("flags ") && line.slice("flags ".length).split(", ").every((flag) => flag === "interval" || flag === "constant");
}

/** Port ranges of a port, a list, an anonymous set or a named set of ports; null when unreadable. */
function portsOf(value: string, sets: readonly NftSet[]): Array<[number, number]> | null {
  const named = namedSetElements(value, "inet_service", sets);
  return parsePortList(named === null ? value : named.join(","));
}

/** The networks of a named set of addresses (`ip saddr @admins`); null when it is no set of plain addresses or networks. */
function namedSetAddresses(value: string, type: "ipv4_addr" | "ipv6_addr", sets: readonly NftSet[]): string[] | null {
  const elements = namedSetElements(value, type, sets);
  return elements?.every((e) => /^[\da-f.:]+(?:\/\d+)?$/i.test(e)) ? elements : null;
}

/** The values a match takes: one, several separated by commas, or an anonymous set `{ a, b }`. */
function setItems(value: string): string[] {
  return value.split(/[\s{},]/).filter(Boolean);
}

/** What `reject` answers: ICMP port-unreachable by default, or what its `with` clause names. */
function rejectAnswer(clause: string | undefined): DenyAnswer {
  if (clause === undefined || /port-unreachable|tcp reset/.test(clause)) return "closed-port";
  return "icmp-error";
}

interface Verdict {
  /** The matches and statements before the verdict. */
  before: string;
  action: string;
  /** "jump" or "goto", with its target chain. */
  jump?: string;
  target?: string;
  /** What a `reject with ...` names. */
  clause?: string;
}

/** nft prints a rule's comment last. */
const COMMENT = new RegExp(` comment ${VALUE}$`);

/** The verdict a rule ends with (nft prints the comment after it), or null for a rule without one. */
function verdictOf(rule: string): Verdict | null {
  const body = rule.replace(COMMENT, "");
  // A log prefix that is a verdict's word (`log prefix "accept"`, its quotes dropped as a bare word's) is no verdict.
  const match = /(?<before>.*?) ?\b(?<!prefix )(?<action>accept|drop|return|(?<jump>jump|goto) (?<target>\S+)|reject(?: with (?<clause>.+))?)$/.exec(body);
  return match === null || / vmap /.test(body) ? null : (match.groups as unknown as Verdict);
}

/** A normalised nft rule as an effect on new inbound packets of the family. */
export function nftRuleEffect(rule: string, family: IpFamily, sets: readonly NftSet[] = []): RuleEffect {
  const verdict = verdictOf(rule);
  if (!verdict) return { kind: "none", rule };
  const when: Condition = { ...EVERY_PACKET, sources: [], unknown: [] };
  let rest = verdict.before;
  while (rest !== "") {
    // A statement's pattern takes the space after it.
    const statement = STATEMENTS.exec(rest);
    if (statement) {
      rest = rest.slice(statement[0].length);
      continue;
    }
    const next = readMatch(rest, family, when, sets);
    if (next === null) {
      when.unknown.push(rest);
      break;
    }
    rest = next;
  }
  const { action, jump, target, clause } = verdict;
  if (action === "accept") return { kind: "accept", when, rule };
  if (action === "drop") return { kind: "deny", when, rule, answer: "silence" };
  if (action === "return") return { kind: "return", when, rule };
  if (action.startsWith("reject")) return { kind: "deny", when, rule, answer: rejectAnswer(clause) };
  return { kind: "jump", when, rule, target: target!, goto: jump === "goto" };
}

/** Each input base chain of the family's tables, walked in first-match order. */
export function nftInputVerdicts(
  tables: readonly NftTable[],
  family: IpFamily,
  skip?: (table: NftTable, chain: NftChain) => boolean,
): Array<{ table: NftTable; chain: NftChain; verdict: PathVerdict }> {
  const found: Array<{ table: NftTable; chain: NftChain; verdict: PathVerdict }> = [];
  for (const table of tables) {
    if (!NFT_FAMILIES[family].includes(table.family)) continue;
    const chains = new Map<string, ChainRules>(
      table.chains.map((c) => [c.name, { policy: c.policy, effects: c.rules.map((r) => nftRuleEffect(r, family, table.sets)) }]),
    );
    for (const chain of table.chains) {
      if (chain.hook !== "input" || skip?.(table, chain)) continue;
      found.push({ table, chain, verdict: walkInputPath(chain.name, chains) });
    }
  }
  return found;
}

// ---------------------------------------------------------------------------------------------
// Ports the host forwards (SEC-04): nothing listens on them, yet the runner reaches a service there.

/** Chains reached from `bases` through jump and goto. */
function reachedChains(table: NftTable, bases: readonly NftChain[]): NftChain[] {
  const reached: NftChain[] = [];
  const visit = (chain: NftChain) => {
    if (reached.includes(chain)) return;
    reached.push(chain);
    for (const rule of chain.rules) {
      const target = verdictOf(rule)?.target;
      const next = table.chains.find((c) => c.name === target);
      if (next) visit(next);
    }
  };
  for (const base of bases) visit(base);
  return reached;
}

/**
 * Every `dnat`/`redirect` with a TCP or UDP destination port on the prerouting path, in any family;
 * unparsed at the first such rule whose ports are not read (a set or map not read): the forwarded
 * ports are then not known.
 */
export function nftForwardedPorts(tables: readonly NftTable[]): Parsed<ForwardedPort[]> {
  const found: ForwardedPort[] = [];
  for (const table of tables) {
    const prerouting = table.chains.filter((c) => c.hook === "prerouting");
    for (const chain of reachedChains(table, prerouting)) {
      for (const rule of chain.rules) {
        if (!/\b(dnat|redirect)\b/.test(rule)) continue;
        const match = /\b(tcp|udp) dport (\{ [^}]* \}|\S+)/.exec(rule);
        // `iifname != docker0` forwards from every other interface: only an interface named as the
        // only one matters. Traffic from the host's own containers (Docker's bridges) does not come from the runner.
        const iface = /\biifname (?!!=)(\S+)/.exec(rule)?.[1];
        if (!match || iface === "lo" || CONTAINER_BRIDGE.test(iface ?? "")) continue;
        const where = `nft table ${table.family} ${table.name} chain ${chain.name}: ${rule}`;
        const ports = portsOf(match[2] as string, table.sets);
        if (ports === null) return unparsed(`the ports a NAT rule forwards are not read: ${where}`);
        for (const [low, high] of ports) found.push({ protocol: match[1] as "tcp" | "udp", ports: [low, high], rule: where });
      }
    }
  }
  return parsed(found);
}
