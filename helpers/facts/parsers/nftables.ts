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

/** A line outside every table block that is not a comment: the text is not an nft ruleset. */
export function nftTopLevelProblem(text: string): string | null {
  let depth = 0;
  for (const raw of text.split("\n")) {
    const line = stripComment(raw).trim();
    if (line === "") continue;
    if (depth === 0 && !/^table\s+.*\{$/.test(line)) return `not nft ruleset syntax: ${JSON.stringify(line.slice(0, 80))}`;
    depth += count(line, "{") - count(line, "}");
  }
  return depth === 0 ? null : "the ruleset ends inside a block";
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
      const states = m[1]!.replace(/[{}]/g, " ").split(/[\s,]+/).filter(Boolean);
      // Without "new", no new connection matches: only replies and related flows.
      if (!states.includes("new")) when.harmless = true;
    }],
    [new RegExp(`^(?:iif|iifname) ${set}`), (m) => {
      if (m[1] === "lo") when.harmless = true;
      else when.iface = m[1]!;
    }],
    [new RegExp(`^(ip|ip6) saddr ${set}`), (m) => {
      if ((m[1] === "ip") !== (family === "ipv4")) when.otherFamily = true;
      when.sources.push(...m[2]!.replace(/[{}]/g, " ").split(/[\s,]+/).filter(Boolean));
    }],
    // A destination limit (one of the host's addresses, a multicast group): a limited opening at most.
    [new RegExp(`^(ip|ip6) daddr ${set}`), (m) => {
      if ((m[1] === "ip") !== (family === "ipv4")) when.otherFamily = true;
      when.unknown.push(`${m[1]} daddr ${m[2]}`);
    }],
    [new RegExp(`^(tcp|udp|sctp|th) dport ${set}`), (m) => {
      if (m[1] !== "th") when.protocol = m[1]!;
      const ports = parsePortList(m[2]!);
      if (ports) when.ports = ports;
      else when.unknown.push(`${m[1]} dport ${m[2]}`);
    }],
    [new RegExp(`^(?:meta l4proto|ip protocol|ip6 nexthdr) ${set}`), (m) => {
      const protocols = m[1]!.replace(/[{}]/g, " ").split(/[\s,]+/).filter(Boolean);
      when.protocol = protocols.length === 1 ? protocols[0]! : protocols.join("/");
    }],
    // The set first: `\S+` alone would stop at its "{".
    [/^(icmp|icmpv6) type \{ [^}]* \}|^(icmp|icmpv6) type \S+/, (m) => {
      when.protocol = m[1] ?? m[2] ?? "icmp";
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

/** What `reject` answers: ICMP port-unreachable by default, or what its `with` clause names. */
function rejectAnswer(clause: string | undefined): DenyAnswer {
  if (clause === undefined || /port-unreachable|tcp reset/.test(clause)) return "closed-port";
  return "icmp-error";
}

/** A normalised nft rule as an effect on new inbound packets of the family. */
export function nftRuleEffect(rule: string, family: IpFamily): RuleEffect {
  const body = rule.replace(/ comment .*$/, "");
  const verdict = /^(.*?)\s*\b(accept|drop|return|(?:jump|goto) \S+|reject(?: with .+)?)$/.exec(body);
  if (!verdict || / vmap /.test(body)) return { kind: "none", rule };
  const when: Condition = { ...EVERY_PACKET, sources: [], unknown: [] };
  let rest = verdict[1]!.trim();
  while (rest !== "") {
    const statement = STATEMENTS.exec(rest);
    if (statement) {
      rest = rest.slice(statement[0].length).trim();
      continue;
    }
    const next = readMatch(rest, family, when);
    if (next === null) {
      when.unknown.push(rest);
      break;
    }
    rest = next;
  }
  const action = verdict[2]!;
  if (action === "accept") return { kind: "accept", when, rule };
  if (action === "drop") return { kind: "deny", when, rule, answer: "silence" };
  if (action === "return") return { kind: "return", when, rule };
  if (action.startsWith("reject")) return { kind: "deny", when, rule, answer: rejectAnswer(/^reject with (.+)$/.exec(action)?.[1]) };
  const [jump, target] = action.split(" ") as [string, string];
  return { kind: "jump", when, rule, target, goto: jump === "goto" };
}

/** Each input base chain of the family's tables, walked in first-match order. */
export function nftInputVerdicts(
  tables: readonly NftTable[],
  family: IpFamily,
  skip: (table: NftTable, chain: NftChain) => boolean = () => false,
): Array<{ table: NftTable; chain: NftChain; verdict: PathVerdict }> {
  const found: Array<{ table: NftTable; chain: NftChain; verdict: PathVerdict }> = [];
  for (const table of tables) {
    if (!NFT_FAMILIES[family].includes(table.family)) continue;
    const chains = new Map<string, ChainRules>(
      table.chains.map((c) => [c.name, { policy: c.hook === null ? null : (c.policy ?? "accept"), effects: c.rules.map((r) => nftRuleEffect(r, family)) }]),
    );
    for (const chain of table.chains) {
      if (chain.hook !== "input" || skip(table, chain)) continue;
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
      const target = /\b(?:jump|goto) (\S+)$/.exec(rule.replace(/ comment .*$/, ""))?.[1];
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
