// The one place that says which raw sections of the collection script each host fact rests on,
// and which sections are alternatives of which one suffices (SELinux from getenforce, sestatus or
// /sys/fs/selinux). Checks ask for facts by name (CheckContext.fact); this table turns raw
// sections into Facts: observed only when every section it rests on ran, exited as that command
// does on success, and parsed.
import type { DockerFacts, FamilyFirewall, FilesystemFacts, FirewallFacts, HostFacts, IpFamily, Listener, OsFacts, SelinuxMode } from "../facts/types.js";
import { parseDaemonJsonDataRoot } from "../facts/parsers/docker.js";
import { parseCgroupMemory, parseLsmemOnline, parseMemoryBlocks } from "../facts/parsers/memory.js";
import { HOST_KEY_SECTION, type HostKey, parseHostKey } from "../facts/parsers/host-key.js";
import { parseGlobalIpv6Addresses } from "../facts/parsers/listeners.js";
import { parseOsRelease, parseReleaseLine, type ReleaseLine } from "../facts/parsers/os.js";
import { mapParsed, type Parsed, parsed, unparsed } from "../facts/parsers/result.js";
import { parseGetenforce, parseSelinuxEnforce, parseSestatus } from "../facts/parsers/selinux.js";
import type { SectionName } from "../facts/script.js";
import type { CommandOutput } from "../model.js";
import { type Fact, missing, observed, reportsAbsence, type SectionLookup, unusable } from "./evidence.js";

/** What a fact resolver reads: the host's raw sections and its parsed facts. */
export interface HostSource {
  section: SectionLookup;
  facts: HostFacts;
}

interface FactSource<T> {
  /** Sections the fact rests on, every one needed. */
  all: readonly SectionName[];
  /** Alternative sections: one intact source suffices. */
  anyOf: readonly SectionName[];
  /** Shown beside the verdict, never deciding it. */
  context: readonly SectionName[];
  resolve: (host: HostSource) => Fact<T>;
}

type Sections = Partial<Pick<FactSource<unknown>, "all" | "anyOf" | "context">>;

function source<T>(sections: Sections, resolve: (host: HostSource) => Fact<T>): FactSource<T> {
  return { all: sections.all ?? [], anyOf: sections.anyOf ?? [], context: sections.context ?? [], resolve };
}

/** The parser's own complaint about a section, or the section's failure. */
function whyNot(host: HostSource, names: readonly SectionName[], fallback: string): string {
  const reasons = names.map((name) => unusable(host.section, name) ?? (host.facts.problems[name] ? `${name}: ${host.facts.problems[name]}` : null));
  const found = reasons.filter((reason): reason is string => reason !== null);
  return found.length > 0 ? found.join("; ") : fallback;
}

/**
 * The common case: every section of `all` intact and the parsed value present. `says` checks that
 * the first section's own output carries the fact, where the parser could fill it from elsewhere.
 */
function fromSections<T>(all: readonly SectionName[], value: (facts: HostFacts) => T | null, context: readonly SectionName[] = [], says?: (stdout: string) => boolean): FactSource<T> {
  return source({ all, context }, (host) => {
    const broken = all.map((name) => unusable(host.section, name)).filter((reason) => reason !== null);
    if (broken.length > 0) return missing(broken.join("; "), all);
    // Every section of `all` is intact here, so the first one exists.
    if (says && !says(host.section(all[0]!)!.stdout)) return missing(`${all[0]}: does not say it`, all);
    const read = value(host.facts);
    return read === null ? missing(whyNot(host, all, `${all.join(", ")}: no value`), all) : observed(read, all);
  });
}

/** An alternative source of a fact: a section and how its stdout gives the value. */
interface Alternative<T> {
  section: SectionName;
  read: (stdout: string) => Parsed<T>;
}

/** The first alternative that ran and parsed decides; only its section is the evidence. */
function fromAlternatives<T>(alternatives: readonly Alternative<T>[]): FactSource<T> {
  const anyOf = alternatives.map((a) => a.section);
  return source({ anyOf }, (host) => {
    const reasons: string[] = [];
    for (const { section, read } of alternatives) {
      const broken = unusable(host.section, section);
      if (broken !== null) {
        reasons.push(broken);
        continue;
      }
      // unusable() found the section: it ran and exited 0.
      const value = read(host.section(section)!.stdout);
      if (value.ok) return observed(value.value, [section]);
      reasons.push(`${section}: ${value.problem}`);
    }
    return missing(reasons.join("; "), anyOf);
  });
}

// ---------------------------------------------------------------------------------------------

/** SELinux as observed: a mode, or "unavailable" when every source says it does not exist. */
export type SelinuxObservation = SelinuxMode | "unavailable";
const SELINUX_RUNTIME = fromAlternatives<SelinuxMode>([
  { section: "getenforce", read: parseGetenforce },
  { section: "sestatus", read: parseSestatus },
  { section: "selinux-enforce", read: parseSelinuxEnforce },
]);
const SELINUX_SOURCES = SELINUX_RUNTIME.anyOf;

/** /etc/selinux/config's SELINUX= value, or "absent" when the file does not exist. */
export type SelinuxConfigObservation = SelinuxMode | "absent";

const DOCKER_DEFAULT_ROOT = "/var/lib/docker";
/** `dockerd --data-root /x`, `--data-root=/x`, or the pre-17.05 `-g /x` / `--graph /x`. */
const DOCKERD_DATA_ROOT_FLAG = /\bdockerd\b.*?\s(?:--data-root|--graph|-g)[= ](\S+)/;
/** The docker CLI's words for a daemon that does not answer (a finding for SW-05, not a read failure). */
const DAEMON_NOT_ANSWERING = /Cannot connect to the Docker daemon|Is the docker daemon running|connection refused/i;

/** The SSH server's process in `ps -eo args`, e.g. "sshd: root@notty" or "/usr/sbin/sshd -D". */
const SSH_SERVER = /\b(sshd|dropbear)\b/;

/** Sections of each firewall kind: what was running, and what is persisted (ip6tables: IPv6 of iptables). */
const FIREWALL_SECTIONS = {
  firewalld: ["firewalld-state", "firewalld-runtime", "firewalld-permanent", "firewalld-default-zone", "network-interfaces"],
  nftables: ["nft-ruleset", "nft-persistent"],
  iptables: ["iptables", "iptables-persistent"],
  ip6tables: ["ip6tables", "ip6tables-persistent"],
} as const satisfies Record<string, readonly SectionName[]>;
const ALL_FIREWALL_SECTIONS: readonly SectionName[] = [...Object.values(FIREWALL_SECTIONS).flat(), "ipv6-disabled"];
/** Evidence shown beside SEC-02, never deciding it: where firewalld's runtime interface bindings come from. */
const FIREWALL_CONTEXT: readonly SectionName[] = ["zone-bindings", "ipv6-addresses"];

/** NAT rules of nftables and of legacy iptables: where a port can be forwarded with no listener. */
const FORWARDING_SECTIONS: readonly SectionName[] = ["nft-ruleset", "iptables-nat"];

/** firewall-cmd --state's exit when the daemon is stopped: an observation, not a failure. */
const FIREWALLD_NOT_RUNNING_EXIT = 252;

/** The sections one address family's verdict rests on, and why they cannot be used (empty: intact). */
function familyEvidence(host: HostSource, family: IpFamily, decided: FamilyFirewall): { sections: string[]; broken: string[] } {
  const unread = (names: readonly string[], absenceIsFine: boolean) =>
    names.map((name) => (absenceIsFine && reportsAbsence(host.section(name)) ? null : unusable(host.section, name))).filter((r): r is string => r !== null);
  const iptables = family === "ipv4" ? FIREWALL_SECTIONS.iptables : FIREWALL_SECTIONS.ip6tables;
  if (decided.tool !== null) {
    // The deciding tool's running AND persisted rules must both have been read.
    const sections = [...(decided.tool === "iptables" ? iptables : FIREWALL_SECTIONS[decided.tool])];
    return { sections, broken: unread(sections, true) };
  }
  // "Nothing denies this family" is a finding only when every kind was read.
  const firewalldState = host.section("firewalld-state");
  const stopped = firewalldStopped(firewalldState);
  const broken = [
    ...(stopped ? [] : unread(FIREWALL_SECTIONS.firewalld, false)),
    ...unread(["nft-ruleset", iptables[0]], true),
  ];
  return { sections: ["firewalld-state", "nft-ruleset", iptables[0]], broken };
}

function firewallFact(host: HostSource): Fact<FirewallFacts> {
  const firewall = host.facts.firewall;
  // The parser's own complaint: there is no section named "firewall" to ask whyNot about.
  if (firewall === null) return missing(host.facts.problems.firewall ?? "the firewall could not be read", ALL_FIREWALL_SECTIONS);
  // IPv6 must be covered unless the host shows it disabled (then that reading is evidence too).
  const ipv6Off = firewall.ipv6Disabled?.disabled === true;
  const families: IpFamily[] = ipv6Off ? ["ipv4"] : ["ipv4", "ipv6"];
  const evidence = families.map((family) => ({ family, ...familyEvidence(host, family, firewall.families[family]) }));
  if (!ipv6Off && firewall.ipv6Disabled === null && !firewall.families.ipv6.defaultDenyInbound) {
    // An open IPv6 matters only where IPv6 is enabled: unknown is not a finding.
    evidence[1]!.broken.push(unusable(host.section, "ipv6-disabled") ?? "ipv6-disabled: unreadable");
  }
  const sources = [...new Set([...evidence.flatMap((e) => e.sections), ...(ipv6Off ? ["ipv6-disabled"] : [])])];
  const broken = evidence.filter((e) => e.broken.length > 0);
  if (broken.length === 0) return observed(firewall, sources);
  // A violation shown by intact evidence of one family stands, whatever the other family's readings.
  const violating = evidence.find((e) => e.broken.length === 0 && (!firewall.families[e.family].defaultDenyInbound || firewall.families[e.family].persistentMatchesRuntime === false));
  if (violating) return observed(firewall, violating.sections);
  return missing(broken.flatMap((e) => e.broken).join("; "), sources);
}

function firewalldStopped(section: CommandOutput | undefined): boolean {
  return reportsAbsence(section) || (section?.exitCode === FIREWALLD_NOT_RUNNING_EXIT && /not running/.test(section.stdout + section.stderr));
}

/** The engine as `docker version` shows it: running, daemon not answering, or not installed. */
function dockerEngineFact(host: HostSource): Fact<DockerFacts> {
  const version = host.section("docker-version");
  const docker = host.facts.docker;
  const failed = unusable(host.section, "docker-version");
  if (failed === null) {
    // Exit 0 means the daemon answered: only a parsed server version shows it (the parser says
    // "running" exactly when it found one).
    return docker.state === "running"
      ? observed(docker, ["docker-version"])
      : missing(whyNot(host, ["docker-version"], "docker-version: no server version in the output"), ["docker-version"]);
  }
  // A failed `docker version` is the finding itself only when it says why in the CLI's own words.
  const recognised =
    (docker.state === "not-installed" && reportsAbsence(version)) ||
    (docker.state === "daemon-down" && version?.timedOut !== true && version?.exitCode !== null && DAEMON_NOT_ANSWERING.test(version?.stderr ?? ""));
  // A section that was not run has no exit code and is never absence, so it is never recognised.
  return recognised ? observed(docker, ["docker-version"]) : missing(failed, ["docker-version"]);
}

/** Where Docker keeps images and containers: the engine's answer, else the default path. */
function dockerDataRootFact(host: HostSource): Fact<string> {
  const engine = dockerEngineFact(host);
  // The facts have a root directory only from a running engine and an intact, parsed docker-root.
  if (engine.observed && engine.value.rootDir !== null) {
    return observed(engine.value.rootDir, ["docker-version", "docker-root"]);
  }
  // The daemon cannot say (down, hung or unreadable): its configuration can.
  const configured = configuredDataRoot(host);
  if (configured.observed || engine.observed) return configured;
  return missing(`${engine.reason}; ${configured.reason}`, [...engine.sources, ...configured.sources]);
}

/** dockerd's --data-root (or the old -g/--graph) on its command line, else daemon.json, else the default. */
function configuredDataRoot(host: HostSource): Fact<string> {
  const processes = processesFact(host);
  if (!processes.observed) return processes;
  const flag = processes.value.map((line) => DOCKERD_DATA_ROOT_FLAG.exec(line)?.[1]).find((root) => root !== undefined);
  if (flag !== undefined) return observed(flag, ["processes"]);
  const config = host.section("docker-daemon-json");
  if (reportsAbsence(config)) return observed(DOCKER_DEFAULT_ROOT, ["docker-daemon-json", "processes"]);
  const broken = unusable(host.section, "docker-daemon-json");
  if (broken !== null) return missing(broken, ["docker-daemon-json"]);
  const root = parseDaemonJsonDataRoot(config!.stdout);
  return root.ok ? observed(root.value ?? DOCKER_DEFAULT_ROOT, ["docker-daemon-json", "processes"]) : missing(`docker-daemon-json: ${root.problem}`, ["docker-daemon-json"]);
}

// Built once with the table (not per call), like every other source.
const PROCESS_LISTING = fromSections(["processes"], (facts) => facts.processes);
const SELINUX_CONFIG_FILE = fromSections(["selinux-config"], (facts) => facts.selinux.config);
const LISTENING_SOCKETS = fromSections(["ss-listen"], (facts) => facts.listeners);

function processesFact(host: HostSource): Fact<string[]> {
  const listed = PROCESS_LISTING.resolve(host);
  // The audit came in through the host's SSH server: a listing that does not show it did not work.
  if (listed.observed && !listed.value.some((line) => SSH_SERVER.test(line))) return missing("processes: ps does not list the SSH server this audit came in through", ["processes"]);
  return listed;
}

/** Running container names, or null when Docker is not running (then no container runs). */
function containersFact(host: HostSource): Fact<string[] | null> {
  const docker = dockerEngineFact(host);
  if (!docker.observed) return docker;
  if (docker.value.state !== "running") return observed(null, docker.sources);
  const broken = unusable(host.section, "docker-ps");
  return broken !== null ? missing(broken, ["docker-ps"]) : observed(host.facts.containers, ["docker-version", "docker-ps"]);
}

function cgroupLimitFact(host: HostSource): Fact<number | null> {
  const broken = unusable(host.section, "cgroup-memory");
  if (broken !== null) return missing(broken, ["cgroup-memory"]);
  const limit = parseCgroupMemory(host.section("cgroup-memory")!.stdout);
  return limit.ok ? observed(limit.value, ["cgroup-memory"]) : missing(`cgroup-memory: ${limit.problem}`, ["cgroup-memory"]);
}

function selinuxModeFact(host: HostSource): Fact<SelinuxObservation> {
  // No SELinux at all is itself the observation, once every source says it does not exist
  // (then none of them can answer).
  if (SELINUX_SOURCES.every((name) => reportsAbsence(host.section(name)))) return observed("unavailable", SELINUX_SOURCES);
  return SELINUX_RUNTIME.resolve(host);
}

function selinuxConfigFact(host: HostSource): Fact<SelinuxConfigObservation> {
  if (reportsAbsence(host.section("selinux-config"))) return observed("absent", ["selinux-config"]);
  return SELINUX_CONFIG_FILE.resolve(host);
}

function listenersFact(host: HostSource): Fact<Listener[]> {
  const listed = LISTENING_SOCKETS.resolve(host);
  // The audit reached this host over SSH, so something listens: an empty list is a listing that failed.
  if (listed.observed && listed.value.length === 0) return missing("ss-listen: ss listed no listening socket at all", ["ss-listen"]);
  return listed;
}

/** One section's stdout through its parser: observed when the section exited 0 and parsed. */
function parsedSection<T>(name: SectionName, parse: (stdout: string) => Parsed<T>): FactSource<T> {
  return source({ all: [name] }, (host) => {
    const broken = unusable(host.section, name);
    if (broken !== null) return missing(broken, [name]);
    const value = parse(host.section(name)!.stdout);
    return value.ok ? observed(value.value, [name]) : missing(`${name}: ${value.problem}`, [name]);
  });
}

function readReleaseLine(stdout: string): Parsed<ReleaseLine> {
  const line = parseReleaseLine(stdout);
  return line ? parsed(line) : unparsed(`no "release X.Y" line: ${JSON.stringify(stdout.slice(0, 80))}`);
}

// ---------------------------------------------------------------------------------------------

export const HOST_FACTS = {
  arch: fromSections(["uname-m"], (facts) => facts.arch),
  cpus: fromSections(["nproc"], (facts) => facts.cpu, ["cpu-online"]),
  memTotalBytes: fromSections(["meminfo"], (facts) => facts.memory?.memTotalBytes ?? null),
  onlineMemoryBytes: fromAlternatives<number>([
    { section: "lsmem", read: parseLsmemOnline },
    { section: "memory-blocks", read: (stdout) => mapParsed(parseMemoryBlocks(stdout), (blocks) => blocks.onlineBytes) },
  ]),
  cgroupMemoryLimitBytes: source({ all: ["cgroup-memory"] }, cgroupLimitFact),
  filesystems: fromSections<FilesystemFacts[]>(["df"], (facts) => (facts.filesystems.length > 0 ? facts.filesystems : null)),
  // os-release alone names the distribution; the release files only add the minor version.
  os: fromSections<OsFacts>(["os-release"], (facts) => facts.os, [], (stdout) => parseOsRelease(stdout).ID !== undefined),
  releaseLine: fromAlternatives<ReleaseLine>([
    { section: "centos-release", read: readReleaseLine },
    { section: "redhat-release", read: readReleaseLine },
  ]),
  kernelRelease: fromSections(["uname-r"], (facts) => facts.kernelRelease),
  docker: source({ all: ["docker-version"] }, dockerEngineFact),
  // The engine's answer, or the daemon's configuration when the engine cannot be asked.
  dockerDataRoot: source({ anyOf: ["docker-version", "docker-root", "docker-daemon-json", "processes"] }, dockerDataRootFact),
  processes: source({ all: ["processes"] }, processesFact),
  containers: source({ all: ["docker-version", "docker-ps"] }, containersFact),
  selinuxMode: source({ anyOf: SELINUX_SOURCES }, selinuxModeFact),
  selinuxConfig: source({ all: ["selinux-config"] }, selinuxConfigFact),
  firewall: source({ anyOf: ALL_FIREWALL_SECTIONS, context: FIREWALL_CONTEXT }, firewallFact),
  listeners: source({ all: ["ss-listen"] }, listenersFact),
  // The ports the host's NAT rules forward (SEC-04 probes them like listeners). A program that is
  // not installed forwards nothing; one that failed leaves the fact unknown.
  forwardedPorts: source({ all: FORWARDING_SECTIONS }, (host) => {
    const present = FORWARDING_SECTIONS.filter((name) => !reportsAbsence(host.section(name)));
    const broken = present.map((name) => unusable(host.section, name)).filter((r) => r !== null);
    if (broken.length > 0) return missing(broken.join("; "), present);
    const forwarded = host.facts.forwardedPorts;
    return forwarded === null ? missing(host.facts.problems.forwardedPorts ?? "the NAT rules could not be read", present) : observed(forwarded, present);
  }),
  machineId: fromSections(["machine-id"], (facts) => facts.machineId),
  // Recorded by the runner from its own SSH handshake, not by the facts script.
  sshHostKey: parsedSection<HostKey>(HOST_KEY_SECTION, parseHostKey),
  // The host's first global IPv6 address, or null when it has none: SEC-04 must probe it too.
  ipv6Address: source({ all: ["ipv6-addresses"] }, (host) => {
    const broken = unusable(host.section, "ipv6-addresses");
    if (broken !== null) return missing(broken, ["ipv6-addresses"]);
    const addresses = parseGlobalIpv6Addresses(host.section("ipv6-addresses")!.stdout);
    return addresses.ok ? observed(addresses.value[0] ?? null, ["ipv6-addresses"]) : missing(`ipv6-addresses: ${addresses.problem}`, ["ipv6-addresses"]);
  }),
} satisfies Record<string, FactSource<unknown>>;

export type FactName = keyof typeof HOST_FACTS;
export type FactValue<K extends FactName> = (typeof HOST_FACTS)[K] extends FactSource<infer T> ? T : never;

/** Every section a fact may read: what the ablation test varies and the report attaches. */
export function sectionsOf(name: FactName): { all: readonly SectionName[]; anyOf: readonly SectionName[]; context: readonly SectionName[] } {
  const { all, anyOf, context } = HOST_FACTS[name];
  return { all, anyOf, context };
}

export function resolveFact<K extends FactName>(name: K, host: HostSource): Fact<FactValue<K>> {
  return (HOST_FACTS[name] as FactSource<FactValue<K>>).resolve(host);
}
