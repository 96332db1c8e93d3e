// Host addresses resolved through an OpenSSH client config: HostName, User, Port, IdentityFile,
// ProxyJump chains, UserKnownHostsFile; explicit environment values win; weakened host-key checking
// is reported and ignored; nothing in the config is ever executed.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { loadEnvironment } from "../../../helpers/environment/load.js";
import type { HostEntry } from "../../../helpers/environment/schema.js";
import { parseJumpSpec, readSshConfig, resolveThroughSshConfig } from "../../../helpers/environment/ssh-config.js";
import { environmentText } from "../../fixtures/environments/environment-text.js";
import { writeLocalCredentials } from "../../fixtures/environments/local-credentials.js";

const dir = mkdtempSync(join(tmpdir(), "api7-ssh-config-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const { identityFile } = writeLocalCredentials(join(dir, "keys"));
const marker = join(dir, "match-exec-ran");

function config(text: string, name = "config"): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const CONFIG = config(`
Host bastion
  HostName 198.51.100.1
  User jump
  Port 2200

Host inner
  HostName 198.51.100.2
  ProxyJump bastion

Match exec "touch ${marker}"
  User pwned

Host api7-*
  User root
  IdentityFile ${join(dir, "missing-key")}
  IdentityFile ${identityFile}
  UserKnownHostsFile ${join(dir, "known_hosts_api7")} ${join(dir, "known_hosts2")}
  StrictHostKeyChecking no

Host api7-cp1
  HostName 192.0.2.11
  Port 2222

Host api7-dp1
  HostName %h.internal
  ProxyJump inner,admin@198.51.100.3:2022

Host api7-dp2
  ProxyCommand ssh -W %h:%p bastion

Host *
  User fallback
`);

const host = (address: string, extra: Partial<HostEntry> = {}): HostEntry => ({ name: "h", address, roles: ["cp"], ...extra });

describe("resolution through the config", () => {
  const file = readSshConfig(CONFIG);

  test("HostName, Port, User and the first IdentityFile that exists", () => {
    const r = resolveThroughSshConfig(file, host("api7-cp1"), {});
    expect(r.problems).toEqual([]);
    expect(r.host).toMatchObject({ address: "192.0.2.11", port: 2222, user: "root", identityFile });
    expect(r.origins.identityFile).toBe(`ssh.config ${CONFIG}: Host api7-cp1 IdentityFile`);
  });

  test("explicit values of the environment file win over the config", () => {
    const perHost = resolveThroughSshConfig(file, host("api7-cp1", { port: 22, user: "audit", identityFile: "/k" }), {});
    expect(perHost.host).toMatchObject({ address: "192.0.2.11", port: 22, user: "audit", identityFile: "/k" });
    const fromSshDefaults = resolveThroughSshConfig(file, host("api7-cp1"), { user: "ops", port: 2022, identityFile: "/k2" });
    expect(fromSshDefaults.host.user).toBe("ops");
    expect(fromSshDefaults.host.port).toBe(2022);
    expect(fromSshDefaults.host.identityFile).toBeUndefined(); // the environment's own ssh.identityFile applies
  });

  test("a ProxyJump chain: the first hop follows its own ProxyJump, the target is reached through the last", () => {
    const r = resolveThroughSshConfig(file, host("api7-dp1"), {});
    expect(r.problems).toEqual([]);
    expect(r.host.address).toBe("api7-dp1.internal");
    expect(r.host.jumpHost).toEqual({
      address: "198.51.100.3",
      port: 2022,
      user: "admin",
      useAgent: false,
      jumpHost: {
        address: "198.51.100.2",
        port: 22,
        user: "fallback",
        useAgent: false,
        jumpHost: { address: "198.51.100.1", port: 2200, user: "jump", useAgent: false },
      },
    });
  });

  test("StrictHostKeyChecking no is reported as ignored; the first UserKnownHostsFile is the one read", () => {
    const r = resolveThroughSshConfig(file, host("api7-cp1"), {});
    expect(r.notices.join("\n")).toMatch(/StrictHostKeyChecking no is ignored: host keys are always checked strictly/);
    expect(r.notices.join("\n")).toMatch(/only the first file/);
    expect(r.knownHosts).toBe(join(dir, "known_hosts_api7"));
  });

  test("ProxyCommand is refused with the fix", () => {
    expect(resolveThroughSshConfig(file, host("api7-dp2"), {}).problems.join()).toMatch(/Host api7-dp2 ProxyCommand: ProxyCommand is not supported.*ProxyJump/);
  });

  test("Match exec is never run", () => {
    resolveThroughSshConfig(file, host("api7-cp1"), {});
    expect(existsSync(marker)).toBe(false);
  });

  test("UserKnownHostsFile /dev/null is ignored and said so", () => {
    const devNull = readSshConfig(config("Host x\n  UserKnownHostsFile /dev/null\n", "devnull"));
    const r = resolveThroughSshConfig(devNull, host("x"), {});
    expect(r.knownHosts).toBeUndefined();
    expect(r.notices.join()).toMatch(/\/dev\/null is ignored/);
  });

  test("Include is followed", () => {
    config("Host included\n  HostName 192.0.2.99\n", "included.conf");
    const withInclude = readSshConfig(config(`Include ${join(dir, "incl*.conf")}\n`, "with-include"));
    expect(resolveThroughSshConfig(withInclude, host("included"), {}).host.address).toBe("192.0.2.99");
  });

  test("jump specs", () => {
    expect(parseJumpSpec("ssh://u@h:2")).toEqual({ user: "u", host: "h", port: 2 });
    expect(parseJumpSpec("[2001:db8::1]:22")).toEqual({ host: "2001:db8::1", port: 22 });
    expect(parseJumpSpec("h:99999")).toBeNull();
  });
});

describe("an environment file with ssh.config", () => {
  test("resolves every host, and the config's UserKnownHostsFile becomes ssh.knownHosts", () => {
    const envFile = join(dir, "env.yaml");
    writeFileSync(
      envFile,
      environmentText(`name: cfg
ssh: { config: config }
hosts:
  - { name: cp1, address: api7-cp1, roles: [cp] }
  - { name: cp2, address: api7-cp1, roles: [cp], port: 22 }`),
    );
    const { env, notices, origins } = loadEnvironment(envFile);
    expect(env.hosts.map((h) => [h.address, h.port])).toEqual([
      ["192.0.2.11", 2222],
      ["192.0.2.11", 22],
    ]);
    expect(env.ssh.knownHosts).toBe(join(dir, "known_hosts_api7"));
    expect(notices).toHaveLength(4);
    expect(origins?.cp1?.identityFile).toMatch(/IdentityFile$/);
  });
});
