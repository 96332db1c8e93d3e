import { describe, expect, it } from "vitest";
import {
  type FirewallInputs,
  parseFirewall,
  parseFirewalldListAll,
  parseIptablesInput,
  parseNftRuleset,
} from "../../../helpers/facts/parsers/firewall.js";
import type { CommandOutput } from "../../../helpers/model.js";
import { absentFile, fixture } from "./fixtures.js";

const notInstalled = (section: string, tool: string): CommandOutput => ({
  section,
  command: tool,
  exitCode: 127,
  stdout: "",
  stderr: `bash: line 1: ${tool}: command not found\n`,
  durationMs: 1,
});
const firewalldAbsent: FirewallInputs = {
  firewalldState: notInstalled("firewalld-state", "firewall-cmd"),
  firewalldRuntime: notInstalled("firewalld-runtime", "firewall-cmd"),
  firewalldPermanent: notInstalled("firewalld-permanent", "firewall-cmd"),
};
const firewalldStopped: FirewallInputs = { firewalldState: fixture("firewall/firewalld-state-not-running", "firewalld-state") };

describe("firewalld", () => {
  it("firewall-cmd --list-all of the public zone", () => {
    const zone = parseFirewalldListAll(fixture("firewall/firewalld-list-all-public").stdout);
    if (!zone.ok) throw new Error(zone.problem);
    expect(zone.value.zone).toBe("public");
    expect(zone.value.target).toBe("default");
    expect(zone.value.fields.get("services")).toBe("cockpit dhcpv6-client ssh");
  });

  it("running, permanent equals runtime: active, default deny, persistent", () =>
    expect(
      parseFirewall({
        firewalldState: fixture("firewall/firewalld-state-running", "firewalld-state"),
        firewalldRuntime: fixture("firewall/firewalld-list-all-public", "firewalld-runtime"),
        firewalldPermanent: fixture("firewall/firewalld-permanent-public", "firewalld-permanent"),
      }),
    ).toEqual({
      ok: true,
      value: {
        tool: "firewalld",
        active: true,
        defaultDenyInbound: true,
        persistentMatchesRuntime: true,
        detail: "firewalld: running, zone public target default; runtime and permanent --list-all identical",
      },
    }));

  it("running, ports opened only in the permanent configuration: not persistent", () =>
    expect(
      parseFirewall({
        firewalldState: fixture("firewall/firewalld-state-running", "firewalld-state"),
        firewalldRuntime: fixture("firewall/firewalld-list-all-public", "firewalld-runtime"),
        firewalldPermanent: fixture("firewall/firewalld-permanent-public-extra-ports", "firewalld-permanent"),
      }),
    ).toMatchObject({ ok: true, value: { tool: "firewalld", persistentMatchesRuntime: false, detail: expect.stringContaining("differ in: ports") } }));

  it("running in the trusted zone (target ACCEPT): no default deny", () =>
    expect(
      parseFirewall({
        firewalldState: fixture("firewall/firewalld-state-running", "firewalld-state"),
        firewalldRuntime: fixture("firewall/firewalld-list-all-trusted", "firewalld-runtime"),
      }),
    ).toMatchObject({ ok: true, value: { tool: "firewalld", active: true, defaultDenyInbound: false, persistentMatchesRuntime: null } }));

  it("not running (stderr, exit 252) and nothing else: no firewall", () => {
    const result = parseFirewall({
      ...firewalldStopped,
      nftRuleset: fixture("firewall/nft-ruleset-empty", "nft-ruleset"),
      iptables: fixture("firewall/iptables-accept-all", "iptables"),
    });
    expect(result).toMatchObject({ ok: true, value: { tool: null, active: false, defaultDenyInbound: false } });
    if (result.ok) expect(result.value.detail).toMatch(/^no default-deny inbound firewall: firewalld: not running; nftables: no input chain/);
  });
});

describe("nftables", () => {
  it("nft list ruleset: chains, hooks, policies and normalised rules", () => {
    const tables = parseNftRuleset(fixture("firewall/nft-ruleset-default-drop").stdout);
    expect(tables).toHaveLength(1);
    expect(tables[0]).toMatchObject({ family: "inet", name: "api7lab" });
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

  it("default drop, persistent file declares the same chain (priority 0, unquoted lo)", () =>
    expect(
      parseFirewall({
        ...firewalldAbsent,
        nftRuleset: fixture("firewall/nft-ruleset-default-drop", "nft-ruleset"),
        nftPersistent: fixture("firewall/nft-persistent-default-drop", "nft-persistent"),
      }),
    ).toEqual({
      ok: true,
      value: {
        tool: "nftables",
        active: true,
        defaultDenyInbound: true,
        persistentMatchesRuntime: true,
        detail:
          "nftables: table inet api7lab, chain input hook input policy drop; the persistent file declares the same policy and normalised rules for chain input",
      },
    }));

  it("default drop, persistent file lacks a port: not persistent", () =>
    expect(
      parseFirewall({
        ...firewalldAbsent,
        nftRuleset: fixture("firewall/nft-ruleset-default-drop", "nft-ruleset"),
        nftPersistent: fixture("firewall/nft-persistent-drifted", "nft-persistent"),
      }),
    ).toMatchObject({ ok: true, value: { tool: "nftables", persistentMatchesRuntime: false, detail: expect.stringContaining("differ") } }));

  it("default drop, persistent file is Debian's accept-all default: not persistent", () =>
    expect(
      parseFirewall({
        ...firewalldAbsent,
        nftRuleset: fixture("firewall/nft-ruleset-default-drop", "nft-ruleset"),
        nftPersistent: fixture("firewall/nft-persistent-debian-default", "nft-persistent"),
      }),
    ).toMatchObject({ ok: true, value: { persistentMatchesRuntime: false, detail: expect.stringContaining("table inet api7lab chain input is not declared") } }));

  it("default drop without any persistent file: not persistent", () =>
    expect(
      parseFirewall({
        ...firewalldAbsent,
        nftRuleset: fixture("firewall/nft-ruleset-default-drop", "nft-ruleset"),
        nftPersistent: { ...absentFile("nft-persistent", "/etc/nftables.conf"), stderr: "no /etc/sysconfig/nftables.conf or /etc/nftables.conf\n" },
      }),
    ).toMatchObject({ ok: true, value: { tool: "nftables", persistentMatchesRuntime: false, detail: expect.stringContaining("no persistent rule file") } }));

  it("accept-all ruleset (Debian default) is no firewall", () =>
    expect(
      parseFirewall({ ...firewalldAbsent, nftRuleset: fixture("firewall/nft-ruleset-accept-all", "nft-ruleset"), iptables: fixture("firewall/iptables-accept-all", "iptables") }),
    ).toMatchObject({ ok: true, value: { tool: null, active: false, defaultDenyInbound: false, persistentMatchesRuntime: null } }));
});

describe("iptables", () => {
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

  it("INPUT policy DROP, saved file matches", () =>
    expect(
      parseFirewall({
        ...firewalldStopped,
        nftRuleset: notInstalled("nft-ruleset", "nft"),
        iptables: fixture("firewall/iptables-drop-policy", "iptables"),
        iptablesPersistent: fixture("firewall/iptables-persistent-drop-policy", "iptables-persistent"),
      }),
    ).toEqual({
      ok: true,
      value: {
        tool: "iptables",
        active: true,
        defaultDenyInbound: true,
        persistentMatchesRuntime: true,
        detail: "iptables: chain INPUT policy DROP; the persistent file has the same INPUT policy and 5 normalised rules",
      },
    }));

  it("CentOS 7 iptables-services default: final REJECT rule, saved file matches", () =>
    expect(
      parseFirewall({
        ...firewalldStopped,
        nftRuleset: notInstalled("nft-ruleset", "nft"),
        iptables: fixture("firewall/iptables-final-reject", "iptables"),
        iptablesPersistent: fixture("firewall/iptables-persistent-centos7-default", "iptables-persistent"),
      }),
    ).toMatchObject({
      ok: true,
      value: { tool: "iptables", defaultDenyInbound: true, persistentMatchesRuntime: true, detail: expect.stringContaining('final rule "-A INPUT -j REJECT --reject-with icmp-host-prohibited"') },
    }));

  it("DROP policy at runtime, saved file still ACCEPT-everything default: not persistent", () =>
    expect(
      parseFirewall({
        ...firewalldStopped,
        nftRuleset: notInstalled("nft-ruleset", "nft"),
        iptables: fixture("firewall/iptables-drop-policy", "iptables"),
        iptablesPersistent: fixture("firewall/iptables-persistent-centos7-default", "iptables-persistent"),
      }),
    ).toMatchObject({ ok: true, value: { tool: "iptables", persistentMatchesRuntime: false } }));

  it("INPUT policy ACCEPT: no firewall", () =>
    expect(
      parseFirewall({ ...firewalldStopped, nftRuleset: notInstalled("nft-ruleset", "nft"), iptables: fixture("firewall/iptables-accept-all", "iptables") }),
    ).toMatchObject({ ok: true, value: { tool: null, active: false } }));

  it("iptables-nft: the drop lives in nft table ip filter, decided as iptables", () => {
    const ipFilter = "table ip filter {\n\tchain INPUT {\n\t\ttype filter hook input priority filter; policy drop;\n\t\tiifname \"lo\" counter packets 0 bytes 0 accept\n\t}\n}\n";
    expect(
      parseFirewall({
        ...firewalldAbsent,
        nftRuleset: { section: "nft-ruleset", command: "nft list ruleset", exitCode: 0, stdout: ipFilter, stderr: "", durationMs: 1 },
        iptables: fixture("firewall/iptables-drop-policy", "iptables"),
        iptablesPersistent: fixture("firewall/iptables-persistent-drop-policy", "iptables-persistent"),
      }),
    ).toMatchObject({ ok: true, value: { tool: "iptables", persistentMatchesRuntime: true, detail: expect.stringMatching(/^iptables \(nf_tables backend\)/) } });
  });
});

it("no firewall section at all is a problem", () =>
  expect(parseFirewall({})).toEqual({ ok: false, problem: "no firewall section in the collection output" }));
