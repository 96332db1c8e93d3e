// Focused tests for the decisions of helpers/facts/parsers/listeners.ts and firewall.ts that the
// behaviour tests (listeners.test.ts, firewall.test.ts) leave to chance. Inputs are the captured
// outputs in tests/fixtures/facts; where a test needs a variant, it edits the captured text and the
// comment says what was changed and why a real host prints that.
import { describe, expect, it } from "vitest";
import { type FirewallInputs, parseFirewall, parseIpv6Disabled } from "../../../helpers/facts/parsers/firewall.js";
import { firewalldDifferences, parseDefaultZone, parseFirewalldZones, parseInterfaceNames, parseZoneBindings } from "../../../helpers/facts/parsers/firewalld.js";
import { normaliseIptablesRule, parseIptablesRules, parseIptablesSaveFilter } from "../../../helpers/facts/parsers/iptables.js";
import { parseGlobalIpv6Addresses, parseListeners, splitLocalAddress } from "../../../helpers/facts/parsers/listeners.js";
import { normaliseNftRule, nftInputVerdicts, parseNftRuleset } from "../../../helpers/facts/parsers/nftables.js";
import type { FirewallFacts } from "../../../helpers/facts/types.js";
import type { CommandOutput } from "../../../helpers/model.js";
import { capturedFirewallInputs, fixture, fixtureText } from "./fixtures.js";

const ok = <T>(result: { ok: true; value: T } | { ok: false; problem: string }): T => {
  if (!result.ok) throw new Error(result.problem);
  return result.value;
};

describe("listeners: ss local addresses", () => {
  it("the peer column's wildcard port is not a listening address", () => {
    // Peer columns of listeners/ss-mixed-netns.
    expect(splitLocalAddress("0.0.0.0:*")).toBeNull();
    expect(splitLocalAddress("[::]:*")).toBeNull();
  });

  it("a port ss printed by name (ss without -n) is not read as a number", () => {
    // ss -tl without -n resolves ports through /etc/services: "[::1]:postgresql".
    expect(splitLocalAddress("[::1]:postgresql")).toBeNull();
    expect(splitLocalAddress("0.0.0.0:ssh")).toBeNull();
    const named = fixtureText("listeners/ss-mixed-netns").replace("[::1]:5432", "[::1]:postgresql");
    expect(parseListeners(named)).toEqual({ ok: false, problem: "unreadable local address: [::1]:postgresql" });
  });

  it("brackets go, the %interface scope of a link-local address stays", () => {
    expect(splitLocalAddress("[::]:9443")).toEqual({ address: "::", port: 9443 });
    expect(splitLocalAddress("127.0.0.53%lo:53")).toEqual({ address: "127.0.0.53%lo", port: 53 });
    // A listener on a link-local address: ss prints it bracketed with its scope after the bracket.
    expect(splitLocalAddress("[fe80::1]%eth0:80")).toEqual({ address: "fe80::1%eth0", port: 80 });
    const linkLocal = fixtureText("listeners/ss-mixed-netns").replace("[::1]:5432", "[fe80::1]%eth0:5432");
    expect(ok(parseListeners(linkLocal))).toContainEqual({ protocol: "tcp", address: "fe80::1%eth0", port: 5432, process: "python3" });
  });
});

describe("listeners: ss lines", () => {
  it("the header of `ss -tulnp` (with the Netid column) is skipped like the one of `ss -tlnp`", () => {
    // listeners/ss-with-header-netns, its header as ss prints it with the Netid column (-u).
    const captured = fixtureText("listeners/ss-with-header-netns");
    const withNetid = captured.replace(/^State /, "Netid State ");
    expect(withNetid).not.toBe(captured);
    expect(parseListeners(withNetid)).toEqual(parseListeners(fixtureText("listeners/ss-mixed-netns")));
  });

  it("blank lines and lines of spaces are skipped", () => {
    // The captured output with a padding-only line, as ss pads its header (ss-with-header-netns).
    const padded = fixtureText("listeners/ss-mixed-netns").replace("\n", "\n      \n");
    expect(parseListeners(padded)).toEqual(parseListeners(fixtureText("listeners/ss-mixed-netns")));
    expect(parseListeners("")).toEqual({ ok: true, value: [] });
  });

  it("the Netid column is not the state: TCP and UDP lines read alike", () => {
    const listeners = ok(parseListeners(fixtureText("listeners/firewalld-stock")));
    expect(listeners).toEqual([
      { protocol: "udp", address: "127.0.0.11", port: 55977, process: null },
      { protocol: "tcp", address: "0.0.0.0", port: 9443, process: "nginx" },
      { protocol: "tcp", address: "0.0.0.0", port: 9080, process: "nginx" },
      { protocol: "tcp", address: "127.0.0.11", port: 33131, process: null },
      { protocol: "tcp", address: "0.0.0.0", port: 22, process: "sshd" },
      { protocol: "tcp", address: "::", port: 22, process: "sshd" },
    ]);
  });

  it("a line cut short before its peer column is unreadable, not a listener", () => {
    // The first line of listeners/ss-mixed-netns cut after the local address's column (its padding kept).
    const cut = "LISTEN 0      8            0.0.0.0:22   \n";
    expect(parseListeners(cut).ok).toBe(false);
  });
});

describe("global IPv6 addresses (ip -6 -o addr show scope global)", () => {
  const captured = (host: string) => fixtureText(`firewall/${host}/ipv6-addresses`);

  it("the captured lab host's address, without prefix length", () =>
    expect(parseGlobalIpv6Addresses(captured("nftables"))).toEqual({ ok: true, value: ["fd7a:4676:116b:1::e"] }));

  it("one address per line, blank lines skipped", () => {
    // Two hosts' captured lines as one host with two global addresses would print them.
    const two = `${captured("nftables")}\n${captured("no-firewall")}`;
    expect(parseGlobalIpv6Addresses(two)).toEqual({ ok: true, value: ["fd7a:4676:116b:1::e", "fd7a:4676:116b:1::d"] });
    expect(parseGlobalIpv6Addresses("")).toEqual({ ok: true, value: [] });
    expect(parseGlobalIpv6Addresses(" \n")).toEqual({ ok: true, value: [] });
  });

  it.each(["tentative", "dadfailed", "deprecated"])("an address flagged %s cannot be reached and is left out", (flag) => {
    // The captured line with the kernel's flag where "nodad" is.
    const flagged = captured("nftables").replace("nodad", flag);
    expect(flagged).toContain(flag);
    expect(parseGlobalIpv6Addresses(`${flagged}${captured("no-firewall")}`)).toEqual({ ok: true, value: ["fd7a:4676:116b:1::d"] });
  });

  it("a line that is not an inet6 address line is a problem", () => {
    expect(parseGlobalIpv6Addresses("Device \"eth0\" does not exist.\n").ok).toBe(false);
    // ip without -o: the address line is indented and has no index.
    const unindexed = captured("nftables").replace(/^\d+: eth0\s+/, "    ");
    expect(parseGlobalIpv6Addresses(unindexed).ok).toBe(false);
  });
});


// ---------------------------------------------------------------------------------------------
// Firewall

/** Every firewall section of one captured lab host. */
const captured = capturedFirewallInputs;
const text = (caseName: string, section: string) => fixtureText(`firewall/${caseName}/${section}`);
/** A captured section with its stdout edited. */
const edited = (caseName: string, section: string, edit: (stdout: string) => string): CommandOutput => {
  const output = fixture(`firewall/${caseName}/${section}`, section);
  const stdout = edit(output.stdout);
  if (stdout === output.stdout) throw new Error(`the edit left ${caseName}/${section} unchanged`);
  return { ...output, stdout };
};
const facts = (inputs: FirewallInputs): FirewallFacts => ok(parseFirewall(inputs));
const zones = (listing: string) => ok(parseFirewalldZones(listing));
/** One zone of a --list-all-zones listing. */
const zone = (listing: string, name = "public") => {
  const found = zones(listing).find((z) => z.zone === name);
  if (!found) throw new Error(`no zone ${name}`);
  return found;
};
/** A --list-all-zones listing with one zone's block edited, the other zones as captured. */
const editZone = (listing: string, name: string, edit: (block: string) => string): string => {
  const result = listing
    .split(/^(?=\S)/m)
    .map((block) => (block.split(/[ \n]/, 1)[0] === name ? edit(block) : block))
    .join("");
  if (result === listing) throw new Error(`the edit left zone ${name} unchanged`);
  return result;
};
/** The runtime listing of a captured firewalld host with zones edited (runtime only: permanent stays captured). */
const withRuntime = (caseName: string, edit: (listing: string) => string): FirewallInputs => ({ ...captured(caseName), firewalldRuntime: edited(caseName, "firewalld-runtime", edit) });
const publicZone = (firewall: FirewallFacts) => firewall.firewalld?.zones.find((z) => z.zone === "public");

describe("firewalld --list-all-zones", () => {
  it("every field of the captured active zone, its header without the (active) mark", () => {
    const runtime = zone(text("firewalld-stock", "firewalld-runtime"));
    expect(runtime.zone).toBe("public");
    expect(runtime.target).toBe("default");
    expect(Object.fromEntries(runtime.fields)).toEqual({
      target: "default",
      "icmp-block-inversion": "no",
      interfaces: "eth0",
      sources: "",
      services: "dhcpv6-client ssh",
      ports: "9080/tcp 9443/tcp",
      protocols: "",
      forward: "yes",
      masquerade: "no",
      "forward-ports": "",
      "source-ports": "",
      "icmp-blocks": "",
      "rich rules": "",
    });
    // Each zone keeps its own fields: the next zone's target is not public's.
    expect(zone(text("firewalld-stock", "firewalld-runtime"), "trusted").target).toBe("ACCEPT");
  });

  it("headers with firewalld's markers: (active), and older releases' (default, active)", () => {
    const older = text("firewalld-stock", "firewalld-runtime").replace("public (active)\n", "public (default, active)\n");
    expect(zones(older)).toEqual(zones(text("firewalld-stock", "firewalld-runtime")));
  });

  it("a line at the left margin that is not a zone name is refused, not read as a zone", () => {
    // The captured listing behind the hint's second line, then a zone name followed by words.
    const hinted = `but your connections/interfaces are in zone 'trusted' (see --get-active-zones)\n${text("firewalld-stock", "firewalld-runtime")}`;
    expect(parseFirewalldZones(hinted)).toEqual({ ok: false, problem: `not a zone header: ${JSON.stringify("but your connections/interfaces are in zone 'trusted' (see --get-active-zones)")}` });
    expect(parseFirewalldZones(text("firewalld-stock", "firewalld-runtime").replace("public (active)\n", "public zone (active)\n")).ok).toBe(false);
    expect(parseFirewalldZones(text("firewalld-stock", "firewalld-runtime").replace("public (active)\n", "public (Active)\n")).ok).toBe(false);
  });

  it("rich rules continue on their own lines, and compare line by line in any order", () => {
    // The captured listings with two rich rules in zone public, as firewall-cmd prints them (one per line under "rich rules:").
    const rules = ['rule family="ipv4" source address="10.0.0.0/8" accept', 'rule family="ipv4" source address="192.168.0.0/16" port port="2379" protocol="tcp" accept'];
    const withRules = (listing: string, lines: string[]) => editZone(listing, "public", (b) => b.replace(/  rich rules: \n/, `  rich rules: \n${lines.map((r) => `\t${r}\n`).join("")}`));
    const runtime = zone(withRules(text("firewalld-stock", "firewalld-runtime"), rules));
    expect(runtime.fields.get("rich rules")).toBe(rules.join("\n"));
    const permanent = zone(withRules(text("firewalld-stock", "firewalld-permanent"), [...rules].reverse()));
    expect(firewalldDifferences(runtime, permanent)).toEqual([]);
    const one = zone(withRules(text("firewalld-stock", "firewalld-permanent"), [rules[0]!]));
    expect(firewalldDifferences(runtime, one)).toEqual(["rich rules"]);
  });

  it("blank lines and lines of spaces are not rows", () => {
    // The captured listing after a blank line, with a line of spaces among public's fields.
    const spaced = `\n${editZone(text("firewalld-stock", "firewalld-runtime"), "public", (b) => b.replace("  forward: yes\n", "  forward: yes\n   \n"))}`;
    expect(zones(spaced)).toEqual(zones(text("firewalld-stock", "firewalld-runtime")));
  });

  it("a rich rule whose log prefix holds a colon is a rule, not a field", () => {
    // The captured listing with a logging rich rule (its prefix "lab 1: " looks like a "key: value" row).
    const rule = 'rule family="ipv4" source address="10.0.0.0/8" log prefix="lab 1: " level="info" accept';
    const listing = zone(editZone(text("firewalld-stock", "firewalld-runtime"), "public", (b) => b.replace(/  rich rules: \n/, `  rich rules: \n\t${rule}\n`)));
    expect(listing.fields.get("rich rules")).toBe(rule);
    expect([...listing.fields.keys()]).not.toContain("1");
  });

  it("rich rules compare as whole lines: the same words in other rules differ", () => {
    // The captured listings with two rich rules, their actions swapped in the permanent one.
    const rule = (address: string, action: string) => `rule family="ipv4" source address="${address}" ${action}`;
    const withRules = (listing: string, rules: string[]) => editZone(listing, "public", (b) => b.replace(/  rich rules: \n/, `  rich rules: \n${rules.map((r) => `\t${r}\n`).join("")}`));
    const runtime = zone(withRules(text("firewalld-stock", "firewalld-runtime"), [rule("10.0.0.0/8", "accept"), rule("192.168.0.0/16", "drop")]));
    const permanent = zone(withRules(text("firewalld-stock", "firewalld-permanent"), [rule("10.0.0.0/8", "drop"), rule("192.168.0.0/16", "accept")]));
    expect(firewalldDifferences(runtime, permanent)).toEqual(["rich rules"]);
  });

  it("no target line: the default target", () => {
    // The captured listing without zone trusted's target line.
    expect(zone(editZone(text("firewalld-stock", "firewalld-runtime"), "trusted", (b) => b.replace(/  target: ACCEPT\n/, "")), "trusted").target).toBe("default");
  });

  it("fields before any zone, or nothing at all: not a listing", () => {
    // The captured listing without its first header: block's fields come first.
    expect(parseFirewalldZones(text("firewalld-stock", "firewalld-runtime").replace(/^block\n/, ""))).toEqual({ ok: false, problem: 'a zone field before any zone: "  target: %%REJECT%%"' });
    expect(parseFirewalldZones("")).toEqual({ ok: false, problem: "no zone in the firewall-cmd --list-all-zones output" });
    expect(parseFirewalldZones("\n \n").ok).toBe(false);
  });

  it("the zone itself and a field only one side has are differences; an empty field equals an absent one", () => {
    const runtime = zone(text("firewalld-stock", "firewalld-runtime"));
    const permanent = text("firewalld-stock", "firewalld-permanent");
    // The captured permanent public zone under another name, then without its "forward: yes" line, then without its empty "sources:" line.
    expect(firewalldDifferences(runtime, { ...zone(permanent), zone: "internal" })).toEqual(["zone"]);
    const noForward = zone(editZone(permanent, "public", (b) => b.replace("  forward: yes\n", "")));
    expect(firewalldDifferences(runtime, noForward)).toEqual(["forward"]);
    expect(firewalldDifferences(noForward, runtime)).toEqual(["forward"]);
    expect(firewalldDifferences(runtime, zone(editZone(permanent, "public", (b) => b.replace("  sources: \n", ""))))).toEqual([]);
    // Word lists compare as sets: the services in another order.
    expect(firewalldDifferences(runtime, zone(editZone(permanent, "public", (b) => b.replace("dhcpv6-client ssh", "ssh  dhcpv6-client"))))).toEqual([]);
  });
});

describe("firewalld: the default zone and the interfaces", () => {
  it("the default zone as busctl reads it (captured) and as firewall-cmd --get-default-zone prints it", () => {
    expect(text("firewalld-stock", "firewalld-default-zone")).toBe('s "public"\n');
    expect(parseDefaultZone(text("firewalld-stock", "firewalld-default-zone"))).toEqual({ ok: true, value: "public" });
    expect(parseDefaultZone("public\n")).toEqual({ ok: true, value: "public" });
    expect(parseDefaultZone("")).toEqual({ ok: false, problem: 'no zone name: ""' });
    expect(parseDefaultZone("Error: INVALID_ZONE").ok).toBe(false);
  });

  it("ip -o link show: the interface names, a veth's peer suffix dropped", () => {
    expect(parseInterfaceNames(text("firewalld-stock", "network-interfaces"))).toEqual({ ok: true, value: ["lo", "eth0"] });
    // The captured compliant nftables host, with the DHCP client's veth pair.
    expect(parseInterfaceNames(text("nftables", "network-interfaces"))).toEqual({ ok: true, value: ["lo", "dhcp0-peer", "dhcp0", "eth0"] });
  });

  it("ip link output that is not one interface a line is a problem", () => {
    expect(parseInterfaceNames("")).toEqual({ ok: false, problem: "ip link listed no interface" });
    // The captured lines behind a word: garbage evidence never parses.
    expect(parseInterfaceNames(`noise ${text("firewalld-stock", "network-interfaces")}`).ok).toBe(false);
    // ip without -o: the link/ether line stands on its own, indented.
    expect(parseInterfaceNames(text("firewalld-stock", "network-interfaces").replace(/\\\s+link\/ether/, "\n    link/ether"))).toEqual({
      ok: false,
      problem: 'unreadable ip link line: "    link/ether 02:42:c0:a8:50:03 brd ff:ff:ff:ff:ff:ff link-netnsid 0"',
    });
  });

  it("the default zone unreadable, or the interface list: not judged", () => {
    expect(parseFirewall({ ...captured("firewalld-stock"), firewalldDefaultZone: edited("firewalld-stock", "firewalld-default-zone", () => "Error: NOT_RUNNING\n") })).toEqual({
      ok: false,
      problem: 'firewalld is running but its zones could not be read (firewalld default zone: no zone name: "Error: NOT_RUNNING\\n")',
    });
    expect(parseFirewall({ ...captured("firewalld-stock"), networkInterfaces: edited("firewalld-stock", "network-interfaces", () => "") }).ok).toBe(false);
    const { networkInterfaces: _dropped, ...inputs } = captured("firewalld-stock");
    expect(parseFirewall(inputs)).toEqual({ ok: false, problem: "firewalld is running but its zones could not be read (ip -o link show: section missing from the collection output)" });
  });

  it("lo bound to no zone is no reason to judge the default zone", () => {
    // The captured host with the default zone trusted: lo is unbound, eth0 in public.
    const firewall = facts({ ...captured("firewalld-stock"), firewalldDefaultZone: edited("firewalld-stock", "firewalld-default-zone", (t) => t.replace("public", "trusted")) });
    expect(firewall.firewalld?.zones.map((z) => z.zone)).toEqual(["public"]);
    expect(firewall.defaultDenyInbound).toBe(true);
  });
});

describe("firewalld: which zones decide", () => {
  // The captured stock host (eth0 in public) with one zone's bindings edited at runtime.
  const stock = (name: string, edit: (block: string) => string) => withRuntime("firewalld-stock", (l) => editZone(l, name, edit));

  it("a source bound to an ACCEPT zone is an opening from that source, not a host that accepts everything", () => {
    const firewall = facts(stock("trusted", (b) => b.replace("  sources: \n", "  sources: 10.0.0.0/24 192.168.7.0/24\n")));
    expect(firewall).toMatchObject({ defaultDenyInbound: true, families: { ipv4: { defaultDenyInbound: true, denyAnswer: "icmp-error" }, ipv6: { defaultDenyInbound: true } } });
    expect(firewall.firewalld?.zones.map((z) => [z.zone, z.sources])).toEqual([["public", []], ["trusted", ["10.0.0.0/24", "192.168.7.0/24"]]]);
    expect(firewall.families.ipv4.openings.at(-1)).toEqual({ protocol: "any", ports: "any", sources: ["10.0.0.0/24", "192.168.7.0/24"], iface: null, rule: "zone trusted target ACCEPT" });
    expect(firewall.detail).toContain("zone trusted target ACCEPT: source 10.0.0.0/24, source 192.168.7.0/24");
    // The same zone's services and ports are openings from its sources only.
    const withService = facts(stock("trusted", (b) => b.replace("  sources: \n", "  sources: 10.0.0.0/24\n").replace("  services: \n", "  services: ssh\n")));
    expect(withService.families.ipv4.openings).toContainEqual({ protocol: "any", ports: "unknown", sources: ["10.0.0.0/24"], iface: null, rule: "zone trusted service ssh" });
  });

  it("an interface's zone opens to every source, even when the zone also has sources bound", () => {
    const firewall = facts(stock("public", (b) => b.replace("  sources: \n", "  sources: 10.0.0.0/24\n")));
    expect(firewall.families.ipv4.openings.find((o) => o.rule === "zone public 9080/tcp")).toEqual({ protocol: "tcp", ports: [[9080, 9080]], sources: [], iface: null, rule: "zone public 9080/tcp" });
    // The same for the default zone taking an unbound interface (eth0 in no zone).
    const unbound = facts(stock("public", (b) => b.replace("  sources: \n", "  sources: 10.0.0.0/24\n").replace("interfaces: eth0", "interfaces: ")));
    expect(unbound.families.ipv4.openings.find((o) => o.rule === "zone public 9080/tcp")?.sources).toEqual([]);
    // A source bound to a rejecting zone opens nothing.
    const blocked = facts(stock("block", (b) => b.replace("  sources: \n", "  sources: 10.0.0.0/24\n")));
    expect(blocked.families.ipv4.openings.filter((o) => o.rule.startsWith("zone block"))).toEqual([]);
  });

  it.each(["docker0", "br-3f2a9c0d1e4b", "vethab12cd3"])("Docker's bridge %s in an ACCEPT zone is not network-facing", (bridge) => {
    // Docker binds its bridges to firewalld's zone "docker" (target ACCEPT): the captured trusted zone in that role.
    const firewall = facts(stock("trusted", (b) => b.replace("  interfaces: \n", `  interfaces: ${bridge}\n`)));
    expect(firewall).toMatchObject({ defaultDenyInbound: true, families: { ipv4: { defaultDenyInbound: true }, ipv6: { defaultDenyInbound: true } } });
    expect(firewall.firewalld?.zones.map((z) => [z.zone, z.interfaces])).toEqual([["public", ["eth0"]], ["trusted", [bridge]]]);
    // Nor is it an opening: no source of the network reaches the host through it.
    expect(firewall.families.ipv4.openings.filter((o) => o.rule.startsWith("zone trusted"))).toEqual([]);
  });

  it("a second network interface in the ACCEPT zone is network-facing: the host accepts everything there", () => {
    // Among Docker's bridges, lo and a second NIC: only the NIC is named.
    const firewall = facts(stock("trusted", (b) => b.replace("  interfaces: \n", "  interfaces: docker0 lo eth1\n")));
    expect(firewall).toMatchObject({ defaultDenyInbound: false, families: { ipv4: { defaultDenyInbound: false, openings: [], denyAnswer: null } } });
    expect(firewall.detail).toContain("zone trusted target ACCEPT, bound to eth1 accepts every new connection");
    // A bridge-like name that is not Docker's is a network interface too.
    expect(facts(stock("trusted", (b) => b.replace("  interfaces: \n", "  interfaces: br-lan\n"))).defaultDenyInbound).toBe(false);
  });

  it("the first zone that accepts everything is named; the others still listed", () => {
    const both = withRuntime("firewalld-stock", (l) => editZone(editZone(l, "public", (b) => b.replace("target: default", "target: ACCEPT")), "trusted", (b) => b.replace("  interfaces: \n", "  interfaces: eth1\n")));
    const firewall = facts(both);
    expect(firewall.detail).toContain("; zone public target ACCEPT, bound to eth0 accepts every new connection;");
    expect(firewall.detail).toContain("zone trusted target ACCEPT: eth1 (");
  });

  it("a zone that accepts protocol tcp accepts every TCP connection", () => {
    const firewall = facts(stock("public", (b) => b.replace("  protocols: \n", "  protocols: tcp\n")));
    expect(firewall).toMatchObject({ defaultDenyInbound: false, detail: expect.stringContaining("zone public accepts protocol tcp, bound to eth0 accepts every new connection") });
    // Another protocol is an opening for it.
    const gre = facts(stock("public", (b) => b.replace("  protocols: \n", "  protocols: gre\n")));
    expect(gre.defaultDenyInbound).toBe(true);
    expect(gre.families.ipv4.openings).toContainEqual({ protocol: "gre", ports: "any", sources: [], iface: null, rule: "zone public protocol gre" });
  });

  it("rich rules: an unlimited accept accepts everything for its family; limited ones are openings", () => {
    const rich = (rules: string[]) => facts(stock("public", (b) => b.replace(/  rich rules: \n/, `  rich rules: \n${rules.map((r) => `\t${r}\n`).join("")}`)));
    const ipv6Only = rich(['rule family="ipv6" accept']);
    expect(ipv6Only.families).toMatchObject({ ipv4: { defaultDenyInbound: true }, ipv6: { defaultDenyInbound: false } });
    expect(ipv6Only.families.ipv6.detail).toContain('zone public rich rule "rule family="ipv6" accept", bound to eth0 accepts every new connection');
    expect(rich(["rule accept"]).families).toMatchObject({ ipv4: { defaultDenyInbound: false }, ipv6: { defaultDenyInbound: false } });
    const limited = rich(['rule family="ipv4" source address="10.0.0.0/8" accept', 'rule family="ipv4" port port="2379-2380" protocol="tcp" accept', 'rule family="ipv4" source NOT address="10.0.0.0/8" accept', 'rule family="ipv4" drop']);
    expect(limited.defaultDenyInbound).toBe(true);
    expect(limited.families.ipv4.openings.slice(-3).map((o) => [o.protocol, o.ports, o.sources])).toEqual([
      ["any", "any", ["10.0.0.0/8"]],
      ["tcp", [[2379, 2380]], []],
      ["any", "unknown", []],
    ]);
    expect(limited.families.ipv6.openings.some((o) => o.rule.includes("rich rule"))).toBe(false);
    // A rule that only logs accepts nothing.
    const logging = rich(['rule family="ipv4" source address="10.0.0.0/8" log prefix="seen: " level="info"']);
    expect(logging.families.ipv4.openings.some((o) => o.rule.includes("rich rule"))).toBe(false);
  });

  it("forward ports are openings of their port", () => {
    const firewall = facts(stock("public", (b) => b.replace("  forward-ports: \n", "  forward-ports: \n\tport=8080:proto=tcp:toport=80:toaddr=\n")));
    expect(firewall.families.ipv4.openings).toContainEqual({ protocol: "tcp", ports: [[8080, 8080]], sources: [], iface: null, rule: "zone public port=8080:proto=tcp:toport=80:toaddr=" });
  });

  it("a DROP zone answers with silence only when every judged zone drops", () => {
    const dropping = (l: string) => editZone(l, "public", (b) => b.replace("target: default", "target: DROP"));
    expect(facts(withRuntime("firewalld-stock", dropping)).families.ipv4.denyAnswer).toBe("silence");
    // block (%%REJECT%%) judged too, for a source bound to it.
    const mixed = withRuntime("firewalld-stock", (l) => editZone(dropping(l), "block", (b) => b.replace("  sources: \n", "  sources: 10.0.0.0/24\n")));
    expect(facts(mixed).families.ipv4.denyAnswer).toBe("icmp-error");
  });

  it("a judged zone missing from the permanent configuration is drift", () => {
    // eth0 bound at runtime to the zone "lab", created with --new-zone but never --permanent: the captured public zone renamed.
    const inputs = withRuntime("firewalld-stock", (l) => l.replace("public (active)\n", "lab (active)\n"));
    const firewall = facts(inputs);
    expect(firewall).toMatchObject({ persistentMatchesRuntime: false, firewalld: { zones: [{ zone: "lab", drift: ["zone (not in the permanent configuration)"] }] } });
    expect(firewall.detail).toContain("runtime and permanent differ in: zone lab: zone (not in the permanent configuration)");
  });
});

describe("firewalld: interface bindings", () => {
  const withBindings = (stdout: string): FirewallInputs => ({ ...captured("firewalld-stock"), zoneBindings: { ...fixture("firewall/firewalld-stock-ifcfg-zone/zone-bindings", "zone-bindings"), stdout } });

  it("a NetworkManager connection and an ifcfg file naming the same zone: both sources, no drift", () => {
    // The captured ifcfg line of cp1, with the NetworkManager line a host running both prints.
    const both = `nm eth0 public\n${text("firewalld-stock-ifcfg-zone", "zone-bindings")}`;
    const firewall = facts(withBindings(both));
    expect(publicZone(firewall)?.bindings).toEqual([{ interface: "eth0", zone: "public", source: "NetworkManager connection zone public, ifcfg-eth0 ZONE=public" }]);
    expect(firewall.persistentMatchesRuntime).toBe(true);
  });

  it("a connection without a zone is the default zone at boot: no drift where the runtime zone is the default one", () => {
    const firewall = facts(withBindings("nm eth0 \n"));
    expect(publicZone(firewall)).toMatchObject({ drift: [], bindings: [{ interface: "eth0", source: "NetworkManager connection without a zone (the default zone)" }] });
  });

  it("the bindings read, none for this interface: the default zone at boot", () => {
    // The captured ifcfg line for another interface.
    const firewall = facts(withBindings(text("firewalld-stock-ifcfg-zone", "zone-bindings").replaceAll("eth0", "eth1")));
    expect(publicZone(firewall)?.bindings).toEqual([{ interface: "eth0", zone: "public", source: "no NetworkManager connection or ifcfg file names it (the default zone at boot)" }]);
  });

  it("the boot-time zone names the default zone explicitly while the interface is elsewhere: drift", () => {
    // The trusted-interface host (eth0 in trusted at runtime), its ifcfg file still saying ZONE=public.
    const inputs = { ...captured("firewalld-trusted-interface"), zoneBindings: { ...fixture("firewall/firewalld-stock-ifcfg-zone/zone-bindings", "zone-bindings") } };
    expect(facts(inputs).firewalld?.zones[0]?.drift).toEqual(["interfaces (eth0 is in trusted at runtime, ifcfg-eth0 ZONE=public at boot)"]);
  });

  it("lines of neither kind are ignored; an ifcfg line without a zone is the default zone", () => {
    const noise = "warning: nm eth0 trusted\nnm eth0 trusted extra\n# ifcfg /etc/sysconfig/network-scripts/ifcfg-eth0 eth0 trusted\nifcfg /x/ifcfg-eth0 eth0 trusted extra\n";
    expect(Object.fromEntries(parseZoneBindings(`${noise}warning: nmcli not running\nifcfg /etc/sysconfig/network-scripts/ifcfg-eth0 eth0\n`))).toEqual({
      eth0: [{ zone: null, source: "ifcfg-eth0 without ZONE= (the default zone)" }],
    });
  });

  it("the bindings section missing: the boot-time zone is not known", () => {
    const { zoneBindings: _dropped, ...inputs } = captured("firewalld-stock");
    expect(publicZone(facts(inputs))?.bindings).toEqual([{ interface: "eth0", zone: "public", source: "boot-time zone not known (zone-bindings: section missing from the collection output)" }]);
  });

  it("no interface bound to the default zone: it takes the unbound interface, said in the detail", () => {
    // The captured runtime listing with eth0 in no zone.
    const firewall = facts(withRuntime("firewalld-stock", (t) => t.replace("interfaces: eth0", "interfaces: ")));
    expect(publicZone(firewall)).toMatchObject({ interfaces: [], defaultFor: ["eth0"], bindings: [] });
    expect(firewall.detail).toContain("zone public target default: unbound eth0 (default zone)");
  });
});

describe("firewalld: listings that cannot be used", () => {
  it("the runtime listing not readable as zones: not judged", () =>
    expect(parseFirewall(withRuntime("firewalld-stock", (t) => t.replace(/^block\n/, "")))).toEqual({
      ok: false,
      problem: 'firewalld is running but its zones could not be read (firewall-cmd --list-all-zones: a zone field before any zone: "  target: %%REJECT%%")',
    }));

  it("the default zone, where it decides, missing from the listing: not judged", () =>
    // The captured listing without zone public: eth0 is left unbound, for a default zone not listed.
    expect(parseFirewall(withRuntime("firewalld-stock", (t) => editZone(t, "public", () => "")))).toEqual({
      ok: false,
      problem: "firewalld is running but its zones could not be read (the default zone public is not in the --list-all-zones output)",
    }));

  it("the runtime section missing: not judged", () => {
    const { firewalldRuntime: _dropped, ...inputs } = captured("firewalld-stock");
    expect(parseFirewall(inputs)).toEqual({ ok: false, problem: "firewalld is running but its zones could not be read (firewall-cmd --list-all-zones: section missing from the collection output)" });
  });

  it("the permanent listing not readable as zones: persistence not comparable, the problem said", () => {
    const firewall = facts({ ...captured("firewalld-stock"), firewalldPermanent: edited("firewalld-stock", "firewalld-permanent", (t) => t.replace(/^block\n/, "")) });
    expect(firewall).toMatchObject({
      persistentMatchesRuntime: null,
      listingProblem: 'firewall-cmd --permanent --list-all-zones: a zone field before any zone: "  target: %%REJECT%%"',
      firewalld: { zones: [{ drift: null }] },
      families: { ipv4: { persistentMatchesRuntime: null, defaultDenyInbound: true } },
    });
    expect(firewall.detail).toContain("permanent configuration not comparable (firewall-cmd --permanent --list-all-zones: a zone field");
  });

  it("the permanent section missing: persistence not comparable", () => {
    const { firewalldPermanent: _dropped, ...inputs } = captured("firewalld-stock");
    expect(facts(inputs)).toMatchObject({ persistentMatchesRuntime: null, listingProblem: "firewall-cmd --permanent --list-all-zones: section missing from the collection output" });
  });

  it("firewall-cmd --state not run, or killed: not judged", () => {
    const state = fixture("firewall/firewalld-stock/firewalld-state", "firewalld-state");
    expect(parseFirewall({ ...captured("firewalld-stock"), firewalldState: { ...state, exitCode: null } }).ok).toBe(false);
    expect(parseFirewall({ ...captured("firewalld-stock"), firewalldState: { ...state, notRun: "skipped" } as CommandOutput }).ok).toBe(false);
  });
});

describe("firewalld not running: what the note says", () => {
  const note = (state: Partial<CommandOutput>) => facts({ ...captured("no-firewall"), firewalldState: { ...fixture("firewall/no-firewall/firewalld-state", "firewalld-state"), ...state } }).detail;

  it("the captured stopped daemon: its own words", () => expect(note({})).toMatch(/^IPv4: no default-deny inbound firewall for IPv4: firewalld: not running \(busctl: the system bus says NameHasOwner org\.fedoraproject\.FirewallD1: b false\); nftables: /));
  it("not installed (exit 127)", () => expect(note({ exitCode: 127, stderr: "bash: line 1: firewall-cmd: command not found\n" })).toContain("firewall for IPv4: firewalld: not installed; nftables"));
  // The daemon's message printed on stdout instead, as older firewall-cmd releases do ("FirewallD is not running").
  it("the message on stdout when stderr is empty", () => expect(note({ stdout: "FirewallD is not running\n", stderr: "" })).toContain("firewall for IPv4: firewalld: FirewallD is not running; nftables"));
  it("nothing printed", () => expect(note({ stdout: "", stderr: "" })).toContain("firewall for IPv4: firewalld: not running; nftables"));
  it("the section missing", () => {
    const { firewalldState: _dropped, ...inputs } = captured("no-firewall");
    expect(facts(inputs).detail).toContain("firewall for IPv4: firewalld: not running; nftables");
  });
  it("a firewall-cmd that answers something else than running is not firewalld running", () =>
    expect(facts({ ...captured("nftables"), firewalldState: { ...fixture("firewall/nftables/firewalld-state", "firewalld-state"), exitCode: 0, stdout: "not running\n", stderr: "" } }).tool).toBe("nftables"));
});

describe("nftables: the ruleset", () => {
  it("the captured nftables host: Docker's nat table (regular and base chains) and the lab's inet table", () => {
    const tables = parseNftRuleset(text("nftables", "nft-ruleset"));
    expect(tables.map((t) => `${t.family} ${t.name}`)).toEqual(["ip nat", "inet api7_lab"]);
    expect(tables[0]!.chains.map((c) => [c.name, c.hook, c.policy, c.rules.length])).toEqual([
      ["DOCKER_OUTPUT", null, null, 2],
      ["OUTPUT", "output", "accept", 1],
      ["DOCKER_POSTROUTING", null, null, 2],
      ["POSTROUTING", "postrouting", "accept", 1],
    ]);
    expect(tables[0]!.chains[0]!.rules[0]).toBe("ip daddr 127.0.0.11 tcp dport 53 counter dnat to 127.0.0.11:46615");
    expect(tables[1]!.chains).toEqual([
      {
        name: "input",
        hook: "input",
        policy: "drop",
        rules: ["ct state established, related accept", "iif lo accept", "meta l4proto { icmp, ipv6-icmp } accept", "tcp dport { 22, 9080, 9443 } accept"],
      },
    ]);
  });

  it("the persistent file: comments and the shebang skipped, same chain as running", () => {
    const saved = parseNftRuleset(text("nftables", "nft-persistent"));
    expect(saved).toEqual([parseNftRuleset(text("nftables", "nft-ruleset"))[1]]);
  });

  it("a rule's anonymous set continued on the next lines reads as one rule", () => {
    // The captured ruleset with the port set written over three lines, as nft prints long sets.
    const wrapped = text("nftables", "nft-ruleset").replace("tcp dport { 22, 9080, 9443 } accept", "tcp dport { 22,\n\t\t\t     9080,\n\t\t\t     9443 } accept");
    expect(parseNftRuleset(wrapped)).toEqual(parseNftRuleset(text("nftables", "nft-ruleset")));
  });

  it("a map and other blocks inside a table are skipped, nested braces included", () => {
    // The captured ruleset with a verdict map declared before the chain, its elements on two lines as nft prints a long list.
    const withMap = text("nftables", "nft-ruleset").replace(
      "table inet api7_lab {\n",
      "table inet api7_lab {\n\tmap verdicts {\n\t\ttype inet_service : verdict\n\t\telements = { 22 : accept,\n\t\t\t     80 : drop }\n\t}\n\n",
    );
    expect(parseNftRuleset(withMap)).toEqual(parseNftRuleset(text("nftables", "nft-ruleset")));
  });

  it("a named set inside a table is read whole, its elements across lines; the chains are unchanged", () => {
    // The captured ruleset with a named set declared before the chain, as `nft list ruleset` prints it.
    const withSet = text("nftables", "nft-ruleset").replace(
      "table inet api7_lab {\n",
      "table inet api7_lab {\n\tset allowed {\n\t\ttype inet_service\n\t\telements = { 22, 9080,\n\t\t\t     9443 }\n\t}\n\n",
    );
    const plain = parseNftRuleset(text("nftables", "nft-ruleset"));
    const read = parseNftRuleset(withSet);
    expect(read.map((t) => t.chains)).toEqual(plain.map((t) => t.chains));
    expect(read.map((t) => t.sets)).toEqual(plain.map((t) => (t.name === "api7_lab" ? [{ name: "allowed", lines: ["type inet_service", "elements = { 22, 9080, 9443 }"] }] : [])));
  });

  it("a table without a family is an ip table; a '#' inside a quoted comment is not a comment", () => {
    // The captured persistent file with the family left out (nft's default, ip) and a commented rule.
    const file = text("nftables", "nft-persistent")
      .replace("table inet api7_lab", "table api7_lab")
      .replace('iif "lo" accept', 'iif "lo" accept comment "loopback #1" # trailing remark');
    const [table] = parseNftRuleset(file);
    expect(table).toMatchObject({ family: "ip", name: "api7_lab" });
    expect(table!.chains[0]!.rules[1]).toBe('iif lo accept comment "loopback #1"');
  });

  it("a policy on its own line, and a base chain without one (nft's accept)", () => {
    // The captured persistent file with the policy statement on its own line, with and without its semicolon.
    const running = parseNftRuleset(text("nftables", "nft-persistent"));
    for (const policy of ["policy drop;", "policy drop"]) {
      const split = text("nftables", "nft-persistent").replace("priority filter; policy drop;", `priority filter;\n\t\t${policy}`);
      expect(parseNftRuleset(split)).toEqual(running);
    }
    expect(parseNftRuleset(text("firewalld-stock", "nft-persistent"))[0]!.chains.map((c) => c.policy)).toEqual(["accept", "accept", "accept"]);
  });

  it("blank lines inside a chain are not rules", () => {
    // The captured persistent file with a blank line between two rules.
    const spaced = text("nftables", "nft-persistent").replace('iif "lo" accept\n', 'iif "lo" accept\n\n');
    expect(parseNftRuleset(spaced)).toEqual(parseNftRuleset(text("nftables", "nft-persistent")));
  });

  it("a table-level statement is neither a chain nor a block", () => {
    // The captured ruleset with a table comment, as nft lists a table created with one.
    const commented = text("nftables", "nft-ruleset").replace("table inet api7_lab {\n", 'table inet api7_lab {\n\tcomment "api7 lab"\n');
    expect(parseNftRuleset(commented)).toEqual(parseNftRuleset(text("nftables", "nft-ruleset")));
  });

  it("a table and a chain opened without a space before the brace", () => {
    const tight = text("nftables", "nft-persistent").replace("table inet api7_lab {", "table inet api7_lab{").replace("chain input {", "chain input{");
    expect(parseNftRuleset(tight)).toEqual(parseNftRuleset(text("nftables", "nft-persistent")));
  });

  it("rules normalised: counters' values, quotes and spacing dropped", () => {
    expect(normaliseNftRule("tcp dport{22,9080,9443}accept")).toBe("tcp dport { 22, 9080, 9443 } accept");
    expect(normaliseNftRule("ct state vmap { established : accept, related : accept, invalid : drop }")).toBe("ct state vmap { established : accept, related : accept, invalid : drop }");
    expect(normaliseNftRule('iifname "eth0"  counter packets 12 bytes 3456 accept')).toBe("iifname eth0 counter accept");
    expect(normaliseNftRule("tcp dport {22,9080 ,9443} accept")).toBe("tcp dport { 22, 9080, 9443 } accept");
  });
});

describe("nftables: which input chain denies, in first-match order", () => {
  const verdicts = (ruleset: string, family: "ipv4" | "ipv6" = "ipv4") => nftInputVerdicts(parseNftRuleset(ruleset), family);

  it("firewalld's own inet table: filter_INPUT accepts by policy but ends with a reject; iptables-nft's nat INPUT denies nothing", () => {
    const found = verdicts(text("firewalld-stock", "nft-ruleset"));
    expect(found.map((d) => [d.table.name, d.chain.name, d.verdict.kind, "how" in d.verdict ? d.verdict.how : null])).toEqual([
      ["firewalld", "filter_INPUT", "deny", 'rule "reject with icmpx admin-prohibited"'],
      ["nat", "INPUT", "no-deny", "policy accept and no rule that every new packet meets denies"],
    ]);
  });

  it("a last rule that drops only some packets does not close the chain; a counted drop does", () => {
    // The captured default-drop ruleset with its policy accept, ending on a conditional drop, then on a counted drop.
    const accepting = fixtureText("firewall/nft-ruleset-default-drop").replace("hook input priority filter; policy drop;", "hook input priority filter; policy accept;");
    expect(verdicts(accepting).map((v) => v.verdict.kind)).toEqual(["no-deny"]);
    const conditional = accepting.replace("tcp dport { 22, 9080, 9443 } accept", "tcp dport { 22, 9080, 9443 } accept\n\t\tct state invalid drop");
    expect(verdicts(conditional).map((v) => v.verdict.kind)).toEqual(["no-deny"]);
    const counted = accepting.replace("tcp dport { 22, 9080, 9443 } accept", "tcp dport { 22, 9080, 9443 } accept\n\t\tcounter packets 7 bytes 420 drop");
    expect(verdicts(counted).map((v) => ("how" in v.verdict ? v.verdict.how : null))).toEqual(['rule "counter drop"']);
  });

  it("the families asked for only: an inet table counts for both, an ip table for IPv4, an ip6 table for IPv6", () => {
    const inet = fixtureText("firewall/nft-ruleset-default-drop");
    expect(verdicts(inet, "ipv6")).toHaveLength(1);
    expect(verdicts(inet.replace("table inet", "table ip"), "ipv6")).toEqual([]);
    expect(verdicts(inet.replace("table inet", "table ip"), "ipv4")).toHaveLength(1);
    expect(verdicts(inet.replace("table inet", "table ip6"), "ipv4")).toEqual([]);
    expect(verdicts(inet.replace("table inet", "table ip6"), "ipv6")).toHaveLength(1);
  });

  it("a chain of another hook is not on the input path", () => {
    const output = fixtureText("firewall/nft-ruleset-default-drop").replace("hook input", "hook output");
    expect(verdicts(output)).toEqual([]);
  });
});

describe("nftables: which family verdict decides", () => {
  it("two input chains: the one that denies decides, the accepting one is not the verdict", () => {
    // The captured accept-first host with the compliant host's denying table added beside it (another name).
    const denying = text("nftables", "nft-ruleset").slice(text("nftables", "nft-ruleset").indexOf("table inet api7_lab")).replace("api7_lab", "api7_guard");
    const inputs = { ...captured("nftables-accept-first"), nftRuleset: edited("nftables-accept-first", "nft-ruleset", (t) => `${t}${denying}`) };
    expect(facts(inputs).families.ipv4).toMatchObject({ tool: "nftables", defaultDenyInbound: true, detail: expect.stringMatching(/^nftables: table inet api7_guard chain input hook input denies by policy drop/) });
  });

  it("an accept-all chain reports its policy: nft's default accept where none is stated", () => {
    // The captured accept-first chain with its policy statement left out.
    const inputs = { ...captured("nftables-accept-first"), nftRuleset: edited("nftables-accept-first", "nft-ruleset", (t) => t.replace("priority filter; policy drop;", "priority filter;")) };
    expect(facts(inputs).families.ipv4.detail).toBe('nftables: table inet api7_lab chain input hook input accepts every new connection at rule "accept", before its policy accept is reached');
  });
});

describe("nftables: persistence", () => {
  const withPersistent = (stdout: string): FirewallInputs => ({ ...captured("nftables"), nftPersistent: { ...fixture("firewall/nftables/nft-persistent", "nft-persistent"), stdout } });
  const DENIES = "nftables: table inet api7_lab chain input hook input denies by policy drop; openings before it: icmp/ipv6-icmp (meta l4proto { icmp, ipv6-icmp } accept); tcp 22,9080,9443 (tcp dport { 22, 9080, 9443 } accept)";

  it("the saved chain's policy differs", () => {
    // The captured /etc/nftables.conf with policy accept.
    const firewall = facts(withPersistent(text("nftables", "nft-persistent").replace("policy drop;", "policy accept;")));
    expect(firewall.families.ipv4).toMatchObject({ tool: "nftables", persistentMatchesRuntime: false });
    expect(firewall.families.ipv4.detail).toBe(`${DENIES}; /etc/nftables.conf: table inet api7_lab chain input policy accept instead of drop`);
  });

  it("the saved chain has other rules; a file without the audit's name line is 'the persistent file'", () => {
    // The captured /etc/nftables.conf without the port 9443 and without the collection's file-name line.
    const drifted = text("nftables", "nft-persistent").replace(", 9443 }", " }").replace(/^# api7-audit file: .*\n/, "");
    expect(facts(withPersistent(drifted)).families.ipv6.detail).toBe(`${DENIES}; the persistent file: table inet api7_lab chain input has 4 rules that differ from the 4 running`);
  });

  it("the same: the file declares the table's chains, policies and rules", () =>
    expect(facts(captured("nftables")).families.ipv4.detail).toBe(`${DENIES}; /etc/nftables.conf declares the same policies and normalised rules for table inet api7_lab`));

  it("the saved chain declared without its hook line: nft's accept, not the running drop", () => {
    const hookless = text("nftables", "nft-persistent").replace(/\t\ttype filter hook input .*\n/, "");
    expect(facts(withPersistent(hookless)).families.ipv4.detail).toContain("/etc/nftables.conf: table inet api7_lab chain input policy accept instead of drop");
  });

  it("the saved chain has another name: not declared", () => {
    const renamed = text("nftables", "nft-persistent").replace("chain input {", "chain inbound {");
    expect(facts(withPersistent(renamed)).families.ipv4).toMatchObject({ persistentMatchesRuntime: false, detail: expect.stringContaining("/etc/nftables.conf: table inet api7_lab chain input is not declared") });
  });

  it("the saved table has another family: not declared", () => {
    const other = text("nftables", "nft-persistent").replace("table inet api7_lab", "table ip api7_lab");
    expect(facts(withPersistent(other)).families.ipv4.detail).toContain("/etc/nftables.conf: table inet api7_lab is not declared");
  });

  it("a regular chain the input chain jumps to is compared too", () => {
    // The captured ruleset and file with the port rule moved to a chain of its own; the file's copy lacks 9443.
    const jumped = (t: string) => t.replace("tcp dport { 22, 9080, 9443 } accept\n\t}", 'jump ports\n\t}\n\tchain ports {\n\t\ttcp dport { 22, 9080, 9443 } accept\n\t}');
    const inputs = { ...captured("nftables"), nftRuleset: edited("nftables", "nft-ruleset", jumped), nftPersistent: edited("nftables", "nft-persistent", jumped) };
    expect(facts(inputs).families.ipv4.persistentMatchesRuntime).toBe(true);
    const drifted = { ...inputs, nftPersistent: edited("nftables", "nft-persistent", (t) => jumped(t).replace(", 9443 }", " }")) };
    expect(facts(drifted).families.ipv4.detail).toMatch(/; \/etc\/nftables\.conf: table inet api7_lab chain ports has 1 rules that differ from the 1 running$/);
  });

  it("no persistent file: says why", () =>
    expect(facts({ ...captured("nftables"), nftPersistent: fixture("firewall/no-firewall/nft-persistent", "nft-persistent") }).families.ipv4).toMatchObject({
      persistentMatchesRuntime: false,
      detail: expect.stringMatching(/; no persistent rule file \(exit \d+: /),
    }));

  it("the ruleset could not be listed: iptables decides, the note says why", () => {
    const inputs = { ...captured("iptables-services"), nftRuleset: { ...fixture("firewall/iptables-services/nft-ruleset", "nft-ruleset"), exitCode: 1, stdout: "", stderr: "Operation not permitted (you must be root)\n" } };
    const firewall = facts(inputs);
    expect(firewall.families.ipv4.tool).toBe("iptables");
    const open = facts({ ...inputs, iptables: fixture("firewall/no-firewall/iptables", "iptables") });
    expect(open.families.ipv4.detail).toContain("nftables: exit 1: Operation not permitted (you must be root)");
  });
});

describe("iptables", () => {
  it("the nf_tables backend note belongs to the family whose iptables-nft table holds INPUT", () => {
    // cp2's captured rules, with only an ip6 filter table in nft as iptables-nft keeps ip6tables' rules.
    const ip6Filter = "table ip6 filter {\n\tchain INPUT {\n\t\ttype filter hook input priority filter; policy drop;\n\t\tiifname \"lo\" counter packets 0 bytes 0 accept\n\t}\n}\n";
    const firewall = facts({ ...captured("iptables-services"), nftRuleset: { ...fixture("firewall/iptables-services/nft-ruleset", "nft-ruleset"), stdout: ip6Filter } });
    expect(firewall.families.ipv4.detail).toMatch(/^iptables: chain INPUT/);
    expect(firewall.families.ipv6.detail).toMatch(/^ip6tables \(nf_tables backend\): chain INPUT/);
  });

  it("-m tcp after -p tcp is implied; other matches stay", () => {
    expect(normaliseIptablesRule("-A INPUT -p tcp -m tcp --dport 22  -j ACCEPT")).toBe("-A INPUT -p tcp --dport 22 -j ACCEPT");
    expect(normaliseIptablesRule("-A INPUT -p udp -m udp --dport 53 -j ACCEPT")).toBe("-A INPUT -p udp --dport 53 -j ACCEPT");
    expect(normaliseIptablesRule("-A INPUT -p tcp -m tcpmss --mss 1:500 -j DROP")).toBe("-A INPUT -p tcp -m tcpmss --mss 1:500 -j DROP");
    expect(normaliseIptablesRule("-A INPUT -p tcp -m udp -j DROP")).toBe("-A INPUT -p tcp -m udp -j DROP");
  });

  it("iptables -S: every chain's policy and rules, each chain on its own", () => {
    const table = parseIptablesRules(fixtureText("firewall/iptables-final-reject"));
    expect(Object.fromEntries(table.policies)).toEqual({ INPUT: "ACCEPT", FORWARD: "ACCEPT", OUTPUT: "ACCEPT" });
    expect(Object.fromEntries(table.rules)).toEqual({
      INPUT: [
        "-A INPUT -m state --state RELATED,ESTABLISHED -j ACCEPT",
        "-A INPUT -p icmp -j ACCEPT",
        "-A INPUT -i lo -j ACCEPT",
        "-A INPUT -p tcp -m state --state NEW -m tcp --dport 22 -j ACCEPT",
        "-A INPUT -j REJECT --reject-with icmp-host-prohibited",
      ],
      FORWARD: ["-A FORWARD -j REJECT --reject-with icmp-host-prohibited"],
    });
    // A user chain declared with -N, before or without rules.
    expect(parseIptablesRules("-P INPUT DROP\n-N LAB\n").rules.get("LAB")).toEqual([]);
  });

  it("iptables-save: the filter table only, its INPUT policy ACCEPT when the file states none, user chains without a policy", () => {
    const saved = fixtureText("firewall/iptables-persistent-centos7-default");
    expect(parseIptablesSaveFilter(saved)).toEqual(parseIptablesRules(fixtureText("firewall/iptables-final-reject")));
    // The captured file with a nat table before the filter table, whose rules must not count.
    const withNat = saved.replace("*filter\n", "*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n-A INPUT -j DROP\nCOMMIT\n*filter\n");
    expect(parseIptablesSaveFilter(withNat)).toEqual(parseIptablesSaveFilter(saved));
    // Without its policy line.
    expect(parseIptablesSaveFilter(saved.replace(":INPUT ACCEPT [0:0]\n", ""))?.policies.get("INPUT")).toBe("ACCEPT");
    expect(parseIptablesSaveFilter(text("iptables-services", "iptables-persistent"))?.policies.get("INPUT")).toBe("DROP");
    // A user chain, as iptables-save declares it (":LAB - [0:0]").
    const withChain = parseIptablesSaveFilter(saved.replace(":OUTPUT ACCEPT [0:0]\n", ":OUTPUT ACCEPT [0:0]\n:LAB - [0:0]\n"));
    expect(withChain?.rules.get("LAB")).toEqual([]);
    expect(withChain?.policies.has("LAB")).toBe(false);
    // A file with no filter table.
    expect(parseIptablesSaveFilter("*nat\n:PREROUTING ACCEPT [0:0]\nCOMMIT\n")).toBeNull();
  });

  const withIpv4 = (iptables: string, persistent: string): FirewallInputs => ({
    ...captured("no-firewall"),
    iptables: { ...fixture("firewall/iptables-services/iptables", "iptables"), stdout: iptables },
    iptablesPersistent: { ...fixture("firewall/iptables-services/iptables-persistent", "iptables-persistent"), stdout: persistent },
  });
  const RUNNING = text("iptables-services", "iptables");
  const SAVED = text("iptables-services", "iptables-persistent");
  const DENIES =
    "iptables: chain INPUT denies by policy drop; openings before it: icmp (-A INPUT -p icmp -j ACCEPT); tcp 22 (-A INPUT -p tcp -m state --state NEW -m tcp --dport 22 -j ACCEPT); " +
    "tcp 7080 (-A INPUT -p tcp -m state --state NEW -m tcp --dport 7080 -j ACCEPT); tcp 7900 (-A INPUT -p tcp -m state --state NEW -m tcp --dport 7900 -j ACCEPT)";

  it("a final unconditional DROP or REJECT, with or without a comment, closes the chain; a conditional one does not", () => {
    // The captured ACCEPT-policy chain of the iptables-services-accept host with a final rule added.
    const accepting = text("iptables-services-accept", "iptables");
    const ipv4 = (last: string) => facts(withIpv4(`${accepting}${last}\n`, SAVED)).families.ipv4;
    expect(ipv4("-A INPUT -j DROP")).toMatchObject({ tool: "iptables", detail: expect.stringContaining('chain INPUT denies by rule "-A INPUT -j DROP"') });
    expect(ipv4('-A INPUT -m comment --comment "deny the rest" -j REJECT --reject-with icmp-host-prohibited').tool).toBe("iptables");
    expect(ipv4("-A INPUT -m comment --comment deny -j DROP").tool).toBe("iptables");
    expect(ipv4("-A INPUT -p tcp -j DROP").tool).toBeNull();
    expect(ipv4("-A INPUT -j LOG").tool).toBeNull();
  });

  it("an accept for every TCP connection before the deny: iptables accepts everything, whatever the file says", () => {
    // The compliant host's captured chain with `iptables -I INPUT 4 -p tcp -j ACCEPT`.
    const wide = RUNNING.replace("-A INPUT -p tcp -m state --state NEW -m tcp --dport 22 -j ACCEPT", "-A INPUT -p tcp -j ACCEPT\n-A INPUT -p tcp -m state --state NEW -m tcp --dport 22 -j ACCEPT");
    expect(facts(withIpv4(wide, SAVED)).families.ipv4).toEqual({
      tool: "iptables",
      defaultDenyInbound: false,
      persistentMatchesRuntime: null,
      detail: 'iptables: chain INPUT accepts every new connection at rule "-A INPUT -p tcp -j ACCEPT", before any deny',
      openings: [],
      denyAnswer: null,
    });
  });

  it("iptables -S could not run: the note says why", () => {
    const failed = { ...fixture("firewall/iptables-services/iptables", "iptables"), exitCode: 4, stdout: "", stderr: "iptables: Permission denied (you must be root).\n" };
    expect(facts({ ...withIpv4(RUNNING, SAVED), iptables: failed }).families.ipv4).toMatchObject({
      tool: null,
      detail: expect.stringMatching(/; iptables: exit 4: iptables: Permission denied \(you must be root\)\.$/),
    });
  });

  it("persistence: the saved policy, the saved rules, or no filter table", () => {
    expect(facts(withIpv4(RUNNING, SAVED)).families.ipv4).toMatchObject({ persistentMatchesRuntime: true, detail: `${DENIES}; /etc/sysconfig/iptables has the same INPUT policy and 6 normalised rules (INPUT)` });
    expect(facts(withIpv4(RUNNING, SAVED.replace(":INPUT DROP", ":INPUT ACCEPT"))).families.ipv4).toMatchObject({
      persistentMatchesRuntime: false,
      detail: `${DENIES}; /etc/sysconfig/iptables sets INPUT policy ACCEPT, running DROP`,
    });
    expect(facts(withIpv4(RUNNING, SAVED.replace(/^-A INPUT -p icmp -j ACCEPT\n/m, ""))).families.ipv4).toMatchObject({
      persistentMatchesRuntime: false,
      detail: `${DENIES}; /etc/sysconfig/iptables has 5 INPUT rules that differ from the 6 running`,
    });
    expect(facts(withIpv4(RUNNING, SAVED.replace("*filter\n", "*nat\n"))).families.ipv4).toMatchObject({
      persistentMatchesRuntime: false,
      detail: `${DENIES}; /etc/sysconfig/iptables has no *filter table`,
    });
  });

  it("persistence covers the chains INPUT jumps to", () => {
    // The captured chain and file with the port rules moved to a user chain LAB; the saved LAB lacks 7900.
    const moved = (t: string, declare: string) =>
      t
        .replace("-A INPUT -p tcp -m state --state NEW -m tcp --dport 22 -j ACCEPT", `${declare}-A INPUT -j LAB\n-A LAB -p tcp -m state --state NEW -m tcp --dport 22 -j ACCEPT`)
        .replace("-A INPUT -p tcp -m state --state NEW -m tcp --dport 7080", "-A LAB -p tcp -m state --state NEW -m tcp --dport 7080")
        .replace("-A INPUT -p tcp -m state --state NEW -m tcp --dport 7900", "-A LAB -p tcp -m state --state NEW -m tcp --dport 7900");
    const running = moved(RUNNING, "-N LAB\n");
    const saved = moved(SAVED, "").replace(":OUTPUT ACCEPT [0:0]\n", ":OUTPUT ACCEPT [0:0]\n:LAB - [0:0]\n");
    expect(facts(withIpv4(running, saved)).families.ipv4).toMatchObject({ persistentMatchesRuntime: true, detail: expect.stringMatching(/has the same INPUT policy and 7 normalised rules \(INPUT, LAB\)$/) });
    const drifted = saved.replace(/^-A LAB .*--dport 7900 -j ACCEPT\n/m, "");
    expect(facts(withIpv4(running, drifted)).families.ipv4.detail).toMatch(/; \/etc\/sysconfig\/iptables has 2 LAB rules that differ from the 3 running$/);
  });

  it("no persistent file: says why", () =>
    expect(facts({ ...withIpv4(RUNNING, SAVED), iptablesPersistent: fixture("firewall/no-firewall/iptables-persistent", "iptables-persistent") }).families.ipv4).toMatchObject({
      persistentMatchesRuntime: false,
      detail: `${DENIES}; no persistent rule file (exit 1: no /etc/sysconfig/iptables or /etc/iptables/rules.v4)`,
    }));

  it("iptables-nft's chains in nft tables ip/ip6 filter are iptables, not nftables, for each family", () => {
    // The captured ip6tables rules of cp2 as iptables-nft keeps them in nft: table ip6 filter, chain INPUT.
    const ip6Filter = "table ip6 filter {\n\tchain INPUT {\n\t\ttype filter hook input priority filter; policy drop;\n\t\tiifname \"lo\" counter packets 0 bytes 0 accept\n\t}\n}\n";
    const firewall = facts({ ...captured("iptables-services"), nftRuleset: { ...fixture("firewall/iptables-services/nft-ruleset", "nft-ruleset"), stdout: ip6Filter } });
    expect(firewall.families.ipv6).toMatchObject({ tool: "iptables", detail: expect.stringMatching(/^ip6tables \(nf_tables backend\): chain INPUT denies by policy drop/) });
    // The same chain in a table of another name is nftables' own.
    const own = facts({ ...captured("iptables-services"), nftRuleset: { ...fixture("firewall/iptables-services/nft-ruleset", "nft-ruleset"), stdout: ip6Filter.replace("ip6 filter", "ip6 guard") } });
    expect(own.families.ipv6.tool).toBe("nftables");
    const inet = facts({ ...captured("iptables-services"), nftRuleset: { ...fixture("firewall/iptables-services/nft-ruleset", "nft-ruleset"), stdout: ip6Filter.replace("ip6 filter", "inet filter") } });
    expect(inet.families.ipv6.tool).toBe("nftables");
    expect(inet.families.ipv4.tool).toBe("nftables");
    const inputChain = facts({ ...captured("iptables-services"), nftRuleset: { ...fixture("firewall/iptables-services/nft-ruleset", "nft-ruleset"), stdout: ip6Filter.replace("chain INPUT", "chain input") } });
    expect(inputChain.families.ipv6.tool).toBe("nftables");
  });

  it("the nf_tables backend is read from a filter table's INPUT base chain only", () => {
    // The legacy iptables-services host (captured) whose nft holds iptables-nft's nat INPUT base chain: no filter table.
    const natInput = "table ip nat {\n\tchain INPUT {\n\t\ttype nat hook input priority 100; policy accept;\n\t}\n}\n";
    const ruleset = fixture("firewall/iptables-services/nft-ruleset", "nft-ruleset");
    expect(facts({ ...captured("iptables-services"), nftRuleset: { ...ruleset, stdout: natInput } }).families.ipv4.detail).toMatch(/^iptables: chain INPUT/);
    // Docker's captured nat table beside a filter table with INPUT and FORWARD: the backend note.
    const filter = "table ip filter {\n\tchain INPUT {\n\t\ttype filter hook input priority filter; policy drop;\n\t}\n\tchain FORWARD {\n\t\ttype filter hook forward priority filter; policy accept;\n\t}\n}\n";
    expect(facts({ ...captured("iptables-services"), nftRuleset: { ...ruleset, stdout: `${ruleset.stdout}${filter}` } }).families.ipv4.detail).toMatch(/^iptables \(nf_tables backend\): chain INPUT/);
  });

  it("iptables-nft accepting everything: said with its backend", () => {
    const ipFilter = 'table ip filter {\n\tchain INPUT {\n\t\ttype filter hook input priority filter; policy drop;\n\t\tcounter packets 0 bytes 0 accept\n\t}\n}\n';
    const inputs = { ...captured("iptables-services-accept-first"), nftRuleset: { ...fixture("firewall/iptables-services-accept-first/nft-ruleset", "nft-ruleset"), stdout: ipFilter } };
    expect(facts(inputs).families.ipv4.detail).toBe('iptables (nf_tables backend): chain INPUT accepts every new connection at rule "-A INPUT -j ACCEPT", before any deny');
  });
});

describe("IPv6 disabled and the summary", () => {
  it("every interface but lo disabled: disabled; one enabled: not", () => {
    // The captured section of the iptables-services host with eth0 disabled, then with a second interface enabled.
    const captured6 = text("iptables-services", "ipv6-disabled");
    const off = captured6.replace("eth0/disable_ipv6 0", "eth0/disable_ipv6 1");
    expect(parseIpv6Disabled(off)).toEqual({ ok: true, value: { disabled: true, evidence: "net.ipv6.conf.eth0.disable_ipv6 = 1" } });
    const second = `${off}/proc/sys/net/ipv6/conf/eth1/disable_ipv6 0\n`;
    expect(parseIpv6Disabled(second)).toEqual({ ok: true, value: { disabled: false, evidence: "net.ipv6.conf.eth0.disable_ipv6 = 1, net.ipv6.conf.eth1.disable_ipv6 = 0" } });
    // The captured nftables host: the DHCP client's veth pair has IPv6 disabled, eth0 not.
    expect(ok(parseIpv6Disabled(text("nftables", "ipv6-disabled"))).disabled).toBe(false);
  });

  it("only lo and the templates: no interface to judge", () => {
    const onlyLo = text("iptables-services", "ipv6-disabled").replace(/.*eth0.*\n/, "");
    expect(parseIpv6Disabled(onlyLo)).toEqual({ ok: false, problem: "no network interface in /proc/sys/net/ipv6/conf" });
  });

  it("the section unreadable: IPv6 judged, the reason in the detail", () => {
    const firewall = facts({ ...captured("iptables-services"), ipv6Disabled: { ...fixture("firewall/iptables-services/ipv6-disabled", "ipv6-disabled"), stdout: "eth0 maybe\n" } });
    expect(firewall).toMatchObject({ ipv6Disabled: null, defaultDenyInbound: true, persistentMatchesRuntime: true });
    expect(firewall.detail).toContain('IPv6 (whether IPv6 is disabled is not known: unreadable disable_ipv6 line: "eth0 maybe"): ip6tables');
  });

  it("firewalld with IPv6 disabled: the detail says so", () => {
    const off = edited("firewalld-stock", "ipv6-disabled", (t) => t.replace("eth0/disable_ipv6 0", "eth0/disable_ipv6 1"));
    expect(facts({ ...captured("firewalld-stock"), ipv6Disabled: off }).detail).toMatch(/; the zones cover IPv4 and IPv6; IPv6 disabled on the host \(net\.ipv6\.conf\.eth0\.disable_ipv6 = 1\)$/);
    const { ipv6Disabled: _dropped, ...unknown } = captured("firewalld-stock");
    expect(facts(unknown).detail).toMatch(/; the zones cover IPv4 and IPv6 \(whether IPv6 is disabled is not known: section missing from the collection output\)$/);
  });

  it("IPv4 open, IPv6 denied: the tool is IPv6's, the host does not deny, persistence as IPv6's", () => {
    const firewall = facts(captured("iptables-services-accept"));
    expect(firewall).toMatchObject({ tool: "iptables", active: true, defaultDenyInbound: false, persistentMatchesRuntime: null });
  });

  it("IPv4 open on a host where IPv6 is disabled: nothing denies", () => {
    const off = edited("iptables-services-accept", "ipv6-disabled", (t) => t.replace("eth0/disable_ipv6 0", "eth0/disable_ipv6 1"));
    expect(facts({ ...captured("iptables-services-accept"), ipv6Disabled: off })).toMatchObject({ tool: null, active: false, defaultDenyInbound: false, persistentMatchesRuntime: null });
  });

  it("the ipv6-disabled section failed: its problem is the reason given", () => {
    const failed = { ...fixture("firewall/iptables-services/ipv6-disabled", "ipv6-disabled"), exitCode: 1, stdout: "", stderr: "cat: /proc/sys/net/ipv6/conf/eth0/disable_ipv6: Permission denied\n" };
    expect(facts({ ...captured("iptables-services"), ipv6Disabled: failed }).detail).toContain(
      "IPv6 (whether IPv6 is disabled is not known: exit 1: cat: /proc/sys/net/ipv6/conf/eth0/disable_ipv6: Permission denied): ip6tables",
    );
  });

  it("only some kinds' sections collected: still judged", () => {
    const { iptables, iptablesPersistent, ip6tables, ip6tablesPersistent, ipv6Disabled, firewalldState, nftRuleset } = captured("iptables-services");
    expect(facts({ iptables, iptablesPersistent, ip6tables, ip6tablesPersistent, ipv6Disabled }).families.ipv4.tool).toBe("iptables");
    expect(facts({ firewalldState, ipv6Disabled }).tool).toBeNull();
    expect(facts({ nftRuleset, ipv6Disabled }).tool).toBeNull();
  });

  it("one family drifted, the other not comparable: drift wins", () => {
    // cp2's captured iptables with the IPv4 file's policy changed, on a host whose IPv6 is open.
    const inputs = { ...captured("iptables-services-ipv6-open"), iptablesPersistent: edited("iptables-services-ipv6-open", "iptables-persistent", (t) => t.replace(":INPUT DROP", ":INPUT ACCEPT")) };
    expect(facts(inputs)).toMatchObject({ persistentMatchesRuntime: false, families: { ipv4: { persistentMatchesRuntime: false }, ipv6: { persistentMatchesRuntime: null } } });
  });
});

describe("text that only looks like a header or an address line is not taken for one", () => {
  it("a listener whose process is named like ss's header is still a listener (only a line starting with the header is skipped)", () => {
    // Process names are chosen by whoever starts the process: the captured line with its program
    // renamed, so that "State Recv-Q" appears in the Process column.
    const captured = fixtureText("listeners/ss-mixed-netns");
    const renamed = captured.replace('users:(("python3",pid=15774,fd=5))', 'users:(("State Recv-Q",pid=15774,fd=5))');
    expect(renamed).not.toBe(captured);
    expect(ok(parseListeners(renamed))).toContainEqual({ protocol: "tcp", address: "0.0.0.0", port: 22, process: "State Recv-Q" });
  });

  it("an ip -o line with anything before its index is unreadable, not an address", () => {
    // The captured line behind a word: garbage evidence never parses.
    const captured = fixtureText("firewall/nftables/ipv6-addresses");
    expect(parseGlobalIpv6Addresses(`noise ${captured}`).ok).toBe(false);
  });
});
