// Mutation tests of the table of host facts (helpers/checks/facts.ts): for each fact, whether it is
// observed, its value, the sections it cites, and the reason when it is missing. The inputs are a
// host of the captured compliant lab run (tests/fixtures/runs/lab) with sections replaced by
// captured outputs of tests/fixtures/facts, or edited (the edit is written beside it).
import { describe, expect, it } from "vitest";
import type { Fact } from "../../../helpers/checks/evidence.js";
import { type FactName, type FactValue, resolveFact, sectionsOf } from "../../../helpers/checks/facts.js";
import { buildHostFacts } from "../../../helpers/facts/build.js";
import { parseArch } from "../../../helpers/facts/parsers/cpu.js";
import { parseDaemonJsonDataRoot } from "../../../helpers/facts/parsers/docker.js";
import { parseGlobalIpv6Addresses } from "../../../helpers/facts/parsers/listeners.js";
import { parseCgroupMemory, parseMemoryBlocks } from "../../../helpers/facts/parsers/memory.js";
import type { Parsed } from "../../../helpers/facts/parsers/result.js";
import type { CommandOutput } from "../../../helpers/model.js";
import { capturedFirewall, fixture } from "../facts/fixtures.js";
import { labRun } from "../../support/lab-run.js";
import { absent, type Edit, stdout } from "../../support/section-edits.js";

/** A section replaced (an Edit of the lab's own), removed (null), or added (a CommandOutput). */
type Sections = Record<string, Edit | CommandOutput | null>;

const denied: Edit = (s) => ({ ...s, exitCode: 1, stdout: "", stderr: `${s.section}: Permission denied\n` });
const notFound: Edit = (s) => ({ ...s, exitCode: 127, stdout: "", stderr: `bash: line 1: ${s.section}: command not found\n` });
const timedOut: Edit = (s) => ({ ...s, exitCode: 124, timedOut: true, stdout: "", stderr: "" });
const garbage: Edit = stdout(() => "<html><body>503 Service Unavailable</body></html>\n");

const labSections = (host: string) => labRun.hosts.find((h) => h.name === host)!.sections;

function sectionsWith(host: string, changes: Sections): CommandOutput[] {
  const kept = labSections(host).flatMap((s) => {
    if (!(s.section in changes)) return [s];
    const change = changes[s.section];
    if (change === null) return [];
    return [typeof change === "function" ? change(s) : { ...(change as CommandOutput), section: s.section }];
  });
  const added = Object.entries(changes)
    .filter(([name, change]) => change !== null && typeof change !== "function" && !kept.some((s) => s.section === name))
    .map(([name, change]): CommandOutput => ({ ...(change as CommandOutput), section: name }));
  return [...kept, ...added];
}

function fact<K extends FactName>(name: K, changes: Sections = {}, host = "cp1"): Fact<FactValue<K>> {
  const sections = sectionsWith(host, changes);
  return resolveFact(name, { section: (section) => sections.find((s) => s.section === section), facts: buildHostFacts(host, sections) });
}

const reasonOf = (f: Fact<unknown>) => (f.observed ? null : f.reason);
const GARBAGE = "<html><body>503 Service Unavailable</body></html>\n";
/** What a parser says about the garbage output. */
const complaint = (result: Parsed<unknown>) => (result.ok ? "(parsed)" : result.problem);

describe("sectionsOf: what each fact rests on", () => {
  it.each<[FactName, { all: string[]; anyOf: string[]; context: string[] }]>([
    ["arch", { all: ["uname-m"], anyOf: [], context: [] }],
    ["cpus", { all: ["nproc"], anyOf: [], context: ["cpu-online"] }],
    ["onlineMemoryBytes", { all: [], anyOf: ["lsmem", "memory-blocks"], context: [] }],
    ["releaseLine", { all: [], anyOf: ["centos-release", "redhat-release"], context: [] }],
    ["docker", { all: ["docker-version"], anyOf: [], context: [] }],
    ["dockerDataRoot", { all: [], anyOf: ["docker-version", "docker-root", "docker-daemon-json", "processes"], context: [] }],
    ["containers", { all: ["docker-version", "docker-ps"], anyOf: [], context: [] }],
    ["selinuxMode", { all: [], anyOf: ["getenforce", "sestatus", "selinux-enforce"], context: [] }],
    ["selinuxConfig", { all: ["selinux-config"], anyOf: [], context: [] }],
    [
      "firewall",
      {
        all: [],
        anyOf: [
          "firewalld-state",
          "firewalld-runtime",
          "firewalld-permanent",
          "firewalld-default-zone",
          "network-interfaces",
          "nft-ruleset", "nft-persistent", "iptables", "iptables-persistent", "ip6tables", "ip6tables-persistent", "ipv6-disabled"],
        context: ["zone-bindings", "ipv6-addresses"],
      },
    ],
    ["ipv6Address", { all: ["ipv6-addresses"], anyOf: [], context: [] }],
  ])("%s", (name, sections) => expect(sectionsOf(name)).toEqual(sections));
});

describe("facts read from one section", () => {
  it("observed with the section as its source", () => {
    expect(fact("arch")).toEqual({ observed: true, value: "x86_64", sources: ["uname-m"] });
    expect(fact("kernelRelease")).toEqual({ observed: true, value: "3.10.0-1160.el7.x86_64", sources: ["uname-r"] });
    expect(fact("machineId")).toEqual({ observed: true, value: "d682f8acd153cd9edd2d0db604c997b2", sources: ["machine-id"] });
    expect(fact("memTotalBytes")).toMatchObject({ observed: true, value: 24683748 * 1024, sources: ["meminfo"] });
  });

  it("meminfo without a MemTotal line: missing with the parser's reason", () => {
    // The lab's meminfo without its MemTotal line.
    expect(fact("memTotalBytes", { meminfo: stdout((t) => t.replace(/^MemTotal:.*\n/m, "")) })).toEqual({ observed: false, reason: "meminfo: no MemTotal line", sources: ["meminfo"] });
  });

  it("a section that failed: missing, naming it and how it failed", () => {
    expect(fact("arch", { "uname-m": denied })).toEqual({ observed: false, reason: "uname-m: exit 1: uname-m: Permission denied", sources: ["uname-m"] });
    expect(fact("memTotalBytes", { meminfo: absent })).toEqual({ observed: false, reason: "meminfo: exit 1: cat: meminfo: No such file or directory", sources: ["meminfo"] });
  });

  it("a section that ran but does not parse: missing with the parser's reason", () => {
    expect(fact("arch", { "uname-m": garbage })).toEqual({ observed: false, reason: `uname-m: ${complaint(parseArch(GARBAGE))}`, sources: ["uname-m"] });
  });

  it("a listing with no item is missing, with the parser's reason", () => {
    // The lab's df with only its header line left.
    const f = fact("filesystems", { df: stdout((t) => `${t.split("\n")[0]}\n`) });
    expect(f).toEqual({ observed: false, reason: "df: df printed no filesystem", sources: ["df"] });
  });

  it("os needs os-release itself to name the distribution", () => {
    expect(fact("os")).toMatchObject({ observed: true, value: { id: "centos", major: 7, minor: 9 }, sources: ["os-release"] });
    // The lab's os-release without its ID= line: the release files alone would still name CentOS.
    const f = fact("os", { "os-release": stdout((t) => t.replace(/^ID=.*\n/m, "")) });
    expect(f).toEqual({ observed: false, reason: "os-release: does not say it", sources: ["os-release"] });
  });
});

describe("facts with alternative sources: the first intact one decides and is the only evidence", () => {
  it("online memory from lsmem, else the sysfs memory blocks", () => {
    expect(fact("onlineMemoryBytes")).toMatchObject({ observed: true, sources: ["lsmem"] });
    const fromBlocks = fact("onlineMemoryBytes", { lsmem: notFound });
    expect(fromBlocks).toMatchObject({ observed: true, sources: ["memory-blocks"] });
    expect(fromBlocks.observed && fact("onlineMemoryBytes").observed && fromBlocks.value).toBe((fact("onlineMemoryBytes") as { value: number }).value);
  });

  it("neither: missing with every reason, citing both", () => {
    const f = fact("onlineMemoryBytes", { lsmem: denied, "memory-blocks": garbage });
    expect(f.observed).toBe(false);
    expect(f.sources).toEqual(["lsmem", "memory-blocks"]);
    const [lsmem, blocks] = reasonOf(f)!.split("; ");
    expect(lsmem).toBe("lsmem: exit 1: lsmem: Permission denied");
    expect(blocks).toBe(`memory-blocks: ${complaint(parseMemoryBlocks(GARBAGE))}`);
  });

  it("the release line from centos-release, else redhat-release", () => {
    expect(fact("releaseLine")).toMatchObject({ observed: true, value: { major: 7, minor: 9 }, sources: ["centos-release"] });
    // centos-release edited to a line without "release X.Y".
    const f = fact("releaseLine", { "centos-release": stdout(() => "CentOS Linux (Core)\n") });
    expect(f).toMatchObject({ observed: true, value: { major: 7, minor: 9 }, sources: ["redhat-release"] });
    // A release file holding something else (here the lab's os-release): the reason quotes its first 80 characters.
    const osRelease = labSections("cp1").find((s) => s.section === "os-release")!.stdout;
    expect(reasonOf(fact("releaseLine", { "centos-release": stdout(() => osRelease), "redhat-release": absent }))!.split("; ")[0]).toBe(
      `centos-release: no "release X.Y" line: ${JSON.stringify(osRelease.slice(0, 80))}`,
    );
    const neither = fact("releaseLine", { "centos-release": stdout(() => "CentOS Linux (Core)\n"), "redhat-release": absent });
    expect(neither).toEqual({
      observed: false,
      reason: 'centos-release: no "release X.Y" line: "CentOS Linux (Core)\\n"; redhat-release: exit 1: cat: redhat-release: No such file or directory',
      sources: ["centos-release", "redhat-release"],
    });
  });
});

describe("cgroup memory limit", () => {
  it("no limit on the lab host; a captured container limit; unreadable", () => {
    expect(fact("cgroupMemoryLimitBytes")).toEqual({ observed: true, value: null, sources: ["cgroup-memory"] });
    expect(fact("cgroupMemoryLimitBytes", { "cgroup-memory": fixture("memory/cgroup-v1-container-3g", "cgroup-memory") })).toEqual({ observed: true, value: 3 * 2 ** 30, sources: ["cgroup-memory"] });
    expect(fact("cgroupMemoryLimitBytes", { "cgroup-memory": denied })).toEqual({ observed: false, reason: "cgroup-memory: exit 1: cgroup-memory: Permission denied", sources: ["cgroup-memory"] });
    expect(fact("cgroupMemoryLimitBytes", { "cgroup-memory": garbage })).toEqual({ observed: false, reason: `cgroup-memory: ${complaint(parseCgroupMemory(GARBAGE))}`, sources: ["cgroup-memory"] });
  });
});

describe("SELinux", () => {
  const none = { getenforce: notFound, sestatus: notFound, "selinux-enforce": absent };

  it("the running mode from the first tool that answers", () => {
    expect(fact("selinuxMode")).toEqual({ observed: true, value: "enforcing", sources: ["getenforce"] });
    expect(fact("selinuxMode", { getenforce: notFound, "selinux-enforce": () => fixture("selinux/enforce-0", "selinux-enforce") })).toEqual({ observed: true, value: "permissive", sources: ["selinux-enforce"] });
  });

  it("unavailable only when every source says it does not exist", () => {
    expect(fact("selinuxMode", none)).toEqual({ observed: true, value: "unavailable", sources: ["getenforce", "sestatus", "selinux-enforce"] });
    const f = fact("selinuxMode", { ...none, getenforce: denied });
    expect(f).toMatchObject({ observed: false, sources: ["getenforce", "sestatus", "selinux-enforce"] });
    expect(reasonOf(f)).toContain("getenforce: exit 1: getenforce: Permission denied");
  });

  it("the persisted mode, or absent when /etc/selinux/config does not exist", () => {
    expect(fact("selinuxConfig")).toEqual({ observed: true, value: "enforcing", sources: ["selinux-config"] });
    expect(fact("selinuxConfig", { "selinux-config": absent })).toEqual({ observed: true, value: "absent", sources: ["selinux-config"] });
    expect(fact("selinuxConfig", { "selinux-config": denied })).toMatchObject({ observed: false, sources: ["selinux-config"] });
  });
});

describe("listeners and processes: an empty listing is a listing that failed", () => {
  it("listeners", () => {
    expect(fact("listeners")).toMatchObject({ observed: true, sources: ["ss-listen"] });
    // The lab's ss output with every socket line removed.
    expect(fact("listeners", { "ss-listen": stdout(() => "") })).toEqual({ observed: false, reason: "ss-listen: ss listed no listening socket at all", sources: ["ss-listen"] });
    expect(fact("listeners", { "ss-listen": denied })).toMatchObject({ observed: false, sources: ["ss-listen"] });
  });

  it("processes must show the SSH server the audit came in through", () => {
    expect(fact("processes")).toMatchObject({ observed: true, sources: ["processes"] });
    expect(fact("processes", { processes: fixture("processes/container-collector-only", "processes") })).toEqual({
      observed: false,
      reason: "processes: ps does not list the SSH server this audit came in through",
      sources: ["processes"],
    });
    // dropbear is an SSH server too (the lab's listing with sshd renamed).
    expect(fact("processes", { processes: stdout((t) => t.replaceAll("sshd", "dropbear")) }).observed).toBe(true);
    expect(fact("processes", { processes: denied })).toMatchObject({ observed: false, sources: ["processes"] });
  });
});

describe("the Docker engine", () => {
  const daemonDown = () => fixture("docker/version-daemon-down", "docker-version");
  const notInstalled = () => fixture("docker/version-not-installed", "docker-version");

  it("running, daemon down and not installed are observations", () => {
    expect(fact("docker")).toMatchObject({ observed: true, value: { state: "running", serverVersion: "20.10.24+dfsg1" }, sources: ["docker-version"] });
    expect(fact("docker", { "docker-version": daemonDown })).toMatchObject({ observed: true, value: { state: "daemon-down" }, sources: ["docker-version"] });
    expect(fact("docker", { "docker-version": notInstalled })).toMatchObject({ observed: true, value: { state: "not-installed" }, sources: ["docker-version"] });
  });

  it("a failure the CLI does not explain is missing", () => {
    // The captured daemon-down output, timed out / cut off / with another complaint.
    const cases: Edit[] = [
      (s) => ({ ...daemonDown(), section: s.section, timedOut: true, exitCode: 124 }),
      (s) => ({ ...daemonDown(), section: s.section, exitCode: null }),
      (s) => ({ ...daemonDown(), section: s.section, stderr: "permission denied while trying to connect to the docker API at unix:///var/run/docker.sock\n" }),
      (s) => ({ ...notInstalled(), section: s.section, stderr: "" }),
    ];
    for (const edit of cases) expect(fact("docker", { "docker-version": edit })).toMatchObject({ observed: false, sources: ["docker-version"] });
    expect(reasonOf(fact("docker", { "docker-version": (s) => ({ ...daemonDown(), section: s.section, stderr: "permission denied\n" }) }))).toBe("docker-version: exit 1: permission denied");
  });

  it("never collected: missing, naming it", () => {
    expect(fact("docker", { "docker-version": null })).toEqual({ observed: false, reason: "docker-version: section missing from the collection output", sources: ["docker-version"] });
  });

  it("exit 0 with an output that is no docker version: missing with the parser's reason", () => {
    const f = fact("docker", { "docker-version": garbage });
    expect(f).toEqual({ observed: false, reason: `docker-version: ${buildHostFacts("cp1", sectionsWith("cp1", { "docker-version": garbage })).problems["docker-version"]}`, sources: ["docker-version"] });
    expect(reasonOf(f)).toMatch(/^docker-version: no version in docker output/);
  });

  it("exit 0 without a server version is missing", () => {
    // The captured daemon-down JSON (client part only) with exit 0.
    const f = fact("docker", { "docker-version": (s) => ({ ...daemonDown(), section: s.section, exitCode: 0, stderr: "" }) });
    expect(f).toEqual({ observed: false, reason: "docker-version: no server version in the output", sources: ["docker-version"] });
  });

  it("containers: the running names, none when the daemon is down", () => {
    const names = labSections("cp1").find((s) => s.section === "docker-ps")!.stdout.trim().split("\n");
    expect(fact("containers")).toEqual({ observed: true, value: names, sources: ["docker-version", "docker-ps"] });
    expect(fact("containers", { "docker-version": daemonDown })).toEqual({ observed: true, value: null, sources: ["docker-version"] });
    expect(fact("containers", { "docker-ps": denied })).toEqual({ observed: false, reason: "docker-ps: exit 1: docker-ps: Permission denied", sources: ["docker-ps"] });
    expect(fact("containers", { "docker-version": timedOut })).toMatchObject({ observed: false, sources: ["docker-version"] });
  });
});

describe("Docker's data root", () => {
  const daemonDown = () => fixture("docker/version-daemon-down", "docker-version");
  const withDockerd = (args: string): Edit => stdout((t) => `${t}/usr/bin/dockerd ${args}\n`);
  const daemonJson = (text: string): Sections => ({ "docker-daemon-json": { section: "docker-daemon-json", command: "cat /etc/docker/daemon.json", exitCode: 0, stdout: text, stderr: "", durationMs: 1 } });

  it("the engine's answer when it runs", () => {
    expect(fact("dockerDataRoot")).toEqual({ observed: true, value: "/var/lib/docker", sources: ["docker-version", "docker-root"] });
  });

  it("the engine cannot say: the default when no flag and no daemon.json", () => {
    expect(fact("dockerDataRoot", { "docker-version": daemonDown })).toEqual({ observed: true, value: "/var/lib/docker", sources: ["docker-daemon-json", "processes"] });
    expect(fact("dockerDataRoot", { "docker-root": denied })).toEqual({ observed: true, value: "/var/lib/docker", sources: ["docker-daemon-json", "processes"] });
  });

  it.each([
    ["--data-root /srv/docker -H fd://", "/srv/docker"],
    ["--data-root=/srv/docker", "/srv/docker"],
    ["-H fd:// -g /data/docker", "/data/docker"],
    ["--graph /old/docker", "/old/docker"],
  ])("dockerd %s on its command line (appended to the lab's ps listing)", (args, root) => {
    expect(fact("dockerDataRoot", { "docker-version": daemonDown, processes: withDockerd(args) })).toEqual({ observed: true, value: root, sources: ["processes"] });
  });

  it("daemon.json's data-root, or the default when it has none", () => {
    expect(fact("dockerDataRoot", { "docker-version": daemonDown, ...daemonJson('{\n  "data-root": "/srv/docker"\n}\n') })).toEqual({ observed: true, value: "/srv/docker", sources: ["docker-daemon-json", "processes"] });
    expect(fact("dockerDataRoot", { "docker-version": daemonDown, ...daemonJson('{\n  "log-driver": "journald"\n}\n') })).toEqual({ observed: true, value: "/var/lib/docker", sources: ["docker-daemon-json", "processes"] });
    const f = fact("dockerDataRoot", { "docker-version": daemonDown, ...daemonJson("{ not json\n") });
    expect(f).toEqual({ observed: false, reason: `docker-daemon-json: ${complaint(parseDaemonJsonDataRoot("{ not json\n"))}`, sources: ["docker-daemon-json"] });
  });

  it("daemon.json unreadable, or the processes unreadable: missing", () => {
    const unreadable = fact("dockerDataRoot", { "docker-version": daemonDown, "docker-daemon-json": denied });
    expect(unreadable).toEqual({ observed: false, reason: "docker-daemon-json: exit 1: docker-daemon-json: Permission denied", sources: ["docker-daemon-json"] });
    expect(fact("dockerDataRoot", { "docker-version": daemonDown, processes: denied })).toMatchObject({ observed: false, sources: ["processes"] });
  });

  it("neither the engine nor the configuration: missing with both reasons and sources", () => {
    const f = fact("dockerDataRoot", { "docker-version": timedOut, processes: denied });
    expect(f.observed).toBe(false);
    expect(f.sources).toEqual(["docker-version", "processes"]);
    expect(reasonOf(f)).toMatch(/^docker-version: timed out .*; processes: exit 1: processes: Permission denied$/);
    // The engine unreadable but the configuration readable: the configuration decides.
    expect(fact("dockerDataRoot", { "docker-version": timedOut })).toEqual({ observed: true, value: "/var/lib/docker", sources: ["docker-daemon-json", "processes"] });
  });
});

describe("the host's IPv6 address", () => {
  it("the first global address, none, or unreadable", () => {
    expect(fact("ipv6Address")).toEqual({ observed: true, value: "fd7a:3bb:3085:1::2", sources: ["ipv6-addresses"] });
    expect(fact("ipv6Address", { "ipv6-addresses": stdout(() => "") })).toEqual({ observed: true, value: null, sources: ["ipv6-addresses"] });
    expect(fact("ipv6Address", { "ipv6-addresses": denied })).toEqual({ observed: false, reason: "ipv6-addresses: exit 1: ipv6-addresses: Permission denied", sources: ["ipv6-addresses"] });
    expect(fact("ipv6Address", { "ipv6-addresses": garbage })).toEqual({ observed: false, reason: `ipv6-addresses: ${complaint(parseGlobalIpv6Addresses(GARBAGE))}`, sources: ["ipv6-addresses"] });
  });
});

describe("the firewall: the sections each address family's verdict rests on", () => {
  /** cp1 with the firewall sections of a captured host (tests/fixtures/facts/firewall/<case>/), some edited. */
  const firewall = (caseName: string, edits: Record<string, Edit> = {}) => {
    const captured = Object.fromEntries(capturedFirewall(caseName).map((s) => [s.section, edits[s.section]?.(s) ?? s]));
    return fact("firewall", captured);
  };
  const v6Off: Edit = stdout(() => "/proc/sys/net/ipv6/conf/eth0/disable_ipv6 1\n/proc/sys/net/ipv6/conf/lo/disable_ipv6 0\n");
  const NOTHING_DENIES = ["firewalld-state", "nft-ruleset", "iptables", "ip6tables"];
  const FIREWALLD = ["firewalld-state", "firewalld-runtime", "firewalld-permanent", "firewalld-default-zone", "network-interfaces"];

  it.each<[string, string[]]>([
    // The deciding tool's running and persisted rules (firewalld: with its default zone and the
    // interfaces that decide which zones are judged).
    ["firewalld-stock", FIREWALLD],
    ["firewalld-runtime-only-port", FIREWALLD],
    ["nftables", ["nft-ruleset", "nft-persistent"]],
    // firewalld in state FAILED: the nftables rules it left decide, as on a host without firewalld.
    ["firewalld-failed", ["nft-ruleset", "nft-persistent"]],
    ["iptables-services", ["iptables", "iptables-persistent", "ip6tables", "ip6tables-persistent"]],
    // Nothing denies a family: every kind's running state was read.
    ["no-firewall", NOTHING_DENIES],
    ["iptables-services-accept", ["firewalld-state", "nft-ruleset", "iptables", "ip6tables", "ip6tables-persistent"]],
    ["iptables-services-ipv6-open", ["iptables", "iptables-persistent", "firewalld-state", "nft-ruleset", "ip6tables"]],
  ])("%s", (caseName, sources) => expect(firewall(caseName)).toMatchObject({ observed: true, sources }));

  it("a firewalld that does not answer: missing with the parser's reason", () => {
    // The lab cp1's firewalld-state section edited to a timeout.
    const f = fact("firewall", { "firewalld-state": (s) => ({ ...s, exitCode: 124, timedOut: true, stdout: "", durationMs: 5000 }) });
    expect(f).toEqual({ observed: false, reason: "firewalld-state: timed out after 5000 ms", sources: sectionsOf("firewall").anyOf });
  });

  it("firewalld's state never collected: missing, naming it", () => {
    const captured = Object.fromEntries(capturedFirewall("no-firewall").map((s) => [s.section, s]));
    const f = fact("firewall", { ...captured, "firewalld-state": null });
    expect(f).toMatchObject({ observed: false, sources: NOTHING_DENIES });
    expect(reasonOf(f)).toContain("firewalld-state: section missing from the collection output");
  });

  it("IPv6 open and the disable_ipv6 listing unparsable: missing", () => {
    expect(firewall("iptables-services-ipv6-open", { "ipv6-disabled": garbage })).toMatchObject({ observed: false, reason: "ipv6-disabled: unreadable" });
  });

  it("drift in one family's persisted rules stands while the other family is unreadable", () => {
    // The captured /etc/sysconfig/iptables without its port 7900 rule; ip6tables unreadable.
    const drifted = firewall("iptables-services", { "iptables-persistent": stdout((t) => t.replace(/^.*--dport 7900.*\n/m, "")), ip6tables: denied });
    expect(drifted).toMatchObject({ observed: true, sources: ["iptables", "iptables-persistent"], value: { families: { ipv4: { persistentMatchesRuntime: false } } } });
  });

  it("each lab host's own firewall", () => {
    expect(fact("firewall", {}, "cp2").sources).toEqual(["iptables", "iptables-persistent", "ip6tables", "ip6tables-persistent"]);
    expect(fact("firewall", {}, "dp1").sources).toEqual(["nft-ruleset", "nft-persistent"]);
  });

  it("the deciding tool's persisted rules unreadable: missing; absent: an observation", () => {
    expect(firewall("nftables", { "nft-persistent": denied })).toMatchObject({ observed: false, sources: ["nft-ruleset", "nft-persistent"] });
    expect(firewall("nftables", { "nft-persistent": (s) => ({ ...s, exitCode: 1, stdout: "", stderr: "cat: /etc/nftables.conf: No such file or directory\n" }) })).toMatchObject({ observed: true });
    const f = firewall("iptables-services", { "iptables-persistent": denied });
    expect(f).toEqual({ observed: false, reason: "iptables-persistent: exit 1: iptables-persistent: Permission denied", sources: ["iptables", "iptables-persistent", "ip6tables", "ip6tables-persistent"] });
    expect(reasonOf(firewall("firewalld-stock", { "firewalld-permanent": timedOut }))).toContain("firewalld-permanent: timed out");
  });

  it("nothing denies: every kind must have been read, or shown absent", () => {
    // firewall-cmd, nft not installed: absence is an observation.
    expect(firewall("no-firewall", { "firewalld-state": notFound, "firewalld-runtime": notFound, "firewalld-permanent": notFound })).toMatchObject({ observed: true, sources: NOTHING_DENIES });
    expect(firewall("no-firewall", { "nft-ruleset": notFound })).toMatchObject({ observed: true, sources: NOTHING_DENIES });
    // firewalld stopped (exit 252, "not running"): its rule listings are not needed.
    expect(firewall("no-firewall", { "firewalld-runtime": denied })).toMatchObject({ observed: true });
    // Unreadable: missing.
    expect(firewall("no-firewall", { "nft-ruleset": denied })).toMatchObject({ observed: false, sources: NOTHING_DENIES });
    const state = firewall("no-firewall", { "firewalld-state": denied });
    expect(state).toMatchObject({ observed: false, sources: NOTHING_DENIES });
    expect(reasonOf(state)).toContain("firewalld-state: exit 1: firewalld-state: Permission denied");
  });

  it("IPv6 disabled on the host: IPv4 alone decides, and the reading is evidence", () => {
    const f = firewall("iptables-services-ipv6-open", { "ipv6-disabled": v6Off });
    expect(f).toMatchObject({ observed: true, sources: ["iptables", "iptables-persistent", "ipv6-disabled"], value: { ipv6Disabled: { disabled: true } } });
    // Its IPv6 sections are not needed then.
    expect(firewall("iptables-services", { "ipv6-disabled": v6Off, ip6tables: denied })).toMatchObject({ observed: true, sources: ["iptables", "iptables-persistent", "ipv6-disabled"] });
  });

  it("IPv6 open and whether it is disabled unknown: missing; IPv6 denied: no need to know", () => {
    expect(firewall("iptables-services-ipv6-open", { "ipv6-disabled": denied })).toEqual({
      observed: false,
      reason: "ipv6-disabled: exit 1: ipv6-disabled: Permission denied",
      sources: ["iptables", "iptables-persistent", "firewalld-state", "nft-ruleset", "ip6tables"],
    });
    expect(firewall("iptables-services", { "ipv6-disabled": denied })).toMatchObject({ observed: true, value: { ipv6Disabled: null } });
  });

  it("a violation shown by one family's intact evidence stands: only that family's sections are cited", () => {
    expect(firewall("iptables-services-accept", { ip6tables: denied })).toMatchObject({ observed: true, sources: ["firewalld-state", "nft-ruleset", "iptables"] });
    // IPv4 open (the captured iptables edited to policy ACCEPT), IPv6's persisted rules unreadable.
    const v4Open = firewall("iptables-services", { iptables: stdout((t) => t.replace("-P INPUT DROP", "-P INPUT ACCEPT")), "ip6tables-persistent": denied });
    expect(v4Open).toMatchObject({ observed: true, sources: ["firewalld-state", "nft-ruleset", "iptables"] });
    // Compliant IPv4 does not make up for unreadable IPv6.
    expect(firewall("iptables-services", { "ip6tables-persistent": denied })).toMatchObject({ observed: false });
  });
});
