// Focused tests for the decisions of helpers/facts/parsers/nftables.ts that the behaviour tests
// (firewall.test.ts, input-path.test.ts) leave to chance. Every rule is a line of a captured
// `nft list ruleset` (tests/fixtures/facts/firewall, written by capture-firewall.ts; the lab run
// in tests/fixtures/runs/lab), found by how it starts, never typed here.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { nftForwardedPorts, nftInputVerdicts, nftRuleEffect, normaliseNftRule, parseNftRuleset } from "../../../helpers/facts/parsers/nftables.js";
import type { IpFamily } from "../../../helpers/facts/types.js";
import type { CollectedRun } from "../../../helpers/run/collected.js";
import { fixtureText } from "./fixtures.js";

const FIREWALLD = "firewall/firewalld-stock/nft-ruleset";

/** The first rule of a captured ruleset that starts with `start`, normalised as the parser keeps it. */
function capturedRule(fixture: string, start: string): string {
  const line = fixtureText(fixture).split("\n").map((l) => l.trim()).find((l) => l.startsWith(start));
  if (line === undefined) throw new Error(`no rule starting with ${JSON.stringify(start)} in ${fixture}`);
  return normaliseNftRule(line);
}

const whenOf = (rule: string, family: IpFamily) => {
  const effect = nftRuleEffect(rule, family);
  if (effect.kind === "none") throw new Error(`no verdict in ${rule}`);
  return effect.when;
};

describe("nftables: matches of firewalld's own rules (Debian's firewalld 1.3)", () => {
  it("`meta nfproto ipv6` (its reverse-path filter) applies to IPv6 only", () => {
    const rule = capturedRule(FIREWALLD, "meta nfproto ipv6");
    expect(whenOf(rule, "ipv4")).toMatchObject({ otherFamily: true, unknown: ["fib saddr . mark . iif oif missing"] });
    expect(whenOf(rule, "ipv6")).toMatchObject({ otherFamily: false, unknown: ["fib saddr . mark . iif oif missing"] });
  });

  it("an `ip6 daddr` set limits the IPv6 rule to those destinations and leaves IPv4 alone", () => {
    const rule = capturedRule(FIREWALLD, "ip6 daddr {");
    const set = rule.replace(/ reject .*$/, "");
    expect(nftRuleEffect(rule, "ipv6")).toMatchObject({ kind: "deny", answer: "icmp-error", when: { otherFamily: false, unknown: [set] } });
    expect(whenOf(rule, "ipv4")).toMatchObject({ otherFamily: true, unknown: [set] });
  });

  it("the DHCPv6 client's opening: a destination, then the port, both read", () => {
    const rule = capturedRule(FIREWALLD, "ip6 daddr fe80::/64");
    expect(whenOf(rule, "ipv6")).toEqual({ harmless: false, otherFamily: false, protocol: "udp", ports: [[546, 546]], sources: [], iface: null, unknown: ["ip6 daddr fe80::/64"] });
    expect(whenOf(rule, "ipv4")).toMatchObject({ otherFamily: true });
  });

  it("an ICMPv6 type, alone or a set, limits the protocol and leaves nothing unread", () => {
    for (const start of ["icmpv6 type {", "icmpv6 type nd-redirect"]) {
      expect(whenOf(capturedRule(FIREWALLD, start), "ipv6")).toMatchObject({ protocol: "icmpv6", ports: null, unknown: [] });
    }
  });

  it("Docker's DNS jump: counter values dropped, the destination kept as a limit, IPv4 only", () => {
    const rule = capturedRule(FIREWALLD, "ip daddr 127.0.0.11 counter");
    expect(rule).toBe("ip daddr 127.0.0.11 counter jump DOCKER_OUTPUT");
    expect(nftRuleEffect(rule, "ipv4")).toMatchObject({ kind: "jump", target: "DOCKER_OUTPUT", goto: false, when: { otherFamily: false, unknown: ["ip daddr 127.0.0.11"] } });
    expect(whenOf(rule, "ipv6")).toMatchObject({ otherFamily: true });
  });

  it("the input chain's openings are the family's: DHCPv6 for IPv6 only", () => {
    const tables = parseNftRuleset(fixtureText(FIREWALLD));
    const dhcp = (family: IpFamily) =>
      nftInputVerdicts(tables, family)
        .flatMap((v) => v.verdict.openings)
        .filter((o) => o.protocol === "udp");
    expect(dhcp("ipv4")).toEqual([]);
    expect(dhcp("ipv6").map((o) => o.ports)).toEqual([[[546, 546]], [[546, 546]]]);
  });
});

describe("nftables: ports the host forwards", () => {
  it("a DNAT of a port set in a prerouting chain (the lab's dp2, captured in its audit): every port of the set", () => {
    const run = JSON.parse(readFileSync(join(import.meta.dirname, "../../fixtures/runs/lab/collected.json"), "utf8")) as CollectedRun;
    const ruleset = run.hosts.find((h) => h.name === "dp2")?.sections.find((s) => s.section === "nft-ruleset")?.stdout ?? "";
    const rule = "fib daddr type local tcp dport { 9080, 9443 } dnat to 192.0.2.2";
    expect(ruleset).toContain(rule);
    expect(nftForwardedPorts(parseNftRuleset(ruleset))).toEqual([
      { protocol: "tcp", ports: [9080, 9080], rule: `nft table ip api7_lab_docker chain prerouting: ${rule}` },
      { protocol: "tcp", ports: [9443, 9443], rule: `nft table ip api7_lab_docker chain prerouting: ${rule}` },
    ]);
  });
});
