// nftables rulesets (`nft list ruleset` and the persisted rule files): the block syntax, and each
// rule reduced to its effect on new inbound packets (./input-path.ts walks them).
import type { DenyAnswer, ForwardedPort, IpFamily } from "../types.js";
import { CONTAINER_BRIDGE, type ChainRules, type Condition, EVERY_PACKET, type PathVerdict, type RuleEffect, parsePortList, walkInputPath } from "./input-path.js";

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
  let skipDepth = 0;
  let pending = "";
  for (const raw of text.split("\n")) {
    // Normalised first: the patterns below read single spaces, and rules are kept as compared. A
    // rule whose anonymous set spans lines is read whole, after its last line.
    const line = normaliseNftRule(`${pending} ${stripComment(raw)}`);
    if (line === "") continue;
    pending = "";
    if (skipDepth > 0) {
      skipDepth += braceBalance(line);
      continue;
    }
    if (!table) {
      const t = /^table (?:(ip|ip6|inet|arp|bridge|netdev) )?(\S+) \{$/.exec(line);
      if (t) table = { family: t[1] ?? "ip", name: t[2] as string, chains: [] };
      else problem ??= `not nft ruleset syntax: ${JSON.stringify(stripComment(raw).trim().slice(0, 80))}`;
      continue;
    }
    if (!chain) {
      if (line === "}") {
        tables.push(table);
        table = null;
        continue;
      }
      const c = /^chain (\S+) \{$/.exec(line);
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
    // The anonymous set continues on the next lines.
    if (braceBalance(line) > 0) {
      pending = line;
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

/** Braces a line opens minus those it closes. */
function braceBalance(line: string): number {
  return line.split("{").length - line.split("}").length;
}

/** Drops counters' values and quotes, and spacing, which differ between a file and a listing. */
export function normaliseNftRule(rule: string): string {
  return rule
    .replace(/"/g, "")
    .replace(/\s*\{\s*/g, " { ")
    .replace(/\s*\}\s*/g, " } ")
    .replace(/\s*,\s*/g, ", ")
    .replace(/\s+/g, " ")
    .trim()
    .replace(/\bcounter packets \d+ bytes \d+/g, "counter");
}

/** nft table families that filter each address family's traffic. */
export const NFT_FAMILIES: Record<IpFamily, readonly string[]> = { ipv4: ["ip", "inet"], ipv6: ["ip6", "inet"] };

// ---------------------------------------------------------------------------------------------
// Rules as effects on new inbound packets

/** Statements that never decide: counters, logging, marks (the comment, always last, is cut first). */
const STATEMENTS = /^(counter|log(?: prefix \S+| level \S+| flags \S+| group \d+)*|notrack|meta mark set \S+|ct mark set \S+)(?: |$)/;

/** One match at the start of `text`: how it limits the rule, and the rest. null: not understood. */
function readMatch(text: string, family: IpFamily, when: Condition): string | null {
  const set = String.raw`(\{ [^}]* \}|[^\s,]+(?:, [^\s,]+)*)`;
  const rules: Array<[RegExp, (m: RegExpExecArray) => void]> = [
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
      when.sources.push(...setItems(m[2]!));
    }],
    // A destination limit (one of the host's addresses, a multicast group): a limited opening at most.
    [new RegExp(`^(ip|ip6) daddr ${set}`), (m) => {
      if ((m[1] === "ip") !== (family === "ipv4")) when.otherFamily = true;
      when.unknown.push(`${m[1]} daddr ${m[2]}`);
    }],
    [new RegExp(`^(tcp|udp|sctp|th) dport ${set}`), (m) => {
      if (m[1] !== "th") when.protocol = m[1]!;
      when.ports = parsePortList(m[2]!);
      // A named set (`@ports`): its elements are not read here, so the ports stay a limit not understood.
      if (when.ports === null) when.unknown.push(`${m[1]} dport ${m[2]}`);
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

/** The verdict a rule ends with (nft prints the comment after it), or null for a rule without one. */
function verdictOf(rule: string): Verdict | null {
  const body = rule.split(" comment ")[0]!;
  const match = /(?<before>.*?) ?\b(?<action>accept|drop|return|(?<jump>jump|goto) (?<target>\S+)|reject(?: with (?<clause>.+))?)$/.exec(body);
  return match === null || / vmap /.test(body) ? null : (match.groups as unknown as Verdict);
}

/** A normalised nft rule as an effect on new inbound packets of the family. */
export function nftRuleEffect(rule: string, family: IpFamily): RuleEffect {
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
    const next = readMatch(rest, family, when);
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
      table.chains.map((c) => [c.name, { policy: c.policy, effects: c.rules.map((r) => nftRuleEffect(r, family)) }]),
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

/** Every `dnat`/`redirect` with a TCP or UDP destination port on the prerouting path, in any family. */
export function nftForwardedPorts(tables: readonly NftTable[]): ForwardedPort[] {
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
        if (!match || (iface !== undefined && (iface === "lo" || CONTAINER_BRIDGE.test(iface)))) continue;
        for (const [low, high] of parsePortList(match[2] as string) ?? []) {
          found.push({ protocol: match[1] as "tcp" | "udp", ports: [low, high], rule: `nft table ${table.family} ${table.name} chain ${chain.name}: ${rule}` });
        }
      }
    }
  }
  return found;
}
