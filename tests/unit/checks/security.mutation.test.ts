// Focused tests for SEC-02's network witness in specs/checks/security.ts: how the runner's probes
// join the configuration's verdict. Inputs are the captured compliant lab run (tests/fixtures/runs/lab)
// with a captured host's firewall (tests/fixtures/facts/firewall/<case>/); where a test needs a
// variant it changes the environment, drops a section or gives a probe another captured probe's
// result, and the comment says what was changed.
import { describe, expect, it } from "vitest";
import { requirementById } from "../../../helpers/checks/catalogue.js";
import { parseAllFacts, verdictFor } from "../../../helpers/evaluate.js";
import { type Environment, environmentSchema } from "../../../helpers/environment/schema.js";
import type { CommandOutput } from "../../../helpers/model.js";
import type { CollectedRun, ProbeRecord } from "../../../helpers/run/collected.js";
import { allChecks } from "../../../specs/checks/index.js";
import { labEnv, labRun } from "../../support/lab-run.js";
import { CAPTURED_FIREWALL_SECTIONS, capturedFirewall } from "../facts/fixtures.js";

interface Variant {
  env?: Environment;
  sections?: (sections: CommandOutput[]) => CommandOutput[];
  probes?: (probes: ProbeRecord[]) => ProbeRecord[];
}

/** SEC-02 on cp1 of the lab run, its firewall sections those of the captured case. */
function sec02(caseName: string, variant: Variant = {}) {
  const replaced = new Set<string>(CAPTURED_FIREWALL_SECTIONS);
  const hostSections = (own: CommandOutput[]) => (variant.sections ?? ((s) => s))([...own.filter((s) => !replaced.has(s.section)), ...capturedFirewall(caseName)]);
  const run: CollectedRun = {
    ...labRun,
    probes: (variant.probes ?? ((p) => p))(structuredClone(labRun.probes)),
    hosts: labRun.hosts.map((h) => (h.name === "cp1" ? { ...h, sections: hostSections(h.sections) } : h)),
  };
  return verdictFor(requirementById("SEC-02"), "cp1", allChecks, { env: variant.env ?? labEnv, run, allFacts: parseAllFacts(run) });
}

const envWith = (change: (input: Record<string, any>) => void): Environment => {
  const input = structuredClone(labEnv) as unknown as Record<string, any>;
  change(input);
  return environmentSchema.parse(input);
};

/** cp1's IPv4 witness ports (4, 6, 8) with a TCP reset, the result cp1's port 7080 gave over IPv6 in the lab run. */
const witnessReset = (probes: ProbeRecord[]) => {
  const reset = probes.find((p) => p.key === "tcp:cp1@ipv6:7080")!.result;
  return probes.map((p) => (/^tcp:cp1:[468]$/.test(p.key) ? { ...p, result: reset } : p));
};

/** Every IPv4 probe of cp1 with the captured result of its filtered 9090 probe: nothing answers over IPv4. */
const ipv4Silent = (probes: ProbeRecord[]) => {
  const filtered = probes.find((p) => p.key === "tcp:cp1:9090")!.result;
  return probes.map((p) => (/^tcp:cp1:\d+$/.test(p.key) ? { ...p, result: filtered } : p));
};

/** The captured nftables rules with `from` replaced by `to`, running and persisted alike. */
const editNft = (from: string, to: string) => (sections: CommandOutput[]) =>
  sections.map((s) => (s.section === "nft-ruleset" || s.section === "nft-persistent" ? { ...s, stdout: s.stdout.replace(from, to) } : s));

const without = (name: string) => (sections: CommandOutput[]) => sections.filter((s) => s.section !== name);

describe("SEC-02: the network beside a configuration that fails", () => {
  it("a witness port that answered is named after the configuration's finding, once per family that saw one", () => {
    const v = sec02("iptables-services-ipv6-open", { probes: witnessReset });
    expect(v.status).toBe("failed");
    expect(v.message).toMatch(/^cp1: IPv6 inbound traffic is not denied by default \(no firewall denies it\) \(.*\); port 4 answered from the runner over IPv4 \(192\.168\.144\.2:4 reset \(ECONNREFUSED\) in 102 ms, /);
    expect(v.message.match(/answered from the runner/g)).toHaveLength(1);
    expect(v.evidence).toContain("tcp:cp1:4");
  });

  it("no port answered: the finding alone", () => {
    const v = sec02("iptables-services-ipv6-open");
    expect(v.status).toBe("failed");
    expect(v.message).not.toContain("answered from the runner");
  });

  it("the network witness unavailable (listeners not collected): the finding stands, citing no probe", () => {
    const v = sec02("no-firewall", { sections: without("ss-listen") });
    expect(v.status).toBe("failed");
    expect(v.actual).toMatch(/\nnetwork witness not available: /);
    expect(v.evidence).toEqual(["firewalld-state", "nft-ruleset", "iptables", "ip6tables"]);
  });
});

describe("SEC-02: a configuration that denies, and what the network says", () => {
  it("the network witness unavailable (listeners not collected): broken, never passed", () => {
    const v = sec02("firewalld-stock", { sections: without("ss-listen") });
    expect(v.status).toBe("broken");
  });

  it("no other port of the host answered over IPv4: silence is not the firewall's, broken", () => {
    const v = sec02("firewalld-stock", { probes: ipv4Silent });
    expect(v.status).toBe("broken");
    expect(v.message).toMatch(/^cp1: the network cannot confirm the firewall's default deny: IPv4: 192\.168\.144\.2:4 .*no other port of 192\.168\.144\.2 accepted a connection from the runner/);
    expect(v.message).not.toMatch(/IPv6: /);
  });

  it("a witness port accepted while no other port answered: still no proof the host is reached, broken", () => {
    // As above, and the witness port 4 with the captured result of cp1's open port 22 (what a port the host forwards gives).
    const witnessOpen = (probes: ProbeRecord[]) => {
      const open = probes.find((p) => p.key === "tcp:cp1:22")!.result;
      return ipv4Silent(probes).map((p) => (p.key === "tcp:cp1:4" ? { ...p, result: open } : p));
    };
    const v = sec02("firewalld-stock", { probes: witnessOpen });
    expect(v.status).toBe("broken");
    expect(v.message).toMatch(/no other port of 192\.168\.144\.2 accepted a connection from the runner/);
  });

  it("the runner inside firewall.trustedSources: passed, the network's reading recorded, not confirming", () => {
    const env = envWith((input) => (input.firewall.trustedSources = ["192.168.144.0/24", "fd7a:3bb:3085:1::/64"]));
    const v = sec02("firewalld-stock", { env });
    expect(v.status).toBe("passed");
    expect(v.message).toMatch(/; IPv4 recorded from the runner, IPv6 recorded from the runner \(/);
  });

  it("the inventory address is IPv6: one reading, IPv6, from the inventory address's probes", () => {
    // The inventory names cp1 by the global IPv6 address its captured ipv6-addresses section shows.
    const address = /inet6 ([0-9a-f:]+)\//.exec(capturedFirewall("firewalld-stock").find((s) => s.section === "ipv6-addresses")!.stdout)![1];
    const env = envWith((input) => (input.hosts.find((h: { name: string }) => h.name === "cp1").address = address));
    const v = sec02("firewalld-stock", { env, probes: (probes) => probes.filter((p) => !p.key.startsWith("tcp:cp1@ipv6:")) });
    expect(v.status, v.message).toBe("passed");
    expect(v.message).toMatch(/; IPv6 confirmed from the runner \(/);
    expect(v.message).not.toContain("IPv4 confirmed");
  });

  it("no global IPv6 address in the facts: IPv6 probes contradict the facts (broken); without them IPv4 alone", () => {
    // `ip -6 -o addr show scope global` prints nothing on a host without a global IPv6 address.
    const noAddress = (sections: CommandOutput[]) => sections.map((s) => (s.section === "ipv6-addresses" ? { ...s, stdout: "" } : s));
    const contradicted = sec02("firewalld-stock", { sections: noAddress });
    expect(contradicted.status).toBe("broken");
    expect(contradicted.message).toMatch(/probes at an IPv6 address, but the host's facts show no global IPv6 address/);
    const ipv4Only = sec02("firewalld-stock", { sections: noAddress, probes: (probes) => probes.filter((p) => !p.key.startsWith("tcp:cp1@ipv6:")) });
    expect(ipv4Only.status).toBe("passed");
    expect(ipv4Only.message).toMatch(/; IPv4 confirmed from the runner \(/);
    expect(ipv4Only.message).not.toContain("IPv6 confirmed");
  });
});

describe("SEC-02: an opening of every port from a source network", () => {
  /** The captured nftables host with one more rule in its input chain, running and persisted (`nft add rule inet filter input <rule>`, then the same line in /etc/nftables.conf). */
  const withInputRule = (rule: string) => editNft("\t\ttcp dport { 22, 9080, 9443 } accept\n", `\t\ttcp dport { 22, 9080, 9443 } accept\n\t\t${rule}\n`);

  it("every TCP and UDP port from a network not declared trusted: failed, naming the opening", () => {
    const v = sec02("nftables", { sections: withInputRule("ip saddr 203.0.113.0/24 meta l4proto { tcp, udp } accept") });
    expect(v.status).toBe("failed");
    expect(v.message).toContain("IPv4: tcp/udp every port from 203.0.113.0/24 (ip saddr 203.0.113.0/24 meta l4proto { tcp, udp } accept) accepts every port from 203.0.113.0/24, not declared in firewall.trustedSources");
  });

  it("the same opening from a network declared trusted passes, and says so", () => {
    const env = envWith((input) => (input.firewall.trustedSources = ["203.0.113.0/24"]));
    const v = sec02("nftables", { env, sections: withInputRule("ip saddr 203.0.113.0/24 meta l4proto { tcp, udp } accept") });
    expect(v.status).toBe("passed");
    expect(v.message).toContain("trusted by firewall.trustedSources: tcp/udp every port from 203.0.113.0/24");
  });

  it("every UDP port only: no TCP service is opened, no violation of this kind", () => {
    const v = sec02("nftables", { sections: withInputRule("ip saddr 203.0.113.0/24 meta l4proto udp accept") });
    expect(v.message).not.toContain("accepts every port from");
  });
});

describe("SEC-02: openings that are not every port from a network", () => {
  it("ports opened to source networks are not wide openings; only the network opened on every port needs declaring", () => {
    // The captured host opens 2379 to 10.0.0.0/8 and 9100 to 192.168.0.0/16 (user chains entered with -s), and every port to 203.0.113.0/24.
    const env = envWith((input) => (input.firewall.trustedSources = ["203.0.113.0/24"]));
    const v = sec02("iptables-services-chains-docker-nat", { env });
    expect(v.status).toBe("passed");
    expect(v.message).toMatch(/; trusted by firewall\.trustedSources: every port from 203\.0\.113\.0\/24 \(-A INPUT -s 203\.0\.113\.0\/24 -j ACCEPT\)( |;|$)/);
  });
});

describe("SEC-02: named sets and quoted strings of nftables (captured: nftables-sets-quoted-log-drop)", () => {
  const CASE = "nftables-sets-quoted-log-drop";

  it("an input chain whose last rule is a drop logged with a quoted prefix holding spaces denies by default", () => {
    const v = sec02(CASE);
    expect(v.status).toBe("passed");
    expect(v.message).toContain('rule "log prefix "nft drop: " drop"');
  });

  it("a named port set from a set of networks is those ports, not every port from the networks", () => {
    const v = sec02(CASE, { sections: editNft("ip saddr @admins tcp dport 9180 accept", "ip saddr @admins tcp dport @api_ports accept") });
    expect(v.status).toBe("passed");
    expect(v.message).not.toContain("accepts every port from");
  });

  it("every port from a named set of networks: failed, naming the set's networks", () => {
    const v = sec02(CASE, { sections: editNft("ip saddr @admins tcp dport 9180 accept", "ip saddr @admins accept") });
    expect(v.status).toBe("failed");
    expect(v.message).toContain("IPv4: every port from 10.0.0.0/8, 192.168.1.0/24 (ip saddr @admins accept) accepts every port from 10.0.0.0/8, 192.168.1.0/24, not declared in firewall.trustedSources");
  });
});
