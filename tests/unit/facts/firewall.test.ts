// Firewall facts from real daemons' outputs: tests/fixtures/facts/firewall/<case>/ are captured
// from lab hosts by tests/fixtures/capture/capture-firewall.ts (firewalld, iptables-services,
// nftables); the flat nft-*/iptables-* files are older captures in network namespaces.
import { describe, expect, it } from "vitest";
import {
  type FirewallInputs,
  firewalldDifferences,
  parseFirewall,
  parseFirewalldListAll,
  parseIptablesInput,
  parseIpv6Disabled,
  parseNftRuleset,
  parseZoneBindings,
} from "../../../helpers/facts/parsers/firewall.js";
import type { FirewallFacts } from "../../../helpers/facts/types.js";
import type { CommandOutput } from "../../../helpers/model.js";
import { absentFile, capturedFirewallInputs, fixture } from "./fixtures.js";

/** Every firewall section of one captured lab host. */
const captured = capturedFirewallInputs;

function facts(inputs: FirewallInputs): FirewallFacts {
  const result = parseFirewall(inputs);
  if (!result.ok) throw new Error(result.problem);
  return result.value;
}

const ok = (section: string, stdout: string): CommandOutput => ({ section, command: section, exitCode: 0, stdout, stderr: "", durationMs: 1 });
const timedOut = (section: string): CommandOutput => ({ section, command: section, exitCode: 124, stdout: "", stderr: "", durationMs: 5000, timedOut: true });

describe("firewalld (Debian's firewalld 1.3, set up as a stock CentOS 7 host)", () => {
  it("firewall-cmd --list-all of the public zone", () => {
    const zone = parseFirewalldListAll(fixture("firewall/firewalld-stock/firewalld-runtime").stdout);
    if (!zone.ok) throw new Error(zone.problem);
    expect(zone.value).toMatchObject({ zone: "public", target: "default" });
    expect(zone.value.fields.get("services")).toBe("dhcpv6-client ssh");
    expect(zone.value.fields.get("interfaces")).toBe("eth0");
  });

  it("ports --permanent + --reload, interface bound at runtime: passes, the binding is evidence and not drift", () => {
    const firewall = facts(captured("firewalld-stock-ifcfg-zone"));
    expect(firewall).toMatchObject({
      tool: "firewalld",
      active: true,
      defaultDenyInbound: true,
      persistentMatchesRuntime: true,
      listingProblem: null,
      firewalld: { zone: "public", target: "default", drift: [], bindings: [{ interface: "eth0", zone: "public", source: "ifcfg-eth0 ZONE=public" }] },
      families: { ipv4: { tool: "firewalld", defaultDenyInbound: true }, ipv6: { tool: "firewalld", defaultDenyInbound: true } },
      ipv6Disabled: { disabled: false },
    });
    expect(firewall.detail).toContain("runtime and permanent agree on every persisted field");
    expect(firewall.detail).toContain("eth0 (ifcfg-eth0 ZONE=public)");
  });

  it("no NetworkManager and no ifcfg file: the binding's boot-time source is reported unknown, still not drift", () => {
    const firewall = facts(captured("firewalld-stock"));
    expect(firewall).toMatchObject({ persistentMatchesRuntime: true, firewalld: { drift: [] } });
    expect(firewall.firewalld?.bindings[0]?.source).toMatch(/^boot-time zone not known \(zone-bindings: exit 1: no nmcli/);
  });

  it("a port opened at runtime only is drift in 'ports'", () =>
    expect(facts(captured("firewalld-runtime-only-port"))).toMatchObject({
      defaultDenyInbound: true,
      persistentMatchesRuntime: false,
      firewalld: { drift: ["ports"] },
      detail: expect.stringContaining("runtime and permanent differ in: ports"),
    }));

  it("zone target ACCEPT: no default deny, for both families", () =>
    expect(facts(captured("firewalld-target-accept"))).toMatchObject({
      tool: "firewalld",
      defaultDenyInbound: false,
      persistentMatchesRuntime: true,
      families: { ipv4: { defaultDenyInbound: false }, ipv6: { defaultDenyInbound: false } },
      detail: expect.stringContaining("target ACCEPT (accepts everything)"),
    }));

  it("every persisted field counts (target, services, rich rules, ...), interfaces never do", () => {
    const runtime = parseFirewalldListAll(fixture("firewall/firewalld-stock/firewalld-runtime").stdout);
    const permanent = parseFirewalldListAll(fixture("firewall/firewalld-stock/firewalld-permanent").stdout);
    if (!runtime.ok || !permanent.ok) throw new Error("unparsed");
    expect(firewalldDifferences(runtime.value, permanent.value)).toEqual([]);
    const changed = new Map(permanent.value.fields);
    changed.set("target", "ACCEPT");
    changed.set("services", "ssh");
    changed.set("rich rules", 'rule family="ipv4" source address="10.0.0.0/8" accept');
    expect(firewalldDifferences(runtime.value, { ...permanent.value, fields: changed })).toEqual(["target", "services", "rich rules"]);
  });

  it("a boot-time zone other than the runtime one is drift", () => {
    const inputs = { ...captured("firewalld-stock"), zoneBindings: ok("zone-bindings", "nm eth0 internal\n") };
    expect(facts(inputs)).toMatchObject({
      persistentMatchesRuntime: false,
      firewalld: { drift: ["interfaces (eth0 is in public at runtime, NetworkManager connection zone internal at boot)"] },
    });
  });

  it("runtime listing timed out: not judged (a problem), never a pass", () =>
    expect(parseFirewall({ ...captured("firewalld-stock"), firewalldRuntime: timedOut("firewalld-runtime") })).toEqual({
      ok: false,
      problem: "firewalld is running but its zone could not be listed (firewall-cmd --list-all: timed out after 5000 ms)",
    }));

  it("permanent listing timed out: persistence not comparable, and the listing problem says why", () =>
    expect(facts({ ...captured("firewalld-stock"), firewalldPermanent: timedOut("firewalld-permanent") })).toMatchObject({
      persistentMatchesRuntime: null,
      firewalld: { drift: null },
      listingProblem: "firewall-cmd --permanent --list-all: timed out after 5000 ms",
    }));

  it("the state section's two words for running: busctl's (captured) and firewall-cmd --state's (where busctl gets no RUNNING)", () => {
    const stock = captured("firewalld-stock");
    expect(stock.firewalldState?.stdout).toBe('s "RUNNING"\n');
    expect(facts(stock)).toMatchObject({ tool: "firewalld", firewalld: { zone: "public" } });
    expect(facts({ ...stock, firewalldState: ok("firewalld-state", "running\n") })).toMatchObject({ tool: "firewalld", firewalld: { zone: "public" } });
  });

  it("any other state is not running, even with exit 0: the zone listings are not read", () => {
    // The captured running host's state section edited to each other answer; its listings stay.
    for (const other of ['s "FAILED"\n', 's "INIT"\n', "failed\n", "not running\n", 's "running"\n', "s RUNNING\n", ""])
      expect(facts({ ...captured("firewalld-stock"), firewalldState: ok("firewalld-state", other) }).firewalld, JSON.stringify(other)).toBeNull();
  });

  it("firewalld in state FAILED (captured: started with a direct rule it cannot load): judged by the rules it left, as without firewalld", () => {
    // firewall-cmd --list-all would list firewalld's stock zone there (exit 0); the listings are not run.
    const failed = captured("firewalld-failed");
    expect(failed.firewalldState).toMatchObject({ exitCode: 251, stdout: "", stderr: "failed\n" });
    expect(failed.firewalldRuntime).toMatchObject({ exitCode: 251, stdout: "", stderr: "not run: firewall-cmd --state exited 251\n" });
    expect(facts(failed)).toMatchObject({
      tool: "nftables",
      firewalld: null,
      families: { ipv4: { tool: "nftables", defaultDenyInbound: true, persistentMatchesRuntime: false } },
      detail: expect.stringContaining("nftables: table inet firewalld, chain filter_INPUT hook input"),
    });
  });

  it("firewalld's state did not answer (daemon hung): not judged", () =>
    expect(parseFirewall({ ...captured("firewalld-stock"), firewalldState: timedOut("firewalld-state") })).toEqual({
      ok: false,
      problem: "firewalld-state: timed out after 5000 ms",
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
        ipv4: { tool: "iptables", persistentMatchesRuntime: true, detail: expect.stringMatching(/^iptables: chain INPUT policy DROP; \/etc\/sysconfig\/iptables has the same/) },
        ipv6: { tool: "iptables", persistentMatchesRuntime: true, detail: expect.stringMatching(/^ip6tables: chain INPUT policy DROP; \/etc\/sysconfig\/ip6tables has the same/) },
      },
    }));

  it("INPUT policy ACCEPT (IPv4): no default deny", () => {
    const firewall = facts(captured("iptables-services-accept"));
    expect(firewall).toMatchObject({ defaultDenyInbound: false, families: { ipv4: { tool: null, defaultDenyInbound: false }, ipv6: { tool: "iptables" } } });
    expect(firewall.detail).toContain("iptables: INPUT policy ACCEPT and no final DROP/REJECT rule");
  });

  it("IPv4 denied, IPv6 wide open: no default deny", () => {
    const firewall = facts(captured("iptables-services-ipv6-open"));
    expect(firewall).toMatchObject({
      tool: "iptables",
      defaultDenyInbound: false,
      families: { ipv4: { tool: "iptables", defaultDenyInbound: true }, ipv6: { tool: null, defaultDenyInbound: false } },
      ipv6Disabled: { disabled: false, evidence: expect.stringContaining("net.ipv6.conf.eth0.disable_ipv6 = 0") },
    });
    expect(firewall.detail).toContain("ip6tables: INPUT policy ACCEPT and no final DROP/REJECT rule");
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

  it("iptables -S INPUT chain, -m tcp normalised away", () =>
    expect(parseIptablesInput(fixture("firewall/iptables-drop-policy").stdout)).toEqual({
      policy: "DROP",
      rules: [
        "-A INPUT -i lo -j ACCEPT",
        "-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT",
        "-A INPUT -p tcp --dport 22 -j ACCEPT",
        "-A INPUT -p tcp --dport 9080 -j ACCEPT",
        "-A INPUT -p tcp --dport 9443 -j ACCEPT",
      ],
    }));

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
      detail: expect.stringContaining('final rule "-A INPUT -j REJECT --reject-with icmp-host-prohibited"'),
    }));

  it("DROP at runtime, the saved file still the ACCEPT-everything default: not persistent", () =>
    expect(facts(withIpv4("iptables-drop-policy", "iptables-persistent-centos7-default")).families.ipv4).toMatchObject({ persistentMatchesRuntime: false }));

  it("iptables-nft: the drop lives in nft table ip filter, decided as iptables", () => {
    const ipFilter = 'table ip filter {\n\tchain INPUT {\n\t\ttype filter hook input priority filter; policy drop;\n\t\tiifname "lo" counter packets 0 bytes 0 accept\n\t}\n}\n';
    const inputs = { ...withIpv4("iptables-drop-policy", "iptables-persistent-drop-policy"), nftRuleset: ok("nft-ruleset", ipFilter) };
    expect(facts(inputs).families.ipv4).toMatchObject({ tool: "iptables", persistentMatchesRuntime: true, detail: expect.stringMatching(/^iptables \(nf_tables backend\)/) });
  });
});

describe("nftables", () => {
  it("table inet api7_lab: policy drop covers IPv4 and IPv6, /etc/nftables.conf matches", () =>
    expect(facts(captured("nftables"))).toMatchObject({
      tool: "nftables",
      defaultDenyInbound: true,
      persistentMatchesRuntime: true,
      families: {
        ipv4: { tool: "nftables", detail: expect.stringContaining("table inet api7_lab, chain input hook input policy drop; /etc/nftables.conf declares the same") },
        ipv6: { tool: "nftables" },
      },
    }));

  it("nft list ruleset: chains, hooks, policies and normalised rules", () => {
    const tables = parseNftRuleset(fixture("firewall/nft-ruleset-default-drop").stdout);
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
      detail: expect.stringContaining("/etc/nftables.conf: table inet api7lab chain input is not declared"),
    }));

  it("no persistent file: not persistent", () =>
    expect(facts(withRuleset({ ...absentFile("nft-persistent", "/etc/nftables.conf"), stderr: "no /etc/sysconfig/nftables.conf or /etc/nftables.conf\n" }))).toMatchObject({
      persistentMatchesRuntime: false,
      detail: expect.stringContaining("no persistent rule file"),
    }));

  it("an ip-family table covers IPv4 only: IPv6 is left open", () => {
    const ipOnly = fixture("firewall/nft-ruleset-default-drop").stdout.replace("table inet api7lab", "table ip api7lab");
    expect(facts({ ...captured("no-firewall"), nftRuleset: ok("nft-ruleset", ipOnly) })).toMatchObject({
      defaultDenyInbound: false,
      families: { ipv4: { tool: "nftables" }, ipv6: { tool: null } },
    });
  });
});

describe("no firewall", () => {
  it("firewalld installed but not answering on the bus, accept-all iptables, no nftables table: nothing denies", () => {
    const firewall = facts(captured("no-firewall"));
    expect(firewall).toMatchObject({ tool: null, active: false, defaultDenyInbound: false, persistentMatchesRuntime: null });
    expect(firewall.detail).toMatch(/^IPv4: no default-deny inbound firewall for IPv4: firewalld: /);
  });

  it("no firewall section at all is a problem", () =>
    expect(parseFirewall({})).toEqual({ ok: false, problem: "no firewall section in the collection output" }));
});

describe("IPv6 disabled?", () => {
  it("captured lab host: eth0 has IPv6 although all/default say 1", () =>
    expect(parseIpv6Disabled(fixture("firewall/nftables/ipv6-disabled").stdout)).toEqual({
      ok: true,
      value: { disabled: false, evidence: "net.ipv6.conf.eth0.disable_ipv6 = 0" },
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
