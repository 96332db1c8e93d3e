// Focused tests of the input path in first-match order (helpers/facts/parsers/input-path.ts): which
// ports a walked chain leaves open and to whom, when an accept takes every new connection, when a
// deny decides by default, and how the openings read in a report. Inputs are the captured rulesets
// (tests/fixtures/facts/firewall); where a test needs another shape, it edits the captured text and
// says what a real host prints that way.
import { describe, expect, it } from "vitest";
import { acceptsEveryTcpConnection, describeOpening, EVERY_PACKET, openedPort, parsePortList } from "../../../helpers/facts/parsers/input-path.js";
import { parseFirewall } from "../../../helpers/facts/parsers/firewall.js";
import { iptablesInputVerdict, parseIptablesRules } from "../../../helpers/facts/parsers/iptables.js";
import { nftInputVerdicts, nftRuleEffect, normaliseNftRule, parseNftRuleset } from "../../../helpers/facts/parsers/nftables.js";
import type { IpFamily } from "../../../helpers/facts/types.js";
import { capturedFirewallInputs, fixtureText } from "./fixtures.js";

const nftVerdicts = (ruleset: string, family: IpFamily = "ipv4") => nftInputVerdicts(parseNftRuleset(ruleset), family).map((v) => v.verdict);
const iptablesVerdict = (listing: string) => iptablesInputVerdict(parseIptablesRules(listing));
/** The captured hand-kept iptables host: user chains entered by -j from 10.0.0.0/8 and by -g for TCP 9100. */
const chainsListing = () => fixtureText("firewall/iptables-services-chains-docker-nat/iptables");
const edited = (text: string, from: string, to: string) => {
  expect(text).toContain(from);
  return text.replace(from, to);
};

describe("firewalld: its zones as read, and its own nft table walked", () => {
  it("the zone's ports are openings on eth0 (its conditional goto), then on every interface; the final reject denies", () => {
    const [firewalld] = nftVerdicts(fixtureText("firewall/firewalld-stock/nft-ruleset"));
    expect(firewalld).toMatchObject({ kind: "deny", how: 'rule "reject with icmpx admin-prohibited"', answer: "icmp-error" });
    const tcp = firewalld!.openings.filter((o) => o.protocol === "tcp").map(describeOpening);
    expect(tcp).toEqual([
      "tcp 22 on eth0 (tcp dport 22 accept)",
      "tcp 9080 on eth0 (tcp dport 9080 accept)",
      "tcp 9443 on eth0 (tcp dport 9443 accept)",
      "tcp 22 (tcp dport 22 accept)",
      "tcp 9080 (tcp dport 9080 accept)",
      "tcp 9443 (tcp dport 9443 accept)",
    ]);
  });

  it("the running firewalld's openings read as the report prints them: a service by name, a port with its protocol", () => {
    const firewall = parseFirewall(capturedFirewallInputs("firewalld-stock"));
    expect(firewall.ok && firewall.value.families.ipv4.openings.map(describeOpening)).toEqual([
      "the service's ports (zone public service dhcpv6-client)",
      "the service's ports (zone public service ssh)",
      "tcp 9080 (zone public 9080/tcp)",
      "tcp 9443 (zone public 9443/tcp)",
    ]);
  });

  it("eth0 bound to the trusted zone: its goto reaches the zone's accept, and every new connection on eth0 is accepted", () => {
    expect(nftVerdicts(fixtureText("firewall/firewalld-trusted-interface/nft-ruleset"))[0]).toMatchObject({ kind: "accept-all", rule: "accept" });
  });
});

describe("jumps, gotos and returns in user chains (the captured iptables host with chains)", () => {
  it("the openings read as the report prints them: protocol, ports, the source network each chain is entered from", () => {
    expect(iptablesVerdict(chainsListing()).openings.map(describeOpening)).toEqual([
      "icmp (-A INPUT -p icmp --icmp-type 8 -j ACCEPT)",
      "tcp 2379 from 10.0.0.0/8 (-A API7_ADMIN -p tcp --dport 2379 -j ACCEPT)",
      "tcp 9100 from 192.168.0.0/16 (-A API7_MGMT -s 192.168.0.0/16 -j ACCEPT)",
      "every port from 203.0.113.0/24 (-A INPUT -s 203.0.113.0/24 -j ACCEPT)",
      "tcp 22 (-A INPUT -p tcp -m state --state NEW -m tcp --dport 22 -j ACCEPT)",
      "tcp 7080 (-A INPUT -p tcp -m state --state NEW -m tcp --dport 7080 -j ACCEPT)",
      "tcp 7900 (-A INPUT -p tcp -m state --state NEW -m tcp --dport 7900 -j ACCEPT)",
    ]);
  });

  it("a -g for every packet: INPUT's later rules are never reached, so their ports are not openings", () => {
    // As `iptables -R INPUT 6 -g API7_MGMT` leaves the captured chain.
    const listing = edited(chainsListing(), "-A INPUT -p tcp -m tcp --dport 9100 -g API7_MGMT", "-A INPUT -g API7_MGMT");
    const verdict = iptablesVerdict(listing);
    expect(verdict).toMatchObject({ kind: "deny", how: "policy drop" });
    expect(verdict.openings.map((o) => [o.protocol, o.ports, o.sources])).toEqual([
      ["icmp", "any", []],
      ["tcp", [[2379, 2379]], ["10.0.0.0/8"]],
      ["any", "any", ["192.168.0.0/16"]],
    ]);
  });

  it("a RETURN for the Docker bridge only: the chain's later accept still opens its port to 10.0.0.0/8", () => {
    // As `iptables -I API7_ADMIN -i docker0 -j RETURN` leaves the captured chain.
    const listing = edited(chainsListing(), "-A API7_ADMIN -p tcp", "-A API7_ADMIN -i docker0 -j RETURN\n-A API7_ADMIN -p tcp");
    expect(iptablesVerdict(listing).openings.map(describeOpening)).toContain("tcp 2379 from 10.0.0.0/8 (-A API7_ADMIN -p tcp --dport 2379 -j ACCEPT)");
  });
});

describe("a deny that only some new packets meet is no default deny", () => {
  // Each captured chain with its policy set to accept (`iptables -P INPUT ACCEPT`, `policy accept;`).
  const acceptingChains = () => edited(chainsListing(), "-P INPUT DROP", "-P INPUT ACCEPT");

  it.each([
    ["a DROP inside a chain entered only from 10.0.0.0/8", () => edited(acceptingChains(), "-A API7_MGMT", "-A API7_ADMIN -j DROP\n-A API7_MGMT")],
    ["a DROP of everything not from 10.0.0.0/8 (a negation is not read: never a default deny on it)", () => edited(acceptingChains(), "! -s 10.0.0.0/8 -p tcp -m tcp --dport 2379 -j DROP", "! -s 10.0.0.0/8 -j DROP")],
  ])("iptables: %s", (_, listing) => {
    expect(iptablesVerdict(listing())).toMatchObject({ kind: "no-deny", how: "policy ACCEPT and no rule that every new packet meets denies" });
  });

  it("nftables: a drop of one port of every transport (th dport)", () => {
    const captured = fixtureText("firewall/nftables-ip6-th-jump-dnat/nft-ruleset");
    const ruleset = edited(edited(captured, "policy drop;", "policy accept;"), "th dport 4789 accept", "th dport 4789 drop");
    for (const family of ["ipv4", "ipv6"] as const) expect(nftVerdicts(ruleset, family)[0]?.kind).toBe("no-deny");
  });
});

describe("an accept that takes every new TCP connection", () => {
  /** A rule as `nft list ruleset` prints it, read for IPv4. */
  const when = (rule: string) => {
    const effect = nftRuleEffect(normaliseNftRule(rule), "ipv4");
    if (effect.kind !== "accept") throw new Error(`not an accept: ${rule}`);
    return effect.when;
  };

  it.each([
    ["meta l4proto { tcp, udp } accept", true],
    ['iifname "eth0" accept', true],
    ['iifname "docker0" accept', false],
    ['iifname "br-0123456789ab" accept', false],
    ['iif "lo" accept', false],
    ["ct state established,related accept", false],
    ["meta nfproto ipv6 accept", false],
    ["meta l4proto udp accept", false],
  ])("%s: %s", (rule, expected) => expect(acceptsEveryTcpConnection(when(rule))).toBe(expected));

  it("lo is never the network, whichever way a parser hands it over", () => expect(acceptsEveryTcpConnection({ ...EVERY_PACKET, iface: "lo" })).toBe(false));

  it("the captured default-drop chain with its port list replaced by TCP and UDP accepts every new connection", () => {
    const ruleset = edited(fixtureText("firewall/nft-ruleset-default-drop"), "tcp dport { 22, 9080, 9443 } accept", "meta l4proto { tcp, udp } accept");
    expect(nftVerdicts(ruleset)[0]).toMatchObject({ kind: "accept-all", rule: "meta l4proto { tcp, udp } accept" });
  });
});

describe("how deep the walk follows jumps", () => {
  /** INPUT (policy DROP) jumping through `depth` nested user chains to an accept of everything. */
  const nested = (depth: number) => {
    const chains = Array.from({ length: depth }, (_, i) => `C${i + 1}`);
    const jumps = chains.map((chain, i) => `-A ${i === 0 ? "INPUT" : chains[i - 1]} -j ${chain}`);
    return ["-P INPUT DROP", ...chains.map((c) => `-N ${c}`), ...jumps, `-A ${chains.at(-1)} -j ACCEPT`].join("\n");
  };

  it("16 nested chains, the size of the nft kernel's jump stack, are followed to the accept at the bottom", () => {
    expect(iptablesVerdict(nested(16))).toMatchObject({ kind: "accept-all", rule: "-A C16 -j ACCEPT" });
  });

  it("deeper nesting (legacy iptables allows it) is reported as not followed: never a deny on a walk cut short", () => {
    expect(iptablesVerdict(nested(17))).toMatchObject({ kind: "no-deny", how: "jumps nested more than 16 deep (chain C17): not followed" });
  });

  it("a listing whose chains jump in a loop (no kernel loads one) stops the walk, not the audit", () => {
    const loop = "-P INPUT DROP\n-N A\n-N B\n-A INPUT -j A\n-A A -j B\n-A B -j A\n";
    expect(iptablesVerdict(loop)).toMatchObject({ kind: "no-deny", how: expect.stringMatching(/not followed$/) });
  });
});

describe("ports inside an opening: the network witness does not count them as holes", () => {
  it("on the captured nftables host: each port of the TCP list, the th port for TCP and UDP alike, nothing beside them", () => {
    const [verdict] = nftVerdicts(fixtureText("firewall/nftables-ip6-th-jump-dnat/nft-ruleset"));
    const rule = (protocol: string, port: number) => openedPort(verdict!.openings, protocol, port)?.rule ?? null;
    expect([rule("tcp", 22), rule("tcp", 9080), rule("tcp", 9443)]).toEqual(Array(3).fill("tcp dport { 22, 9080, 9443 } accept"));
    expect([rule("tcp", 4789), rule("udp", 4789)]).toEqual(["th dport 4789 accept", "th dport 4789 accept"]);
    expect([rule("tcp", 21), rule("tcp", 23), rule("tcp", 9444), rule("udp", 22)]).toEqual([null, null, null, null]);
  });

  it("a port opened for a set of transports (meta l4proto { tcp, udp }) is opened for TCP, and reads with its port", () => {
    // The captured chain with DNS opened the way nft lists `meta l4proto { tcp, udp } th dport 53 accept`.
    const ruleset = edited(fixtureText("firewall/nft-ruleset-default-drop"), "tcp dport { 22, 9080, 9443 } accept", "meta l4proto { tcp, udp } th dport 53 accept");
    const [verdict] = nftVerdicts(ruleset);
    const dns = openedPort(verdict!.openings, "tcp", 53);
    expect(dns && describeOpening(dns)).toBe("tcp/udp 53 (meta l4proto { tcp, udp } th dport 53 accept)");
  });
});

describe("port lists", () => {
  it("a port name (as an nft that translates ports prints pop3 or z3950) or a port with its protocol is unreadable, not a number", () => {
    expect([parsePortList("pop3"), parsePortList("z3950"), parsePortList("8080/tcp")]).toEqual([null, null, null]);
  });

  it("nothing to read is unreadable, never an empty set of ports", () => {
    expect([parsePortList(""), parsePortList("{ }")]).toEqual([null, null]);
    expect(parsePortList("{ 22, 30000-32767 }")).toEqual([[22, 22], [30000, 32767]]);
  });
});
