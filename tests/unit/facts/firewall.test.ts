// Firewall facts from real daemons' outputs: tests/fixtures/facts/firewall/<case>/ are captured
// from lab hosts by tests/fixtures/capture/capture-firewall.ts (firewalld, iptables-services,
// nftables); the flat nft-*/iptables-* files are older captures in network namespaces.
import { describe, expect, it } from "vitest";
import { type FirewallInputs, parseFirewall, parseIpv6Disabled } from "../../../helpers/facts/parsers/firewall.js";
import { firewalldDifferences, parseFirewalldZones, parseZoneBindings } from "../../../helpers/facts/parsers/firewalld.js";
import { parseIptablesRules } from "../../../helpers/facts/parsers/iptables.js";
import { parseNftRuleset } from "../../../helpers/facts/parsers/nftables.js";
import type { FirewallFacts } from "../../../helpers/facts/types.js";
import type { CommandOutput } from "../../../helpers/model.js";
import { absentFile, capturedFirewallInputs, fixture, fixtureText } from "./fixtures.js";

/** Every firewall section of one captured lab host. */
const captured = capturedFirewallInputs;

function facts(inputs: FirewallInputs): FirewallFacts {
  const result = parseFirewall(inputs);
  if (!result.ok) throw new Error(result.problem);
  return result.value;
}

const ok = (section: string, stdout: string): CommandOutput => ({ section, command: section, exitCode: 0, stdout, stderr: "", durationMs: 1 });
const timedOut = (section: string): CommandOutput => ({ section, command: section, exitCode: 124, stdout: "", stderr: "", durationMs: 5000, timedOut: true });

/** The zones of a captured `firewall-cmd [--permanent] --list-all-zones`. */
function zonesOf(caseName: string, section: "firewalld-runtime" | "firewalld-permanent") {
  const zones = parseFirewalldZones(fixtureText(`firewall/${caseName}/${section}`));
  if (!zones.ok) throw new Error(zones.problem);
  return zones.value;
}

/** The captured `ip -o link show` with one more interface: the eth0 line, renamed (a second NIC). */
function withInterface(caseName: string, name: string): CommandOutput {
  const captured = fixture(`firewall/${caseName}/network-interfaces`, "network-interfaces");
  const eth0 = captured.stdout.split("\n").find((line) => /^\d+: eth0@/.test(line));
  if (!eth0) throw new Error(`no eth0 line in ${caseName}`);
  return { ...captured, stdout: `${captured.stdout}${eth0.replace(/^\d+: eth0@if\d+/, `999: ${name}@if1000`)}\n` };
}

describe("firewalld (Debian's firewalld 1.3, set up as a stock CentOS 7 host)", () => {
  it("firewall-cmd --list-all-zones: every zone under its own name, the active one with its fields", () => {
    const zones = zonesOf("firewalld-stock", "firewalld-runtime");
    expect(zones.map((z) => `${z.zone} ${z.target}`)).toEqual([
      "block %%REJECT%%",
      "dmz default",
      "drop DROP",
      "external default",
      "home default",
      "internal default",
      "public default",
      "trusted ACCEPT",
      "work default",
    ]);
    const publicZone = zones.find((z) => z.zone === "public");
    expect(publicZone?.fields.get("services")).toBe("dhcpv6-client ssh");
    expect(publicZone?.fields.get("interfaces")).toBe("eth0");
  });

  it("ports --permanent + --reload, interface bound at runtime: passes, the binding is evidence and not drift", () => {
    const firewall = facts(captured("firewalld-stock-ifcfg-zone"));
    expect(firewall).toMatchObject({
      tool: "firewalld",
      active: true,
      defaultDenyInbound: true,
      persistentMatchesRuntime: true,
      listingProblem: null,
      firewalld: {
        defaultZone: "public",
        zones: [{ zone: "public", target: "default", interfaces: ["eth0"], defaultFor: [], drift: [], bindings: [{ interface: "eth0", zone: "public", source: "ifcfg-eth0 ZONE=public" }] }],
      },
      families: { ipv4: { tool: "firewalld", defaultDenyInbound: true }, ipv6: { tool: "firewalld", defaultDenyInbound: true } },
      ipv6Disabled: { disabled: false },
    });
    expect(firewall.detail).toContain("runtime and permanent agree on every persisted field");
    expect(firewall.detail).toContain("zone public target default: eth0 (ifcfg-eth0 ZONE=public)");
  });

  it("no NetworkManager and no ifcfg file: the binding's boot-time source is reported unknown, still not drift", () => {
    const firewall = facts(captured("firewalld-stock"));
    expect(firewall).toMatchObject({ persistentMatchesRuntime: true, firewalld: { zones: [{ zone: "public", drift: [] }] } });
    expect(firewall.firewalld?.zones[0]?.bindings[0]?.source).toMatch(/^boot-time zone not known \(zone-bindings: exit 1: no nmcli/);
  });

  it("a port opened at runtime only is drift in 'ports' of its zone", () =>
    expect(facts(captured("firewalld-runtime-only-port"))).toMatchObject({
      defaultDenyInbound: true,
      persistentMatchesRuntime: false,
      firewalld: { zones: [{ zone: "public", drift: ["ports"] }] },
      detail: expect.stringContaining("runtime and permanent differ in: zone public: ports"),
    }));

  it("zone target ACCEPT: no default deny, for both families", () =>
    expect(facts(captured("firewalld-target-accept"))).toMatchObject({
      tool: "firewalld",
      defaultDenyInbound: false,
      persistentMatchesRuntime: true,
      families: { ipv4: { defaultDenyInbound: false, openings: [], denyAnswer: null }, ipv6: { defaultDenyInbound: false } },
      detail: expect.stringContaining("zone public target ACCEPT, bound to eth0 accepts every new connection"),
    }));

  it("eth0 moved to the trusted zone, runtime and permanent: firewalld accepts everything, naming zone trusted and eth0", () => {
    const firewall = facts(captured("firewalld-trusted-interface"));
    expect(firewall).toMatchObject({
      tool: "firewalld",
      defaultDenyInbound: false,
      persistentMatchesRuntime: true,
      families: {
        ipv4: { tool: "firewalld", defaultDenyInbound: false, openings: [], denyAnswer: null },
        ipv6: { tool: "firewalld", defaultDenyInbound: false, openings: [], denyAnswer: null },
      },
      // The default zone public has nothing bound and no interface left unbound: it is not judged.
      firewalld: { defaultZone: "public", zones: [{ zone: "trusted", target: "ACCEPT", interfaces: ["eth0"], defaultFor: [], drift: [] }] },
    });
    expect(firewall.firewalld?.zones).toHaveLength(1);
    expect(firewall.detail).toContain("zone trusted target ACCEPT, bound to eth0 accepts every new connection");
    expect(firewall.detail).not.toContain("You're");
  });

  it("a bare --list-all's default-zone hint on stdout (captured on the trusted-interface host) is refused, never read as a zone", () => {
    const hint = fixtureText("firewall/firewalld-trusted-interface/list-all-with-hint");
    expect(hint).toMatch(/^You're performing an operation over default zone/);
    expect(parseFirewalldZones(hint)).toEqual({ ok: false, problem: `not a zone header: ${JSON.stringify("You're performing an operation over default zone ('public'),")}` });
    // Given as the zone listing, the host is not judged: never "denied by zone You're ...".
    const inputs = { ...captured("firewalld-trusted-interface"), firewalldRuntime: fixture("firewall/firewalld-trusted-interface/list-all-with-hint", "firewalld-runtime") };
    expect(parseFirewall(inputs)).toEqual({
      ok: false,
      problem: `firewalld is running but its zones could not be read (firewall-cmd --list-all-zones: not a zone header: ${JSON.stringify("You're performing an operation over default zone ('public'),")})`,
    });
  });

  it("every persisted field counts (target, services, rich rules, ...), interfaces never do", () => {
    const runtime = zonesOf("firewalld-stock", "firewalld-runtime").find((z) => z.zone === "public")!;
    const permanent = zonesOf("firewalld-stock", "firewalld-permanent").find((z) => z.zone === "public")!;
    expect(firewalldDifferences(runtime, permanent)).toEqual([]);
    const changed = new Map(permanent.fields);
    changed.set("target", "ACCEPT");
    changed.set("services", "ssh");
    changed.set("rich rules", 'rule family="ipv4" source address="10.0.0.0/8" accept');
    changed.set("interfaces", "eth1");
    expect(firewalldDifferences(runtime, { ...permanent, fields: changed })).toEqual(["target", "services", "rich rules"]);
  });

  it("a boot-time zone other than the runtime one is drift", () => {
    const inputs = { ...captured("firewalld-stock"), zoneBindings: ok("zone-bindings", "nm eth0 internal\n") };
    expect(facts(inputs)).toMatchObject({
      persistentMatchesRuntime: false,
      firewalld: { zones: [{ drift: ["interfaces (eth0 is in public at runtime, NetworkManager connection zone internal at boot)"] }] },
    });
  });

  it("runtime listing timed out: not judged (a problem), never a pass", () =>
    expect(parseFirewall({ ...captured("firewalld-stock"), firewalldRuntime: timedOut("firewalld-runtime") })).toEqual({
      ok: false,
      problem: "firewalld is running but its zones could not be read (firewall-cmd --list-all-zones: timed out after 5000 ms)",
    }));

  it("permanent listing timed out: persistence not comparable, and the listing problem says why", () =>
    expect(facts({ ...captured("firewalld-stock"), firewalldPermanent: timedOut("firewalld-permanent") })).toMatchObject({
      persistentMatchesRuntime: null,
      firewalld: { zones: [{ zone: "public", drift: null }] },
      listingProblem: "firewall-cmd --permanent --list-all-zones: timed out after 5000 ms",
    }));

  it("the default zone or the interface list timed out: not judged, never a pass", () => {
    expect(parseFirewall({ ...captured("firewalld-stock"), firewalldDefaultZone: timedOut("firewalld-default-zone") })).toEqual({
      ok: false,
      problem: expect.stringMatching(/^firewalld is running but its zones could not be read \(firewalld default zone: timed out after 5000 ms\)$/),
    });
    expect(parseFirewall({ ...captured("firewalld-stock"), networkInterfaces: timedOut("network-interfaces") })).toEqual({
      ok: false,
      problem: "firewalld is running but its zones could not be read (ip -o link show: timed out after 5000 ms)",
    });
  });

  it("the state section's two words for running: busctl's (captured) and firewall-cmd --state's (where busctl gets no RUNNING)", () => {
    const stock = captured("firewalld-stock");
    expect(stock.firewalldState?.stdout).toBe('s "RUNNING"\n');
    expect(facts(stock)).toMatchObject({ tool: "firewalld", firewalld: { defaultZone: "public" } });
    expect(facts({ ...stock, firewalldState: ok("firewalld-state", "running\n") })).toMatchObject({ tool: "firewalld", firewalld: { defaultZone: "public" } });
  });

  it("any other state is not running, even with exit 0: the zone listings are not read", () => {
    // The captured running host's state section edited to each other answer; its listings stay.
    for (const other of ['s "FAILED"\n', 's "INIT"\n', "failed\n", "not running\n", 's "running"\n', "s RUNNING\n", ""])
      expect(facts({ ...captured("firewalld-stock"), firewalldState: ok("firewalld-state", other) }).firewalld, JSON.stringify(other)).toBeNull();
  });

  it("firewalld in state FAILED (captured: started with a direct rule it cannot load): judged by the rules it left, as without firewalld", () => {
    // firewall-cmd --list-all-zones would list firewalld's stock zones there (exit 0); the listings are not run.
    const failed = captured("firewalld-failed");
    expect(failed.firewalldState).toMatchObject({ exitCode: 251, stdout: "", stderr: "failed\n" });
    expect(failed.firewalldRuntime).toMatchObject({ exitCode: 251, stdout: "", stderr: "not run: firewall-cmd --state exited 251\n" });
    expect(facts(failed)).toMatchObject({
      tool: "nftables",
      firewalld: null,
      families: { ipv4: { tool: "nftables", defaultDenyInbound: true, persistentMatchesRuntime: false } },
      detail: expect.stringContaining('nftables: table inet firewalld chain filter_INPUT hook input denies by rule "reject with icmpx admin-prohibited"'),
    });
  });

  it("firewalld's state did not answer (daemon hung): not judged", () =>
    expect(parseFirewall({ ...captured("firewalld-stock"), firewalldState: timedOut("firewalld-state") })).toEqual({
      ok: false,
      problem: "firewalld-state: timed out after 5000 ms",
    }));
});

describe("firewalld: the default zone is judged only for interfaces bound to no zone", () => {
  it("every interface but lo bound to a zone: the default zone is not judged", () => {
    // The captured host whose eth0 is in public, the default zone declared trusted (target ACCEPT).
    const firewall = facts({ ...captured("firewalld-stock"), firewalldDefaultZone: ok("firewalld-default-zone", 's "trusted"\n') });
    expect(firewall).toMatchObject({ defaultDenyInbound: true, firewalld: { defaultZone: "trusted", zones: [{ zone: "public", defaultFor: [] }] } });
    expect(firewall.firewalld?.zones).toHaveLength(1);
    expect(firewall.detail).not.toContain("(default zone)");
  });

  it("an interface bound to no zone: the default zone is judged for it, and its target decides", () => {
    // The captured host with a second network interface that no zone names.
    const inputs = { ...captured("firewalld-stock"), networkInterfaces: withInterface("firewalld-stock", "eth1") };
    const firewall = facts(inputs);
    expect(firewall).toMatchObject({ defaultDenyInbound: true, firewalld: { zones: [{ zone: "public", interfaces: ["eth0"], defaultFor: ["eth1"] }] } });
    expect(firewall.detail).toContain("zone public target default: eth0 (boot-time zone not known");
    expect(firewall.detail).toContain(", unbound eth1 (default zone)");
    const trustedDefault = facts({ ...inputs, firewalldDefaultZone: ok("firewalld-default-zone", 's "trusted"\n') });
    expect(trustedDefault).toMatchObject({
      defaultDenyInbound: false,
      families: { ipv4: { defaultDenyInbound: false }, ipv6: { defaultDenyInbound: false } },
      firewalld: { zones: [{ zone: "public", defaultFor: [] }, { zone: "trusted", interfaces: [], defaultFor: ["eth1"] }] },
    });
    expect(trustedDefault.detail).toContain("zone trusted target ACCEPT, bound to eth1 accepts every new connection");
  });

  it("the default zone missing from the listing while an interface is unbound: not judged", () =>
    expect(parseFirewall({ ...captured("firewalld-stock"), networkInterfaces: withInterface("firewalld-stock", "eth1"), firewalldDefaultZone: ok("firewalld-default-zone", 's "corp"\n') })).toEqual({
      ok: false,
      problem: "firewalld is running but its zones could not be read (the default zone corp is not in the --list-all-zones output)",
    }));
});

describe("iptables-services (legacy iptables, /etc/sysconfig/iptables and ip6tables)", () => {
  it("INPUT policy DROP for IPv4 and IPv6, both files match the running chains", () =>
    expect(facts(captured("iptables-services"))).toMatchObject({
      tool: "iptables",
      defaultDenyInbound: true,
      persistentMatchesRuntime: true,
      firewalld: null,
      families: {
        ipv4: { tool: "iptables", persistentMatchesRuntime: true, detail: expect.stringMatching(/^iptables: chain INPUT denies by policy drop; openings before it: .*; \/etc\/sysconfig\/iptables has the same/) },
        ipv6: { tool: "iptables", persistentMatchesRuntime: true, detail: expect.stringMatching(/^ip6tables: chain INPUT denies by policy drop; openings before it: .*; \/etc\/sysconfig\/ip6tables has the same/) },
      },
    }));

  it("INPUT policy ACCEPT (IPv4): no default deny", () => {
    const firewall = facts(captured("iptables-services-accept"));
    expect(firewall).toMatchObject({ defaultDenyInbound: false, families: { ipv4: { tool: null, defaultDenyInbound: false }, ipv6: { tool: "iptables" } } });
    expect(firewall.detail).toContain("iptables: INPUT policy ACCEPT and no rule that every new packet meets denies");
  });

  it("-A INPUT -j ACCEPT before the final REJECT, saved that way: iptables accepts everything (IPv4)", () => {
    const firewall = facts(captured("iptables-services-accept-first"));
    expect(firewall).toMatchObject({
      tool: "iptables",
      defaultDenyInbound: false,
      families: {
        ipv4: { tool: "iptables", defaultDenyInbound: false, persistentMatchesRuntime: null, openings: [], denyAnswer: null },
        ipv6: { tool: "iptables", defaultDenyInbound: true },
      },
    });
    expect(firewall.families.ipv4.detail).toBe('iptables: chain INPUT accepts every new connection at rule "-A INPUT -j ACCEPT", before any deny');
  });

  it("IPv4 denied, IPv6 wide open: no default deny", () => {
    const firewall = facts(captured("iptables-services-ipv6-open"));
    expect(firewall).toMatchObject({
      tool: "iptables",
      defaultDenyInbound: false,
      families: { ipv4: { tool: "iptables", defaultDenyInbound: true }, ipv6: { tool: null, defaultDenyInbound: false } },
      ipv6Disabled: { disabled: false, evidence: expect.stringContaining("net.ipv6.conf.eth0.disable_ipv6 = 0") },
    });
    expect(firewall.detail).toContain("ip6tables: INPUT policy ACCEPT and no rule that every new packet meets denies");
  });

  it("the same open IPv6 on a host where IPv6 is disabled: IPv4 alone decides, and the evidence is kept", () => {
    const disabled = ok("ipv6-disabled", "/proc/sys/net/ipv6/conf/all/disable_ipv6 1\n/proc/sys/net/ipv6/conf/eth0/disable_ipv6 1\n/proc/sys/net/ipv6/conf/lo/disable_ipv6 0\n");
    expect(facts({ ...captured("iptables-services-ipv6-open"), ipv6Disabled: disabled })).toMatchObject({
      defaultDenyInbound: true,
      persistentMatchesRuntime: true,
      ipv6Disabled: { disabled: true, evidence: "net.ipv6.conf.eth0.disable_ipv6 = 1" },
      detail: expect.stringContaining("IPv6 disabled on the host (net.ipv6.conf.eth0.disable_ipv6 = 1)"),
    });
  });

  it("iptables -S: policies and every chain's rules, -m tcp normalised away", () => {
    const table = parseIptablesRules(fixtureText("firewall/iptables-drop-policy"));
    expect(Object.fromEntries(table.policies)).toEqual({ INPUT: "DROP", FORWARD: "DROP", OUTPUT: "ACCEPT" });
    expect(Object.fromEntries(table.rules)).toEqual({
      INPUT: [
        "-A INPUT -i lo -j ACCEPT",
        "-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT",
        "-A INPUT -p tcp --dport 22 -j ACCEPT",
        "-A INPUT -p tcp --dport 9080 -j ACCEPT",
        "-A INPUT -p tcp --dport 9443 -j ACCEPT",
      ],
    });
  });

  const withIpv4 = (iptables: string, persistent: string): FirewallInputs => ({
    ...captured("no-firewall"),
    nftRuleset: fixture("firewall/nft-ruleset-empty", "nft-ruleset"),
    iptables: fixture(`firewall/${iptables}`, "iptables"),
    iptablesPersistent: fixture(`firewall/${persistent}`, "iptables-persistent"),
  });

  it("CentOS 7 default: a final REJECT rule closes the chain (IPv4)", () =>
    expect(facts(withIpv4("iptables-final-reject", "iptables-persistent-centos7-default")).families.ipv4).toMatchObject({
      tool: "iptables",
      persistentMatchesRuntime: true,
      detail: expect.stringContaining('chain INPUT denies by rule "-A INPUT -j REJECT --reject-with icmp-host-prohibited"'),
    }));

  it("DROP at runtime, the saved file still the ACCEPT-everything default: not persistent", () =>
    expect(facts(withIpv4("iptables-drop-policy", "iptables-persistent-centos7-default")).families.ipv4).toMatchObject({ persistentMatchesRuntime: false }));

  it("iptables-nft: the drop lives in nft table ip filter, decided as iptables", () => {
    const ipFilter = 'table ip filter {\n\tchain INPUT {\n\t\ttype filter hook input priority filter; policy drop;\n\t\tiifname "lo" counter packets 0 bytes 0 accept\n\t}\n}\n';
    const inputs = { ...withIpv4("iptables-drop-policy", "iptables-persistent-drop-policy"), nftRuleset: ok("nft-ruleset", ipFilter) };
    expect(facts(inputs).families.ipv4).toMatchObject({ tool: "iptables", persistentMatchesRuntime: true, detail: expect.stringMatching(/^iptables \(nf_tables backend\)/) });
  });

  it("legacy iptables denying behind an nftables chain that accepts everything still denies: packets meet both hooks", () => {
    // The accept-first nftables host with the compliant iptables-services host's legacy rules and files.
    const services = captured("iptables-services");
    const inputs = { ...captured("nftables-accept-first"), iptables: services.iptables, iptablesPersistent: services.iptablesPersistent };
    expect(facts(inputs)).toMatchObject({
      defaultDenyInbound: false,
      families: {
        ipv4: { tool: "iptables", defaultDenyInbound: true, persistentMatchesRuntime: true, denyAnswer: "silence" },
        ipv6: { tool: "nftables", defaultDenyInbound: false },
      },
    });
    const both = facts({ ...inputs, ip6tables: services.ip6tables, ip6tablesPersistent: services.ip6tablesPersistent });
    expect(both).toMatchObject({ tool: "iptables", defaultDenyInbound: true, families: { ipv6: { tool: "iptables", defaultDenyInbound: true } } });
  });
});

describe("nftables", () => {
  it("table inet api7_lab: policy drop covers IPv4 and IPv6, /etc/nftables.conf matches", () =>
    expect(facts(captured("nftables"))).toMatchObject({
      tool: "nftables",
      defaultDenyInbound: true,
      persistentMatchesRuntime: true,
      families: {
        ipv4: {
          tool: "nftables",
          denyAnswer: "silence",
          detail: expect.stringMatching(/^nftables: table inet api7_lab chain input hook input denies by policy drop; openings before it: .*; \/etc\/nftables\.conf declares the same/),
        },
        ipv6: { tool: "nftables" },
      },
    }));

  it("the deny's openings are the family's, in rule order", () =>
    expect(facts(captured("nftables")).families.ipv6.openings.map((o) => o.rule)).toEqual(["meta l4proto { icmp, ipv6-icmp } accept", "tcp dport { 22, 9080, 9443 } accept"]));

  it("an input chain that denies nothing (iptables-nft's nat INPUT) before the accept-all one: the accept-all is reported", () => {
    // The captured accept-first ruleset behind the nat INPUT base chain iptables-nft creates (as on the captured firewalld hosts).
    const natInput = "table ip nat_in {\n\tchain INPUT {\n\t\ttype nat hook input priority 100; policy accept;\n\t}\n}\n";
    const ruleset = fixture("firewall/nftables-accept-first/nft-ruleset", "nft-ruleset");
    const firewall = facts({ ...captured("nftables-accept-first"), nftRuleset: { ...ruleset, stdout: `${natInput}${ruleset.stdout}` } });
    expect(firewall.families.ipv4).toMatchObject({ tool: "nftables", defaultDenyInbound: false, detail: expect.stringContaining('at rule "accept"') });
  });

  it("nftables and iptables both accepting everything: the family is not denied, nftables' rule named", () => {
    const inputs = { ...captured("nftables-accept-first"), iptables: captured("iptables-services-accept-first").iptables };
    expect(facts(inputs).families.ipv4).toMatchObject({ tool: "nftables", defaultDenyInbound: false });
  });

  it("policy drop, but an unconditional accept first, persisted alike: nftables accepts everything, for both families", () => {
    const firewall = facts(captured("nftables-accept-first"));
    expect(firewall).toMatchObject({
      tool: "nftables",
      active: true,
      defaultDenyInbound: false,
      persistentMatchesRuntime: null,
      families: {
        ipv4: { tool: "nftables", defaultDenyInbound: false, openings: [], denyAnswer: null },
        ipv6: { tool: "nftables", defaultDenyInbound: false, openings: [], denyAnswer: null },
      },
    });
    expect(firewall.families.ipv4.detail).toBe('nftables: table inet api7_lab chain input hook input accepts every new connection at rule "accept", before its policy drop is reached');
  });

  it("a prerouting redirect (captured) is no input chain: the input chain still denies, persistence compared on the deciding table", () =>
    expect(facts(captured("nftables-nat-redirect"))).toMatchObject({
      tool: "nftables",
      defaultDenyInbound: true,
      persistentMatchesRuntime: true,
      families: { ipv4: { detail: expect.stringMatching(/\/etc\/nftables\.conf declares the same policies and normalised rules for table inet api7_lab$/) } },
    }));

  it("nft list ruleset: chains, hooks, policies and normalised rules", () => {
    const tables = parseNftRuleset(fixtureText("firewall/nft-ruleset-default-drop"));
    expect(tables).toHaveLength(1);
    expect(tables[0]?.chains[0]).toEqual({
      name: "input",
      hook: "input",
      policy: "drop",
      rules: [
        "ct state established, related accept",
        "ct state invalid drop",
        "iif lo accept",
        "ip protocol icmp accept",
        "meta l4proto ipv6-icmp accept",
        "tcp dport { 22, 9080, 9443 } accept",
      ],
    });
  });

  const withRuleset = (persistent: CommandOutput): FirewallInputs => ({
    ...captured("no-firewall"),
    nftRuleset: fixture("firewall/nft-ruleset-default-drop", "nft-ruleset"),
    nftPersistent: persistent,
  });

  it("the persistent file lacks a port: not persistent", () =>
    expect(facts(withRuleset(fixture("firewall/nft-persistent-drifted", "nft-persistent")))).toMatchObject({
      persistentMatchesRuntime: false,
      detail: expect.stringContaining("differ"),
    }));

  it("the persistent file is Debian's accept-all default (captured from the lab image): not persistent", () =>
    expect(facts(withRuleset(fixture("firewall/firewalld-stock/nft-persistent", "nft-persistent")))).toMatchObject({
      persistentMatchesRuntime: false,
      detail: expect.stringContaining("/etc/nftables.conf: table inet api7lab is not declared"),
    }));

  it("no persistent file: not persistent", () =>
    expect(facts(withRuleset({ ...absentFile("nft-persistent", "/etc/nftables.conf"), stderr: "no /etc/sysconfig/nftables.conf or /etc/nftables.conf\n" }))).toMatchObject({
      persistentMatchesRuntime: false,
      detail: expect.stringContaining("no persistent rule file"),
    }));

  it("an ip-family table covers IPv4 only: IPv6 is left open", () => {
    const ipOnly = fixtureText("firewall/nft-ruleset-default-drop").replace("table inet api7lab", "table ip api7lab");
    expect(facts({ ...captured("no-firewall"), nftRuleset: ok("nft-ruleset", ipOnly) })).toMatchObject({
      defaultDenyInbound: false,
      families: { ipv4: { tool: "nftables" }, ipv6: { tool: null } },
    });
  });
});

describe("how each firewall's deny answers a TCP connection (what the network witness expects)", () => {
  it("firewalld: a default-target zone rejects with ICMP prohibited; a DROP zone is silent", () => {
    expect(facts(captured("firewalld-stock")).families.ipv4.denyAnswer).toBe("icmp-error");
    // The captured host with eth0's zone public's target set to DROP at runtime (`--set-target=DROP`).
    const runtime = fixture("firewall/firewalld-stock/firewalld-runtime", "firewalld-runtime");
    const dropped = runtime.stdout.replace(/^(public \(active\)\n  target: )default$/m, "$1DROP");
    expect(dropped).not.toBe(runtime.stdout);
    expect(facts({ ...captured("firewalld-stock"), firewalldRuntime: { ...runtime, stdout: dropped } }).families).toMatchObject({
      ipv4: { defaultDenyInbound: true, denyAnswer: "silence" },
      ipv6: { defaultDenyInbound: true, denyAnswer: "silence" },
    });
  });

  it("nftables: policy drop is silent; firewalld's left-behind reject with icmpx admin-prohibited is an ICMP error", () => {
    expect(facts(captured("nftables")).families.ipv6.denyAnswer).toBe("silence");
    expect(facts(captured("firewalld-failed")).families.ipv4.denyAnswer).toBe("icmp-error");
  });

  it("iptables: policy DROP is silent, CentOS 7's REJECT with icmp-host-prohibited an ICMP error, a plain REJECT a closed port", () => {
    expect(facts(captured("iptables-services")).families.ipv4.denyAnswer).toBe("silence");
    const withRunning = (stdout: string) => facts({ ...captured("no-firewall"), iptables: ok("iptables", stdout) }).families.ipv4.denyAnswer;
    const centos7 = fixtureText("firewall/iptables-final-reject");
    expect(withRunning(centos7)).toBe("icmp-error");
    // The captured CentOS 7 listing with its INPUT REJECT's --reject-with left out (iptables' default, icmp-port-unreachable).
    expect(withRunning(centos7.replace("-A INPUT -j REJECT --reject-with icmp-host-prohibited", "-A INPUT -j REJECT"))).toBe("closed-port");
  });

  it("nothing denies: no answer to expect", () => {
    const { families } = facts(captured("no-firewall"));
    expect([families.ipv4.denyAnswer, families.ipv6.denyAnswer]).toEqual([null, null]);
    expect([families.ipv4.openings, families.ipv6.openings]).toEqual([[], []]);
  });
});

describe("no firewall", () => {
  it("firewalld installed but not answering on the bus, accept-all iptables, no nftables table: nothing denies", () => {
    const firewall = facts(captured("no-firewall"));
    expect(firewall).toMatchObject({ tool: null, active: false, defaultDenyInbound: false, persistentMatchesRuntime: null });
    expect(firewall.detail).toMatch(/^IPv4: no default-deny inbound firewall for IPv4: firewalld: /);
    expect(firewall.families.ipv4.detail).toContain("nftables: no ip/inet input chain denies by default");
    expect(firewall.families.ipv6.detail).toContain("nftables: no ip6/inet input chain denies by default");
  });

  it("no firewall section at all is a problem", () =>
    expect(parseFirewall({})).toEqual({ ok: false, problem: "no firewall section in the collection output" }));
});

describe("IPv6 disabled?", () => {
  it("captured lab host: eth0 has IPv6 although all/default and the DHCP client's veth pair say 1", () =>
    expect(parseIpv6Disabled(fixtureText("firewall/nftables/ipv6-disabled"))).toEqual({
      ok: true,
      value: { disabled: false, evidence: "net.ipv6.conf.dhcp0-peer.disable_ipv6 = 1, net.ipv6.conf.dhcp0.disable_ipv6 = 1, net.ipv6.conf.eth0.disable_ipv6 = 0" },
    }));

  it("no /proc/sys/net/ipv6: disabled at boot", () =>
    expect(parseIpv6Disabled("/proc/sys/net/ipv6 absent\n")).toEqual({
      ok: true,
      value: { disabled: true, evidence: "/proc/sys/net/ipv6 absent (IPv6 disabled at boot)" },
    }));

  it("unreadable output is a problem", () => expect(parseIpv6Disabled("eth0 maybe\n").ok).toBe(false));

  it("unknown (section missing): IPv6 must be denied, and the detail says it is unknown", () => {
    const { ipv6Disabled: _dropped, ...inputs } = captured("iptables-services-ipv6-open");
    const firewall = facts(inputs);
    expect(firewall).toMatchObject({ ipv6Disabled: null, defaultDenyInbound: false });
    expect(firewall.detail).toContain("whether IPv6 is disabled is not known: section missing from the collection output");
  });
});

it("zone bindings: NetworkManager and ifcfg lines, empty zone = the default zone", () =>
  expect(Object.fromEntries(parseZoneBindings("nm eth0 public\nnm eth1 \nifcfg /etc/sysconfig/network-scripts/ifcfg-eth1 eth1 \n"))).toEqual({
    eth0: [{ zone: "public", source: "NetworkManager connection zone public" }],
    eth1: [
      { zone: null, source: "NetworkManager connection without a zone (the default zone)" },
      { zone: null, source: "ifcfg-eth1 without ZONE= (the default zone)" },
    ],
  }));
