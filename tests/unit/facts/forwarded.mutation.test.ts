// Focused tests of the ports a host forwards by NAT (SEC-04's third source of ports to probe), on
// the captured rulesets: which listing counts, a port both listings show, and the ports probed for
// a forwarded range.
import { describe, expect, it } from "vitest";
import { forwardedTcpPorts, parseForwardedPorts } from "../../../helpers/facts/parsers/forwarded.js";
import type { ForwardedPort } from "../../../helpers/facts/types.js";
import { fixture } from "./fixtures.js";

const section = (caseName: string, name: "nft-ruleset" | "iptables-nat") => fixture(`firewall/${caseName}/${name}`, name);
/** A listing program that is not installed, as bash reports it. */
const notInstalled = (name: "nft-ruleset" | "iptables-nat", program: string) => ({ ...section("nftables-nat-redirect", name), exitCode: 127, stdout: "", stderr: `bash: ${program}: command not found\n` });

describe("parseForwardedPorts", () => {
  it("an nft redirect on the prerouting path is forwarded; Docker's DNS DNAT on the output path is not", () => {
    const result = parseForwardedPorts({ nftRuleset: section("nftables-nat-redirect", "nft-ruleset"), iptablesNat: section("nftables-nat-redirect", "iptables-nat") });
    expect(result.ok && result.value.map((f) => [f.protocol, f.ports])).toEqual([["tcp", [8888, 8888]]]);
    expect(result.ok && result.value[0]!.rule).toMatch(/redirect to :9080$/);
  });

  it("Docker's DNAT in iptables -t nat is forwarded, not the one from lo only", () => {
    const result = parseForwardedPorts({ nftRuleset: section("iptables-services-chains-docker-nat", "nft-ruleset"), iptablesNat: section("iptables-services-chains-docker-nat", "iptables-nat") });
    expect(result.ok && result.value.map((f) => [f.protocol, f.ports, f.rule])).toEqual([["tcp", [8080, 8080], "iptables -t nat: -A DOCKER ! -i docker0 -p tcp --dport 8080 -j DNAT --to-destination 172.17.0.2:80"]]);
  });

  it("a port both listings forward is listed once, with the nft rule that comes first", () => {
    const result = parseForwardedPorts({ nftRuleset: section("nftables-ip6-th-jump-dnat", "nft-ruleset"), iptablesNat: section("iptables-services-chains-docker-nat", "iptables-nat") });
    expect(result.ok && result.value.map((f) => f.rule)).toEqual(["nft table ip api7_fwd chain published: iifname != docker0 tcp dport 8080 dnat to 172.17.0.2:80"]);
  });

  it("every port a hand-kept gateway forwards, once each: tcp and udp 53 both, a range and the ports that share its first or last port each; the TCP ports probed once each", () => {
    const CASE = "iptables-services-multiport-port-forwarding";
    const result = parseForwardedPorts({ nftRuleset: section(CASE, "nft-ruleset"), iptablesNat: section(CASE, "iptables-nat") });
    expect(result.ok && result.value.map((f) => [f.protocol, f.ports])).toEqual([
      ["tcp", [80, 80]],
      ["tcp", [53, 53]],
      ["udp", [53, 53]],
      ["tcp", [8000, 8010]],
      ["tcp", [8443, 8443]],
      ["tcp", [8000, 8000]],
      ["tcp", [8005, 8010]],
    ]);
    expect(result.ok && forwardedTcpPorts(result.value)).toEqual([53, 80, 8000, 8001, 8002, 8003, 8004, 8005, 8006, 8007, 8008, 8009, 8010, 8443]);
  });

  it("a program that is not installed forwards nothing; the other listing still counts", () => {
    const nftOnly = parseForwardedPorts({ nftRuleset: section("nftables-nat-redirect", "nft-ruleset"), iptablesNat: notInstalled("iptables-nat", "iptables") });
    expect(nftOnly.ok && nftOnly.value.map((f) => f.ports[0])).toEqual([8888]);
    const iptablesOnly = parseForwardedPorts({ nftRuleset: notInstalled("nft-ruleset", "nft"), iptablesNat: section("iptables-services-chains-docker-nat", "iptables-nat") });
    expect(iptablesOnly.ok && iptablesOnly.value.map((f) => f.ports[0])).toEqual([8080]);
    expect(parseForwardedPorts({ nftRuleset: notInstalled("nft-ruleset", "nft"), iptablesNat: notInstalled("iptables-nat", "iptables") })).toEqual({ ok: true, value: [] });
  });

  it("a listing that failed, printed nothing, or is not a listing leaves the ports unknown, naming it", () => {
    const nft = section("nftables-nat-redirect", "nft-ruleset");
    const nat = section("nftables-nat-redirect", "iptables-nat");
    const failed = parseForwardedPorts({ nftRuleset: { ...nft, exitCode: 1, stdout: "", stderr: "netlink: Error: cache initialization failed: Operation not permitted\n" }, iptablesNat: nat });
    expect(failed).toMatchObject({ ok: false, problem: expect.stringMatching(/^nft-ruleset: /) });
    expect(parseForwardedPorts({ nftRuleset: { ...nft, stdout: "" }, iptablesNat: nat })).toEqual({ ok: false, problem: "nft-ruleset: nft list ruleset printed nothing: an empty ruleset cannot be told from a listing that failed" });
    // iptables' filter table is a listing, but not of the nat table: no PREROUTING policy.
    const filter = fixture("firewall/iptables-services-chains-docker-nat/iptables", "iptables-nat");
    expect(parseForwardedPorts({ nftRuleset: nft, iptablesNat: filter })).toEqual({ ok: false, problem: 'iptables-nat: no "-P PREROUTING" line: not an iptables -t nat -S listing' });
    expect(parseForwardedPorts({ nftRuleset: { ...nft, stdout: "\n" }, iptablesNat: nat })).toMatchObject({ ok: false, problem: expect.stringMatching(/printed nothing/) });
    // Text that is not a ruleset (here iptables' own listing) is not "no forwarded port".
    expect(parseForwardedPorts({ nftRuleset: { ...nft, stdout: nat.stdout }, iptablesNat: nat })).toMatchObject({ ok: false, problem: expect.stringMatching(/^nft-ruleset: /) });
    expect(parseForwardedPorts({ nftRuleset: nft })).toMatchObject({ ok: false, problem: expect.stringMatching(/^a NAT listing: /) });
  });
});

describe("forwardedTcpPorts", () => {
  const port = (protocol: "tcp" | "udp", low: number, high = low): ForwardedPort => ({ protocol, ports: [low, high], rule: `${protocol} ${low}-${high}` });

  it("every port of a range of up to 16, the two ends of a wider one, TCP only, once each, in order", () => {
    expect(forwardedTcpPorts([port("tcp", 9000, 9100), port("udp", 53), port("tcp", 8002, 8004), port("tcp", 8003)])).toEqual([8002, 8003, 8004, 9000, 9100]);
    expect(forwardedTcpPorts([port("tcp", 100, 115)])).toHaveLength(16);
    expect(forwardedTcpPorts([port("tcp", 100, 116)])).toEqual([100, 116]);
    expect(forwardedTcpPorts([port("tcp", 20), port("tcp", 3)])).toEqual([3, 20]);
  });
});
