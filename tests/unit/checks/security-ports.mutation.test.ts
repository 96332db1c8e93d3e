// Focused tests for the decisions of specs/checks/security.ts (SEC-02) and specs/checks/ports.ts
// (SEC-03..05, PORT-01..04): the verdict's status, its expected/actual and the evidence it cites.
// Inputs are the captured compliant lab run (tests/fixtures/runs/lab) and the captured firewall
// outputs (tests/fixtures/facts/firewall/<case>/); where a test needs a variant it edits one
// captured record or text, and the comment says what was changed.
import { describe, expect, it } from "vitest";
import { requirementById } from "../../../helpers/checks/catalogue.js";
import { parseAllFacts, verdictFor } from "../../../helpers/evaluate.js";
import { type Environment, environmentSchema } from "../../../helpers/environment/schema.js";
import type { CommandOutput } from "../../../helpers/model.js";
import type { CollectedRun } from "../../../helpers/run/collected.js";
import { allChecks } from "../../../specs/checks/index.js";
import { allowedPorts } from "../../../specs/checks/ports.js";
import { sec02OnCapturedFirewall as sec02 } from "../../support/captured-firewall.js";
import { replaceSection as replace } from "../../support/section-edits.js";
import { labEnv, labRun } from "../../support/lab-run.js";
import { absentFile, capturedFirewall, fixture } from "../facts/fixtures.js";



const sectionText = (caseName: string, section: string) => capturedFirewall(caseName).find((s) => s.section === section)!.stdout;

/** cp1's ports probed in the lab run: SEC-02's witness ports (4, 6, 8), then its listeners and the table's ports. */
const CP1_PROBED = [4, 6, 8, 22, 7080, 7900, 9090, 45703];
/** What SEC-02's network witness cites on cp1: the sections it plans by and every probe over IPv4 and IPv6. */
const CP1_WITNESS = ["ss-listen", "ipv6-addresses", ...CP1_PROBED.map((p) => `tcp:cp1:${p}`), ...CP1_PROBED.map((p) => `tcp:cp1@ipv6:${p}`)];
const FIREWALLD_SECTIONS = ["firewalld-state", "firewalld-runtime", "firewalld-permanent", "firewalld-default-zone", "network-interfaces"];

/** A requirement on cp1 of the lab run, some of its sections replaced (by name). */
function onCp1(id: string, replaced: Record<string, CommandOutput>) {
  const run: CollectedRun = {
    ...labRun,
    hosts: labRun.hosts.map((h) => (h.name === "cp1" ? { ...h, sections: h.sections.map((s) => (replaced[s.section] ? { ...replaced[s.section]!, section: s.section } : s)) } : h)),
  };
  return verdictFor(requirementById(id), "cp1", allChecks, { env: labEnv, run, allFacts: parseAllFacts(run) });
}

describe("SEC-01: what the verdict says", () => {
  const notInstalled = (section: string): CommandOutput => ({ ...absentFile(section, section), exitCode: 127, stderr: `bash: line 1: ${section}: command not found\n` });

  it("SELinux not available anywhere: one finding, said as such, the config not compared", () => {
    const v = onCp1("SEC-01", { getenforce: notInstalled("getenforce"), sestatus: notInstalled("sestatus"), "selinux-enforce": absentFile("selinux-enforce", "/sys/fs/selinux/enforce") });
    expect(v.status).toBe("failed");
    expect(v.message).toBe("cp1: SELinux is not available (no getenforce, no sestatus, no /sys/fs/selinux); the page requires SELinux on these hosts (S5.1)");
    expect(v.actual).toBe("running: SELinux not available; /etc/selinux/config: SELINUX=enforcing");
  });

  it("enforcing with no /etc/selinux/config: the file is said absent", () => {
    const v = onCp1("SEC-01", { "selinux-config": absentFile("selinux-config", "/etc/selinux/config") });
    expect(v.status).toBe("failed");
    expect(v.message).toBe("cp1: /etc/selinux/config is absent while SELinux runs enforcing: the mode changes at the next reboot; the page requires SELinux on these hosts (S5.1)");
  });

  it("permissive at runtime, disabled in the file: both findings", () => {
    const v = onCp1("SEC-01", { getenforce: fixture("selinux/getenforce-permissive"), "selinux-config": fixture("selinux/config-disabled") });
    expect(v.status).toBe("failed");
    expect(v.message).toMatch(/^cp1: SELinux runs permissive, the environment requires enforcing; \/etc\/selinux\/config says SELINUX=disabled while SELinux runs permissive/);
  });
});

describe("SEC-02: what the verdict says about each address family", () => {
  it("one firewall deciding both families alike: one group, 'IPv4 and IPv6'", () => {
    const v = sec02("firewalld-stock");
    expect(v.status).toBe("passed");
    expect(v.actual).toMatch(/^configuration: IPv4 and IPv6: firewalld, inbound default deny, persistent = running: firewalld: running, default zone public; zone public target default: eth0 /);
    expect(v.message).toMatch(/^cp1: IPv4 and IPv6 denied by default by firewalld, persistent = running; IPv4 confirmed from the runner, IPv6 confirmed from the runner \(firewalld: running/);
    expect(v.evidence).toEqual([...FIREWALLD_SECTIONS, ...CP1_WITNESS]);
  });

  it("firewalld in state FAILED: judged by the nftables rules it left, never by the stock zone it lists", () => {
    // Captured: firewalld started with a direct rule it cannot load; --list-all there lists its stock zone.
    const v = sec02("firewalld-failed");
    expect(v.status).toBe("failed");
    // IPv6 has one opening more (DHCPv6 replies to fe80::/64), so each family is named on its own.
    expect(v.message).toMatch(/^cp1: the persistent nftables configuration for IPv4 differs from the running rules: they change at the next reload or reboot; the persistent nftables configuration for IPv6 differs/);
    expect(v.message).toContain("udp 546 (ip6 daddr fe80::/64 udp dport 546 accept)");
    expect(v.evidence).toEqual(["nft-ruleset", "nft-persistent", ...CP1_WITNESS]);
  });

  it("iptables and ip6tables decide each family on its own: two groups", () => {
    const v = sec02("iptables-services");
    expect(v.status).toBe("passed");
    expect(v.actual).toMatch(/^configuration: IPv4: iptables, inbound default deny, persistent = running; IPv6: iptables, inbound default deny, persistent = running: IPv4: iptables: chain INPUT denies by policy drop/);
    expect(v.message).toMatch(/^cp1: IPv4 denied by default by iptables, IPv6 denied by default by iptables, persistent = running; IPv4 confirmed from the runner, IPv6 confirmed from the runner \(IPv4: iptables/);
    expect(v.evidence).toEqual(["iptables", "iptables-persistent", "ip6tables", "ip6tables-persistent", ...CP1_WITNESS]);
  });

  it("no firewall: each family accepts, its persistence not comparable", () => {
    const v = sec02("no-firewall");
    expect(v.status).toBe("failed");
    expect(v.actual).toMatch(/^configuration: IPv4: no firewall, inbound default accept, persistence not comparable; IPv6: no firewall, inbound default accept, persistence not comparable: IPv4: no default-deny/);
  });

  it("IPv4 denied, IPv6 open: only IPv6 is named, with no firewall denying it", () => {
    const v = sec02("iptables-services-ipv6-open");
    expect(v.status).toBe("failed");
    expect(v.message).toMatch(/^cp1: IPv6 inbound traffic is not denied by default \(no firewall denies it\) \(IPv4: iptables/);
    expect(v.actual).toMatch(/^configuration: IPv4: iptables, inbound default deny, persistent = running; IPv6: no firewall, inbound default accept, persistence not comparable: /);
  });

  it("drift: the persistent configuration differs from the running one, the zone still denies", () => {
    const v = sec02("firewalld-runtime-only-port");
    expect(v.status).toBe("failed");
    expect(v.message).toMatch(/^cp1: the persistent firewalld configuration for IPv4 and IPv6 differs from the running rules: they change at the next reload or reboot \(firewalld: running/);
    expect(v.message).not.toContain("not denied");
    expect(v.actual).toMatch(/^configuration: IPv4 and IPv6: firewalld, inbound default deny, persistent differs from running: /);
  });

  it("zone target ACCEPT: firewalld accepts, the persistence is not a finding", () => {
    const v = sec02("firewalld-target-accept");
    expect(v.status).toBe("failed");
    expect(v.message).toMatch(/^cp1: IPv4 and IPv6 inbound traffic is not denied by default \(firewalld accepts it\) \(firewalld: running/);
    expect(v.message).not.toContain("differs from the running rules");
    expect(v.actual).toMatch(/^configuration: IPv4 and IPv6: firewalld, inbound default accept, persistent = running: /);
  });

  it("IPv6 disabled on the host: only IPv4 is judged, and the verdict shows the evidence", () => {
    // The captured ipv6-disabled section of the iptables-services-ipv6-open host, eth0's 0 made 1
    // (what `sysctl net.ipv6.conf.eth0.disable_ipv6=1` leaves).
    const disabled = sectionText("iptables-services-ipv6-open", "ipv6-disabled").replace(/(conf\/eth0\/disable_ipv6) 0/, "$1 1");
    const v = sec02("iptables-services-ipv6-open", replace("ipv6-disabled", { stdout: disabled }));
    expect(v.status).toBe("passed");
    expect(v.message).toMatch(/^cp1: IPv4 denied by default by iptables; IPv6 disabled on the host \(net\.ipv6\.conf\.eth0\.disable_ipv6 = 1\), persistent = running; IPv4 confirmed from the runner \(/);
    expect(v.actual).toMatch(/^configuration: IPv4: iptables, inbound default deny, persistent = running; IPv6 disabled on the host \(net\.ipv6\.conf\.eth0\.disable_ipv6 = 1\): IPv4: iptables/);
    expect(v.actual).not.toMatch(/^network IPv6/m);
    // The IPv6 probes are not read: only the IPv4 ones are cited.
    expect(v.evidence).toEqual(["iptables", "iptables-persistent", "ipv6-disabled", "ss-listen", "ipv6-addresses", ...CP1_PROBED.map((p) => `tcp:cp1:${p}`)]);
  });

  it("firewalld's permanent listing read but not readable as a zone: persistence not comparable, broken, not passed", () => {
    // The captured `firewall-cmd --permanent --list-all-zones` without its first zone's header line (output cut at the top).
    const headless = sectionText("firewalld-stock", "firewalld-permanent").replace(/^\S.*\n/, "");
    const v = sec02("firewalld-stock", replace("firewalld-permanent", { stdout: headless }));
    expect(v.status).toBe("broken");
    expect(v.message).toBe('cp1: cannot tell whether the firewall rules survive a reboot (firewall-cmd --permanent --list-all-zones: a zone field before any zone: "  target: %%REJECT%%")');
    expect(v.evidence).toEqual([...FIREWALLD_SECTIONS, ...CP1_WITNESS]);
    expect(v.expected).toMatch(/^a host firewall \(firewalld, nftables or iptables\) denying inbound traffic by default/);
    expect(v.actual).toMatch(/^configuration: IPv4 and IPv6: firewalld, inbound default deny, persistence not comparable: firewalld: running/);
  });

  it("IPv6 denied and whether it is disabled unknown: judged all the same", () => {
    // cp2's captured sections without the ipv6-disabled one (an older collection script did not read it).
    const v = sec02("iptables-services", (sections) => sections.filter((s) => s.section !== "ipv6-disabled"));
    expect(v.status).toBe("passed");
    expect(v.message).toMatch(/^cp1: IPv4 denied by default by iptables, IPv6 denied by default by iptables, persistent = running; IPv4 confirmed from the runner, IPv6 confirmed from the runner \(/);
  });

  it("the same listing on a zone that accepts everything: the finding stands", () => {
    const headless = sectionText("firewalld-target-accept", "firewalld-permanent").replace(/^\S.*\n/, "");
    const v = sec02("firewalld-target-accept", replace("firewalld-permanent", { stdout: headless }));
    expect(v.status).toBe("failed");
    expect(v.message).toMatch(/not denied by default \(firewalld accepts it\)/);
  });
});

// ---------------------------------------------------------------------------------------------
// Ports (specs/checks/ports.ts) on the captured lab run

type Probe = CollectedRun["probes"][number];
const capturedProbe = (key: string): Probe => structuredClone(labRun.probes.find((p) => p.key === key)!);
/** A captured probe's result recorded under another key (the same kind of probe, another port). */
const probeAs = (key: string, from: string): Probe => ({ ...capturedProbe(from), key });
/** A captured probe with its result edited. */
const probeWith = (key: string, result: Record<string, unknown>): Probe => {
  const probe = capturedProbe(key);
  return { ...probe, result: { ...(probe.result as object), ...result } };
};

interface Change {
  env?: Environment;
  /** Probes replacing (same key) or added to the captured ones. */
  probes?: Probe[];
  remove?: (key: string) => boolean;
  /** cp1's sections replaced by name. */
  sections?: Record<string, Partial<CommandOutput>>;
  host?: string;
  fullPortSweep?: boolean;
}

function portVerdict(id: string, target: string, change: Change = {}) {
  const added = new Map((change.probes ?? []).map((p) => [p.key, p]));
  const probes = [
    ...labRun.probes.filter((p) => !change.remove?.(p.key)).map((p) => added.get(p.key) ?? p),
    ...[...added.values()].filter((p) => !labRun.probes.some((q) => q.key === p.key)),
  ];
  const host = change.host ?? target;
  const run: CollectedRun = {
    ...labRun,
    options: { ...labRun.options, fullPortSweep: change.fullPortSweep ?? labRun.options.fullPortSweep },
    probes,
    hosts: labRun.hosts.map((h) =>
      h.name === host ? { ...h, sections: h.sections.map((s) => (change.sections?.[s.section] ? { ...s, ...change.sections[s.section] } : s)) } : h,
    ),
  };
  return verdictFor(requirementById(id), target, allChecks, { env: change.env ?? labEnv, run, allFacts: parseAllFacts(run) });
}

const envWith = (change: (input: Record<string, any>) => void): Environment => {
  const input = structuredClone(labEnv) as unknown as Record<string, any>;
  change(input);
  return environmentSchema.parse(input);
};
const labHost = (name: string) => labEnv.hosts.find((h) => h.name === name)!;
const ssListen = (host: string) => labRun.hosts.find((h) => h.name === host)!.sections.find((s) => s.section === "ss-listen")!.stdout;

describe("allowedPorts (SEC-04, SEC-05)", () => {
  it("a CP host of the lab: its components and the management port, each with its reason", () => {
    expect(allowedPorts(labEnv, labHost("cp1"))).toEqual([
      { port: 22, reason: "management port (S5.3)" },
      { port: 7080, reason: "API7 Dashboard (S5.2)" },
      { port: 7900, reason: "DP Manager (S5.2)" },
    ]);
    expect(allowedPorts(labEnv, labHost("dp1"))).toEqual([
      { port: 22, reason: "management port (S5.3)" },
      { port: 9080, reason: "API7 Gateway (S5.2)" },
      { port: 9443, reason: "API7 Gateway (S5.2)" },
    ]);
  });

  it("extra ports by role, Prometheus and PostgreSQL where they run, reasons of a port joined, sorted by port", () => {
    // The lab environment with Prometheus and PostgreSQL on cp1 (by address and by name) and declared extra ports.
    const env = envWith((input) => {
      input.prometheus.url = "http://192.168.144.2:9090";
      input.database.host = "cp1";
      input.policy.extraPorts = [
        { role: "all", port: 9100, reason: "node exporter" },
        { role: "cp", port: 7943, reason: "DP Manager mTLS" },
        { role: "dp", port: 22, reason: "gateway maintenance" },
        { role: "cp", port: 22, reason: "bastion" },
      ];
    });
    expect(allowedPorts(env, labHost("cp1"))).toEqual([
      { port: 22, reason: "management port (S5.3); declared extra port: bastion" },
      { port: 5432, reason: "PostgreSQL runs on this host (S5.2)" },
      { port: 7080, reason: "API7 Dashboard (S5.2)" },
      { port: 7900, reason: "DP Manager (S5.2)" },
      { port: 7943, reason: "declared extra port: DP Manager mTLS" },
      { port: 9090, reason: "Prometheus runs on this host (S5.2)" },
      { port: 9100, reason: "declared extra port: node exporter" },
    ]);
    expect(allowedPorts(env, labHost("dp1")).map((a) => a.port)).toEqual([22, 9080, 9100, 9443]);
  });
});

describe("SEC-03: the table's ports reachable where their component runs", () => {
  it("a CP host: both ports open, each in the expected and actual", () => {
    const v = portVerdict("SEC-03", "cp1");
    expect(v).toMatchObject({
      status: "passed",
      message: "cp1: 7080 (API7 Dashboard), 7900 (DP Manager) reachable from the runner (S5.2)",
      expected: "open: 7080 (API7 Dashboard), 7900 (DP Manager)",
      actual: "7080 open in 81 ms, 7900 open in 82 ms",
      evidence: ["tcp:cp1:7080", "tcp:cp1:7900"],
    });
  });

  it("a port refused: failed, naming the port, its state and error", () => {
    // The captured IPv6 probe of 7900 (refused) as the IPv4 one.
    const v = portVerdict("SEC-03", "cp1", { probes: [probeAs("tcp:cp1:7900", "tcp:cp1@ipv6:7900")] });
    expect(v.status).toBe("failed");
    expect(v.message).toBe("cp1: 7900 closed (ECONNREFUSED) in 102 ms from the runner; the page requires open: 7080 (API7 Dashboard), 7900 (DP Manager) (S5.2)");
    expect(v.actual).toBe("7080 open in 81 ms, 7900 closed (ECONNREFUSED) in 102 ms");
  });

  it("a DP host's ports in port order, whatever the environment's order", () => {
    const env = envWith((input) => (input.components.gateway.ports = [9443, 9080]));
    expect(portVerdict("SEC-03", "dp1", { env })).toMatchObject({
      status: "passed",
      expected: "open: 9080 (API7 Gateway), 9443 (API7 Gateway)",
      evidence: ["tcp:dp1:9080", "tcp:dp1:9443"],
    });
  });

  it("PostgreSQL and Prometheus endpoints by their own probes", () => {
    expect(portVerdict("SEC-03", "@database")).toMatchObject({ status: "passed", expected: "open: 5432 (PostgreSQL)", evidence: ["tcp:@database:5432"] });
    expect(portVerdict("SEC-03", "@prometheus")).toMatchObject({ status: "passed", expected: "open: 9090 (Prometheus)", evidence: ["tcp:@prometheus:9090"] });
  });

  it("Prometheus disabled: skipped; enabled without a URL: broken", () => {
    expect(portVerdict("SEC-03", "@prometheus", { env: envWith((input) => (input.prometheus = { enabled: false })) })).toMatchObject({ status: "skipped" });
    const v = portVerdict("SEC-03", "@prometheus", { env: envWith((input) => (input.prometheus = { enabled: true })) });
    expect(v.status).toBe("broken");
    expect(v.message).toContain("prometheus.enabled is true but prometheus.url is not set");
  });
});

const CP1_TABLE = [
  "Ports of cp1 probed from the audit runner",
  "| port         | from runner | listener | verdict                         |",
  "|--------------|-------------|----------|---------------------------------|",
  "| 4            | filtered    | -        | ok (not reachable)              |",
  "| 4 (IPv6)     | filtered    | -        | ok (not reachable)              |",
  "| 6            | filtered    | -        | ok (not reachable)              |",
  "| 6 (IPv6)     | filtered    | -        | ok (not reachable)              |",
  "| 8            | filtered    | -        | ok (not reachable)              |",
  "| 8 (IPv6)     | filtered    | -        | ok (not reachable)              |",
  "| 22           | open        | sshd     | allowed: management port (S5.3) |",
  "| 22 (IPv6)    | open        | sshd     | allowed: management port (S5.3) |",
  "| 7080         | open        | nginx    | allowed: API7 Dashboard (S5.2)  |",
  "| 7080 (IPv6)  | closed      | nginx    | ok (not reachable)              |",
  "| 7900         | open        | nginx    | allowed: DP Manager (S5.2)      |",
  "| 7900 (IPv6)  | closed      | nginx    | ok (not reachable)              |",
  "| 9090         | filtered    | -        | ok (not reachable)              |",
  "| 9090 (IPv6)  | filtered    | -        | ok (not reachable)              |",
  "| 45703        | filtered    | ?        | ok (not reachable)              |",
  "| 45703 (IPv6) | filtered    | ?        | ok (not reachable)              |",
].join("\n");

describe("SEC-04: every other port closed from the runner", () => {
  it("the lab's CP host: the port table over IPv4 and IPv6, every probe cited", () => {
    const v = portVerdict("SEC-04", "cp1");
    expect(v.status).toBe("passed");
    expect(v.message).toBe("cp1: no port outside the allow-list is open from the runner (8 ports probed: every listening port, every port the host's NAT rules forward, the table's ports and SEC-02's witness ports, and 8 at the host's IPv6 address) (S5.3)");
    expect(v.expected).toBe("only these ports open from the runner: 22 (management port (S5.3)), 7080 (API7 Dashboard (S5.2)), 7900 (DP Manager (S5.2))");
    expect(v.actual).toBe(`8 ports probed: every listening port, every port the host's NAT rules forward, the table's ports and SEC-02's witness ports, and 8 at the host's IPv6 address\n${CP1_TABLE}`);
    // The NAT listings say which ports the host forwards (none on cp1).
    expect(v.evidence).toEqual([
      "ss-listen",
      "nft-ruleset",
      "iptables-nat",
      "ipv6-addresses",
      ...CP1_PROBED.map((p) => `tcp:cp1:${p}`),
      ...CP1_PROBED.map((p) => `tcp:cp1@ipv6:${p}`),
    ]);
  });

  it("a probe outside the plan counts too: filtered is fine, open is a finding", () => {
    // The captured filtered probe of 9090 recorded for 2379 (a port someone probed besides the plan).
    const filtered = portVerdict("SEC-04", "cp1", { probes: [probeAs("tcp:cp1:2379", "tcp:cp1:9090")] });
    expect(filtered.status).toBe("passed");
    expect(filtered.actual).toContain("| 2379         | filtered    | -        | ok (not reachable)              |");
    expect(filtered.evidence).toContain("tcp:cp1:2379");
    expect(filtered.message).toContain("(9 ports probed");
    // The captured open probe of 22 recorded for 2379.
    const open = portVerdict("SEC-04", "cp1", { probes: [probeAs("tcp:cp1:2379", "tcp:cp1:22")] });
    expect(open.status).toBe("failed");
    expect(open.message).toBe(
      "cp1: 2379 open from the runner but not in the page's table, the management ports or the declared extra ports; the page requires every other port closed (S5.3)",
    );
    expect(open.actual).toContain("| 2379         | open        | -        | NOT ALLOWED                     |");
  });

  it("a listener's port open: the finding names its process; over IPv6 it says so", () => {
    // The captured open probe of 22 recorded for 45703 (the host's listener without a process name).
    const v4 = portVerdict("SEC-04", "cp1", { probes: [probeAs("tcp:cp1:45703", "tcp:cp1:22")] });
    expect(v4.status).toBe("failed");
    expect(v4.message).toMatch(/^cp1: 45703 \(\?\) open from the runner but not in the page's table/);
    const v6 = portVerdict("SEC-04", "cp1", { probes: [probeAs("tcp:cp1@ipv6:45703", "tcp:cp1@ipv6:22"), probeAs("tcp:cp1@ipv6:7080", "tcp:cp1@ipv6:22")] });
    expect(v6.status).toBe("failed");
    expect(v6.message).toMatch(/^cp1: 45703 over IPv6 \(\?\) open from the runner but not in the page's table/);
    expect(v6.actual).toContain("| 7080 (IPv6)  | open        | nginx    | allowed: API7 Dashboard (S5.2)  |");
    expect(v6.actual).toContain("| 45703 (IPv6) | open        | ?        | NOT ALLOWED                     |");
  });

  it("an IPv6 probe outside the plan counts too", () => {
    const v = portVerdict("SEC-04", "cp1", { probes: [probeAs("tcp:cp1@ipv6:2379", "tcp:cp1@ipv6:22")] });
    expect(v.status).toBe("failed");
    expect(v.message).toMatch(/^cp1: 2379 over IPv6 open from the runner/);
    expect(v.evidence).toContain("tcp:cp1@ipv6:2379");
  });

  it("a DNAT over a named set: each of its ports must be probed; a set the parser cannot read is broken, never nothing forwarded", () => {
    // cp1's nft-ruleset replaced by the captured nftables-sets-quoted-log-drop's (tcp dport @published dnat, the set 8080, 8100-8102).
    const ruleset = capturedFirewall("nftables-sets-quoted-log-drop").find((s) => s.section === "nft-ruleset")!;
    const published = portVerdict("SEC-04", "cp1", { sections: { "nft-ruleset": ruleset } });
    expect(published.status).toBe("broken");
    expect(published.message).toContain("probe tcp:cp1:8080 did not run; probe tcp:cp1:8100 did not run; probe tcp:cp1:8101 did not run; probe tcp:cp1:8102 did not run;");
    const unread = portVerdict("SEC-04", "cp1", { sections: { "nft-ruleset": { ...ruleset, stdout: ruleset.stdout.replace("dport @published", "dport @absent") } } });
    expect(unread.status).toBe("broken");
    expect(unread.message).toContain("the ports a NAT rule forwards are not read: nft table ip api7_fwd chain prerouting: tcp dport @absent dnat to 172.17.0.2");
  });

  it("a planned probe missing, over IPv4 or IPv6: broken", () => {
    expect(portVerdict("SEC-04", "cp1", { remove: (key) => key === "tcp:cp1:45703" }).status).toBe("broken");
    expect(portVerdict("SEC-04", "cp1", { remove: (key) => key === "tcp:cp1@ipv6:45703" }).status).toBe("broken");
  });

  it("no global IPv6 address in the facts but IPv6 probes: the evidence contradicts itself", () => {
    // `ip -6 -o addr show scope global` prints nothing on a host without a global IPv6 address.
    const v = portVerdict("SEC-04", "cp1", { sections: { "ipv6-addresses": { stdout: "" } } });
    expect(v.status).toBe("broken");
    expect(v.message).toBe("cp1: 8 probes at an IPv6 address, but the host's facts show no global IPv6 address: the evidence contradicts itself");
  });

  it("no global IPv6 address and no IPv6 probe: IPv4 alone, and the text says nothing of IPv6", () => {
    const v = portVerdict("SEC-04", "cp1", { sections: { "ipv6-addresses": { stdout: "" } }, remove: (key) => key.startsWith("tcp:cp1@ipv6:") });
    expect(v.status).toBe("passed");
    expect(v.message).toBe("cp1: no port outside the allow-list is open from the runner (8 ports probed: every listening port, every port the host's NAT rules forward, the table's ports and SEC-02's witness ports) (S5.3)");
    expect(v.actual).not.toContain("IPv6");
  });

  it("the inventory address is the IPv6 address: no second round of probes is required", () => {
    const env = envWith((input) => (input.hosts.find((h: { name: string }) => h.name === "cp1").address = "fd7a:3bb:3085:1::2"));
    const v = portVerdict("SEC-04", "cp1", { env, remove: (key) => key.startsWith("tcp:cp1@ipv6:") });
    expect(v.status).toBe("passed");
  });

  it("no port answered over IPv4: the runner does not reach the host, broken", () => {
    // Every IPv4 probe of cp1 with the captured result of its filtered 9090 probe (the witness ports' are filtered already).
    const probes = ["22", "7080", "7900", "45703"].map((p) => probeAs(`tcp:cp1:${p}`, "tcp:cp1:9090"));
    const v = portVerdict("SEC-04", "cp1", { probes });
    expect(v.status).toBe("broken");
    expect(v.message).toBe("cp1: no port answered from the runner (8 probed): the runner does not reach this host, so closed cannot be told from unreachable");
  });

  describe("with the full port sweep", () => {
    // The lab run was captured without --full-port-sweep: this sweep result is the one its
    // captured probes imply (22, 7080, 7900 open), plus 8081 where a test needs one more.
    const sweep = (open: number[]): Probe => ({
      key: "sweep:cp1",
      kind: "sweep",
      host: "cp1",
      target: "192.168.144.2",
      startedAt: "2026-12-07T19:23:01.692Z",
      durationMs: 25_000,
      result: { address: "192.168.144.2", open, counts: { probed: 65535, open: open.length, closed: 0, filtered: 65535 - open.length }, concurrency: 2000, timeoutMs: 750, ms: 25_000 },
    });

    it("the sweep's open ports are judged, its counts are the coverage", () => {
      const v = portVerdict("SEC-04", "cp1", { fullPortSweep: true, probes: [sweep([22, 7080, 7900, 8081])] });
      expect(v.status).toBe("failed");
      expect(v.message).toMatch(/^cp1: 8081 open from the runner/);
      expect(v.actual).toMatch(/^full sweep 1-65535: 4 open, 0 closed, 65531 filtered\n/);
      expect(v.evidence).toContain("sweep:cp1");
    });

    it("without the option a stored sweep is not read", () => {
      const v = portVerdict("SEC-04", "cp1", { probes: [sweep([22, 7080, 7900, 8081])] });
      expect(v.status).toBe("passed");
      expect(v.evidence).not.toContain("sweep:cp1");
    });

    it("the listeners unreadable: the sweep still decides, the table has no process names", () => {
      const v = portVerdict("SEC-04", "cp1", {
        fullPortSweep: true,
        probes: [sweep([22, 7080, 7900])],
        sections: { "ss-listen": { exitCode: 1, stdout: "", stderr: "Cannot open netlink socket: Operation not permitted\n" } },
      });
      expect(v.status).toBe("passed");
      expect(v.actual).toContain("| 22           | open        | -        | allowed: management port (S5.3) |");
    });

    it("the sweep missing: broken", () => expect(portVerdict("SEC-04", "cp1", { fullPortSweep: true }).status).toBe("broken"));
  });
});

describe("SEC-05: no listener outside the allow-list on a non-loopback address", () => {
  it("the lab's CP host: every non-loopback listener listed", () =>
    expect(portVerdict("SEC-05", "cp1")).toMatchObject({
      status: "passed",
      expected: "non-loopback listeners only on 22, 7080, 7900 (DHCP client sockets, UDP 68 and 546, are client endpoints)",
      actual: "0.0.0.0:22 (sshd), 0.0.0.0:7900 (nginx), 0.0.0.0:7080 (nginx), :::22 (sshd)",
      evidence: ["ss-listen"],
    }));

  it("the loopback listeners bound to every address instead: TCP and UDP named, process or not", () => {
    // cp1's captured ss output with Docker's DNS listeners on 0.0.0.0 instead of 127.0.0.11.
    const v = portVerdict("SEC-05", "cp1", { sections: { "ss-listen": { stdout: ssListen("cp1").replaceAll("127.0.0.11:", "0.0.0.0:") } } });
    expect(v.status).toBe("warning");
    expect(v.message).toBe("cp1: udp 0.0.0.0:48338, 0.0.0.0:45703 listening outside the allow-list (defense in depth) (S5.3)");
  });

  it("only loopback listeners: none to list", () => {
    // cp1's captured ss output, only its loopback lines kept.
    const loopbackOnly = ssListen("cp1").split("\n").filter((line) => line.includes("127.0.0.11:")).join("\n");
    expect(portVerdict("SEC-05", "cp1", { sections: { "ss-listen": { stdout: loopbackOnly } } })).toMatchObject({ status: "passed", actual: "no non-loopback listener" });
  });
});

const REFUSED_7080 = "fetch failed <- ECONNREFUSED: connect ECONNREFUSED 192.168.144.2:7080";
const RESET = "fetch failed <- ECONNRESET: read ECONNRESET";

describe("PORT-01..04: each member answers on its port", () => {
  it("HTTP answers: status, server, time and the body's start", () => {
    expect(portVerdict("PORT-01", "dp1")).toMatchObject({
      status: "passed",
      message: "dp1: API7 Gateway HTTP on 9080 answers HTTP 404 (S5.2)",
      expected: "9080 answers HTTP (any status counts as alive)",
      actual: 'http://192.168.144.7:9080/: HTTP 404, server nginx in 122 ms, body "{\\"error_msg\\":\\"404 Route Not Found\\"}"',
      evidence: ["http:dp1:9080"],
    });
    // The dashboard's page is longer than the 120 characters shown.
    const body = (capturedProbe("http:cp1:7080").result as { bodySnippet: string }).bodySnippet.trim().slice(0, 120);
    expect(portVerdict("PORT-03", "cp1").actual).toBe(`http://192.168.144.2:7080/: HTTP 200, server nginx in 135 ms, body ${JSON.stringify(body)}`);
  });

  it("an answer without server header or body says only status and time", () => {
    // The captured 9080 answer without its server header and with an empty body (a HEAD-like reply).
    const bare = probeWith("http:dp1:9080", { headers: {}, bodySnippet: "  \n" });
    expect(portVerdict("PORT-01", "dp1", { probes: [bare] }).actual).toBe("http://192.168.144.7:9080/: HTTP 404 in 122 ms");
  });

  it("no HTTP answer: failed, with the error", () => {
    // The captured answer as the HTTP probe records a refused connection (describeError's chain of undici's error).
    const refused = probeWith("http:cp1:7080", { ok: false, status: null, headers: {}, bodySnippet: "", error: REFUSED_7080 });
    const v = portVerdict("PORT-03", "cp1", { probes: [refused] });
    expect(v.status).toBe("failed");
    expect(v.message).toBe(`cp1: API7 Dashboard on 7080 gave no HTTP answer (${REFUSED_7080}) (S5.2)`);
    expect(v.actual).toBe(`http://192.168.144.2:7080/: no HTTP answer (${REFUSED_7080})`);
  });

  describe("PORT-02: TLS on 9443, decided at the probe's time", () => {
    const VALID_TO = Date.parse("2027-12-07T19:22:32.000Z");
    const DAY = 86_400_000;
    // The captured TLS probe of dp1 as if it had run at another time.
    const at = (ms: number) => [{ ...capturedProbe("tls:dp1:9443"), startedAt: new Date(ms).toISOString() }];

    it("the lab's certificate: passed, the certificate described", () =>
      expect(portVerdict("PORT-02", "dp1")).toMatchObject({
        status: "passed",
        message: "dp1: 9443 completes TLS (TLSv1.2) and answers HTTP 404 (S5.2)",
        expected: "9443 completes a TLS handshake and answers HTTP; certificate valid for more than 30 days",
        actual:
          'subject CN=dp1; issuer CN=dp1; valid 2026-12-07T19:22:32.000Z to 2027-12-07T19:22:32.000Z (364 days left); SAN DNS:dp1; TLSv1.2, not trusted by the runner (DEPTH_ZERO_SELF_SIGNED_CERT); HTTP 404, server nginx in 339 ms, body "{\\"error_msg\\":\\"404 Route Not Found\\"}"',
        evidence: ["tls:dp1:9443", "http:dp1:9443"],
      }));

    it("31 days left passes, 30 days left warns, 0 days left warns, a millisecond later it expired", () => {
      expect(portVerdict("PORT-02", "dp1", { probes: at(VALID_TO - 31 * DAY) }).status).toBe("passed");
      const thirty = portVerdict("PORT-02", "dp1", { probes: at(VALID_TO - 30 * DAY) });
      expect(thirty.status).toBe("warning");
      expect(thirty.message).toBe("dp1: the certificate on 9443 expires in 30 days (2027-12-07T19:22:32.000Z), within the 30-day warning window (S5.2)");
      expect(portVerdict("PORT-02", "dp1", { probes: at(VALID_TO) })).toMatchObject({ status: "warning", message: expect.stringContaining("expires in 0 days") });
      const expired = portVerdict("PORT-02", "dp1", { probes: at(VALID_TO + 1) });
      expect(expired.status).toBe("failed");
      expect(expired.message).toBe("dp1: the certificate on 9443 expired on 2027-12-07T19:22:32.000Z (S5.2)");
    });

    it("valid from the probe's very moment passes, a millisecond earlier it is not valid yet", () => {
      const validFrom = Date.parse("2026-12-07T19:22:32.000Z");
      expect(portVerdict("PORT-02", "dp1", { probes: at(validFrom) }).status).toBe("passed");
      const early = portVerdict("PORT-02", "dp1", { probes: at(validFrom - 1) });
      expect(early.status).toBe("failed");
      expect(early.message).toBe("dp1: the certificate on 9443 is not valid before 2026-12-07T19:22:32.000Z (S5.2)");
    });

    it("no readable validity window: broken", () => {
      expect(portVerdict("PORT-02", "dp1", { probes: [probeWith("tls:dp1:9443", { validTo: null })] }).status).toBe("broken");
      expect(portVerdict("PORT-02", "dp1", { probes: [probeWith("tls:dp1:9443", { validFrom: null })] }).status).toBe("broken");
      expect(portVerdict("PORT-02", "dp1", { probes: [probeWith("tls:dp1:9443", { validFrom: "not a date" })] }).status).toBe("broken");
    });

    it("the handshake failed: failed, with the error", () => {
      // The captured probe as the TLS probe records a reset handshake (its failed() result, err.code).
      const reset = probeWith("tls:dp1:9443", {
        ok: false, protocol: null, subject: null, issuer: null, subjectAltNames: [], validFrom: null, validTo: null, daysRemaining: null, authorized: false, authorizationError: null, error: "ECONNRESET",
      });
      const v = portVerdict("PORT-02", "dp1", { probes: [reset] });
      expect(v).toMatchObject({ status: "failed", message: "dp1: TLS handshake on 9443 failed (ECONNRESET) (S5.2)", actual: "handshake failed: ECONNRESET" });
    });

    it("TLS completed but no HTTP answer: failed", () => {
      // The captured HTTPS answer as the HTTP probe records a reset connection.
      const reset = probeWith("http:dp1:9443", { ok: false, status: null, headers: {}, bodySnippet: "", error: RESET });
      const v = portVerdict("PORT-02", "dp1", { probes: [reset] });
      expect(v.status).toBe("failed");
      expect(v.message).toBe(`dp1: 9443 completed TLS but gave no HTTP answer (${RESET}) (S5.2)`);
    });

    it("a trusted certificate without a SAN extension: trust and the missing SAN shown", () => {
      // The captured probe as for a CA-signed certificate that has no subjectAltName extension.
      const v = portVerdict("PORT-02", "dp1", { probes: [probeWith("tls:dp1:9443", { authorized: true, authorizationError: null, subjectAltNames: [] })] });
      expect(v.status).toBe("passed");
      expect(v.actual).toMatch(/^subject CN=dp1; issuer CN=dp1; valid .* \(364 days left\); SAN -; TLSv1\.2, trusted by the runner; HTTP 404/);
    });
  });

  describe("PORT-04: DP Manager on 7900", () => {
    it("open and answering: TCP and HTTP in the actual, both cited", () =>
      expect(portVerdict("PORT-04", "cp1")).toMatchObject({
        status: "passed",
        actual: 'TCP open in 82 ms; http://192.168.144.2:7900/: HTTP 200, server nginx in 138 ms, body "{\\"component\\":\\"dp-manager\\",\\"status\\":\\"ok\\"}"',
        evidence: ["tcp:cp1:7900", "http:cp1:7900"],
      }));

    it("the port refused: failed before HTTP is looked at", () => {
      // The captured IPv6 probe of 7900 (refused) as the IPv4 one.
      const v = portVerdict("PORT-04", "cp1", { probes: [probeAs("tcp:cp1:7900", "tcp:cp1@ipv6:7900")], remove: (key) => key === "http:cp1:7900" });
      expect(v).toMatchObject({
        status: "failed",
        message: "cp1: DP Manager port 7900 is closed from the runner (ECONNREFUSED) (S5.2)",
        expected: "7900 open and answering",
        actual: "TCP closed",
      });
    });

    it("open but no HTTP answer: failed", () => {
      // The captured answer as the HTTP probe records a reset connection.
      const reset = probeWith("http:cp1:7900", { ok: false, status: null, headers: {}, bodySnippet: "", error: RESET });
      const v = portVerdict("PORT-04", "cp1", { probes: [reset] });
      expect(v.status).toBe("failed");
      expect(v.actual).toBe(`TCP open in 82 ms; http://192.168.144.2:7900/: no HTTP answer (${RESET})`);
    });
  });
});
