// Typed HostFacts from the raw sections of the collection script. Pure: the same sections give
// the same facts, live or offline (`npm run verify`). A section that is missing or unreadable
// leaves its fields null/empty and says why in `problems`.
import type { CommandOutput } from "../model.js";
import type { DockerFacts, FilesystemFacts, ForwardedPort, HostFacts, Listener, MemoryFacts } from "./types.js";
import { parseArch, parseCpuList, parseNproc } from "./parsers/cpu.js";
import { parseDf } from "./parsers/disk.js";
import { parseContainerNames, parseDockerRoot, parseDockerVersion } from "./parsers/docker.js";
import { parseFirewall } from "./parsers/firewall.js";
import { parseForwardedPorts } from "./parsers/forwarded.js";
import { parseKernelRelease } from "./parsers/kernel.js";
import { parseGlobalIpv6Addresses, parseListeners } from "./parsers/listeners.js";
import { parseMachineId } from "./parsers/machine-id.js";
import { parseMeminfo } from "./parsers/memory.js";
import { parseOs } from "./parsers/os.js";
import { parseProcesses } from "./parsers/processes.js";
import { type Parsed, sectionProblem } from "./parsers/result.js";
import { parseSelinuxConfig } from "./parsers/selinux.js";

export function buildHostFacts(host: string, sections: CommandOutput[]): HostFacts {
  const byName = new Map(sections.map((s) => [s.section, s]));
  const problems: Record<string, string> = {};

  /** The section's stdout when it ran cleanly; otherwise records why (unless `quiet`). */
  const stdoutOf = (name: string, quiet = false): string | null => {
    const section = byName.get(name);
    const problem = sectionProblem(section);
    // sectionProblem finds one in a missing section, so without a problem the section is there.
    if (problem === null) return section!.stdout;
    if (!quiet) problems[name] = problem;
    return null;
  };
  /** The parsed value, or null with the parser's reason recorded. */
  const read = <T>(name: string, parser: (stdout: string) => Parsed<T>, quiet = false): T | null => {
    const stdout = stdoutOf(name, quiet);
    if (stdout === null) return null;
    const result = parser(stdout);
    if (result.ok) return result.value;
    problems[name] = result.problem;
    return null;
  };

  const arch = read("uname-m", parseArch);

  const usable = read("nproc", parseNproc);
  const online = read("cpu-online", parseCpuList);
  const cpu = usable === null ? null : { usable, online };

  const memory = buildMemory(read);

  // Absent release files are normal outside the RHEL family: not a problem.
  const os = (() => {
    const result = parseOs({
      osRelease: stdoutOf("os-release"),
      centosRelease: stdoutOf("centos-release", true),
      redhatRelease: stdoutOf("redhat-release", true),
    });
    if (result.ok) return result.value;
    problems.os = result.problem;
    return null;
  })();

  const kernelRelease = read("uname-r", parseKernelRelease);
  const docker = buildDocker(byName.get("docker-version"), read, problems);
  const filesystems = orderFilesystems(read("df", parseDf) ?? [], docker.rootDir);
  // The running mode is the selinuxMode fact's (helpers/checks/facts.ts), from its alternative sources.
  const selinux = { config: read("selinux-config", parseSelinuxConfig, true) };

  const firewallResult = parseFirewall({
    firewalldState: byName.get("firewalld-state"),
    firewalldRuntime: byName.get("firewalld-runtime"),
    firewalldPermanent: byName.get("firewalld-permanent"),
    firewalldDefaultZone: byName.get("firewalld-default-zone"),
    networkInterfaces: byName.get("network-interfaces"),
    zoneBindings: byName.get("zone-bindings"),
    nftRuleset: byName.get("nft-ruleset"),
    nftPersistent: byName.get("nft-persistent"),
    iptables: byName.get("iptables"),
    iptablesPersistent: byName.get("iptables-persistent"),
    ip6tables: byName.get("ip6tables"),
    ip6tablesPersistent: byName.get("ip6tables-persistent"),
    ipv6Disabled: byName.get("ipv6-disabled"),
  });
  const firewall = firewallResult.ok ? firewallResult.value : null;
  if (!firewallResult.ok) problems.firewall = firewallResult.problem;

  const listeners = read("ss-listen", parseListeners) ?? [];
  const forwarded = parseForwardedPorts({ nftRuleset: byName.get("nft-ruleset"), iptablesNat: byName.get("iptables-nat") });
  if (!forwarded.ok) problems.forwardedPorts = forwarded.problem;
  const machineId = read("machine-id", parseMachineId);
  const processesOut = stdoutOf("processes");
  const processes = processesOut === null ? [] : parseProcesses(processesOut);
  const containersOut = docker.state === "running" ? stdoutOf("docker-ps") : null;
  const containers = containersOut === null ? [] : parseContainerNames(containersOut);

  return {
    host,
    arch,
    cpu,
    memory,
    filesystems,
    os,
    kernelRelease,
    docker,
    selinux,
    firewall,
    listeners,
    forwardedPorts: forwarded.ok ? forwarded.value : null,
    machineId,
    processes,
    containers,
    problems,
  };
}

type Reader = <T>(name: string, parser: (stdout: string) => Parsed<T>, quiet?: boolean) => T | null;

/** MemTotal only: the online memory and the cgroup limit are read by their facts (helpers/checks/facts.ts). */
function buildMemory(read: Reader): MemoryFacts | null {
  const memTotalBytes = read("meminfo", parseMeminfo)?.MemTotal;
  return memTotalBytes === undefined ? null : { memTotalBytes };
}

function buildDocker(
  version: CommandOutput | undefined,
  read: Reader,
  problems: Record<string, string>,
): DockerFacts {
  if (!version || version.exitCode === null || version.timedOut) {
    problems["docker-version"] = sectionProblem(version) ?? "unusable";
    // Not known to answer: for the checks this is the same as a daemon that does not answer.
    return { state: "daemon-down", clientVersion: null, serverVersion: null, rootDir: null };
  }
  const parsedVersion = parseDockerVersion(version);
  if (!parsedVersion.ok) {
    problems["docker-version"] = parsedVersion.problem;
    return { state: "daemon-down", clientVersion: null, serverVersion: null, rootDir: null };
  }
  const rootDir = parsedVersion.value.state === "running" ? read("docker-root", parseDockerRoot) : null;
  return { ...parsedVersion.value, rootDir };
}

/** Docker's data root first (when known), then "/", then anything else df reported. */
function orderFilesystems(filesystems: FilesystemFacts[], dockerRoot: string | null): FilesystemFacts[] {
  const rank = (fs: FilesystemFacts) => (fs.path === dockerRoot ? 0 : fs.path === "/" ? 1 : 2);
  return [...filesystems].sort((a, b) => rank(a) - rank(b));
}

/** The host's listening sockets (section ss-listen), whose ports the runner probes; empty when unreadable, as in HostFacts. */
export function hostListeners(sections: CommandOutput[]): Listener[] {
  return readCleanly(sections, "ss-listen", parseListeners) ?? [];
}

/** The TCP ports the host's NAT rules forward (sections nft-ruleset, iptables-nat), which SEC-04 probes too; empty when unreadable. */
export function hostForwardedPorts(sections: CommandOutput[]): ForwardedPort[] {
  const forwarded = parseForwardedPorts({ nftRuleset: sections.find((s) => s.section === "nft-ruleset"), iptablesNat: sections.find((s) => s.section === "iptables-nat") });
  return forwarded.ok ? forwarded.value : [];
}

/** The host's first global IPv6 address (section ipv6-addresses), which SEC-04 probes too; null when none or unreadable. */
export function hostIpv6Address(sections: CommandOutput[]): string | null {
  return readCleanly(sections, "ipv6-addresses", parseGlobalIpv6Addresses)?.[0] ?? null;
}

/** A section's parsed stdout when it ran cleanly and parsed; null otherwise. */
function readCleanly<T>(sections: CommandOutput[], name: string, parser: (stdout: string) => Parsed<T>): T | null {
  const section = sections.find((s) => s.section === name);
  if (!section || sectionProblem(section) !== null) return null;
  const parsed = parser(section.stdout);
  return parsed.ok ? parsed.value : null;
}
