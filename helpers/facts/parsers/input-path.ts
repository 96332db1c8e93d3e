// The input path in first-match order, shared by nftables and iptables: each rule of a chain is
// reduced to what it does to a NEW inbound packet, and the chain is walked (jumps followed) until a
// verdict that every such packet meets. An accept that every new packet meets before the final deny
// makes the chain accept everything, whatever its policy says.
import type { DenyAnswer, Opening } from "../types.js";

/** What a rule's matches leave of "every new inbound packet". */
export interface Condition {
  /** Only loopback or only established/related traffic: never a way in for a new connection. */
  harmless: boolean;
  /** The rule applies to another address family only (nft `meta nfproto ipv6` in an inet table read for IPv4). */
  otherFamily: boolean;
  protocol: string | null;
  /** Destination port ranges; null for any; "unknown" where a limit on them is not read (an nft set). */
  ports: Array<[number, number]> | "unknown" | null;
  sources: string[];
  iface: string | null;
  /** Matches not understood here: the rule is then treated as a limited opening, never as everything. */
  unknown: string[];
}

export const EVERY_PACKET: Condition = { harmless: false, otherFamily: false, protocol: null, ports: null, sources: [], iface: null, unknown: [] };

/** A rule reduced to its effect on new inbound packets. */
export type RuleEffect =
  | { kind: "accept"; when: Condition; rule: string }
  | { kind: "deny"; when: Condition; rule: string; answer: DenyAnswer }
  | { kind: "jump"; when: Condition; rule: string; target: string; goto: boolean }
  | { kind: "return"; when: Condition; rule: string }
  /** Counters, logs, marks, conditional verdicts that only narrow: no effect on the default. */
  | { kind: "none"; rule: string };

export interface ChainRules {
  effects: RuleEffect[];
  /** The base chain's policy ("accept"/"drop"); null for a regular chain. */
  policy: string | null;
}

/** The outcome for new inbound packets of one base chain. */
export type PathVerdict =
  | { kind: "deny"; how: string; answer: DenyAnswer; openings: Opening[] }
  | { kind: "accept-all"; rule: string; openings: Opening[] }
  | { kind: "no-deny"; how: string; openings: Opening[] };

/** Container bridges Docker creates: their traffic comes from the host's own containers. */
export const CONTAINER_BRIDGE = /^(docker0|br-[0-9a-f]{12}|veth[0-9a-f]+)$/;

/**
 * Nothing limits the condition: every new inbound packet meets it. Only for conditions the walk
 * still reads: it skips harmless and other-family rules first.
 */
function isUnconditional(when: Condition): boolean {
  return when.protocol === null && when.ports === null && when.sources.length === 0 && when.iface === null && when.unknown.length === 0;
}

/** The protocol, or one of a set nft prints joined ("tcp/udp" for `meta l4proto { tcp, udp }`). */
function includesProtocol(protocols: string, protocol: string): boolean {
  return protocols.split("/").includes(protocol);
}

/** Whether an opening lets `protocol` in: any protocol, that one, or a set that holds it. */
export function opensProtocol(o: Pick<Opening, "protocol">, protocol: string): boolean {
  return o.protocol === "any" || includesProtocol(o.protocol, protocol);
}

/**
 * An accept that opens the host to every new TCP connection: no limit at all, a protocol limit that
 * lets every TCP port in, or an interface limit on an interface other than lo and the container
 * bridges (the same as a zone with target ACCEPT bound to that interface).
 */
export function acceptsEveryTcpConnection(when: Condition): boolean {
  if (when.harmless || when.otherFamily || when.ports !== null || when.sources.length > 0 || when.unknown.length > 0) return false;
  if (when.protocol !== null && !includesProtocol(when.protocol, "tcp")) return false;
  return when.iface === null || (when.iface !== "lo" && !CONTAINER_BRIDGE.test(when.iface));
}

/** Two conditions in sequence (a rule inside a chain entered by a conditional jump). */
function both(outer: Condition, inner: Condition): Condition {
  return {
    harmless: outer.harmless || inner.harmless,
    otherFamily: outer.otherFamily || inner.otherFamily,
    protocol: inner.protocol ?? outer.protocol,
    ports: inner.ports ?? outer.ports,
    sources: [...outer.sources, ...inner.sources],
    iface: inner.iface ?? outer.iface,
    unknown: [...outer.unknown, ...inner.unknown],
  };
}

function opening(when: Condition, rule: string): Opening {
  return { protocol: when.protocol ?? "any", ports: when.ports ?? "any", sources: when.sources, iface: when.iface, rule };
}

/** The nft kernel's jump stack holds 16: no ruleset it loads nests deeper (legacy iptables may). */
const MAX_DEPTH = 16;

/**
 * Walks a base chain in first-match order. `chains` resolves jump targets. Returns the verdict for
 * new inbound packets and the openings met before it.
 */
export function walkInputPath(base: string, chains: ReadonlyMap<string, ChainRules>): PathVerdict {
  const openings: Opening[] = [];
  // null: the chain ends (or returns) without a verdict, and its caller goes on.
  const walk = (name: string, context: Condition, depth: number): PathVerdict | null => {
    // A walk cut short has not seen what the deeper chains accept: never a deny on that.
    if (depth > MAX_DEPTH) return { kind: "no-deny", how: `jumps nested more than ${MAX_DEPTH} deep (chain ${name}): not followed`, openings };
    const chain = chains.get(name);
    if (!chain) return null;
    const unconditionalContext = isUnconditional(context);
    for (const effect of chain.effects) {
      if (effect.kind === "none") continue;
      const when = both(context, effect.when);
      if (when.harmless || when.otherFamily) continue;
      if (effect.kind === "accept") {
        if (acceptsEveryTcpConnection(when)) return { kind: "accept-all", rule: effect.rule, openings };
        openings.push(opening(when, effect.rule));
      } else if (effect.kind === "deny") {
        // A deny that only some packets meet narrows an opening; it decides nothing by default.
        if (unconditionalContext && isUnconditional(effect.when)) {
          return { kind: "deny", how: `rule "${effect.rule}"`, answer: effect.answer, openings };
        }
      } else if (effect.kind === "return") {
        if (isUnconditional(effect.when)) return null;
      } else {
        const inner = walk(effect.target, when, depth + 1);
        if (inner) return inner;
        // After an unconditional goto nothing of this chain runs again.
        if (effect.goto && isUnconditional(effect.when)) return null;
      }
    }
    return null;
  };
  const verdict = walk(base, EVERY_PACKET, 0);
  if (verdict) return verdict;
  const policy = chains.get(base)?.policy ?? "accept";
  return policy.toLowerCase() === "drop"
    ? { kind: "deny", how: "policy drop", answer: "silence", openings }
    : { kind: "no-deny", how: `policy ${policy} and no rule that every new packet meets denies`, openings };
}

/** Port ranges of "22", "9080,9443", "30000:32767", "30000-32767" or "{ 22, 9080-9090 }"; null when unreadable. */
export function parsePortList(text: string): Array<[number, number]> | null {
  const items = text.split(/[\s,{}]/).filter(Boolean);
  const ranges: Array<[number, number]> = [];
  for (const item of items) {
    const match = /^(\d+)(?:[-:](\d+))?$/.exec(item);
    if (!match) return null;
    const low = Number(match[1]);
    ranges.push([low, match[2] === undefined ? low : Number(match[2])]);
  }
  return ranges.length > 0 ? ranges : null;
}

/** The port lies inside an opening of the protocol (TCP ports for the network witness). */
export function openedPort(openings: readonly Opening[], protocol: string, port: number): Opening | null {
  return (
    openings.find(
      (o) => opensProtocol(o, protocol) && Array.isArray(o.ports) && o.ports.some(([low, high]) => port >= low && port <= high),
    ) ?? null
  );
}

/** "tcp 22", "icmp", "every port from 10.0.0.0/24", each with the rule that opens it. */
export function describeOpening(o: Opening): string {
  const portless = o.ports === "any" && !["tcp", "udp", "sctp"].some((protocol) => opensProtocol(o, protocol));
  const ports = portless ? "" : o.ports === "any" ? "every port" : o.ports === "unknown" ? "the service's ports" : o.ports.map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`)).join(",");
  const limits = [...(o.sources.length > 0 ? [`from ${o.sources.join(", ")}`] : []), ...(o.iface ? [`on ${o.iface}`] : [])];
  const what = [o.protocol === "any" ? "" : o.protocol, ports, ...limits].filter(Boolean).join(" ");
  return `${what} (${o.rule})`;
}
