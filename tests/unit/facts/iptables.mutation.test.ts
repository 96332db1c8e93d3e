// Focused tests for the decisions of helpers/facts/parsers/iptables.ts that the behaviour tests
// (firewall.test.ts, input-path.test.ts) leave to chance: every INPUT rule of captured `iptables -S`
// and `ip6tables -S` listings (tests/fixtures/facts/firewall, written by capture-firewall.ts) as its
// effect on new inbound packets, compared whole.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseFirewall } from "../../../helpers/facts/parsers/firewall.js";
import { chainsReachedFrom, iptablesForwardedPorts, iptablesInputVerdict, iptablesRuleEffect, parseIptablesRules } from "../../../helpers/facts/parsers/iptables.js";
import { EVERY_PACKET } from "../../../helpers/facts/parsers/input-path.js";
import { FIXTURES, capturedFirewallInputs, fixtureText } from "./fixtures.js";

const inputRules = (fixture: string) => parseIptablesRules(fixtureText(`firewall/${fixture}`)).rules.get("INPUT") ?? [];
const effects = (fixture: string) => inputRules(fixture).map((rule) => iptablesRuleEffect(rule, new Set()));

const established = { ...EVERY_PACKET, harmless: true };
const loopback = { ...EVERY_PACKET, harmless: true };
const tcpPort = (port: number) => ({ ...EVERY_PACKET, protocol: "tcp", ports: [[port, port]] });

describe("iptables: INPUT rules as effects on new inbound packets", () => {
  it("iptables-services' ip6tables (CentOS 7 style): established and lo harmless, ICMPv6 read as icmp, NEW ports opened", () => {
    expect(effects("iptables-services/ip6tables").map((e) => (e.kind === "none" ? e.kind : [e.kind, e.when]))).toEqual([
      ["accept", established],
      ["accept", { ...EVERY_PACKET, protocol: "icmp" }],
      ["accept", loopback],
      ["accept", tcpPort(22)],
      ["accept", tcpPort(7080)],
      ["accept", tcpPort(7900)],
    ]);
  });

  it("CentOS 7's default: a final REJECT with icmp-host-prohibited answers with an ICMP error and limits nothing", () => {
    const all = effects("iptables-final-reject");
    expect(all.at(-1)).toEqual({ kind: "deny", when: EVERY_PACKET, rule: "-A INPUT -j REJECT --reject-with icmp-host-prohibited", answer: "icmp-error" });
    expect(all.slice(0, -1).map((e) => e.kind)).toEqual(["accept", "accept", "accept", "accept"]);
  });

  it("conntrack's --ctstate like state's --state; a port without -m tcp", () => {
    expect(effects("iptables-drop-policy").map((e) => (e.kind === "none" ? e.kind : [e.kind, e.when]))).toEqual([
      ["accept", loopback],
      ["accept", established],
      ["accept", tcpPort(22)],
      ["accept", tcpPort(9080)],
      ["accept", tcpPort(9443)],
    ]);
  });
});

describe("iptables: a hand-kept iptables-services host with user chains and Docker's nat rules (captured)", () => {
  const CASE = "iptables-services-chains-docker-nat";
  const captured = () => {
    const firewall = parseFirewall(capturedFirewallInputs(CASE));
    if (!firewall.ok) throw new Error(firewall.problem);
    return firewall.value;
  };

  it("INPUT denies by default; the openings are read through -j and -g into user chains, each with its source limit", () => {
    const firewall = captured();
    expect(firewall.defaultDenyInbound).toBe(true);
    expect(firewall.families.ipv4.denyAnswer).toBe("silence");
    expect(firewall.families.ipv4.openings.map((o) => [o.protocol, o.ports, o.sources, o.rule])).toEqual([
      ["icmp", "any", [], "-A INPUT -p icmp --icmp-type 8 -j ACCEPT"],
      ["tcp", [[2379, 2379]], ["10.0.0.0/8"], "-A API7_ADMIN -p tcp --dport 2379 -j ACCEPT"],
      ["tcp", [[9100, 9100]], ["192.168.0.0/16"], "-A API7_MGMT -s 192.168.0.0/16 -j ACCEPT"],
      ["any", "any", ["203.0.113.0/24"], "-A INPUT -s 203.0.113.0/24 -j ACCEPT"],
      ["tcp", [[22, 22]], [], "-A INPUT -p tcp -m state --state NEW -m tcp --dport 22 -j ACCEPT"],
      ["tcp", [[7080, 7080]], [], "-A INPUT -p tcp -m state --state NEW -m tcp --dport 7080 -j ACCEPT"],
      ["tcp", [[7900, 7900]], [], "-A INPUT -p tcp -m state --state NEW -m tcp --dport 7900 -j ACCEPT"],
    ]);
    // ip6tables was left as the lab set it: its own openings, none of the IPv4 chains'.
    expect(firewall.families.ipv6.defaultDenyInbound).toBe(true);
    expect(firewall.families.ipv6.openings.map((o) => o.ports)).toEqual(["any", [[22, 22]], [[7080, 7080]], [[7900, 7900]]]);
  });

  it("the rule forms read one by one: a negated source is an unread limit, -g a goto, the ICMP type read and dropped", () => {
    const rule = (start: string) => inputRules(`${CASE}/iptables`).find((r) => r.startsWith(start)) ?? "";
    const chains = new Set(["API7_ADMIN", "API7_MGMT"]);
    expect(iptablesRuleEffect(rule("-A INPUT ! -s"), chains)).toEqual({
      kind: "deny",
      answer: "silence",
      rule: "-A INPUT ! -s 10.0.0.0/8 -p tcp --dport 2379 -j DROP",
      when: { ...tcpPort(2379), unknown: ["! -s 10.0.0.0/8"] },
    });
    expect(iptablesRuleEffect(rule("-A INPUT -s 10.0.0.0/8"), chains)).toMatchObject({ kind: "jump", target: "API7_ADMIN", goto: false, when: { sources: ["10.0.0.0/8"] } });
    expect(iptablesRuleEffect(rule("-A INPUT -p tcp --dport 9100"), chains)).toMatchObject({ kind: "jump", target: "API7_MGMT", goto: true, when: tcpPort(9100) });
    // A jump to a chain the table does not declare is no jump.
    expect(iptablesRuleEffect(rule("-A INPUT -p tcp --dport 9100"), new Set())).toMatchObject({ kind: "none" });
    expect(iptablesRuleEffect(rule("-A INPUT -p icmp"), chains)).toMatchObject({ kind: "accept", when: { ...EVERY_PACKET, protocol: "icmp", unknown: [] } });
  });

  it("/etc/sysconfig/iptables naming the ICMP type (echo-request) matches the running rules, which print its number", () => {
    expect(readFileSync(join(FIXTURES, `firewall/${CASE}/iptables-persistent.txt`), "utf8")).toContain("--icmp-type echo-request");
    expect(captured().families.ipv4.persistentMatchesRuntime).toBe(true);
  });

  it("Docker's nat chain: PREROUTING (addrtype LOCAL) jumps to DOCKER; 8080 from outside docker0 is forwarded, 8081 from lo and docker0's RETURN are not", () => {
    const nat = fixtureText(`firewall/${CASE}/iptables-nat`);
    expect(chainsReachedFrom(parseIptablesRules(nat), "PREROUTING")).toEqual(["PREROUTING", "DOCKER"]);
    expect(iptablesForwardedPorts(nat, "iptables -t nat -S")).toEqual([
      { protocol: "tcp", ports: [8080, 8080], rule: "iptables -t nat -S: -A DOCKER ! -i docker0 -p tcp --dport 8080 -j DNAT --to-destination 172.17.0.2:80" },
    ]);
    expect(nat).toContain("-A DOCKER -i lo -p tcp -m tcp --dport 8081 -j DNAT");
    // As INPUT-path effects: the addrtype match is unread (a limit), docker0's RETURN limited to that bridge.
    const natRules = parseIptablesRules(nat).rules;
    const jump = natRules.get("PREROUTING")?.find((r) => r.endsWith("-j DOCKER")) ?? "";
    const bridgeReturn = natRules.get("DOCKER")?.find((r) => r.endsWith("-j RETURN")) ?? "";
    expect(iptablesRuleEffect(jump, new Set(["DOCKER"]))).toMatchObject({ kind: "jump", target: "DOCKER", when: { unknown: ["--dst-type", "LOCAL"] } });
    expect(iptablesRuleEffect(bridgeReturn, new Set(["DOCKER"]))).toEqual({ kind: "return", rule: "-A DOCKER -i docker0 -j RETURN", when: { ...EVERY_PACKET, iface: "docker0" } });
  });
});

describe("iptables: a hand-kept gateway's files with multiport rules and port forwarding (captured)", () => {
  const CASE = "iptables-services-multiport-port-forwarding";
  const captured = () => {
    const firewall = parseFirewall(capturedFirewallInputs(CASE));
    if (!firewall.ok) throw new Error(firewall.problem);
    return firewall.value;
  };

  it("IPv4: multiport and range openings, the user chain's opening once per jump into it, nothing from the rule without a target; the file typed with an indent, doubled spaces and tabs matches the running rules", () => {
    const { ipv4 } = captured().families;
    expect(ipv4.defaultDenyInbound).toBe(true);
    expect(ipv4.openings.map((o) => [o.protocol, o.ports, o.sources])).toEqual([
      ["icmp", "any", []],
      ["tcp", [[2379, 2379]], ["10.0.0.0/8"]],
      ["tcp", [[2379, 2379]], ["192.168.0.0/16"]],
      ["tcp", [[22, 22], [9080, 9080], [9443, 9443]], []],
      ["udp", [[30000, 30010]], []],
      ["tcp", [[7080, 7080]], []],
      ["tcp", [[7900, 7900]], []],
    ]);
    expect(ipv4.persistentMatchesRuntime).toBe(true);
    // Two jumps into API7_ADMIN: its rules are compared (and counted) once.
    expect(ipv4.detail).toMatch(/; \/etc\/sysconfig\/iptables has the same INPUT policy and 11 normalised rules \(INPUT, API7_ADMIN\)$/);
  });

  it("IPv6: each ICMPv6 type an ICMP opening with nothing left unread; the file's `-p icmpv6` is the running `-p ipv6-icmp -m icmp6`", () => {
    const icmp = { ...EVERY_PACKET, protocol: "icmp" };
    expect(effects(`${CASE}/ip6tables`).map((e) => (e.kind === "none" ? e.kind : [e.kind, e.when]))).toEqual([
      ["accept", established],
      ["accept", loopback],
      ["accept", icmp],
      ["accept", icmp],
      ["accept", icmp],
      ["accept", { ...EVERY_PACKET, protocol: "tcp", ports: [[22, 22], [9080, 9080], [9443, 9443]] }],
    ]);
    expect(readFileSync(join(FIXTURES, `firewall/${CASE}/ip6tables-persistent.txt`), "utf8")).toContain("-A INPUT -p icmpv6 --icmpv6-type 128 -j ACCEPT");
    expect(captured().families.ipv6).toMatchObject({ defaultDenyInbound: true, persistentMatchesRuntime: true });
  });

  it("nat: the DNATs and the REDIRECT on eth0 forward their ports, each once though two jumps reach their chain; not the REDIRECT on docker0, the RETURN, nor the SCTP port", () => {
    const nat = fixtureText(`firewall/${CASE}/iptables-nat`);
    expect(chainsReachedFrom(parseIptablesRules(nat), "PREROUTING")).toEqual(["PREROUTING", "API7_FWD"]);
    expect(iptablesForwardedPorts(nat, "iptables -t nat")?.map((f) => [f.protocol, f.ports, f.rule.replace(/ --to-\S+ \S+$/, "")])).toEqual([
      ["tcp", [80, 80], "iptables -t nat: -A PREROUTING -i eth0 -p tcp --dport 80 -j REDIRECT"],
      ["tcp", [53, 53], "iptables -t nat: -A API7_FWD -p tcp --dport 53 -j DNAT"],
      ["udp", [53, 53], "iptables -t nat: -A API7_FWD -p udp --dport 53 -j DNAT"],
      ["tcp", [8000, 8010], "iptables -t nat: -A API7_FWD -p tcp -m multiport --dports 8000:8010,8443 -j DNAT"],
      ["tcp", [8443, 8443], "iptables -t nat: -A API7_FWD -p tcp -m multiport --dports 8000:8010,8443 -j DNAT"],
      ["tcp", [8000, 8000], "iptables -t nat: -A API7_FWD -p tcp --dport 8000 -j DNAT"],
      ["tcp", [8005, 8010], "iptables -t nat: -A API7_FWD -p tcp --dport 8005:8010 -j DNAT"],
    ]);
    expect(nat).toContain("-A API7_FWD -s 10.1.0.0/16 -p tcp -m tcp --dport 8443 -j RETURN");
    expect(nat).toContain("-A PREROUTING -i docker0 -p udp -m udp --dport 53 -j REDIRECT");
    expect(nat).toContain("-A API7_FWD -p sctp -m sctp --dport 3868 -j DNAT");
  });
});

describe("iptables: listings no captured host printed", () => {
  it("a family denied wholesale (`ip6tables -P INPUT DROP`, no rule): denied by its policy, nothing open", () => {
    expect(iptablesInputVerdict(parseIptablesRules("-P INPUT DROP\n-P FORWARD ACCEPT\n-P OUTPUT ACCEPT\n"))).toEqual({ kind: "deny", how: "policy drop", answer: "silence", openings: [] });
    expect(iptablesInputVerdict(parseIptablesRules("-P INPUT ACCEPT\n-P FORWARD ACCEPT\n-P OUTPUT ACCEPT\n")).kind).toBe("no-deny");
  });

  it("a port that is not a number (iptables prints numbers; a name from elsewhere): an opening limited by what is unread, so INPUT still denies by its policy", () => {
    const verdict = iptablesInputVerdict(parseIptablesRules("-P INPUT DROP\n-A INPUT -p tcp -m tcp --dport ssh -j ACCEPT\n"));
    expect(verdict).toMatchObject({ kind: "deny", how: "policy drop", openings: [{ protocol: "tcp", ports: "any", rule: "-A INPUT -p tcp --dport ssh -j ACCEPT" }] });
  });
});
