// SEC-02 on the firewall outputs captured from real daemons (tests/fixtures/facts/firewall/<case>/,
// written by tests/fixtures/capture/capture-firewall.ts): cp1 of the compliant lab run gets one
// captured host's firewall sections in place of its own, and SEC-02 is evaluated.
import { describe, expect, it } from "vitest";
import { requirementById } from "../../../helpers/checks/catalogue.js";
import { parseAllFacts, verdictFor } from "../../../helpers/evaluate.js";
import type { TcpProbeResult } from "../../../helpers/probes/types.js";
import type { CollectedRun, ProbeRecord } from "../../../helpers/run/collected.js";
import { allChecks } from "../../../specs/checks/index.js";
import { sec02OnCapturedFirewall as sec02 } from "../../support/captured-firewall.js";
import { replaceSection as replace } from "../../support/section-edits.js";
import { labEnv as env, labRun as baseline } from "../../support/lab-run.js";


describe("SEC-02 on captured firewall daemons", () => {
  it.each(["firewalld-stock-ifcfg-zone", "firewalld-stock", "iptables-services", "nftables"])("%s passes", (caseName) => {
    const v = sec02(caseName);
    expect(v.status, v.message).toBe("passed");
  });

  it("stock firewalld: the runtime-only interface binding is evidence in the message, not drift", () => {
    const v = sec02("firewalld-stock-ifcfg-zone");
    expect(v.message).toContain("IPv4 and IPv6 denied by default by firewalld");
    expect(v.message).toContain("zone public target default: eth0 (ifcfg-eth0 ZONE=public)");
    expect(v.message).not.toContain("differ in");
  });

  it.each([
    ["firewalld-runtime-only-port", /the persistent firewalld configuration for IPv4 and IPv6 differs from the running rules.*differ in: zone public: ports/],
    ["firewalld-target-accept", /IPv4 and IPv6 inbound traffic is not denied by default \(firewalld accepts it\)/],
    ["iptables-services-accept", /IPv4 inbound traffic is not denied by default \(no firewall denies it\)/],
    ["iptables-services-ipv6-open", /IPv6 inbound traffic is not denied by default \(no firewall denies it\)/],
    ["no-firewall", /no active host firewall/],
  ])("%s fails", (caseName, says) => {
    const v = sec02(caseName);
    expect(v.status, v.message).toBe("failed");
    expect(v.message).toMatch(says);
  });

  // Real daemons whose configuration a first look would read as default deny: the verdict names the
  // zone or the rule that accepts every new connection before the deny is reached.
  it.each([
    // firewalld's default zone public denies, but eth0 is bound to the zone trusted.
    ["firewalld-trusted-interface", "IPv4 and IPv6 inbound traffic is not denied by default (firewalld accepts it)", "zone trusted target ACCEPT, bound to eth0 accepts every new connection"],
    // nftables: policy drop, an unconditional accept as the input chain's first rule.
    ["nftables-accept-first", "IPv4 and IPv6 inbound traffic is not denied by default (nftables accepts it)", 'table inet api7_lab chain input hook input accepts every new connection at rule "accept", before its policy drop is reached'],
    // iptables-services: -A INPUT -j ACCEPT before the final REJECT (IPv4 only; ip6tables denies).
    ["iptables-services-accept-first", "IPv4 inbound traffic is not denied by default (iptables accepts it)", 'chain INPUT accepts every new connection at rule "-A INPUT -j ACCEPT", before any deny'],
  ])("%s fails, naming what accepts", (caseName, finding, deciding) => {
    const v = sec02(caseName);
    expect(v.status, v.message).toBe("failed");
    expect(v.message).toContain(`cp1: ${finding} (`);
    expect(v.message).toContain(deciding);
    expect(v.message).not.toContain("IPv6 inbound traffic is not denied by default (no firewall");
  });

  describe("the network as the second witness", () => {
    /** cp1's witness-port probes in the lab run (IPv4: 4, 6, 8), their results edited to a TCP reset. */
    const witnessReset = (probes: ProbeRecord[]) =>
      probes.map((p) => (/^tcp:cp1:[468]$/.test(p.key) ? { ...p, result: { ...(p.result as TcpProbeResult), state: "closed" as const, error: "ECONNREFUSED" } } : p));

    it("a denying nftables, contradicted by a witness port that resets: failed, naming the rule and the port that answered", () => {
      const v = sec02("nftables", (s) => s, witnessReset);
      expect(v.status, v.message).toBe("failed");
      // Both witnesses: the rule that should have denied, and the port that answered.
      expect(v.message).toMatch(/^cp1: the configuration denies inbound traffic by default \(IPv4 and IPv6: nftables: table inet api7_lab chain input hook input denies by policy drop/);
      expect(v.message).toMatch(/, but the network does not\W+port 4 answered from the runner over IPv4 \(192\.168\.144\.2:4 reset \(ECONNREFUSED\) in 82 ms, /);
      expect(v.message).not.toContain("over IPv6");
      expect(v.actual).toMatch(/^network IPv4: contradicts: 192\.168\.144\.2:4 reset \(ECONNREFUSED\) in 82 ms, 192\.168\.144\.2:6 reset \(ECONNREFUSED\) in 81 ms, 192\.168\.144\.2:8 reset \(ECONNREFUSED\) in 81 ms$/m);
      expect(v.actual).toMatch(/^network IPv6: confirms: /m);
      expect(v.evidence).toEqual(expect.arrayContaining(["nft-ruleset", "nft-persistent", "tcp:cp1:4", "tcp:cp1:6", "tcp:cp1:8"]));
    });

    it("the same probes as captured (filtered by ICMP): passed, both witnesses agree", () => {
      const v = sec02("nftables");
      expect(v.status, v.message).toBe("passed");
      expect(v.actual).toMatch(/^network IPv4: confirms: 192\.168\.144\.2:4 EHOSTUNREACH \(rejected\) in 82 ms/m);
    });
  });

  it("IPv6 open but disabled on the host: passes, with the evidence", () => {
    const v = sec02("iptables-services-ipv6-open", replace("ipv6-disabled", { stdout: "/proc/sys/net/ipv6/conf/eth0/disable_ipv6 1\n/proc/sys/net/ipv6/conf/lo/disable_ipv6 0\n" }));
    expect(v.status, v.message).toBe("passed");
    expect(v.message).toContain("IPv6 disabled on the host (net.ipv6.conf.eth0.disable_ipv6 = 1)");
    expect(v.evidence).toContain("ipv6-disabled");
  });

  it("IPv6 open and whether it is disabled unknown: broken, not a verdict on an assumption", () => {
    const v = sec02("iptables-services-ipv6-open", replace("ipv6-disabled", { exitCode: 1, stdout: "", stderr: "cat: Permission denied\n" }));
    expect(v.status, v.message).toBe("broken");
    expect(v.message).toContain("ipv6-disabled: exit 1");
  });

  it("firewalld's permanent listing timed out: broken", () => {
    const v = sec02("firewalld-stock", replace("firewalld-permanent", { exitCode: 124, timedOut: true, stdout: "" }));
    expect(v.status, v.message).toBe("broken");
    expect(v.message).toContain("firewalld-permanent");
  });

  it("ip6tables could not be read on an iptables host: broken", () => {
    const v = sec02("iptables-services", replace("ip6tables", { exitCode: 4, stdout: "", stderr: "ip6tables: Permission denied (you must be root)\n" }));
    expect(v.status, v.message).toBe("broken");
  });

  it("IPv4 open is a finding even when the IPv6 evidence is unreadable", () => {
    const v = sec02("iptables-services-accept", replace("ip6tables", { exitCode: 4, stdout: "", stderr: "ip6tables: Permission denied (you must be root)\n" }));
    expect(v.status, v.message).toBe("failed");
  });
});

describe("SEC-04 at the host's IPv6 address", () => {
  const tcp6 = (port: number, state: "open" | "filtered") => ({
    key: `tcp:cp1@ipv6:${port}`,
    kind: "tcp" as const,
    host: "cp1",
    target: `[fd7a::2]:${port}`,
    startedAt: "2026-12-01T11:53:10.528Z",
    durationMs: 3,
    result: state === "open" ? { state, ms: 3 } : { state, ms: 900, error: "timeout" },
  });
  const sec04 = (probes: ReturnType<typeof tcp6>[]) => {
    const run: CollectedRun = { ...baseline, probes: [...baseline.probes, ...probes] };
    return verdictFor(requirementById("SEC-04"), "cp1", allChecks, { env, run, allFacts: parseAllFacts(run) });
  };

  it("allowed ports open over IPv6, another one filtered: passes, the IPv6 rows are in the table", () => {
    const v = sec04([tcp6(22, "open"), tcp6(7080, "open"), tcp6(2379, "filtered")]);
    expect(v.status, v.message).toBe("passed");
    expect(v.actual).toContain("22 (IPv6)");
    expect(v.evidence).toContain("tcp:cp1@ipv6:2379");
  });

  it("a port closed over IPv4 but open over IPv6 fails", () => {
    const v = sec04([tcp6(22, "open"), tcp6(2379, "open")]);
    expect(v.status, v.message).toBe("failed");
    expect(v.message).toContain("2379 over IPv6");
  });
});
