// Focused tests for the decisions of helpers/facts/parsers/iptables.ts that the behaviour tests
// (firewall.test.ts, input-path.test.ts) leave to chance: every INPUT rule of captured `iptables -S`
// and `ip6tables -S` listings (tests/fixtures/facts/firewall, written by capture-firewall.ts) as its
// effect on new inbound packets, compared whole.
import { describe, expect, it } from "vitest";
import { iptablesRuleEffect, parseIptablesRules } from "../../../helpers/facts/parsers/iptables.js";
import { EVERY_PACKET } from "../../../helpers/facts/parsers/input-path.js";
import { fixtureText } from "./fixtures.js";

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
