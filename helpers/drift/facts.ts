// What changed on each host between two runs, from the facts both runs collected (the same parsers
// the checks use) and the probes from the runner. Each change names the evidence it belongs to: the
// fact names and probe kinds checks declare in `reads`, so a verdict's transition can be shown with
// the changes among its own evidence. Pure: the two runs in, the changes out.
import { type FactName, HOST_FACTS, resolveFact, sectionsOf } from "../checks/facts.js";
import type { ProbeKind } from "../checks/probes.js";
import type { HostFacts } from "../facts/types.js";
import type { CommandOutput } from "../model.js";
import type { CollectedRun, ProbeRecord } from "../run/collected.js";

/** Evidence a change belongs to, in the terms of a check's `reads`. */
export type DriftSection = FactName | ProbeKind;

export interface FactChange {
  /** Inventory host, or "@database", "@prometheus", "entrypoint" for probes of endpoints. */
  host: string;
  /** What changed, in words: "kernel", "listening sockets", "probe tcp:dp1:9080". */
  what: string;
  /** "every": the host's collection itself (reachable in one run only) bears on every check there. */
  sections: readonly DriftSection[] | "every";
  before: string;
  after: string;
}

/** CPUs, RAM and disk drift only when they moved by more than this fraction. */
export const RESOURCE_THRESHOLD = 0.05;

const OS: DriftSection[] = ["os", "releaseLine"];
const DOCKER: DriftSection[] = ["docker", "containers", "dockerDataRoot"];
const SELINUX: DriftSection[] = ["selinuxMode", "selinuxConfig"];
const MEMORY: DriftSection[] = ["memTotalBytes", "onlineMemoryBytes", "cgroupMemoryLimitBytes"];
const DISK: DriftSection[] = ["filesystems", "dockerDataRoot"];

const NONE = "(none)";
const GiB = 1024 ** 3;

/** The facts drift compares, as text; numbers kept apart for the 5% rule. */
interface Comparable {
  what: string;
  sections: readonly DriftSection[];
  text: string;
}

function comparableFacts(side: HostSide): Comparable[] {
  const { facts } = side;
  const firewall = facts.firewall;
  return [
    { what: "OS release", sections: OS, text: facts.os ? `${facts.os.prettyName}${facts.os.releaseLine ? ` (${facts.os.releaseLine})` : ""}` : NONE },
    { what: "kernel", sections: ["kernelRelease"], text: facts.kernelRelease ?? NONE },
    { what: "Docker", sections: DOCKER, text: `${facts.docker.state}${facts.docker.serverVersion ? ` ${facts.docker.serverVersion}` : ""}` },
    { what: "SELinux", sections: SELINUX, text: `running ${runningSelinux(side)}, config ${facts.selinux.config ?? "absent"}` },
    { what: "firewall kind", sections: ["firewall"], text: firewall ? `${firewall.tool ?? "none"}${firewall.active ? "" : " (inactive)"}` : NONE },
    {
      what: "firewall zones",
      sections: ["firewall"],
      text: firewall?.firewalld
        ? `default ${firewall.firewalld.defaultZone}; ${firewall.firewalld.zones.map((z) => `${z.zone} target ${z.target}: ${[...z.interfaces, ...z.sources, ...z.defaultFor].join(", ") || "nothing bound"}`).join("; ")}`
        : NONE,
    },
    {
      what: "firewall persistence",
      sections: ["firewall"],
      text: firewall ? (["ipv4", "ipv6"] as const).map((family) => `${family} ${persistence(firewall.families[family].persistentMatchesRuntime)}`).join(", ") : NONE,
    },
    { what: "machine-id", sections: ["machineId"], text: facts.machineId ?? NONE },
  ];
}

/** The running mode as the SELinux check reads it (getenforce, sestatus or /sys/fs/selinux/enforce). */
function runningSelinux({ facts, sections }: HostSide): string {
  const mode = resolveFact("selinuxMode", { facts, section: (name) => sections.find((s) => s.section === name) });
  return mode.observed ? mode.value : "unreadable";
}

const persistence = (matches: boolean | null) => (matches === null ? "not comparable" : matches ? "persistent = running" : "persistent differs from running");

/** Sections of the facts script listing the running firewall rules (helpers/facts/script.ts). */
const RUNNING_RULES_SECTIONS = ["firewalld-runtime", "nft-ruleset", "iptables", "ip6tables"];

/** The running rules as lines, "<section>: <rule>", without the packet counters that change every run. */
function ruleLines(sections: readonly CommandOutput[]): string[] {
  return sections
    .filter((s) => RUNNING_RULES_SECTIONS.includes(s.section) && s.exitCode === 0)
    .flatMap((s) =>
      s.stdout
        .split("\n")
        .map((line) => line.replace(/ counter packets \d+ bytes \d+/, "").replace(/^\[\d+:\d+\] /, "").trim())
        .filter((line) => line !== "" && line !== "}" && !line.startsWith("#"))
        .map((line) => `${s.section}: ${line}`),
    );
}

const listenerText = (l: HostFacts["listeners"][number]) => `${l.protocol} ${l.address}:${l.port}${l.process ? ` (${l.process})` : ""}`;

/** Items shown of a set that changed; a firewall reload can change hundreds of lines. */
const SHOWN_ITEMS = 12;

/** What left the set (before) and what joined it (after), or null when the sets are equal. */
function setChange(before: readonly string[], after: readonly string[]): { before: string; after: string } | null {
  const was = new Set(before);
  const now = new Set(after);
  const added = [...now].filter((item) => !was.has(item)).sort();
  const removed = [...was].filter((item) => !now.has(item)).sort();
  if (added.length === 0 && removed.length === 0) return null;
  const list = (items: string[]) => (items.length === 0 ? NONE : `${items.slice(0, SHOWN_ITEMS).join(", ")}${items.length > SHOWN_ITEMS ? ` and ${items.length - SHOWN_ITEMS} more` : ""}`);
  return { before: list(removed), after: list(added) };
}

/** Whether a measured amount moved by more than RESOURCE_THRESHOLD (or appeared, or vanished). */
export function movedBeyondThreshold(before: number | null, after: number | null): boolean {
  if (before === null || after === null) return before !== after;
  if (before === 0) return after !== 0;
  return Math.abs(after - before) / before > RESOURCE_THRESHOLD;
}

function resourceChanges(host: string, before: HostFacts, after: HostFacts): FactChange[] {
  const changes: FactChange[] = [];
  const amount = (what: string, sections: readonly DriftSection[], a: number | null, b: number | null, show: (n: number) => string) => {
    if (movedBeyondThreshold(a, b)) changes.push({ host, what, sections, before: a === null ? NONE : show(a), after: b === null ? NONE : show(b) });
  };
  amount("CPUs", ["cpus"], before.cpu?.usable ?? null, after.cpu?.usable ?? null, String);
  amount("RAM", MEMORY, before.memory?.memTotalBytes ?? null, after.memory?.memTotalBytes ?? null, (n) => `${(n / GiB).toFixed(1)} GiB`);
  for (const fs of after.filesystems) {
    const was = before.filesystems.find((f) => f.path === fs.path) ?? null;
    amount(`disk free on ${fs.path}`, DISK, was?.availBytes ?? null, fs.availBytes, (n) => `${(n / GiB).toFixed(1)} GB`);
  }
  return changes;
}

/** One side of a host's comparison: its facts and the raw sections they came from. */
export interface HostSide {
  facts: HostFacts;
  sections: readonly CommandOutput[];
}

/** Whether a run's script gathered what a change's facts rest on (a run narrowed by --only gathers
 * less, and what one of two runs never gathered has not changed): one of them suffices, as the
 * RAM row names the three memory facts and compares MemTotal alone. */
function gathered(sections: ReadonlySet<string>, facts: readonly DriftSection[]): boolean {
  return facts.some((fact) => {
    if (!(fact in HOST_FACTS)) return true;
    const { all, anyOf } = sectionsOf(fact as FactName);
    return [...all, ...anyOf].some((name) => sections.has(name));
  });
}

/** The changes of one host's facts, in a fixed order: those of facts both runs gathered. */
export function hostFactChanges(host: string, beforeSide: HostSide, afterSide: HostSide): FactChange[] {
  const [before, after] = [beforeSide, afterSide].map((side) => new Set(side.sections.map((s) => s.section)));
  const inBoth = (change: FactChange) => change.sections === "every" || (gathered(before!, change.sections) && gathered(after!, change.sections));
  return everyFactChange(host, beforeSide, afterSide).filter(inBoth);
}

function everyFactChange(host: string, beforeSide: HostSide, afterSide: HostSide): FactChange[] {
  const [before, after] = [beforeSide.facts, afterSide.facts];
  const was = comparableFacts(beforeSide);
  const changes: FactChange[] = comparableFacts(afterSide).flatMap((row, i) =>
    row.text === was[i]!.text ? [] : [{ host, what: row.what, sections: row.sections, before: was[i]!.text, after: row.text }],
  );
  const rules = setChange(ruleLines(beforeSide.sections), ruleLines(afterSide.sections));
  if (rules) changes.push({ host, what: "firewall rules", sections: ["firewall"], ...rules });
  const listeners = setChange(before.listeners.map(listenerText), after.listeners.map(listenerText));
  if (listeners) changes.push({ host, what: "listening sockets", sections: ["listeners"], ...listeners });
  return [...changes, ...resourceChanges(host, before, after)];
}

/** A probe's measurement in one word or two: a port's state, an HTTP status, a handshake, a session. */
function probeOutcome(record: ProbeRecord): string {
  const r = (record.result ?? {}) as { state?: string; ok?: boolean; status?: number | null; healthy?: boolean; open?: number[]; error?: string };
  if (r.state !== undefined) return r.state;
  if (r.open !== undefined) return `open: ${r.open.join(", ") || "none"}`;
  if (r.healthy !== undefined) return r.healthy ? "healthy" : `not healthy${r.error ? ` (${r.error})` : ""}`;
  if (r.status !== undefined && r.status !== null) return `HTTP ${r.status}`;
  if (r.ok !== undefined) return r.ok ? "ok" : `failed${r.error ? ` (${r.error})` : ""}`;
  return r.error ?? "no result";
}

function probeSubject(record: ProbeRecord): string {
  if (record.host !== null) return record.host;
  if (record.kind === "pg") return "@database";
  if (record.kind === "prometheus") return "@prometheus";
  return record.key.split(":")[1] ?? record.key;
}

/** Probes whose measurement changed, appeared or disappeared, keyed as the runs stored them. */
export function probeChanges(before: readonly ProbeRecord[], after: readonly ProbeRecord[]): FactChange[] {
  const was = new Map(before.map((p) => [p.key, p]));
  const now = new Map(after.map((p) => [p.key, p]));
  const keys = [...new Set([...was.keys(), ...now.keys()])];
  return keys.flatMap((key) => {
    const a = was.get(key);
    const b = now.get(key);
    const record = (b ?? a)!;
    const outcomeBefore = a ? probeOutcome(a) : NONE;
    const outcomeAfter = b ? probeOutcome(b) : NONE;
    // A port probed in one run only (it follows the listeners) and not open there changed nothing the runner can reach.
    const unreachableOnOneSide = record.kind === "tcp" && (a === undefined || b === undefined) && (outcomeBefore === NONE ? outcomeAfter : outcomeBefore) !== "open";
    return outcomeBefore === outcomeAfter || unreachableOnOneSide ? [] : [{ host: probeSubject(record), what: `probe ${key}`, sections: [record.kind], before: outcomeBefore, after: outcomeAfter }];
  });
}

/** Every host's fact changes (hosts evaluated in both runs) and every probe's. */
export function factChanges(before: { run: CollectedRun; facts: ReadonlyMap<string, HostFacts> }, after: { run: CollectedRun; facts: ReadonlyMap<string, HostFacts> }): FactChange[] {
  const hostChanges = after.run.hosts.flatMap((host): FactChange[] => {
    const a = before.facts.get(host.name);
    const b = after.facts.get(host.name);
    const earlier = before.run.hosts.find((h) => h.name === host.name);
    if (a && b && earlier) return hostFactChanges(host.name, { facts: a, sections: earlier.sections }, { facts: b, sections: host.sections });
    if (!earlier || Boolean(a) === Boolean(b)) return [];
    const state = (collection: { error: string | null }) => (collection.error === null ? "collected" : `not collected: ${collection.error}`);
    return [{ host: host.name, what: "collection", sections: "every", before: state(earlier), after: state(host) }];
  });
  return [...hostChanges, ...probeChanges(before.run.probes, after.run.probes)];
}
