// The input path in first-match order (helpers/facts/parsers/input-path.ts, nftables.ts,
// iptables.ts): what each rule does to a new inbound packet, and where a chain's walk ends. Inputs
// are captured listings (tests/fixtures/facts/firewall); where a test needs another shape, it edits
// the captured text and says what a real host prints that way.
import { describe, expect, it } from "vitest";
import { acceptsEveryTcpConnection, describeOpening, openedPort, parsePortList, walkInputPath } from "../../../helpers/facts/parsers/input-path.js";
import { iptablesForwardedPorts, iptablesInputVerdict, iptablesRuleEffect, parseIptablesRules, parseIptablesSaveFilter } from "../../../helpers/facts/parsers/iptables.js";
import { nftForwardedPorts, nftInputVerdicts, nftRuleEffect, nftTopLevelProblem, parseNftRuleset } from "../../../helpers/facts/parsers/nftables.js";
import { fixtureText } from "./fixtures.js";

/** The ports the nft rules forward, or why they are not known. */
const forwardedPorts = (tables: ReturnType<typeof parseNftRuleset>) => {
  const ports = nftForwardedPorts(tables);
  return ports.ok ? ports.value : ports.problem;
};

const nft = (name: string) => fixtureText(`firewall/${name}`);
const verdictOf = (ruleset: string, family: "ipv4" | "ipv6" = "ipv4") => nftInputVerdicts(parseNftRuleset(ruleset), family).map((v) => v.verdict);

describe("nftables rules as effects on new inbound packets", () => {
  it.each([
    ["ct state established, related accept", { kind: "accept", harmless: true }],
    ["iif lo accept", { kind: "accept", harmless: true }],
    ["ct state invalid drop", { kind: "deny", harmless: true }],
    ["ct state new accept", { kind: "accept", harmless: false }],
    ["counter accept", { kind: "accept", harmless: false }],
    ["drop", { kind: "deny", harmless: false }],
  ] as const)("%s", (rule, expected) => {
    const effect = nftRuleEffect(rule, "ipv4");
    expect(effect.kind).toBe(expected.kind);
    expect(effect.kind !== "none" && effect.when.harmless).toBe(expected.harmless);
  });

  it("a port-limited accept is an opening of those ports", () => {
    const effect = nftRuleEffect("tcp dport { 22, 9080-9090 } accept", "ipv4");
    expect(effect).toMatchObject({ kind: "accept", when: { protocol: "tcp", ports: [[22, 22], [9080, 9090]] } });
  });

  it("a source limit of the other family does not apply", () => {
    expect(nftRuleEffect("ip6 saddr fd00::/8 accept", "ipv4")).toMatchObject({ when: { otherFamily: true } });
    expect(nftRuleEffect("ip saddr 10.0.0.0/24 accept", "ipv4")).toMatchObject({ when: { otherFamily: false, sources: ["10.0.0.0/24"] } });
  });

  it("what a reject answers: ICMP port-unreachable by default, a reset, or an ICMP prohibited", () => {
    expect(nftRuleEffect("reject", "ipv4")).toMatchObject({ kind: "deny", answer: "closed-port" });
    expect(nftRuleEffect("reject with tcp reset", "ipv4")).toMatchObject({ answer: "closed-port" });
    expect(nftRuleEffect("reject with icmpx admin-prohibited", "ipv4")).toMatchObject({ answer: "icmp-error" });
    expect(nftRuleEffect("drop", "ipv4")).toMatchObject({ answer: "silence" });
  });

  it("a verdict map and a rule without a verdict decide nothing here", () => {
    expect(nftRuleEffect("ct state vmap { established : accept, related : accept, invalid : drop }", "ipv4").kind).toBe("none");
    expect(nftRuleEffect("counter", "ipv4").kind).toBe("none");
  });
});

describe("nftables input chains walked in first-match order", () => {
  it("the captured default-drop chain: denied by policy, its accepts listed as openings", () => {
    const [verdict] = verdictOf(nft("nft-ruleset-default-drop"));
    expect(verdict).toMatchObject({ kind: "deny", how: "policy drop", answer: "silence" });
    expect(verdict!.openings.map((o) => o.rule)).toEqual(["ip protocol icmp accept", "meta l4proto ipv6-icmp accept", "tcp dport { 22, 9080, 9443 } accept"]);
  });

  it("an unconditional accept first: every packet is accepted before the policy is reached", () => {
    // The captured chain with `accept` as its first rule, as `nft insert rule inet api7lab input accept` leaves it.
    const acceptFirst = nft("nft-ruleset-default-drop").replace("ct state established,related accept", "accept\n\t\tct state established,related accept");
    expect(verdictOf(acceptFirst)).toEqual([{ kind: "accept-all", rule: "accept", openings: [] }]);
  });

  it("an accept for every TCP port, or on a network interface, accepts every new connection", () => {
    // The captured chain with the port list removed, then limited to eth0 instead.
    expect(verdictOf(nft("nft-ruleset-default-drop").replace("tcp dport { 22, 9080, 9443 } accept", "meta l4proto tcp accept"))[0]?.kind).toBe("accept-all");
    expect(verdictOf(nft("nft-ruleset-default-drop").replace("tcp dport { 22, 9080, 9443 } accept", 'iifname "eth0" accept'))[0]?.kind).toBe("accept-all");
  });

  it("an accept-all in a chain entered only from a source network is an opening from that network", () => {
    const jumped = nft("nft-ruleset-default-drop").replace("tcp dport { 22, 9080, 9443 } accept", "ip saddr 10.0.0.0/24 jump mgmt\n\t}\n\tchain mgmt {\n\t\taccept");
    const [verdict] = verdictOf(jumped);
    expect(verdict?.kind).toBe("deny");
    expect(verdict?.openings.at(-1)).toMatchObject({ ports: "any", sources: ["10.0.0.0/24"], rule: "accept" });
  });

  it("a final unconditional reject decides, whatever the policy; a return ends a jumped chain", () => {
    const rejecting = nft("nft-ruleset-default-drop").replace("policy drop;", "policy accept;").replace("tcp dport { 22, 9080, 9443 } accept", "jump allowed\n\t\treject with icmpx admin-prohibited\n\t}\n\tchain allowed {\n\t\ttcp dport 22 accept\n\t\treturn\n\t\taccept");
    expect(verdictOf(rejecting)[0]).toMatchObject({ kind: "deny", how: 'rule "reject with icmpx admin-prohibited"', answer: "icmp-error" });
  });

  it("no deny and policy accept: no default deny", () => expect(verdictOf(nft("nft-ruleset-accept-all"))[0]?.kind).toBe("no-deny"));

  it("text outside a table is not a ruleset", () => {
    expect(nftTopLevelProblem(nft("nft-ruleset-default-drop"))).toBeNull();
    expect(nftTopLevelProblem("<html>503</html>")).toMatch(/^not nft ruleset syntax/);
    expect(nftTopLevelProblem(nft("nft-ruleset-default-drop").slice(0, 80))).toBe("the ruleset ends inside a block");
  });
});

describe("iptables INPUT walked in first-match order", () => {
  it("CentOS 7's stock file: denied by its final REJECT (ICMP host-prohibited), ICMP and 22 open", () => {
    const saved = parseIptablesSaveFilter(fixtureText("firewall/iptables-persistent-centos7-default"))!;
    const verdict = iptablesInputVerdict(saved);
    expect(verdict).toMatchObject({ kind: "deny", how: 'rule "-A INPUT -j REJECT --reject-with icmp-host-prohibited"', answer: "icmp-error" });
    expect(verdict.openings.map(describeOpening)).toEqual(["icmp (-A INPUT -p icmp -j ACCEPT)", "tcp 22 (-A INPUT -p tcp -m state --state NEW -m tcp --dport 22 -j ACCEPT)"]);
  });

  it("-A INPUT -j ACCEPT before the final REJECT accepts everything", () => {
    // The captured listing with an accept-all inserted before the REJECT (`iptables -I INPUT 5 -j ACCEPT`).
    const listing = fixtureText("firewall/iptables-final-reject").replace("-A INPUT -j REJECT", "-A INPUT -j ACCEPT\n-A INPUT -j REJECT");
    expect(iptablesInputVerdict(parseIptablesRules(listing))).toEqual({ kind: "accept-all", rule: "-A INPUT -j ACCEPT", openings: expect.any(Array) });
  });

  it("a plain REJECT answers ICMP port-unreachable: from the runner it reads as a closed port", () => {
    const listing = fixtureText("firewall/iptables-final-reject").replace(" --reject-with icmp-host-prohibited\n-A FORWARD", "\n-A FORWARD");
    expect(iptablesInputVerdict(parseIptablesRules(listing))).toMatchObject({ kind: "deny", answer: "closed-port" });
  });

  it("negations and unknown matches make a limited opening, never everything", () => {
    const effect = iptablesRuleEffect('-A INPUT ! -s 10.0.0.0/8 -m comment --comment "not from the lan" -j ACCEPT', new Set());
    expect(effect.kind === "accept" && acceptsEveryTcpConnection(effect.when)).toBe(false);
  });

  it("a user chain jumped to unconditionally is walked in place", () => {
    const listing = "-P INPUT DROP\n-N LAB\n-A INPUT -j LAB\n-A LAB -p tcp -m tcp --dport 22 -j ACCEPT\n-A LAB -j ACCEPT\n";
    expect(iptablesInputVerdict(parseIptablesRules(listing))).toMatchObject({ kind: "accept-all", rule: "-A LAB -j ACCEPT" });
  });
});

describe("openings", () => {
  it("port lists and ranges", () => {
    expect(parsePortList("22,9080:9090")).toEqual([[22, 22], [9080, 9090]]);
    expect(parsePortList("ssh")).toBeNull();
  });

  it("a port inside a ranged opening of its protocol, or of any protocol", () => {
    const openings = [{ protocol: "tcp", ports: [[30000, 32767]] as Array<[number, number]>, sources: [], iface: null, rule: "r" }];
    expect(openedPort(openings, "tcp", 30001)?.rule).toBe("r");
    expect(openedPort(openings, "udp", 30001)).toBeNull();
    expect(openedPort(openings, "tcp", 29999)).toBeNull();
  });
});

describe("ports the host forwards", () => {
  it("Docker's DNAT in its DOCKER chain, reached from PREROUTING", () => {
    // The shape `iptables -t nat -S` prints for `docker run -p 8888:80` with the userland proxy off.
    const listing = "-P PREROUTING ACCEPT\n-P OUTPUT ACCEPT\n-N DOCKER\n-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER\n-A DOCKER -i docker0 -j RETURN\n-A DOCKER ! -i docker0 -p tcp -m tcp --dport 8888 -j DNAT --to-destination 172.17.0.2:80\n";
    expect(iptablesForwardedPorts(listing, "iptables -t nat")).toEqual([
      { protocol: "tcp", ports: [8888, 8888], rule: "iptables -t nat: -A DOCKER ! -i docker0 -p tcp --dport 8888 -j DNAT --to-destination 172.17.0.2:80" },
    ]);
  });

  it("Docker's own DNS redirection on the output path is not a forwarded port", () => {
    // The captured nftables host: Docker's embedded DNS rules sit in OUTPUT, not PREROUTING.
    expect(forwardedPorts(parseNftRuleset(fixtureText("firewall/nftables/nft-ruleset")))).toEqual([]);
  });

  it("a prerouting redirect is", () => {
    const ruleset = "table ip lab_nat {\n\tchain prerouting {\n\t\ttype nat hook prerouting priority dstnat; policy accept;\n\t\ttcp dport 8888 redirect to :9080\n\t}\n}\n";
    expect(forwardedPorts(parseNftRuleset(ruleset))).toEqual([{ protocol: "tcp", ports: [8888, 8888], rule: "nft table ip lab_nat chain prerouting: tcp dport 8888 redirect to :9080" }]);
  });
});

it("walkInputPath: an unknown base chain has the default policy accept", () => expect(walkInputPath("nope", new Map()).kind).toBe("no-deny"));
