// Focused tests for the decisions of helpers/facts/parsers/nftables.ts that the behaviour tests
// (firewall.test.ts, input-path.test.ts) leave to chance. Every rule is a line of a captured
// `nft list ruleset` (tests/fixtures/facts/firewall, written by capture-firewall.ts; the lab run
// in tests/fixtures/runs/lab), found by how it starts, never typed here; where a test needs a
// variant (another set element, a brace inside a quoted string), it changes a captured line and the
// comment says what was changed.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { nftForwardedPorts, nftInputVerdicts, nftRuleEffect, normaliseNftRule, parseNftRuleset } from "../../../helpers/facts/parsers/nftables.js";
import type { IpFamily } from "../../../helpers/facts/types.js";
import type { CollectedRun } from "../../../helpers/run/collected.js";
import { parseFirewall } from "../../../helpers/facts/parsers/firewall.js";
import { EVERY_PACKET, openedPort } from "../../../helpers/facts/parsers/input-path.js";
import { capturedFirewallInputs, fixtureText } from "./fixtures.js";

/** The ports the nft rules forward, or why they are not known. */
const forwardedPorts = (tables: ReturnType<typeof parseNftRuleset>) => {
  const ports = nftForwardedPorts(tables);
  return ports.ok ? ports.value : ports.problem;
};

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
    expect(forwardedPorts(parseNftRuleset(ruleset))).toEqual([
      { protocol: "tcp", ports: [9080, 9080], rule: `nft table ip api7_lab_docker chain prerouting: ${rule}` },
      { protocol: "tcp", ports: [9443, 9443], rule: `nft table ip api7_lab_docker chain prerouting: ${rule}` },
    ]);
  });
});

describe("nftables: ip6 saddr, th dport, iifname lo and DNAT behind a jump from prerouting (captured)", () => {
  const CASE = "nftables-ip6-th-jump-dnat";
  const tables = () => parseNftRuleset(fixtureText(`firewall/${CASE}/nft-ruleset`));
  const openings = (family: IpFamily) => nftInputVerdicts(tables(), family).flatMap((v) => v.verdict.openings.map((o) => [o.protocol, o.ports, o.sources, o.rule]));

  it("the input chain denies by default in both families; the ip6 saddr opening is IPv6's alone, th dport any transport", () => {
    const verdicts = (family: IpFamily) => nftInputVerdicts(tables(), family).map((v) => [v.table.name, v.chain.name, v.verdict.kind, v.verdict.kind === "deny" ? v.verdict.how : null]);
    expect(verdicts("ipv4")).toEqual([["api7_lab", "input", "deny", "policy drop"]]);
    expect(verdicts("ipv6")).toEqual([["api7_lab", "input", "deny", "policy drop"]]);
    const common = {
      icmp: ["icmp/ipv6-icmp", "any", [], "meta l4proto { icmp, ipv6-icmp } accept"],
      th: ["any", [[4789, 4789]], [], "th dport 4789 accept"],
      tcp: ["tcp", [[22, 22], [9080, 9080], [9443, 9443]], [], "tcp dport { 22, 9080, 9443 } accept"],
    };
    expect(openings("ipv4")).toEqual([common.icmp, common.th, common.tcp]);
    expect(openings("ipv6")).toEqual([common.icmp, ["any", "any", ["fd00:a7::/64"], "ip6 saddr fd00:a7::/64 accept"], common.th, common.tcp]);
  });

  it("the rule forms read one by one: iifname lo harmless, ip6 saddr a source of the other family for IPv4", () => {
    expect(whenOf(capturedRule(`firewall/${CASE}/nft-ruleset`, 'iifname "lo" accept'), "ipv4")).toMatchObject({ harmless: true, iface: null, unknown: [] });
    const ip6 = capturedRule(`firewall/${CASE}/nft-ruleset`, "ip6 saddr");
    expect(whenOf(ip6, "ipv4")).toMatchObject({ otherFamily: true, sources: ["fd00:a7::/64"] });
    expect(whenOf(ip6, "ipv6")).toMatchObject({ otherFamily: false, sources: ["fd00:a7::/64"], unknown: [] });
    expect(whenOf(capturedRule(`firewall/${CASE}/nft-ruleset`, "th dport"), "ipv4")).toMatchObject({ protocol: null, ports: [[4789, 4789]], unknown: [] });
  });

  it("the whole firewall: default deny, /etc/nftables.conf the same as the running tables", () => {
    const firewall = parseFirewall(capturedFirewallInputs(CASE));
    if (!firewall.ok) throw new Error(firewall.problem);
    expect([firewall.value.tool, firewall.value.defaultDenyInbound, firewall.value.persistentMatchesRuntime]).toEqual(["nftables", true, true]);
  });

  it("a DNAT reached through a jump from the prerouting hook is forwarded; one from lo only, and docker0's return, are not", () => {
    const rule = "iifname != docker0 tcp dport 8080 dnat to 172.17.0.2:80";
    expect(forwardedPorts(tables())).toEqual([{ protocol: "tcp", ports: [8080, 8080], rule: `nft table ip api7_fwd chain published: ${rule}` }]);
    expect(tables().find((t) => t.name === "api7_fwd")?.chains.find((c) => c.name === "published")?.rules).toContain("iifname lo tcp dport 8081 dnat to 172.17.0.3:80");
  });
});

describe("nftables: a named port set, a goto, a closing log rule, and a nat chain two jumps reach (captured)", () => {
  const CASE = "nftables-named-set-goto-nat";
  const tables = () => parseNftRuleset(fixtureText(`firewall/${CASE}/nft-ruleset`));
  const rule = (start: string) => capturedRule(`firewall/${CASE}/nft-ruleset`, start);

  it("the input chain denies by its policy: the port appended after the goto is never reached, the log rule that ends the goto's chain denies nothing", () => {
    const opened = {
      icmp: ["icmp/ipv6-icmp", "meta l4proto { icmp, ipv6-icmp } accept"],
      ssh: ["tcp", "tcp dport 22 accept comment ssh"],
      gateway: ["tcp", "tcp dport @gateway_ports accept"],
      admin: ["tcp", "ip saddr { 10.0.0.0/8, 192.168.0.0/16 } tcp dport 9180 accept"],
    };
    for (const [family, openings] of [["ipv4", [opened.icmp, opened.ssh, opened.gateway, opened.admin]], ["ipv6", [opened.icmp, opened.ssh, opened.gateway]]] as const) {
      const verdicts = nftInputVerdicts(tables(), family);
      expect(verdicts.map((v) => [v.table.name, v.chain.name, v.verdict.kind, v.verdict.kind === "deny" ? v.verdict.how : null])).toEqual([["api7_lab", "input", "deny", "policy drop"]]);
      const found = verdicts[0]!.verdict.openings;
      expect(found.map((o) => [o.protocol, o.rule])).toEqual(openings);
      expect(openedPort(found, "tcp", 9443)?.rule).toBe("tcp dport @gateway_ports accept");
      expect(openedPort(found, "tcp", 8000)).toBeNull();
      expect(openedPort(found, "tcp", 22)?.rule).toBe("tcp dport 22 accept comment ssh");
    }
  });

  it("a named port set is read from the table's set block; without it, a limit not understood, never every TCP port; a source set limits to each of its networks", () => {
    const sets = tables().find((t) => t.name === "api7_lab")!.sets;
    expect(sets).toEqual([{ name: "gateway_ports", lines: ["type inet_service", "elements = { 9080, 9443 }"] }]);
    expect(nftRuleEffect(rule("tcp dport @gateway_ports"), "ipv4", sets)).toMatchObject({ kind: "accept", when: { ...EVERY_PACKET, protocol: "tcp", ports: [[9080, 9080], [9443, 9443]] } });
    expect(whenOf(rule("tcp dport @gateway_ports"), "ipv4")).toEqual({ ...EVERY_PACKET, protocol: "tcp", ports: "unknown", unknown: ["tcp dport @gateway_ports"] });
    // The captured log rule with a prefix that is a verdict's word (and no flags): still a rule that decides nothing.
    const wordPrefix = normaliseNftRule(rule("log prefix").replace('"api7-input-drop: " flags all', '"accept"'));
    expect(nftRuleEffect(wordPrefix, "ipv4")).toEqual({ kind: "none", rule: "log prefix accept" });
    expect(nftRuleEffect(rule("log prefix"), "ipv4").kind).toBe("none");
    const admin = rule("ip saddr {");
    expect(whenOf(admin, "ipv4")).toMatchObject({ otherFamily: false, protocol: "tcp", ports: [[9180, 9180]], sources: ["10.0.0.0/8", "192.168.0.0/16"], unknown: [] });
    expect(whenOf(admin, "ipv6")).toMatchObject({ otherFamily: true });
  });

  it("the whole firewall: default deny in both families, /etc/nftables.conf (its named set compared too) the same as the running tables", () => {
    const firewall = parseFirewall(capturedFirewallInputs(CASE));
    if (!firewall.ok) throw new Error(firewall.problem);
    expect([firewall.value.tool, firewall.value.defaultDenyInbound, firewall.value.persistentMatchesRuntime]).toEqual(["nftables", true, true]);
    expect(tables().find((t) => t.name === "api7_lab")?.chains.map((c) => [c.name, c.hook, c.policy, c.rules.length])).toEqual([["input", "input", "drop", 6], ["services", null, null, 3]]);
  });

  it("forwarded: the DNAT from eth0, and the port of the chain two jumps reach, once; the counted port is not forwarded", () => {
    expect(forwardedPorts(tables())).toEqual([
      { protocol: "tcp", ports: [8443, 8443], rule: "nft table ip api7_fwd chain prerouting: iifname eth0 tcp dport 8443 dnat to 172.17.0.4:443" },
      { protocol: "tcp", ports: [8080, 8080], rule: "nft table ip api7_fwd chain published: tcp dport 8080 dnat to 172.17.0.2:80" },
    ]);
  });
});

describe("nftables: named sets of ports and networks, quoted strings with spaces, a final logged drop, a DNAT over a named set (captured)", () => {
  const CASE = "nftables-sets-quoted-log-drop";
  const text = (section: string) => fixtureText(`firewall/${CASE}/${section}`);
  const tables = () => parseNftRuleset(text("nft-ruleset"));
  const lab = () => tables().find((t) => t.name === "api7_lab")!;
  const rule = (start: string) => capturedRule(`firewall/${CASE}/nft-ruleset`, start);
  const effect = (start: string, family: IpFamily) => nftRuleEffect(rule(start), family, lab().sets);
  const MANY = Array.from({ length: 24 }, (_, i) => 7000 + i * 10);

  it("each set block is read, the elements nft prints on several lines joined", () => {
    expect(lab().sets.map((s) => s.name)).toEqual(["api_ports", "many_ports", "admins", "admins6", "pairs"]);
    expect(lab().sets[1]).toEqual({ name: "many_ports", lines: ["type inet_service", `elements = { ${MANY.join(", ")} }`] });
    expect(lab().chains.map((c) => [c.name, c.rules.length])).toEqual([["input", 10]]);
  });

  it("the input chain (policy accept) denies by its last rule, a drop logged with a quoted prefix holding spaces", () => {
    for (const family of ["ipv4", "ipv6"] as const) {
      const [input, ...others] = nftInputVerdicts(tables(), family);
      expect(others).toEqual([]);
      expect(input!.verdict).toMatchObject({ kind: "deny", how: 'rule "log prefix "nft drop: " drop"', answer: "silence" });
    }
    expect(rule("log prefix")).toBe('log prefix "nft drop: " drop');
    // The captured rule with braces inside its quoted prefix and comment: text, never a block that opens.
    const braces = 'log prefix "nft { drop: " drop comment "opens {"';
    const withBraces = parseNftRuleset(text("nft-ruleset").replace('log prefix "nft drop: " drop', braces));
    expect(withBraces.find((t) => t.name === "api7_lab")!.chains[0]!.rules.at(-1)).toBe(braces);
    expect(nftInputVerdicts(withBraces, "ipv4")[0]!.verdict).toMatchObject({ kind: "deny", how: `rule "${braces}"` });
    expect(effect("log prefix", "ipv4")).toEqual({ kind: "deny", when: { ...EVERY_PACKET, sources: [], unknown: [] }, rule: 'log prefix "nft drop: " drop', answer: "silence" });
  });

  it("a comment with spaces and a verdict's word in it is one token: the rule accepts TCP 22 and nothing else", () => {
    expect(rule("tcp dport 22")).toBe('tcp dport 22 accept comment "ssh: never drop it"');
    expect(effect("tcp dport 22", "ipv4")).toMatchObject({ kind: "accept", when: { protocol: "tcp", ports: [[22, 22]], unknown: [] } });
  });

  it("port sets: an interval set with a range, a long set; address sets limit to their networks, each family its own", () => {
    expect(effect("tcp dport @api_ports", "ipv4")).toMatchObject({ kind: "accept", when: { protocol: "tcp", ports: [[9080, 9080], [9100, 9110], [9443, 9443]], unknown: [] } });
    expect(effect("tcp dport @many_ports", "ipv6")).toMatchObject({ when: { ports: MANY.map((p) => [p, p]), unknown: [] } });
    expect(effect("ip saddr @admins", "ipv4")).toMatchObject({ when: { otherFamily: false, sources: ["10.0.0.0/8", "192.168.1.0/24"], ports: [[9180, 9180]], unknown: [] } });
    expect(effect("ip6 saddr @admins6", "ipv6")).toMatchObject({ when: { otherFamily: false, sources: ["fd00:a7::/64"], unknown: [] } });
    expect(effect("ip6 saddr @admins6", "ipv4")).toMatchObject({ when: { otherFamily: true } });
    // A set of the other family's addresses is not read: its name stays the source, which no trusted network holds.
    expect(nftRuleEffect(rule("ip saddr @admins").replace("@admins", "@admins6"), "ipv4", lab().sets)).toMatchObject({ when: { sources: ["@admins6"] } });
    // The captured set with other elements: a plain address is a source; an address range (nft's interval form) is not read.
    const admins = (elements: string) => parseNftRuleset(text("nft-ruleset").replace("elements = { 10.0.0.0/8, 192.168.1.0/24 }", `elements = { ${elements} }`)).find((t) => t.name === "api7_lab")!.sets;
    const sourcesWith = (elements: string) => (nftRuleEffect(rule("ip saddr @admins"), "ipv4", admins(elements)) as { when: { sources: string[] } }).when.sources;
    expect(sourcesWith("10.0.0.0/8, 10.9.9.9")).toEqual(["10.0.0.0/8", "10.9.9.9"]);
    expect(sourcesWith("10.0.0.0/8, 10.1.0.1-10.1.0.5")).toEqual(["@admins"]);
    expect(sourcesWith("10.1.0.1-10.1.0.5, 10.0.0.0/8")).toEqual(["@admins"]);
  });

  it("a set of address-port pairs (a concatenation) is a limit not read: its ports unknown, never every port", () => {
    const pairs = effect("ip saddr . tcp dport @pairs", "ipv4");
    expect(pairs).toMatchObject({ kind: "accept", when: { ports: "unknown", sources: [], unknown: ["ip saddr . tcp dport @pairs"] } });
    const opening = nftInputVerdicts(tables(), "ipv4")[0]!.verdict.openings.find((o) => o.rule.includes("@pairs"));
    expect(opening?.ports).toBe("unknown");
    // The same rule with the pairs as an anonymous set: not read either.
    const anonymous = rule("ip saddr . tcp dport @pairs").replace("@pairs", "{ 10.1.2.3 . 2379, 10.1.2.4 . 2379 }");
    expect(nftRuleEffect(anonymous, "ipv4")).toMatchObject({ kind: "accept", when: { ports: "unknown", sources: [], unknown: ["ip saddr . tcp dport { 10.1.2.3 . 2379, 10.1.2.4 . 2379 }"] } });
    // The same rule with a concatenation of two addresses (no port in it): the ports are not limited, the pairs still not read.
    const addresses = rule("ip saddr . tcp dport @pairs").replace("tcp dport", "ip daddr");
    expect(nftRuleEffect(addresses, "ipv4", lab().sets)).toMatchObject({ kind: "accept", when: { ports: null, sources: [], unknown: ["ip saddr . ip daddr @pairs"] } });
  });

  it("a port set of another type, or one whose listing is not plain elements, is not read", () => {
    const sets = lab().sets;
    const ports = (value: string, changed = sets) => nftRuleEffect(`tcp dport ${value} accept`, "ipv4", changed);
    expect(ports("@admins")).toMatchObject({ when: { ports: "unknown" } });
    expect(ports("@absent")).toMatchObject({ when: { ports: "unknown" } });
    const timed = sets.map((s) => (s.name === "api_ports" ? { ...s, lines: [...s.lines, "timeout 1h"] } : s));
    expect(ports("@api_ports", timed)).toMatchObject({ when: { ports: "unknown" } });
    const dynamic = sets.map((s) => (s.name === "api_ports" ? { ...s, lines: ["type inet_service", "flags interval, dynamic", "elements = { 9080 }"] } : s));
    expect(ports("@api_ports", dynamic)).toMatchObject({ when: { ports: "unknown" } });
    const empty = sets.map((s) => (s.name === "api_ports" ? { ...s, lines: ["type inet_service", "flags interval"] } : s));
    expect(ports("@api_ports", empty)).toMatchObject({ when: { ports: "unknown" } });
    const constant = sets.map((s) => (s.name === "api_ports" ? { ...s, lines: ["type inet_service", "flags constant, interval", "auto-merge", "elements = { 9080 }"] } : s));
    expect(ports("@api_ports", constant)).toMatchObject({ when: { ports: [[9080, 9080]], unknown: [] } });
  });

  it("the whole firewall: default deny, /etc/nftables.conf (its sets included) the same as the running tables; a set changed in the file is a difference", () => {
    const inputs = capturedFirewallInputs(CASE);
    const firewall = parseFirewall(inputs);
    if (!firewall.ok) throw new Error(firewall.problem);
    expect([firewall.value.tool, firewall.value.defaultDenyInbound, firewall.value.persistentMatchesRuntime]).toEqual(["nftables", true, true]);
    const changed = { ...inputs.nftPersistent!, stdout: inputs.nftPersistent!.stdout.replace("9100-9110", "9100-9120") };
    const drifted = parseFirewall({ ...inputs, nftPersistent: changed });
    if (!drifted.ok) throw new Error(drifted.problem);
    expect(drifted.value.persistentMatchesRuntime).toBe(false);
    expect(drifted.value.families.ipv4.detail).toContain("/etc/nftables.conf: table inet api7_lab set api_ports differs from the running set");
    const missing = { ...inputs.nftPersistent!, stdout: inputs.nftPersistent!.stdout.replace("set admins6 {", "set others6 {") };
    const undeclared = parseFirewall({ ...inputs, nftPersistent: missing });
    if (!undeclared.ok) throw new Error(undeclared.problem);
    expect(undeclared.value.families.ipv4.detail).toContain("table inet api7_lab set admins6 is not declared");
  });

  it("a DNAT over a named interval set forwards each of its ports; a set it cannot read is a problem, never nothing forwarded", () => {
    const rule = 'nft table ip api7_fwd chain prerouting: tcp dport @published dnat to 172.17.0.2 comment "published ports"';
    expect(forwardedPorts(tables())).toEqual([
      { protocol: "tcp", ports: [8080, 8080], rule },
      { protocol: "tcp", ports: [8100, 8102], rule },
    ]);
    const absent = parseNftRuleset(text("nft-ruleset").replace("dport @published", "dport @absent"));
    expect(forwardedPorts(absent)).toBe(`the ports a NAT rule forwards are not read: ${rule.replace("@published", "@absent")}`);
  });
});
