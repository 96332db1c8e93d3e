// `--shard i/n`: n CI runners each audit a deterministic part of the inventory, and
// `npm run merge` combines their run folders into one. Pure: which hosts and which
// (requirement, target) pairs a shard owns, and the vitest test-name filter that selects them.
//
// Rules:
// - Hosts are dealt round-robin in inventory order: host k (0-based) belongs to shard (k mod n) + 1.
//   Stable as long as the inventory order is, and it spreads roles evenly (cp1, cp2, dp1, dp2 →
//   shard 1 gets cp1 + dp1, shard 2 gets cp2 + dp2).
// - Host-free targets (@database, @prometheus, @cp-pair, @dp-pair) belong to shard 1 only.
// - TOPO-01 needs the machine-id of EVERY host, which no single shard has: with n > 1 it is
//   deferred to the merge, which evaluates it with the same spec on the merged collected.json.
import type { Environment, HostEntry } from "../environment/schema.js";
import type { PlannedTarget } from "../evaluate.js";

export interface ShardSpec {
  /** 1-based. */
  index: number;
  count: number;
}

/** Requirements a shard cannot decide alone; `npm run merge` evaluates them on the merged run. */
export const DEFERRED_TO_MERGE: readonly string[] = ["TOPO-01"];

/** Written into a shard's run folder (part of its sealed bundle); `npm run merge` reads it. */
export const SHARD_FILE = "shard.json";

export interface ShardRecord {
  index: number;
  count: number;
  /** Inventory hosts this shard collected from and evaluated, in inventory order. */
  hosts: string[];
  /** Whether this shard evaluated the host-free targets (@database, ...). */
  hostFreeTargets: boolean;
  /** Selected requirement IDs left to the merge (TOPO-01 when selected and n > 1). */
  deferred: string[];
  /** The run's --only value, so the merge plans the same requirement selection. */
  only: string | null;
}

export class ShardSyntaxError extends Error {}

/** "2/3" → { index: 2, count: 3 }. */
export function parseShard(value: string): ShardSpec {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(value);
  if (!match) throw new ShardSyntaxError(`--shard ${value}: expected i/n, e.g. 1/2`);
  const index = Number(match[1]);
  const count = Number(match[2]);
  if (count < 1 || index < 1 || index > count) {
    throw new ShardSyntaxError(`--shard ${value}: i must be between 1 and n (n >= 1)`);
  }
  return { index, count };
}

export function shardOfHost(hostIndex: number, count: number): number {
  return (hostIndex % count) + 1;
}

/** The inventory hosts of one shard, in inventory order. */
export function shardHosts<T>(hosts: readonly T[], shard: ShardSpec): T[] {
  return hosts.filter((_, k) => shardOfHost(k, shard.count) === shard.index);
}

export function isHostFreeTarget(target: string): boolean {
  return target.startsWith("@");
}

export function isDeferred(requirement: string, shard: ShardSpec): boolean {
  return shard.count > 1 && DEFERRED_TO_MERGE.includes(requirement);
}

/** Does this shard evaluate the (requirement, target) pair? */
export function ownsTarget(shard: ShardSpec, planned: Pick<PlannedTarget, "requirement" | "target">, shardHostNames: ReadonlySet<string>): boolean {
  if (isDeferred(planned.requirement, shard)) return false;
  if (isHostFreeTarget(planned.target)) return shard.index === 1;
  return shardHostNames.has(planned.target);
}

/** The environment a shard collects from: the same file, its share of the inventory. */
export function shardEnvironment(env: Environment, shard: ShardSpec): Environment {
  return { ...env, hosts: shardHosts<HostEntry>(env.hosts, shard) };
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * vitest --testNamePattern selecting exactly the tests of the given targets. A spec test's full name
 * is "<section> <ID> <target>: <title>" (helpers/requirement.ts); the ": " after the target keeps
 * "cp1" from matching "cp10". Deferred IDs are excluded with a lookahead; `onlyRequirements` narrows
 * to those IDs (the merge's deferred run).
 */
export function testNamePattern(targets: readonly string[], excludedRequirements: readonly string[] = [], onlyRequirements?: readonly string[]): string {
  const exclude = excludedRequirements.length > 0 ? `(?!(?:${excludedRequirements.map(escapeRegExp).join("|")}) )` : "";
  const ids = onlyRequirements ? `(?:${onlyRequirements.map(escapeRegExp).join("|") || "(?!)"})` : "[A-Z]+(?:-[A-Z]+)?-\\d{2}";
  const alternatives = targets.length > 0 ? targets.map(escapeRegExp).join("|") : "(?!)";
  return `(?:^| )${exclude}${ids} (?:${alternatives}): `;
}

/** The targets a shard evaluates, for its results.json (so nothing it does not own reads as missing). */
export function ownedTargets(planned: readonly PlannedTarget[], shard: ShardSpec, env: Environment): PlannedTarget[] {
  const names = new Set(shardHosts(env.hosts, shard).map((h) => h.name));
  return planned.filter((p) => ownsTarget(shard, p, names));
}

/** Everything audit-run needs to run one shard. */
export function shardRecord(env: Environment, shard: ShardSpec, selectedIds: readonly string[], only: string | undefined): ShardRecord {
  return {
    index: shard.index,
    count: shard.count,
    hosts: shardHosts(env.hosts, shard).map((h) => h.name),
    hostFreeTargets: shard.index === 1,
    deferred: selectedIds.filter((id) => isDeferred(id, shard)),
    only: only ?? null,
  };
}

/** The test-name filter of a shard: its hosts, plus the host-free targets on shard 1. */
export function shardTestNamePattern(record: ShardRecord, hostFreeTargets: readonly string[]): string {
  return testNamePattern([...record.hosts, ...(record.hostFreeTargets ? hostFreeTargets : [])], record.deferred);
}

/** Problems with a set of shard records that claim to be one audit: every i of n exactly once, hosts disjoint. */
export function shardSetProblems(records: readonly ShardRecord[]): string[] {
  const problems: string[] = [];
  if (records.length === 0) return ["no shard runs given"];
  const counts = [...new Set(records.map((r) => r.count))];
  if (counts.length > 1) problems.push(`the runs were split differently (n = ${counts.join(", ")})`);
  const n = counts[0]!;
  for (let i = 1; i <= n; i++) {
    const found = records.filter((r) => r.index === i).length;
    if (found === 0) problems.push(`shard ${i}/${n} is missing`);
    if (found > 1) problems.push(`shard ${i}/${n} is given ${found} times`);
  }
  const onlies = [...new Set(records.map((r) => r.only ?? ""))];
  if (onlies.length > 1) problems.push(`the runs selected different requirements (--only ${onlies.map((o) => o || "(all)").join(" vs ")})`);
  const seen = new Map<string, number>();
  for (const record of records) {
    for (const host of record.hosts) {
      const other = seen.get(host);
      if (other !== undefined) problems.push(`host ${host} was audited by shard ${other} and shard ${record.index}`);
      seen.set(host, record.index);
    }
  }
  return problems;
}
