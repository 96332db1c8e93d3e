// firewall-cmd output of a real CentOS 7 host, published elsewhere (firewall/el7, each case with a
// .source naming where): the zone parser reads what firewalld 0.6 prints, not only the lab's 1.3.
import { describe, expect, it } from "vitest";
import { parseFirewalldZones } from "../../../helpers/facts/parsers/firewalld.js";
import { PUBLISHED_SOURCE, fixtureSource, fixtureText } from "./fixtures.js";

const LIST_ALL = "firewall/el7/firewall-cmd-list-all-firewalld-0.6-centos-7.8";

describe("firewalld 0.6.3 (CentOS 7.8) from a public source", () => {
  it("names its source", () => expect(fixtureSource(LIST_ALL)).toMatch(PUBLISHED_SOURCE));

  it("firewall-cmd --list-all: one zone with its twelve fields; empty fields end in a space, rich rules in a line holding a tab", () => {
    const text = fixtureText(LIST_ALL);
    // As firewalld 0.6's print_zone_info writes it: the parser must skip the tab line, not fail on it.
    expect(text).toContain("  sources: \n");
    expect(text.endsWith("  rich rules: \n\t\n")).toBe(true);
    const zones = parseFirewalldZones(text);
    if (!zones.ok) throw new Error(zones.problem);
    expect(zones.value.map((zone) => [zone.zone, zone.target])).toEqual([["public", "default"]]);
    // firewalld 1.x adds "forward"; 0.6 has none, and its drift is compared only with its own permanent listing.
    expect(Object.fromEntries(zones.value[0]?.fields ?? [])).toEqual({
      target: "default",
      "icmp-block-inversion": "no",
      interfaces: "eth0 eth1",
      sources: "",
      services: "dhcpv6-client freeipa-ldap freeipa-ldaps ssh",
      ports: "",
      protocols: "",
      masquerade: "no",
      "forward-ports": "",
      "source-ports": "",
      "icmp-blocks": "",
      "rich rules": "",
    });
  });
});
