// Environment files: every shipped file is valid, and each broken fixture is rejected with the
// key path and a message that says what was expected (exit 3 in the CLI, before any connection).
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { EnvironmentError, loadEnvironment, parseEnvironmentFile, parseEnvironmentText, resolvePlaceholders } from "../../../helpers/environment/load.js";
import { resolvedFollowsSource } from "../../../helpers/evidence/reverify.js";
import { environmentText } from "../../fixtures/environments/environment-text.js";

const fixtures = join(import.meta.dirname, "../../fixtures/environments");
const broken = join(fixtures, "broken");

describe("valid environment files", () => {
  test.each(["lab", "lab-violations", "staging.example"])("environments/%s.yaml validates", (name) => {
    const { env, sha256 } = loadEnvironment(name);
    expect(env.hosts.length).toBeGreaterThanOrEqual(4);
    expect(sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  test("defaults fill in what a minimal file leaves out", () => {
    const { env } = loadEnvironment(join(fixtures, "valid-minimal.yaml"));
    expect(env.ssh.port).toBe(22);
    expect(env.policy.selinuxMode).toBe("enforcing");
    expect(env.policy.managementPorts).toEqual([22]);
    expect(env.policy.dockerMinVersion).toBe("20.10.7");
    expect(env.failover.allowDisruption).toBe(false);
    expect(env.waivers).toEqual([]);
  });
});

describe("broken environment files", () => {
  const files = readdirSync(broken).filter((f) => f.endsWith(".yaml"));
  test("there are at least 10 of them", () => expect(files.length).toBeGreaterThanOrEqual(10));

  test.each(files)("%s is rejected with file, key path and expectation", (file) => {
    const path = join(broken, file);
    const text = readFileSync(path, "utf8");
    const [keyPath, fragment] = text.split("\n")[0]!.replace("# expect:", "").split("|").map((s) => s.trim()) as [string, string];
    let error: unknown;
    try {
      loadEnvironment(path);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(EnvironmentError);
    const envError = error as EnvironmentError;
    expect(envError.file).toBe(path);
    expect(envError.message).toContain(path);
    const problem = envError.problems.find((p) => p.keyPath.startsWith(keyPath) && p.message.includes(fragment));
    expect(problem, `no problem at "${keyPath}" containing "${fragment}" in:\n${envError.message}`).toBeDefined();
  });

  test("a missing file names the file and how to name an environment", () => {
    expect(() => loadEnvironment("no-such-environment")).toThrow(/no-such-environment\.yaml: invalid environment[\s\S]*file not found/);
  });
});

describe("lab placeholders", () => {
  test("are replaced by container addresses everywhere", () => {
    const resolved = resolvePlaceholders({ a: "{{cp1}}", b: ["http://{{lb-dp}}:9080/"] }, { cp1: "172.18.0.2", "lb-dp": "172.18.0.9" });
    expect(resolved).toEqual({ a: "172.18.0.2", b: ["http://172.18.0.9:9080/"] });
  });

  test("an unknown container name is an error, not an empty address", () => {
    expect(() => resolvePlaceholders({ a: "{{nope}}" }, { cp1: "172.18.0.2" })).toThrow(/\{\{nope\}\} names no lab container/);
  });

  test("duplicate keys in YAML are rejected rather than silently overwritten", () => {
    expect(() => parseEnvironmentText("name: a\nname: b\n", "dup.yaml")).toThrow(EnvironmentError);
  });
});

describe("hosts from an Ansible inventory", () => {
  const inventoryEnv = (inventory: string) => environmentText(`name: inv\ninventory: { ansible: ${inventory}, roles: { cp: api7_cp, dp: api7_dp } }`);

  test("replace hosts:, with paths relative to the environment file", () => {
    const text = inventoryEnv("inventories/docs.ini");
    const env = parseEnvironmentText(text, join(fixtures, "inventory-env.yaml"));
    expect(env.hosts.map((h) => `${h.name} ${h.roles.join(",")} ${h.user}@${h.address}:${h.port ?? 22}`)).toEqual([
      "cp1.example.com cp audit@192.0.2.11:22",
      "cp2.example.com cp audit@192.0.2.12:2222",
      "dp1.example.com dp deploy@dp1.example.com:22",
      "dp2.example.com dp deploy@dp2.example.com:22",
    ]);
    // verify: the resolved hosts come from the inventory, which the bundle does not hold.
    expect(resolvedFollowsSource(parseEnvironmentFile(text, "x.yaml").env, JSON.parse(JSON.stringify(env)))).toEqual([]);
  });

  test("a missing inventory names inventory.ansible and the path", () => {
    expect(() => parseEnvironmentText(inventoryEnv("nope.ini"), join(fixtures, "e.yaml"))).toThrow(/inventory\.ansible: .*nope\.ini does not exist/);
  });

  test("neither hosts nor inventory, or both, is refused", () => {
    const neither = inventoryEnv("x.ini").replace(/^inventory: .*\n/m, "");
    expect(() => parseEnvironmentText(neither, "e.yaml")).toThrow(/hosts: required: list the hosts, or give inventory/);
    const both = `${inventoryEnv("inventories/docs.ini")}hosts:\n  - { name: a, address: a, roles: [cp] }\n`;
    expect(() => parseEnvironmentText(both, join(fixtures, "e.yaml"))).toThrow(/inventory: give either hosts or inventory, not both/);
  });
});
