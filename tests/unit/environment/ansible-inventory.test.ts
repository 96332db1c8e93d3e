// Ansible inventories read as Ansible reads them: the parser's groups and merged host variables are
// compared with what the real `ansible-inventory --list` (Debian's ansible-core) prints for the same
// files, and the role groups map to hosts with the connection variables the suite uses.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { inventoryHosts, proxyJumpFromArgs, readInventory } from "../../../helpers/environment/ansible-hosts.js";
import {
  expandHostPattern,
  hostsOfGroup,
  hostVariables,
  parseIniInventory,
  parseInventoryList,
  parseYamlInventory,
  shellWords,
  type Inventory,
} from "../../../helpers/environment/ansible-inventory.js";

const inventories = join(import.meta.dirname, "../../fixtures/environments/inventories");
const ROLES = { cp: "api7_cp", dp: "api7_dp" };

function ansibleList(file: string): Inventory {
  return parseInventoryList(execFileSync("ansible-inventory", ["-i", file, "--list"], { encoding: "utf8" }));
}

describe.each(["docs.ini", "docs.yaml"])("%s read like ansible-inventory --list reads it", (name) => {
  const file = join(inventories, name);
  const ours = readInventory(file);
  const theirs = ansibleList(file);

  test("every group has the same hosts, children's included", () => {
    const groups = [...theirs.groups.keys()].sort();
    expect([...ours.groups.keys()].sort()).toEqual(groups);
    for (const group of groups) expect(hostsOfGroup(ours, group).sort(), group).toEqual(hostsOfGroup(theirs, group).sort());
  });

  test("every host has the same merged variables", () => {
    for (const host of hostsOfGroup(theirs, "all")) expect(hostVariables(ours, host), host).toEqual(hostVariables(theirs, host));
  });

  test("the role groups give the same audited hosts from our parse and from the --list JSON", () => {
    expect(inventoryHosts(ours, ROLES, file, inventories)).toEqual(inventoryHosts(theirs, ROLES, file, inventories));
  });
});

describe("role groups become audited hosts", () => {
  const { hosts, problems } = inventoryHosts(readInventory(join(inventories, "docs.ini")), ROLES, "docs.ini", "/inventories");

  test("ansible_host, ansible_port, ansible_user, the key and become map to the host's connection", () => {
    expect(problems).toEqual([]);
    expect(hosts.map((h) => h.name)).toEqual(["cp1.example.com", "cp2.example.com", "dp1.example.com", "dp2.example.com"]);
    const cp2 = hosts[1]!;
    expect(cp2).toMatchObject({ address: "192.0.2.12", port: 2222, user: "audit", sudo: true, roles: ["cp"] });
    expect(cp2.identityFile).toMatch(/\/\.ssh\/api7_audit_ed25519$/);
    expect(hosts[0]!.sudo).toBeUndefined();
  });

  test("a range expands, and ProxyJump in ansible_ssh_common_args becomes the jump host", () => {
    const dp1 = hosts[2]!;
    expect(dp1).toMatchObject({ address: "dp1.example.com", user: "deploy", sudo: true, roles: ["dp"] });
    expect(dp1.jumpHost).toEqual({ address: "bastion.example.com", port: 2200, user: "jump", useAgent: false });
  });

  test("a host in both role groups gets both roles", () => {
    const inventory = parseIniInventory("[api7_cp]\nh1\nboth\n[api7_dp]\nboth\nh2\n");
    expect(inventoryHosts(inventory, ROLES, "x.ini", "/").hosts.map((h) => [h.name, h.roles])).toEqual([
      ["h1", ["cp"]],
      ["both", ["cp", "dp"]],
      ["h2", ["dp"]],
    ]);
  });

  test("a missing group names the groups there are; an empty group says it has no host", () => {
    const inventory = parseIniInventory("[api7_cp]\nh1\n[empty]\n");
    expect(inventoryHosts(inventory, { cp: "api7_cp", dp: "gateways" }, "x.ini", "/").problems).toEqual([
      'inventory.roles.dp: group "gateways" is not in x.ini; its groups are "api7_cp", "empty"',
    ]);
    expect(inventoryHosts(inventory, { cp: "api7_cp", dp: "empty" }, "x.ini", "/").problems[0]).toMatch(/inventory\.roles\.dp: group "empty" of x\.ini has no host/);
  });

  test("host-key checking turned off in the inventory is reported as ignored; its UserKnownHostsFile is used", () => {
    const inventory = parseIniInventory("[api7_cp]\nc1 ansible_host_key_checking=False\n[api7_dp]\nd1 ansible_ssh_common_args='-o StrictHostKeyChecking=no'\n");
    const { notices, problems } = inventoryHosts(inventory, ROLES, "x.ini", "/");
    expect(problems).toEqual([]);
    expect(inventoryHosts(parseIniInventory("[api7_cp]\nc1 ansible_ssh_common_args='-o UserKnownHostsFile=/kh'\n[api7_dp]\nd1\n"), ROLES, "x.ini", "/").knownHosts).toEqual({ c1: "/kh" });
    expect(notices).toEqual([
      "c1: inventory.ansible x.ini: host c1 ansible_host_key_checking=false is ignored: host keys are always checked strictly",
      "d1: inventory.ansible x.ini: host d1 ansible_ssh_common_args -o StrictHostKeyChecking=no is ignored: host keys are always checked strictly",
    ]);
  });

  test("become with another method than sudo, a non-SSH connection and a template are refused", () => {
    const inventory = parseIniInventory(
      "[api7_cp]\nc1 ansible_become=yes ansible_become_method=su\nc2 ansible_connection=local\n[api7_dp]\nd1 ansible_user='{{ user }}'\n",
    );
    const problems = inventoryHosts(inventory, ROLES, "x.ini", "/").problems.join("\n");
    expect(problems).toMatch(/host c1 ansible_become_method=su: .*sudo -n/);
    expect(problems).toMatch(/host c2 ansible_connection=local: .*SSH only/);
    expect(problems).toMatch(/host d1 ansible_user: is a Jinja template/);
  });
});

describe("INI details", () => {
  test("ranges: numeric with leading zeros and a step, alphabetic, and host:port", () => {
    expect(expandHostPattern("www[01:05:2].example.com")).toEqual({ hosts: ["www01.example.com", "www03.example.com", "www05.example.com"] });
    expect(expandHostPattern("db-[a:c].example.com")).toEqual({ hosts: ["db-a.example.com", "db-b.example.com", "db-c.example.com"] });
    expect(expandHostPattern("badwolf.example.com:5309")).toEqual({ hosts: ["badwolf.example.com"], port: 5309 });
    expect(expandHostPattern("[2001:db8::1]:2222")).toEqual({ hosts: ["2001:db8::1"], port: 2222 });
  });

  test("host lines split like shlex, with quotes and comments", () => {
    expect(shellWords(`h1 a='-o ProxyJump=b' b="x y" # comment`)).toEqual(["h1", "a=-o ProxyJump=b", "b=x y"]);
  });

  test("host-line values are Python literals, :vars values stay strings", () => {
    const inventory = parseIniInventory("[g]\nh port=22 on=True off=False text=true\n[g:vars]\nn=5\n");
    expect(hostVariables(inventory, "h")).toEqual({ port: 22, on: true, off: false, text: "true", n: "5" });
  });

  test("a malformed section header names the line", () => {
    expect(() => parseIniInventory("[g]\nh\n[g:vars\nx=1\n")).toThrow(/line 3: .*section header/);
    expect(() => parseIniInventory("[g:weird]\nh\n")).toThrow(/line 1: section \[g:weird\]/);
  });

  test("a YAML group with a host written where a group key belongs is refused", () => {
    expect(() => parseYamlInventory("all:\n  hosts:\n    h1:\n  h2:\n")).toThrow(/all\.h2: a group has only hosts, vars and children/);
  });

  test("ProxyJump spellings in ssh args", () => {
    expect(proxyJumpFromArgs("-o ProxyJump=a@b:2")).toEqual({ jump: "a@b:2", proxyCommand: false });
    expect(proxyJumpFromArgs("-oProxyJump=b -o StrictHostKeyChecking=no")).toEqual({ jump: "b", proxyCommand: false, strictHostKeyChecking: "no" });
    expect(proxyJumpFromArgs("-J b1,b2")).toEqual({ jump: "b1,b2", proxyCommand: false });
    expect(proxyJumpFromArgs(`-o ProxyCommand="ssh -W %h:%p -q user@gateway.example.com"`)).toEqual({ proxyCommand: true });
  });
});

describe("dynamic inventories", () => {
  test("a saved ansible-inventory --list JSON is read as it is", () => {
    const saved = join(inventories, "docs.list.json");
    const inventory = readInventory(saved);
    expect(inventoryHosts(inventory, ROLES, saved, inventories).hosts.map((h) => h.name)).toEqual(["cp1.example.com", "cp2.example.com", "dp1.example.com", "dp2.example.com"]);
    expect(JSON.parse(readFileSync(saved, "utf8"))._meta.hostvars["dp2.example.com"].ansible_user).toBe("deploy");
  });

  test("an executable inventory script runs through ansible-inventory", () => {
    const script = join(inventories, "dynamic.sh");
    const { hosts, problems } = inventoryHosts(readInventory(script), ROLES, script, inventories);
    expect(problems).toEqual([]);
    expect(hosts.map((h) => [h.name, h.address, h.roles[0]])).toEqual([
      ["cp1", "192.0.2.21", "cp"],
      ["dp1", "192.0.2.31", "dp"],
    ]);
  });
});
