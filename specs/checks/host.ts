// Checks of the page's host requirements: topology [S2.1, S3.5], minimum hardware [S3.1-S3.4],
// minimum software [S4.1-S4.3] and host security settings [S5.1]. Pure functions of the parsed
// HostFacts and the environment: they never run commands. Thresholds are the page's own numbers.
import type { ComponentName, Environment, HostEntry } from "../../helpers/environment/schema.js";
import type { FilesystemFacts, HostFacts, OsFacts } from "../../helpers/facts/types.js";
import type { CheckOutcome } from "../../helpers/model.js";
import { compareEVR, compareKernelRelease, kernelBaseBuild, rpmvercmp } from "../../helpers/versions/rpmvercmp.js";
import type { Check, CheckContext, CheckSet } from "./context.js";

// ---------------------------------------------------------------------------------------------
// The page's numbers

const GIB = 2 ** 30;
/** [S3.3] "4G": read as GiB, the unit RAM is sold and reported in. */
const RAM_REQUIRED_BYTES = 4 * GIB;
/**
 * Fallback when online memory is unknown: a 4 GiB machine reports about 3.6-3.8 GiB MemTotal
 * (firmware, crash kernel and kernel code are not counted), so demanding 4 GiB of MemTotal would
 * fail every compliant host. 3.5 GiB still rejects a 3 GiB machine.
 */
const MEMTOTAL_TOLERANCE_BYTES = 3.5 * GIB;
/** [S3.4] "80 GB": decimal, as disks are sold and as REQUIREMENTS.md states (80·10^9 bytes). */
const DISK_REQUIRED_BYTES = 80e9;
/** Docker's data root when the daemon cannot be asked (the collection script falls back to it too). */
const DOCKER_DEFAULT_ROOT = "/var/lib/docker";
/** [S4.2] recommended and known-incompatible kernel releases (listed by the page under "Docker"). */
const KERNEL_RECOMMENDED = "3.10.0-927";
const KERNEL_INCOMPATIBLE_UP_TO = "3.10.0-327";
/** [S4.1] */
const CENTOS_RECOMMENDED = "7.6";
/** The schema's default for policy.dockerMinVersion, and where it comes from. */
const DOCKER_MIN_DEFAULT = "20.10.7";

const KERNEL_NOTE = 'the page lists these numbers under "Docker", but they are CentOS 7 kernel releases';

// ---------------------------------------------------------------------------------------------
// Raw sections behind each fact (names of helpers/facts/script.ts): the evidence of a verdict.

const SECTIONS = {
  arch: ["uname-m"],
  cpu: ["nproc", "cpu-online"],
  memory: ["meminfo", "lsmem", "memory-blocks", "cgroup-memory"],
  disk: ["docker-root", "df"],
  os: ["os-release", "centos-release", "redhat-release"],
  kernel: ["uname-r"],
  docker: ["docker-version", "docker-root"],
  selinux: ["getenforce", "sestatus", "selinux-enforce", "selinux-config"],
  firewalld: ["firewalld-state", "firewalld-runtime", "firewalld-permanent"],
  nftables: ["nft-ruleset", "nft-persistent"],
  iptables: ["iptables", "iptables-persistent"],
  listeners: ["ss-listen"],
  machineId: ["machine-id"],
  components: ["docker-ps", "processes", "ss-listen"],
} as const;
type Fact = keyof typeof SECTIONS;

const FIREWALL_SECTIONS = [...SECTIONS.firewalld, ...SECTIONS.nftables, ...SECTIONS.iptables];

// ---------------------------------------------------------------------------------------------
// Shared helpers

const gib = (bytes: number) => `${(bytes / GIB).toFixed(1)} GiB`;
const gb = (bytes: number) => `${(bytes / 1e9).toFixed(1)} GB`;
const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? "" : "s"}`;

const NO_REASON = "no reason recorded";

/** Why a fact is missing, from facts.problems (keyed by section, or by the fact's own name). */
function problemsOf(facts: HostFacts, fact: Fact, extra: readonly string[] = []): string {
  const keys = new Set<string>([...SECTIONS[fact], ...extra, fact]);
  const reasons = Object.entries(facts.problems)
    .filter(([key]) => keys.has(key))
    .map(([key, reason]) => `${key}: ${reason}`);
  return reasons.length > 0 ? reasons.join("; ") : NO_REASON;
}

function brokenFact(facts: HostFacts, fact: Fact, what: string, requirement: string): CheckOutcome {
  return {
    status: "broken",
    message: `${facts.host}: ${what} is unknown, so ${requirement} cannot be evaluated (${problemsOf(facts, fact)})`,
    evidence: [...SECTIONS[fact]],
  };
}

/** A raw section that timed out or was cut off cannot support "absent" conclusions. */
function incompleteSections(ctx: CheckContext, names: readonly string[]): string[] {
  const sections = ctx.collection?.sections ?? [];
  return sections.filter((s) => names.includes(s.section) && (s.timedOut === true || s.exitCode === null)).map((s) => s.section);
}

interface HostInput {
  host: HostEntry;
  facts: HostFacts;
  ctx: CheckContext;
}

/** Runs `decide` on a host target with facts; anything else is "broken" with the reason. */
function onHost(requirement: string, decide: (input: HostInput) => CheckOutcome): Check {
  return (ctx) => {
    if (ctx.host === null) {
      return { status: "broken", message: `${requirement} applies to inventory hosts, not to ${ctx.target}` };
    }
    if (ctx.facts === null) {
      const why = ctx.collection?.error ?? "no facts were parsed for this host";
      return { status: "broken", message: `${ctx.host.name}: facts unavailable, ${requirement} cannot be evaluated (${why})` };
    }
    return decide({ host: ctx.host, facts: ctx.facts, ctx });
  };
}

// ---------------------------------------------------------------------------------------------
// Components (TOPO-02..04)

const COMPONENT_LABELS: Record<ComponentName, string> = {
  dashboard: "API7 Dashboard",
  dpManager: "DP Manager",
  gateway: "API7 Gateway",
};

interface ComponentState {
  label: string;
  /** How it was recognised ("container api7-gateway"), null when it is not running. */
  runningAs: string | null;
  /** How it would have been recognised, for messages about an absent component. */
  lookedFor: string;
  ports: number[];
  missingPorts: number[];
}

function componentState(facts: HostFacts, env: Environment, name: ComponentName): ComponentState {
  const component = env.components[name];
  const { container, process } = component.detect;
  const runningAs =
    container !== undefined && facts.containers.includes(container)
      ? `container ${container}`
      : process !== undefined && facts.processes.some((line) => line.includes(process))
        ? `process matching "${process}"`
        : null;
  const lookedFor = [
    container !== undefined ? `no running container ${container}` : null,
    process !== undefined ? `no process matching "${process}"` : null,
  ]
    .filter((part) => part !== null)
    .join(", ");
  const listening = new Set(facts.listeners.map((listener) => listener.port));
  return {
    label: COMPONENT_LABELS[name],
    runningAs,
    lookedFor,
    ports: [...component.ports],
    missingPorts: component.ports.filter((port) => !listening.has(port)),
  };
}

/** TOPO-02/TOPO-03: every component of the role runs AND listens on all its ports. */
function componentsRun(requirement: string, role: "cp" | "dp", names: readonly ComponentName[]): Check {
  return onHost(requirement, ({ host, facts, ctx }) => {
    if (!host.roles.includes(role)) {
      return { status: "skipped", message: `${host.name} is not a ${role.toUpperCase()} host` };
    }
    const states = names.map((name) => componentState(facts, ctx.env, name));
    const violations: string[] = [];
    for (const state of states) {
      if (state.runningAs === null) violations.push(`${state.label} is not running (${state.lookedFor})`);
      if (state.missingPorts.length > 0) violations.push(`nothing listens on ${state.label}'s port ${state.missingPorts.join(", ")}`);
    }
    const expected = states.map((s) => `${s.label} running and listening on ${s.ports.join(", ")}`).join("; ");
    const actual = states
      .map((s) => {
        const listening = s.ports.filter((port) => !s.missingPorts.includes(port));
        return `${s.label}: ${s.runningAs ?? "not running"}, listening on ${listening.length > 0 ? listening.join(", ") : "none of its ports"}`;
      })
      .join("; ");
    const evidence = [...SECTIONS.components];
    if (violations.length === 0) {
      return { status: "passed", message: `${host.name}: ${actual} (S3.5)`, expected, actual, evidence };
    }
    // An empty listener list or container list may only mean its section failed.
    const unreliable = [
      ...(violations.some((v) => v.startsWith("nothing listens")) && facts.problems["ss-listen"] ? ["ss-listen"] : []),
      ...(states.some((s) => s.runningAs === null) && facts.docker.state === "running" && facts.problems["docker-ps"] ? ["docker-ps"] : []),
      ...incompleteSections(ctx, evidence),
    ];
    if (unreliable.length > 0) {
      return {
        status: "broken",
        message: `${host.name}: cannot tell whether the components run: ${[...new Set(unreliable)].map((s) => `${s}: ${facts.problems[s] ?? "incomplete output"}`).join("; ")}`,
        expected,
        actual,
        evidence,
      };
    }
    return {
      status: "failed",
      message: `${host.name}: ${violations.join("; ")}; the page runs ${states.map((s) => s.label).join(" and ")} on every ${role.toUpperCase()} host (S3.5)`,
      expected,
      actual,
      evidence,
    };
  });
}

const topo04: Check = onHost("TOPO-04", ({ host, facts, ctx }) => {
  const evidence = [...SECTIONS.components];
  const expected = "CP hosts run only API7 Dashboard and DP Manager; DP hosts run only API7 Gateway";
  if (host.roles.includes("cp") && host.roles.includes("dp")) {
    return {
      status: "failed",
      message: `${host.name} is declared with both roles (cp and dp); the page runs the control plane and the data plane on separate hosts (S3.5)`,
      expected,
      actual: `roles: ${host.roles.join(", ")}`,
      evidence,
    };
  }
  const foreign: ComponentName[] = host.roles.includes("cp") ? ["gateway"] : ["dashboard", "dpManager"];
  const present = foreign.map((name) => componentState(facts, ctx.env, name)).filter((state) => state.runningAs !== null);
  const roleLabel = host.roles.includes("cp") ? "control-plane" : "data-plane";
  const actual = present.length > 0 ? present.map((s) => `${s.label} runs (${s.runningAs})`).join("; ") : `no ${foreign.map((n) => COMPONENT_LABELS[n]).join(" or ")}`;
  if (present.length === 0) {
    return { status: "passed", message: `${host.name}: ${actual} on this ${roleLabel} host (S3.5)`, expected, actual, evidence };
  }
  return {
    status: "failed",
    message: `${host.name}: ${actual} on a ${roleLabel} host; the page places it on ${host.roles.includes("cp") ? "DP" : "CP"} hosts only (S3.5)`,
    expected,
    actual,
    evidence,
  };
});

// ---------------------------------------------------------------------------------------------
// TOPO-01: 2 CP + 2 DP hosts, distinct machines

const shortId = (machineId: string) => machineId.slice(0, 8);

const topo01: Check = onHost("TOPO-01", ({ host, facts, ctx }) => {
  const inventory = ctx.env.hosts;
  const machineOf = (name: string): string | null => ctx.allFacts.get(name)?.machineId ?? null;
  const cpHosts = inventory.filter((h) => h.roles.includes("cp"));
  const dpHosts = inventory.filter((h) => h.roles.includes("dp"));
  const describe = (hosts: HostEntry[]) =>
    hosts.map((h) => `${h.name} [${((id) => (id === null ? "machine-id unknown" : shortId(id)))(machineOf(h.name))}]`).join(", ") || "none";
  const actual = `cp: ${describe(cpHosts)}; dp: ${describe(dpHosts)}`;
  const expected = "at least 2 CP and 2 DP hosts, 4 distinct machines (distinct /etc/machine-id)";
  const evidence = [...SECTIONS.machineId];
  const outcome = (status: CheckOutcome["status"], message: string): CheckOutcome => ({ status, message, expected, actual, evidence });

  if (cpHosts.length < 2 || dpHosts.length < 2 || inventory.length < 4) {
    return outcome(
      "failed",
      `the inventory declares ${plural(cpHosts.length, "CP host")} and ${plural(dpHosts.length, "DP host")} (${plural(inventory.length, "host")} in all); the page requires at least 4 hosts, 2 for control-plane HA and 2 for data-plane HA (S2.1)`,
    );
  }
  if (facts.machineId === null) return brokenFact(facts, "machineId", "/etc/machine-id", "TOPO-01");

  const sameMachine = inventory.filter((other) => other.name !== host.name && machineOf(other.name) === facts.machineId);
  if (sameMachine.length > 0) {
    return outcome(
      "failed",
      `${host.name} and ${sameMachine.map((h) => h.name).join(", ")} are the same machine (machine-id ${shortId(facts.machineId)}); the page requires distinct hosts (S2.1)`,
    );
  }

  // Count machines, not names: hosts whose machine-id is unknown cannot be counted as distinct.
  const count = (hosts: HostEntry[]) => {
    const ids = new Set<string>();
    const unknown: string[] = [];
    for (const h of hosts) {
      const id = machineOf(h.name);
      if (id === null) unknown.push(h.name);
      else ids.add(id);
    }
    return { distinct: ids.size, unknown };
  };
  const groups = [
    { label: "CP", needed: 2, ...count(cpHosts) },
    { label: "DP", needed: 2, ...count(dpHosts) },
    { label: "", needed: 4, ...count(inventory) },
  ];
  const short = groups.filter((g) => g.distinct < g.needed);
  const describeGroup = (g: (typeof groups)[number]) => `${plural(g.distinct, g.label ? `distinct ${g.label} machine` : "distinct machine")}`;
  if (short.some((g) => g.distinct + g.unknown.length < g.needed) || (short.length > 0 && short.every((g) => g.unknown.length === 0))) {
    return outcome("failed", `the inventory names only ${short.map(describeGroup).join(" and ")}; the page requires 2 CP and 2 DP hosts, 4 in all (S2.1)`);
  }
  if (short.length > 0) {
    const unknown = [...new Set(short.flatMap((g) => g.unknown))];
    return outcome("broken", `cannot confirm distinct machines: the machine-id of ${unknown.join(", ")} is unknown (unreachable or not collected)`);
  }
  return outcome("passed", `${host.name} is a distinct machine (machine-id ${shortId(facts.machineId)}); the inventory has ${groups.slice(0, 2).map(describeGroup).join(" and ")} (S2.1)`);
});

// ---------------------------------------------------------------------------------------------
// Hardware (HW-01..04)

const hw01 = onHost("HW-01", ({ facts }) => {
  if (facts.arch === null) return brokenFact(facts, "arch", "the CPU architecture", "HW-01");
  const passed = facts.arch === "x86_64";
  return {
    status: passed ? "passed" : "failed",
    message: `${facts.host}: architecture ${facts.arch}${passed ? "" : ", the page requires x86_64"} (S3.1)`,
    expected: "x86_64",
    actual: facts.arch,
    evidence: [...SECTIONS.arch],
  };
});

const hw02 = onHost("HW-02", ({ facts }) => {
  if (facts.cpu === null) return brokenFact(facts, "cpu", "the usable CPU count", "HW-02");
  const { usable, online } = facts.cpu;
  const restricted = online !== null && online > usable ? ` of ${online} online; CPU affinity or a cpuset leaves only ${usable} to workloads` : "";
  const passed = usable >= 2;
  return {
    status: passed ? "passed" : "failed",
    message: `${facts.host}: ${plural(usable, "usable CPU")}${restricted}${passed ? "" : ", the page requires 2 cores"} (S3.2)`,
    expected: "at least 2 usable CPUs",
    actual: `${usable} usable${online !== null ? `, ${online} online` : ""}`,
    evidence: [...SECTIONS.cpu],
  };
});

const hw03 = onHost("HW-03", ({ facts }) => {
  if (facts.memory === null) return brokenFact(facts, "memory", "the memory size", "HW-03");
  const { memTotalBytes, onlineBytes, cgroupLimitBytes } = facts.memory;
  const evidence = [...SECTIONS.memory];
  const expected = "at least 4 GiB RAM (online memory >= 4 GiB, or MemTotal >= 3.5 GiB when online memory is unknown), no cgroup limit below 4 GiB";
  const actualParts = [
    onlineBytes !== null ? `${gib(onlineBytes)} online` : "online memory unknown",
    `MemTotal ${gib(memTotalBytes)}`,
    cgroupLimitBytes !== null ? `cgroup limit ${gib(cgroupLimitBytes)}` : "no cgroup limit",
  ];
  const actual = actualParts.join(", ");
  const rule =
    onlineBytes !== null
      ? { name: "rule: installed/online memory >= 4 GiB", bytes: onlineBytes, minimum: RAM_REQUIRED_BYTES, what: "online" }
      : {
          name: "rule: MemTotal >= 3.5 GiB, as online memory is unknown and a 4 GiB machine reports about 3.6-3.8 GiB MemTotal",
          bytes: memTotalBytes,
          minimum: MEMTOTAL_TOLERANCE_BYTES,
          what: "MemTotal",
        };
  const violations: string[] = [];
  if (rule.bytes < rule.minimum) violations.push(`${gib(rule.bytes)} RAM (${rule.what})`);
  if (cgroupLimitBytes !== null && cgroupLimitBytes < RAM_REQUIRED_BYTES) violations.push(`cgroup memory limit ${gib(cgroupLimitBytes)}`);
  if (violations.length > 0) {
    return {
      status: "failed",
      message: `${facts.host}: ${violations.join(" and ")}, the page requires 4G (S3.3) (${rule.name}; a cgroup limit below 4 GiB fails)`,
      expected,
      actual,
      evidence,
    };
  }
  return {
    status: "passed",
    message: `${facts.host}: ${gib(rule.bytes)} RAM (${rule.what})${cgroupLimitBytes !== null ? `, cgroup limit ${gib(cgroupLimitBytes)}` : ""}, at least the page's 4G (S3.3) (${rule.name})`,
    expected,
    actual,
    evidence,
  };
});

const describeFs = (fs: FilesystemFacts) => `${gb(fs.availBytes)} available on ${fs.path} (${fs.source}, ${fs.fstype}, mounted at ${fs.mountpoint})`;

const hw04 = onHost("HW-04", ({ facts, ctx }) => {
  const evidence = [...SECTIONS.disk];
  const filesystems = facts.filesystems;
  if (filesystems.length === 0) return brokenFact(facts, "disk", "free disk space", "HW-04");
  const dataRootPath = facts.docker.rootDir ?? DOCKER_DEFAULT_ROOT;
  // The collection script puts Docker's data root first when it knows it (docker info, else /var/lib/docker).
  const first = filesystems[0];
  const dataRoot = first !== undefined && first.path === dataRootPath ? first : null;
  const root = filesystems.find((fs) => fs.path === "/") ?? null;
  if (dataRoot === null && facts.docker.rootDir !== null) {
    return brokenFact(facts, "disk", `free space on Docker's data root ${facts.docker.rootDir}`, "HW-04");
  }
  const checked: { fs: FilesystemFacts; why: string }[] = [];
  const notes: string[] = [];
  if (dataRoot !== null) checked.push({ fs: dataRoot, why: "Docker's data root" });
  else notes.push(`Docker's data root is unknown (Docker not answering, no ${DOCKER_DEFAULT_ROOT}): checked / instead`);
  const rootIsOtherFs = root !== null && (dataRoot === null || root.mountpoint !== dataRoot.mountpoint);
  if (rootIsOtherFs && (dataRoot === null || ctx.env.policy.diskCheckRoot)) checked.push({ fs: root, why: "/" });
  else if (rootIsOtherFs) notes.push("/ is another filesystem, not checked (policy.diskCheckRoot: false)");
  if (checked.length === 0) return brokenFact(facts, "disk", "free space on /", "HW-04");

  const short = checked.filter(({ fs }) => fs.availBytes < DISK_REQUIRED_BYTES);
  const actual = checked.map(({ fs, why }) => `${why}: ${describeFs(fs)}`).join("; ");
  const note = notes.length > 0 ? ` [${notes.join("; ")}]` : "";
  const expected = `at least 80 GB (80·10^9 bytes) available on Docker's data root${ctx.env.policy.diskCheckRoot ? ' and on "/" if it is another filesystem' : ""}`;
  if (short.length > 0) {
    return {
      status: "failed",
      message: `${facts.host}: ${short.map(({ fs }) => describeFs(fs)).join("; ")}, the page requires 80 GB free (S3.4)${note}`,
      expected,
      actual,
      evidence,
    };
  }
  return { status: "passed", message: `${facts.host}: ${actual}, at least the page's 80 GB (S3.4)${note}`, expected, actual, evidence };
});

// ---------------------------------------------------------------------------------------------
// Software (SW-01..05)

interface MajorMinor {
  major: number;
  minor: number | null;
}

function parseMinVersion(text: string): MajorMinor {
  const [major, minor] = text.split(".");
  return { major: Number(major), minor: minor === undefined ? null : Number(minor) };
}

const osVersion = (os: OsFacts) => (os.major === null ? "version unknown" : `${os.major}${os.minor !== null ? `.${os.minor}` : ""}`);
/** The release line says the minor version ("CentOS Linux release 7.4.1708 (Core)"); os-release's name does not. */
const osLabel = (os: OsFacts) => os.releaseLine ?? os.prettyName;

/** -1/0/1 like a comparator, or null when the host's minor release is needed but unknown. */
function compareMajorMinor(host: { major: number; minor: number | null }, minimum: MajorMinor): number | null {
  if (host.major !== minimum.major) return host.major > minimum.major ? 1 : -1;
  if (minimum.minor === null) return 0;
  if (host.minor === null) return null;
  return Math.sign(host.minor - minimum.minor);
}

const sw01 = onHost("SW-01", ({ facts, ctx }) => {
  const os = facts.os;
  if (os === null) return brokenFact(facts, "os", "the operating system", "SW-01");
  const evidence = [...SECTIONS.os];
  const allowedEntry = ctx.env.policy.osAllowed.find((entry) => entry.id === os.id);
  // CentOS is the page's own recommendation: it needs no policy entry (an entry may change its minimum).
  const minimum = allowedEntry?.minVersion ?? (os.family === "centos" ? CENTOS_RECOMMENDED : null);
  const expected = `CentOS ${CENTOS_RECOMMENDED} or later, or a distribution of policy.osAllowed at its minimum version`;
  const actual = `${os.id} ${osVersion(os)}: ${osLabel(os)}`;
  if (minimum === null) {
    return {
      status: "failed",
      message: `${facts.host}: ${osLabel(os)} is not CentOS and not in the environment's policy.osAllowed; the page recommends CentOS ${CENTOS_RECOMMENDED} or later (S4.1)`,
      expected,
      actual,
      evidence,
    };
  }
  if (os.major === null) return brokenFact(facts, "os", `the release version of ${os.prettyName}`, "SW-01");
  const comparison = compareMajorMinor({ major: os.major, minor: os.minor }, parseMinVersion(minimum));
  if (comparison === null) {
    return brokenFact(facts, "os", `the minor release of ${os.prettyName} (no /etc/centos-release or /etc/redhat-release line)`, "SW-01");
  }
  const pageRule = os.family === "centos" && minimum === CENTOS_RECOMMENDED;
  const basis = pageRule ? "the page's recommendation" : `policy.osAllowed: ${os.id} >= ${minimum}`;
  const pageNote = os.family === "centos" ? "" : `; the page recommends CentOS ${CENTOS_RECOMMENDED} or later`;
  if (comparison < 0) {
    const below = pageRule ? "" : `, older than ${minimum} (${basis})`;
    return {
      status: "failed",
      message: `${facts.host}: ${os.family === "centos" ? "CentOS" : os.id} ${osVersion(os)} (${osLabel(os)})${below}; the page recommends CentOS ${CENTOS_RECOMMENDED} or later (S4.1)`,
      expected,
      actual,
      evidence,
    };
  }
  return {
    status: "passed",
    message: `${facts.host}: ${osLabel(os)}, ${os.id} ${osVersion(os)} >= ${minimum} (${basis})${pageNote} (S4.1)`,
    expected,
    actual,
    evidence,
  };
});

const sw02 = onHost("SW-02", ({ facts }) => {
  const os = facts.os;
  if (os === null) return brokenFact(facts, "os", "the operating system", "SW-02");
  const evidence = [...SECTIONS.os];
  const expected = "not CentOS 7.2 or earlier";
  const actual = `${os.id} ${osVersion(os)}: ${osLabel(os)}`;
  if (os.family !== "centos") {
    return {
      status: "passed",
      message: `${facts.host}: ${osLabel(os)} is not CentOS, so the page's CentOS 7.2 floor does not apply (SW-01 decides whether it is accepted) (S4.1)`,
      expected,
      actual,
      evidence,
    };
  }
  if (os.major === null) return brokenFact(facts, "os", "the CentOS release", "SW-02");
  if (os.major === 7 && os.minor === null) {
    return brokenFact(facts, "os", "the CentOS 7 minor release (no /etc/centos-release line)", "SW-02");
  }
  const tooOld = os.major < 7 || (os.major === 7 && os.minor !== null && os.minor <= 2);
  return {
    status: tooOld ? "failed" : "passed",
    message: tooOld
      ? `${facts.host}: CentOS ${osVersion(os)} (${osLabel(os)}); the page knows CentOS 7.2 or earlier to be incompatible (S4.1)`
      : `${facts.host}: CentOS ${osVersion(os)}, later than the page's incompatible 7.2 (S4.1)`,
    expected,
    actual,
    evidence,
  };
});

const sw03 = onHost("SW-03", ({ facts }) => {
  const kernel = facts.kernelRelease;
  if (kernel === null) return brokenFact(facts, "kernel", "the kernel release", "SW-03");
  const passed = compareKernelRelease(kernel, KERNEL_RECOMMENDED) >= 0;
  return {
    status: passed ? "passed" : "failed",
    message: `${facts.host}: kernel ${kernel}, ${passed ? "at least" : "older than"} the page's recommended ${KERNEL_RECOMMENDED} by rpm version order (S4.2; ${KERNEL_NOTE})`,
    expected: `kernel >= ${KERNEL_RECOMMENDED} (rpmvercmp)`,
    actual: kernel,
    evidence: [...SECTIONS.kernel],
  };
});

const sw04 = onHost("SW-04", ({ facts }) => {
  const kernel = facts.kernelRelease;
  if (kernel === null) return brokenFact(facts, "kernel", "the kernel release", "SW-04");
  const base = kernelBaseBuild(kernel);
  const build = `${base.version}${base.release !== null ? `-${base.release}` : ""}`;
  const incompatible = compareEVR(base, KERNEL_INCOMPATIBLE_UP_TO) <= 0;
  return {
    status: incompatible ? "failed" : "passed",
    message: incompatible
      ? `${facts.host}: kernel ${kernel} (build ${build}); the page knows ${KERNEL_INCOMPATIBLE_UP_TO} or earlier to be incompatible (S4.2; ${KERNEL_NOTE}: ${KERNEL_INCOMPATIBLE_UP_TO} is the CentOS 7.2 kernel)`
      : `${facts.host}: kernel ${kernel} (build ${build}), later than the page's incompatible ${KERNEL_INCOMPATIBLE_UP_TO} (S4.2; ${KERNEL_NOTE})`,
    expected: `kernel build later than ${KERNEL_INCOMPATIBLE_UP_TO}`,
    actual: kernel,
    evidence: [...SECTIONS.kernel],
  };
});

const sw05 = onHost("SW-05", ({ facts, ctx }) => {
  const docker = facts.docker;
  const minimum = ctx.env.policy.dockerMinVersion;
  const source = minimum === DOCKER_MIN_DEFAULT ? `${minimum}, the vendor's earlier HA page` : `${minimum}, this environment's policy.dockerMinVersion`;
  const expected = `a running Docker engine, server version >= ${minimum}`;
  const evidence = [...SECTIONS.docker];
  const note = "S4.2 names Docker; S4.3 asks for a correctly installed, compatible Docker";
  if (docker.state !== "running") {
    const actual = docker.state === "not-installed" ? "Docker not installed" : `Docker client ${docker.clientVersion ?? "(version unknown)"}, daemon not answering`;
    const why = problemsOf(facts, "docker");
    return {
      status: "failed",
      message: `${facts.host}: ${actual}${why !== NO_REASON ? ` (${why})` : ""}; the page requires a working Docker engine (${note})`,
      expected,
      actual,
      evidence,
    };
  }
  if (docker.serverVersion === null) return brokenFact(facts, "docker", "the Docker server version", "SW-05");
  const passed = rpmvercmp(docker.serverVersion, minimum) >= 0;
  return {
    status: passed ? "passed" : "failed",
    message: `${facts.host}: Docker engine ${docker.serverVersion} running, ${passed ? "at least" : "older than"} the minimum ${source} (${note})`,
    expected,
    actual: `Docker server ${docker.serverVersion}`,
    evidence,
  };
});

// ---------------------------------------------------------------------------------------------
// Security (SEC-01, SEC-02)

const sec01 = onHost("SEC-01", ({ facts, ctx }) => {
  const { runtime, config } = facts.selinux;
  const required = ctx.env.policy.selinuxMode;
  const evidence = [...SECTIONS.selinux];
  const expected = `SELinux ${required} (policy.selinuxMode), SELINUX=${required} in /etc/selinux/config`;
  const actual = `running: ${runtime ?? "SELinux not available"}; /etc/selinux/config: ${config === null ? "absent" : `SELINUX=${config}`}`;
  const incomplete = incompleteSections(ctx, evidence);
  if (runtime === null && incomplete.length > 0) {
    return { status: "broken", message: `${facts.host}: cannot tell the SELinux mode (${incomplete.join(", ")} timed out or was cut off)`, expected, actual, evidence };
  }
  const violations: string[] = [];
  if (runtime === null) {
    const why = problemsOf(facts, "selinux");
    violations.push(`SELinux is not available (no getenforce, no /sys/fs/selinux${why === NO_REASON ? "" : `; ${why}`})`);
  }
  else if (runtime !== required) violations.push(`SELinux runs ${runtime}, the environment requires ${required}`);
  if (runtime !== null && config !== runtime) {
    violations.push(
      `/etc/selinux/config ${config === null ? "is absent" : `says SELINUX=${config}`} while SELinux runs ${runtime}: the mode changes at the next reboot`,
    );
  }
  if (violations.length > 0) {
    return { status: "failed", message: `${facts.host}: ${violations.join("; ")}; the page requires SELinux on these hosts (S5.1)`, expected, actual, evidence };
  }
  return { status: "passed", message: `${facts.host}: SELinux ${runtime}, persistent in /etc/selinux/config (S5.1)`, expected, actual, evidence };
});

const sec02 = onHost("SEC-02", ({ facts }) => {
  const firewall = facts.firewall;
  if (firewall === null) {
    return {
      status: "broken",
      message: `${facts.host}: the firewall state is unknown, so SEC-02 cannot be evaluated (${problemsOf(facts, "firewalld", [...FIREWALL_SECTIONS, "firewall"])})`,
      evidence: FIREWALL_SECTIONS,
    };
  }
  const evidence = firewall.tool === null ? FIREWALL_SECTIONS : [...SECTIONS[firewall.tool]];
  const expected = "an active host firewall (firewalld, nftables or iptables) dropping inbound traffic by default, persistent configuration equal to the running one";
  const persistence =
    firewall.persistentMatchesRuntime === null ? "persistence not comparable" : firewall.persistentMatchesRuntime ? "persistent = running" : "persistent differs from running";
  const actual = `${firewall.tool ?? "no firewall tool"}, ${firewall.active ? "active" : "inactive"}, inbound default ${firewall.defaultDenyInbound ? "deny" : "accept"}, ${persistence}: ${firewall.detail}`;
  const violations: string[] = [];
  if (firewall.tool === null || !firewall.active) violations.push("no active host firewall (firewalld, nftables or iptables)");
  else {
    if (!firewall.defaultDenyInbound) violations.push(`${firewall.tool} accepts inbound traffic by default`);
    if (firewall.persistentMatchesRuntime === false) violations.push(`the persistent ${firewall.tool} configuration differs from the running rules: they change at the next reload or reboot`);
  }
  if (violations.length > 0) {
    return { status: "failed", message: `${facts.host}: ${violations.join("; ")} (${firewall.detail}); the page requires a firewall on these hosts (S5.1)`, expected, actual, evidence };
  }
  return {
    status: "passed",
    message: `${facts.host}: ${firewall.tool} active, inbound denied by default, ${persistence} (${firewall.detail}) (S5.1)`,
    expected,
    actual,
    evidence,
  };
});

// ---------------------------------------------------------------------------------------------

export const hostChecks: CheckSet = {
  "TOPO-01": topo01,
  "TOPO-02": componentsRun("TOPO-02", "cp", ["dashboard", "dpManager"]),
  "TOPO-03": componentsRun("TOPO-03", "dp", ["gateway"]),
  "TOPO-04": topo04,
  "HW-01": hw01,
  "HW-02": hw02,
  "HW-03": hw03,
  "HW-04": hw04,
  "SW-01": sw01,
  "SW-02": sw02,
  "SW-03": sw03,
  "SW-04": sw04,
  "SW-05": sw05,
  "SEC-01": sec01,
  "SEC-02": sec02,
};
