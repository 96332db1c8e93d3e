// Focused tests for the decisions of helpers/facts/parsers/listeners.ts and firewall.ts that the
// behaviour tests (listeners.test.ts, firewall.test.ts) leave to chance. Inputs are the captured
// outputs in tests/fixtures/facts; where a test needs a variant, it edits the captured text and the
// comment says what was changed and why a real host prints that.
import { describe, expect, it } from "vitest";
import {
  type FirewallInputs,
  denyingInputChains,
  firewalldDifferences,
  normaliseIptablesRule,
  normaliseNftRule,
  parseFirewall,
  parseFirewalldListAll,
  parseIptablesInput,
  parseIptablesSaveInput,
  parseIpv6Disabled,
  parseNftRuleset,
  parseZoneBindings,
} from "../../../helpers/facts/parsers/firewall.js";
import { parseGlobalIpv6Addresses, parseListeners, splitLocalAddress } from "../../../helpers/facts/parsers/listeners.js";
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
      { protocol: "udp", address: "127.0.0.11", port: 53008, process: null },
      { protocol: "tcp", address: "0.0.0.0", port: 22, process: "sshd" },
      { protocol: "tcp", address: "0.0.0.0", port: 9080, process: "nginx" },
      { protocol: "tcp", address: "127.0.0.11", port: 40285, process: null },
      { protocol: "tcp", address: "0.0.0.0", port: 9443, process: "nginx" },
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
    expect(parseGlobalIpv6Addresses(captured("nftables"))).toEqual({ ok: true, value: ["fd7a:a9b3:3268:1::b"] }));

  it("one address per line, blank lines skipped", () => {
    // Two hosts' captured lines as one host with two global addresses would print them.
    const two = `${captured("nftables")}\n${captured("no-firewall")}`;
    expect(parseGlobalIpv6Addresses(two)).toEqual({ ok: true, value: ["fd7a:a9b3:3268:1::b", "fd7a:a9b3:3268:1::a"] });
    expect(parseGlobalIpv6Addresses("")).toEqual({ ok: true, value: [] });
    expect(parseGlobalIpv6Addresses(" \n")).toEqual({ ok: true, value: [] });
  });

  it.each(["tentative", "dadfailed", "deprecated"])("an address flagged %s cannot be reached and is left out", (flag) => {
    // The captured line with the kernel's flag where "nodad" is.
    const flagged = captured("nftables").replace("nodad", flag);
    expect(flagged).toContain(flag);
    expect(parseGlobalIpv6Addresses(`${flagged}${captured("no-firewall")}`)).toEqual({ ok: true, value: ["fd7a:a9b3:3268:1::a"] });
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
  return { ...output, stdout: edit(output.stdout) };
};
const facts = (inputs: FirewallInputs): FirewallFacts => ok(parseFirewall(inputs));
const zone = (listing: string) => ok(parseFirewalldListAll(listing));

describe("firewalld --list-all", () => {
  it("every field of the captured zone, the zone line without its (active) mark", () => {
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
  });

  it("rich rules continue on their own lines, and compare line by line in any order", () => {
    // The captured listing with two rich rules, as firewall-cmd prints them (one per line under "rich rules:").
    const rules = ['rule family="ipv4" source address="10.0.0.0/8" accept', 'rule family="ipv4" source address="192.168.0.0/16" port port="2379" protocol="tcp" accept'];
    const withRules = (listing: string, lines: string[]) => listing.replace(/  rich rules: \n/, `  rich rules: \n${lines.map((r) => `\t${r}\n`).join("")}`);
    const runtime = zone(withRules(text("firewalld-stock", "firewalld-runtime"), rules));
    expect(runtime.fields.get("rich rules")).toBe(rules.join("\n"));
    const permanent = zone(withRules(text("firewalld-stock", "firewalld-permanent"), [...rules].reverse()));
    expect(firewalldDifferences(runtime, permanent)).toEqual([]);
    const one = zone(withRules(text("firewalld-stock", "firewalld-permanent"), [rules[0]!]));
    expect(firewalldDifferences(runtime, one)).toEqual(["rich rules"]);
  });

  it("blank lines and lines of spaces are not rows", () => {
    // The captured listing after a blank line, with a line of spaces among its fields.
    const spaced = `\n${text("firewalld-stock", "firewalld-runtime").replace("  forward: yes\n", "  forward: yes\n   \n")}`;
    expect(zone(spaced)).toEqual(zone(text("firewalld-stock", "firewalld-runtime")));
  });

  it("a rich rule whose log prefix holds a colon is a rule, not a field", () => {
    // The captured listing with a logging rich rule (its prefix "lab 1: " looks like a "key: value" row).
    const rule = 'rule family="ipv4" source address="10.0.0.0/8" log prefix="lab 1: " level="info" accept';
    const listing = zone(text("firewalld-stock", "firewalld-runtime").replace(/  rich rules: \n/, `  rich rules: \n\t${rule}\n`));
    expect(listing.fields.get("rich rules")).toBe(rule);
    expect([...listing.fields.keys()]).not.toContain("1");
  });

  it("rich rules compare as whole lines: the same words in other rules differ", () => {
    // The captured listings with two rich rules, their actions swapped in the permanent one.
    const rule = (address: string, action: string) => `rule family="ipv4" source address="${address}" ${action}`;
    const withRules = (listing: string, rules: string[]) => listing.replace(/  rich rules: \n/, `  rich rules: \n${rules.map((r) => `\t${r}\n`).join("")}`);
    const runtime = zone(withRules(text("firewalld-stock", "firewalld-runtime"), [rule("10.0.0.0/8", "accept"), rule("192.168.0.0/16", "drop")]));
    const permanent = zone(withRules(text("firewalld-stock", "firewalld-permanent"), [rule("10.0.0.0/8", "drop"), rule("192.168.0.0/16", "accept")]));
    expect(firewalldDifferences(runtime, permanent)).toEqual(["rich rules"]);
  });

  it("no target line: the default target", () => {
    // The captured listing without its target line.
    expect(zone(text("firewalld-stock", "firewalld-runtime").replace(/  target: default\n/, "")).target).toBe("default");
  });

  it("no zone line, or nothing at all: not a listing", () => {
    expect(parseFirewalldListAll(text("firewalld-stock", "firewalld-runtime").replace(/^public \(active\)\n/, ""))).toEqual({ ok: false, problem: "no zone line in firewall-cmd --list-all output" });
    expect(parseFirewalldListAll("").ok).toBe(false);
  });

  it("the zone itself and a field only one side has are differences; an empty field equals an absent one", () => {
    const runtime = zone(text("firewalld-stock", "firewalld-runtime"));
    // The captured permanent listing of another zone name, then without its "forward: yes" line, then without its empty "sources:" line.
    expect(firewalldDifferences(runtime, zone(text("firewalld-stock", "firewalld-permanent").replace(/^public/, "internal")))).toEqual(["zone"]);
    expect(firewalldDifferences(runtime, zone(text("firewalld-stock", "firewalld-permanent").replace("  forward: yes\n", "")))).toEqual(["forward"]);
    expect(firewalldDifferences(zone(text("firewalld-stock", "firewalld-permanent").replace("  forward: yes\n", "")), runtime)).toEqual(["forward"]);
    expect(firewalldDifferences(runtime, zone(text("firewalld-stock", "firewalld-permanent").replace("  sources: \n", "")))).toEqual([]);
    // Word lists compare as sets: the services in another order.
    expect(firewalldDifferences(runtime, zone(text("firewalld-stock", "firewalld-permanent").replace("dhcpv6-client ssh", "ssh  dhcpv6-client")))).toEqual([]);
  });
});

describe("firewalld: interface bindings", () => {
  const withBindings = (stdout: string): FirewallInputs => ({ ...captured("firewalld-stock"), zoneBindings: { ...fixture("firewall/firewalld-stock-ifcfg-zone/zone-bindings", "zone-bindings"), stdout } });

  it("a NetworkManager connection and an ifcfg file naming the same zone: both sources, no drift", () => {
    // The captured ifcfg line of cp1, with the NetworkManager line a host running both prints.
    const both = `nm eth0 public\n${text("firewalld-stock-ifcfg-zone", "zone-bindings")}`;
    const firewall = facts(withBindings(both));
    expect(firewall.firewalld?.bindings).toEqual([{ interface: "eth0", zone: "public", source: "NetworkManager connection zone public, ifcfg-eth0 ZONE=public" }]);
    expect(firewall.persistentMatchesRuntime).toBe(true);
  });

  it("a connection without a zone is the default zone at boot: no drift", () => {
    const firewall = facts(withBindings("nm eth0 \n"));
    expect(firewall.firewalld).toMatchObject({ drift: [], bindings: [{ interface: "eth0", source: "NetworkManager connection without a zone (the default zone)" }] });
  });

  it("the bindings read, none for this interface: the default zone at boot", () => {
    // The captured ifcfg line for another interface.
    const firewall = facts(withBindings(text("firewalld-stock-ifcfg-zone", "zone-bindings").replaceAll("eth0", "eth1")));
    expect(firewall.firewalld?.bindings).toEqual([{ interface: "eth0", zone: "public", source: "no NetworkManager connection or ifcfg file names it (the default zone at boot)" }]);
  });

  it("lines of neither kind are ignored; an ifcfg line without a zone is the default zone", () => {
    expect(Object.fromEntries(parseZoneBindings("warning: nmcli not running\nifcfg /etc/sysconfig/network-scripts/ifcfg-eth0 eth0\n"))).toEqual({
      eth0: [{ zone: null, source: "ifcfg-eth0 without ZONE= (the default zone)" }],
    });
  });

  it("the bindings section missing: the boot-time zone is not known", () => {
    const { zoneBindings: _dropped, ...inputs } = captured("firewalld-stock");
    expect(facts(inputs).firewalld?.bindings).toEqual([{ interface: "eth0", zone: "public", source: "boot-time zone not known (zone-bindings: section missing from the collection output)" }]);
  });

  it("no interface bound to the zone: said in the detail", () => {
    // The captured runtime listing with no interface in the zone.
    const inputs = { ...captured("firewalld-stock"), firewalldRuntime: edited("firewalld-stock", "firewalld-runtime", (t) => t.replace("interfaces: eth0", "interfaces: ")) };
    const firewall = facts(inputs);
    expect(firewall.firewalld?.bindings).toEqual([]);
    expect(firewall.detail).toContain("no interface bound to the zone");
  });
});

describe("firewalld: listings that cannot be used", () => {
  it("the runtime listing not readable as a zone: not judged", () =>
    expect(parseFirewall({ ...captured("firewalld-stock"), firewalldRuntime: edited("firewalld-stock", "firewalld-runtime", (t) => t.replace(/^public \(active\)\n/, "")) })).toEqual({
      ok: false,
      problem: "firewall-cmd --list-all: no zone line in firewall-cmd --list-all output",
    }));

  it("the runtime section missing: not judged", () => {
    const { firewalldRuntime: _dropped, ...inputs } = captured("firewalld-stock");
    expect(parseFirewall(inputs)).toEqual({ ok: false, problem: "firewalld is running but its zone could not be listed (firewall-cmd --list-all: section missing from the collection output)" });
  });

  it("the permanent listing not readable as a zone: persistence not comparable, the problem said", () => {
    const firewall = facts({ ...captured("firewalld-stock"), firewalldPermanent: edited("firewalld-stock", "firewalld-permanent", (t) => t.replace(/^public\n/, "")) });
    expect(firewall).toMatchObject({
      persistentMatchesRuntime: null,
      listingProblem: "firewall-cmd --permanent --list-all: no zone line in firewall-cmd --list-all output",
      firewalld: { drift: null },
      families: { ipv4: { persistentMatchesRuntime: null, defaultDenyInbound: true } },
    });
    expect(firewall.detail).toContain("permanent configuration not comparable (firewall-cmd --permanent --list-all: no zone line");
  });

  it("the permanent section missing: persistence not comparable", () => {
    const { firewalldPermanent: _dropped, ...inputs } = captured("firewalld-stock");
    expect(facts(inputs)).toMatchObject({ persistentMatchesRuntime: null, listingProblem: "firewall-cmd --permanent --list-all: section missing from the collection output" });
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
    expect(tables[0]!.chains[0]!.rules[0]).toBe("ip daddr 127.0.0.11 tcp dport 53 counter dnat to 127.0.0.11:41601");
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

  it("named sets and other blocks inside a table are skipped, nested braces included", () => {
    // The captured ruleset with a named set declared before the chain, as `nft list ruleset` prints it.
    const withSet = text("nftables", "nft-ruleset").replace(
      "table inet api7_lab {\n",
      "table inet api7_lab {\n\tset allowed {\n\t\ttype inet_service\n\t\telements = { 22, 9080,\n\t\t\t     9443 }\n\t}\n\n",
    );
    expect(parseNftRuleset(withSet)).toEqual(parseNftRuleset(text("nftables", "nft-ruleset")));
  });

  it("a table without a family is an ip table; a '#' inside a quoted comment is not a comment", () => {
    // The captured persistent file with the family left out (nft's default, ip) and a commented rule.
    const file = text("nftables", "nft-persistent")
      .replace("table inet api7_lab", "table api7_lab")
      .replace('iif "lo" accept', 'iif "lo" accept comment "loopback #1" # trailing remark');
    const [table] = parseNftRuleset(file);
    expect(table).toMatchObject({ family: "ip", name: "api7_lab" });
    expect(table!.chains[0]!.rules[1]).toBe("iif lo accept comment loopback #1");
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

describe("nftables: which input chain denies", () => {
  it("firewalld's own inet table: filter_INPUT accepts by policy but ends with a reject", () => {
    const denying = denyingInputChains(parseNftRuleset(text("firewalld-stock", "nft-ruleset")));
    expect(denying.map((d) => [d.table.name, d.chain.name, d.how])).toEqual([["firewalld", "filter_INPUT", 'final rule "reject with icmpx admin-prohibited"']]);
  });

  it("a last rule that drops only some packets does not close the chain; a counted drop does", () => {
    // The captured default-drop ruleset with its policy accept, ending on a conditional drop, then on a counted drop.
    const accepting = fixtureText("firewall/nft-ruleset-default-drop").replace("hook input priority filter; policy drop;", "hook input priority filter; policy accept;");
    expect(denyingInputChains(parseNftRuleset(accepting))).toEqual([]);
    const conditional = accepting.replace("tcp dport { 22, 9080, 9443 } accept", "tcp dport { 22, 9080, 9443 } accept\n\t\tct state invalid drop");
    expect(denyingInputChains(parseNftRuleset(conditional))).toEqual([]);
    const counted = accepting.replace("tcp dport { 22, 9080, 9443 } accept", "tcp dport { 22, 9080, 9443 } accept\n\t\tcounter packets 7 bytes 420 drop");
    expect(denyingInputChains(parseNftRuleset(counted)).map((d) => d.how)).toEqual(['final rule "counter drop"']);
  });

  it("an input chain without rules that accepts by policy does not deny", () =>
    expect(denyingInputChains(parseNftRuleset(fixtureText("firewall/nft-ruleset-accept-all")))).toEqual([]));

  it("the families asked for only: an inet table counts for both, an ip table for IPv4", () => {
    const inet = parseNftRuleset(fixtureText("firewall/nft-ruleset-default-drop"));
    expect(denyingInputChains(inet, ["ip6", "inet"])).toHaveLength(1);
    const ip = parseNftRuleset(fixtureText("firewall/nft-ruleset-default-drop").replace("table inet", "table ip"));
    expect(denyingInputChains(ip, ["ip6", "inet"])).toEqual([]);
    expect(denyingInputChains(ip)).toHaveLength(1);
  });
});

describe("nftables: persistence", () => {
  const withPersistent = (stdout: string): FirewallInputs => ({ ...captured("nftables"), nftPersistent: { ...fixture("firewall/nftables/nft-persistent", "nft-persistent"), stdout } });

  it("the saved chain's policy differs", () => {
    // The captured /etc/nftables.conf with policy accept.
    const firewall = facts(withPersistent(text("nftables", "nft-persistent").replace("policy drop;", "policy accept;")));
    expect(firewall.families.ipv4).toMatchObject({ tool: "nftables", persistentMatchesRuntime: false });
    expect(firewall.families.ipv4.detail).toBe(
      "nftables: table inet api7_lab, chain input hook input policy drop; /etc/nftables.conf: table inet api7_lab chain input policy accept instead of drop",
    );
  });

  it("the saved chain has other rules; a file without the audit's name line is 'the persistent file'", () => {
    // The captured /etc/nftables.conf without the port 9443 and without the collection's file-name line.
    const drifted = text("nftables", "nft-persistent").replace(", 9443 }", " }").replace(/^# api7-audit file: .*\n/, "");
    expect(facts(withPersistent(drifted)).families.ipv6.detail).toBe(
      "nftables: table inet api7_lab, chain input hook input policy drop; the persistent file: table inet api7_lab chain input has 4 rules that differ from the 4 running",
    );
  });

  it("the same: the file declares the chain, policy and rules", () =>
    expect(facts(captured("nftables")).families.ipv4.detail).toBe(
      "nftables: table inet api7_lab, chain input hook input policy drop; /etc/nftables.conf declares the same policy and normalised rules for chain input",
    ));

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
    expect(facts(withPersistent(other)).families.ipv4.detail).toContain("/etc/nftables.conf: table inet api7_lab chain input is not declared");
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
  it("-m tcp after -p tcp is implied; other matches stay", () => {
    expect(normaliseIptablesRule("-A INPUT -p tcp -m tcp --dport 22  -j ACCEPT")).toBe("-A INPUT -p tcp --dport 22 -j ACCEPT");
    expect(normaliseIptablesRule("-A INPUT -p udp -m udp --dport 53 -j ACCEPT")).toBe("-A INPUT -p udp --dport 53 -j ACCEPT");
    expect(normaliseIptablesRule("-A INPUT -p tcp -m tcpmss --mss 1:500 -j DROP")).toBe("-A INPUT -p tcp -m tcpmss --mss 1:500 -j DROP");
    expect(normaliseIptablesRule("-A INPUT -p tcp -m udp -j DROP")).toBe("-A INPUT -p tcp -m udp -j DROP");
  });

  it("iptables -S: the INPUT policy and rules, other chains left out", () =>
    expect(parseIptablesInput(fixtureText("firewall/iptables-final-reject"))).toEqual({
      policy: "ACCEPT",
      rules: [
        "-A INPUT -m state --state RELATED,ESTABLISHED -j ACCEPT",
        "-A INPUT -p icmp -j ACCEPT",
        "-A INPUT -i lo -j ACCEPT",
        "-A INPUT -p tcp -m state --state NEW -m tcp --dport 22 -j ACCEPT",
        "-A INPUT -j REJECT --reject-with icmp-host-prohibited",
      ],
    }));

  it("iptables-save: the filter table only, its policy ACCEPT when the file states none", () => {
    const saved = fixtureText("firewall/iptables-persistent-centos7-default");
    expect(parseIptablesSaveInput(saved)).toEqual({ ...parseIptablesInput(fixtureText("firewall/iptables-final-reject")) });
    // The captured file with a nat table before the filter table, whose rules must not count.
    const withNat = saved.replace("*filter\n", "*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n-A INPUT -j DROP\nCOMMIT\n*filter\n");
    expect(parseIptablesSaveInput(withNat)).toEqual(parseIptablesSaveInput(saved));
    // Without its policy line.
    expect(parseIptablesSaveInput(saved.replace(":INPUT ACCEPT [0:0]\n", ""))?.policy).toBe("ACCEPT");
    expect(parseIptablesSaveInput(text("iptables-services", "iptables-persistent"))?.policy).toBe("DROP");
    // A file with no filter table.
    expect(parseIptablesSaveInput("*nat\n:PREROUTING ACCEPT [0:0]\nCOMMIT\n")).toBeNull();
  });

  const withIpv4 = (iptables: string, persistent: string): FirewallInputs => ({
    ...captured("no-firewall"),
    iptables: { ...fixture("firewall/iptables-services/iptables", "iptables"), stdout: iptables },
    iptablesPersistent: { ...fixture("firewall/iptables-services/iptables-persistent", "iptables-persistent"), stdout: persistent },
  });
  const RUNNING = text("iptables-services", "iptables");
  const SAVED = text("iptables-services", "iptables-persistent");

  it("a final unconditional DROP or REJECT, with or without a comment, closes the chain; a conditional one does not", () => {
    // The captured ACCEPT-policy chain of the iptables-services-accept host with a final rule added.
    const accepting = text("iptables-services-accept", "iptables");
    const ipv4 = (last: string) => facts(withIpv4(`${accepting}${last}\n`, SAVED)).families.ipv4;
    expect(ipv4("-A INPUT -j DROP")).toMatchObject({ tool: "iptables", detail: expect.stringContaining('chain INPUT final rule "-A INPUT -j DROP"') });
    expect(ipv4('-A INPUT -m comment --comment "deny the rest" -j REJECT --reject-with icmp-host-prohibited').tool).toBe("iptables");
    expect(ipv4("-A INPUT -m comment --comment deny -j DROP").tool).toBe("iptables");
    expect(ipv4("-A INPUT -p tcp -j DROP").tool).toBeNull();
    expect(ipv4("-A INPUT -j LOG").tool).toBeNull();
  });

  it("iptables -S could not run: the note says why", () => {
    const failed = { ...fixture("firewall/iptables-services/iptables", "iptables"), exitCode: 4, stdout: "", stderr: "iptables: Permission denied (you must be root).\n" };
    expect(facts({ ...withIpv4(RUNNING, SAVED), iptables: failed }).families.ipv4).toMatchObject({
      tool: null,
      detail: expect.stringMatching(/; iptables: exit 4: iptables: Permission denied \(you must be root\)\.$/),
    });
  });

  it("persistence: the saved policy, the saved rules, or no filter table", () => {
    expect(facts(withIpv4(RUNNING, SAVED)).families.ipv4).toMatchObject({ persistentMatchesRuntime: true, detail: "iptables: chain INPUT policy DROP; /etc/sysconfig/iptables has the same INPUT policy and 6 normalised rules" });
    expect(facts(withIpv4(RUNNING, SAVED.replace(":INPUT DROP", ":INPUT ACCEPT"))).families.ipv4).toMatchObject({
      persistentMatchesRuntime: false,
      detail: "iptables: chain INPUT policy DROP; /etc/sysconfig/iptables sets INPUT policy ACCEPT, running DROP",
    });
    expect(facts(withIpv4(RUNNING, SAVED.replace(/^-A INPUT -p icmp -j ACCEPT\n/m, ""))).families.ipv4).toMatchObject({
      persistentMatchesRuntime: false,
      detail: "iptables: chain INPUT policy DROP; /etc/sysconfig/iptables has 5 INPUT rules that differ from the 6 running",
    });
    expect(facts(withIpv4(RUNNING, SAVED.replace("*filter\n", "*nat\n"))).families.ipv4).toMatchObject({
      persistentMatchesRuntime: false,
      detail: "iptables: chain INPUT policy DROP; /etc/sysconfig/iptables has no *filter table",
    });
  });

  it("no persistent file: says why", () =>
    expect(facts({ ...withIpv4(RUNNING, SAVED), iptablesPersistent: fixture("firewall/no-firewall/iptables-persistent", "iptables-persistent") }).families.ipv4).toMatchObject({
      persistentMatchesRuntime: false,
      detail: "iptables: chain INPUT policy DROP; no persistent rule file (exit 1: no /etc/sysconfig/iptables or /etc/iptables/rules.v4)",
    }));

  it("iptables-nft's chains in nft tables ip/ip6 filter are iptables, not nftables, for each family", () => {
    // The captured ip6tables rules of cp2 as iptables-nft keeps them in nft: table ip6 filter, chain INPUT.
    const ip6Filter = "table ip6 filter {\n\tchain INPUT {\n\t\ttype filter hook input priority filter; policy drop;\n\t\tiifname \"lo\" counter packets 0 bytes 0 accept\n\t}\n}\n";
    const firewall = facts({ ...captured("iptables-services"), nftRuleset: { ...fixture("firewall/iptables-services/nft-ruleset", "nft-ruleset"), stdout: ip6Filter } });
    expect(firewall.families.ipv6).toMatchObject({ tool: "iptables", detail: expect.stringMatching(/^ip6tables \(nf_tables backend\): chain INPUT policy DROP/) });
    expect(firewall.families.ipv4.detail).toMatch(/^iptables: chain INPUT/);
    // The same chain in a table of another name is nftables' own.
    const own = facts({ ...captured("iptables-services"), nftRuleset: { ...fixture("firewall/iptables-services/nft-ruleset", "nft-ruleset"), stdout: ip6Filter.replace("ip6 filter", "ip6 guard") } });
    expect(own.families.ipv6.tool).toBe("nftables");
    const inet = facts({ ...captured("iptables-services"), nftRuleset: { ...fixture("firewall/iptables-services/nft-ruleset", "nft-ruleset"), stdout: ip6Filter.replace("ip6 filter", "inet filter") } });
    expect(inet.families.ipv6.tool).toBe("nftables");
    expect(inet.families.ipv4.tool).toBe("nftables");
    const inputChain = facts({ ...captured("iptables-services"), nftRuleset: { ...fixture("firewall/iptables-services/nft-ruleset", "nft-ruleset"), stdout: ip6Filter.replace("chain INPUT", "chain input") } });
    expect(inputChain.families.ipv6.tool).toBe("nftables");
  });
});

describe("IPv6 disabled and the summary", () => {
  it("every interface but lo disabled: disabled; one enabled: not", () => {
    // The captured section of the nftables host with eth0 disabled, then with a second interface enabled.
    const captured6 = text("nftables", "ipv6-disabled");
    const off = captured6.replace("eth0/disable_ipv6 0", "eth0/disable_ipv6 1");
    expect(parseIpv6Disabled(off)).toEqual({ ok: true, value: { disabled: true, evidence: "net.ipv6.conf.eth0.disable_ipv6 = 1" } });
    const second = `${off}/proc/sys/net/ipv6/conf/eth1/disable_ipv6 0\n`;
    expect(parseIpv6Disabled(second)).toEqual({ ok: true, value: { disabled: false, evidence: "net.ipv6.conf.eth0.disable_ipv6 = 1, net.ipv6.conf.eth1.disable_ipv6 = 0" } });
  });

  it("only lo and the templates: no interface to judge", () => {
    const onlyLo = text("nftables", "ipv6-disabled").replace(/.*eth0.*\n/, "");
    expect(parseIpv6Disabled(onlyLo)).toEqual({ ok: false, problem: "no network interface in /proc/sys/net/ipv6/conf" });
  });

  it("the section unreadable: IPv6 judged, the reason in the detail", () => {
    const firewall = facts({ ...captured("iptables-services"), ipv6Disabled: { ...fixture("firewall/iptables-services/ipv6-disabled", "ipv6-disabled"), stdout: "eth0 maybe\n" } });
    expect(firewall).toMatchObject({ ipv6Disabled: null, defaultDenyInbound: true, persistentMatchesRuntime: true });
    expect(firewall.detail).toContain('IPv6 (whether IPv6 is disabled is not known: unreadable disable_ipv6 line: "eth0 maybe"): ip6tables');
  });

  it("firewalld with IPv6 disabled: the detail says so", () => {
    const off = edited("firewalld-stock", "ipv6-disabled", (t) => t.replace("eth0/disable_ipv6 0", "eth0/disable_ipv6 1"));
    expect(facts({ ...captured("firewalld-stock"), ipv6Disabled: off }).detail).toMatch(/; the zone covers IPv4 and IPv6; IPv6 disabled on the host \(net\.ipv6\.conf\.eth0\.disable_ipv6 = 1\)$/);
    const { ipv6Disabled: _dropped, ...unknown } = captured("firewalld-stock");
    expect(facts(unknown).detail).toMatch(/; the zone covers IPv4 and IPv6 \(whether IPv6 is disabled is not known: section missing from the collection output\)$/);
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
