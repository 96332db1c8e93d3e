// Bad input never reaches a host. Each row is one broken input given to the real CLI; every host,
// entrypoint, the database and Prometheus point at a loopback socket of that row that records
// connections. A row passes when the CLI exits 3, the message names the key (and the file), and
// the socket recorded no connection. A control row with the same environment unbroken shows that
// the socket does record the connection a run makes.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import ssh2 from "ssh2";
import { stringify } from "yaml";
import { afterAll, describe, expect, test } from "vitest";
import { runCli } from "../e2e/run-audit.js";
import { writeLocalCredentials } from "../fixtures/environments/local-credentials.js";
import { baseEnvironment, connectionRecorder, type Env, type RowContext } from "../support/loopback-environment.js";

const root = mkdtempSync(join(tmpdir(), "api7-bad-input-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const PASSWORD_VARIABLE = "BAD_INPUT_PG_PASSWORD";

/** An Ansible INI inventory of the same four hosts, written as Ansible's documentation writes them. */
function iniInventory(ctx: RowContext, extra = ""): string {
  return ctx.file(
    "hosts.ini",
    `[api7_cp]\ncp[1:2] ansible_host=127.0.0.1 ansible_port=${ctx.port}\n\n[api7_dp]\ndp[1:2] ansible_host=127.0.0.1 ansible_port=${ctx.port}\n\n[api7:children]\napi7_cp\napi7_dp\n${extra}`,
  );
}

function withInventory(env: Env, inventory: string, roles = { cp: "api7_cp", dp: "api7_dp" }): Env {
  const { hosts: _hosts, ...rest } = env;
  return { ...rest, inventory: { ansible: inventory, roles } };
}

/** Hosts addressed by ssh_config aliases that resolve to the recorder. */
function withSshConfig(env: Env, ctx: RowContext, config: string): Env {
  const path = ctx.file("ssh_config", `Host api7-*\n  HostName 127.0.0.1\n  Port ${ctx.port}\n${config}`);
  return { ...env, ssh: { ...env.ssh, config: path }, hosts: env.hosts.map((h: Env) => ({ ...h, address: `api7-${h.name}` })) };
}

interface Row {
  name: string;
  /** The key path (or option) the message must name. */
  key: string;
  /** Builds the broken environment from the valid one. */
  env(base: Env, ctx: RowContext): Env;
  /** The file's text, when the breakage is in the YAML itself (default: the env written as YAML). */
  text?: (env: Env) => string;
  args?: string[];
  vars?: Record<string, string>;
  /** The message names the environment file (not for command-line options). */
  namesFile?: boolean;
}

const rows: Row[] = [
  // The three inputs of the issue.
  { name: "entrypoint URL with port 99999", key: "entrypoints.gateway.url", env: (e) => ({ ...e, entrypoints: { ...e.entrypoints, gateway: { url: "http://gw:99999/" } } }) },
  { name: "ssh.knownHosts is a directory", key: "ssh.knownHosts", env: (e, c) => ({ ...e, ssh: { ...e.ssh, knownHosts: c.dir } }) },
  { name: "identity file missing", key: "ssh.identityFile", env: (e, c) => ({ ...e, ssh: { ...e.ssh, identityFile: join(c.dir, "no-such-key") } }) },
  // URLs and addresses.
  { name: "tcp:// entrypoint without a port", key: "entrypoints.dpManager.url", env: (e) => ({ ...e, entrypoints: { ...e.entrypoints, dpManager: { url: "tcp://127.0.0.1" } } }) },
  { name: "entrypoint port 0", key: "entrypoints.dashboard.url", env: (e) => ({ ...e, entrypoints: { ...e.entrypoints, dashboard: { url: "http://127.0.0.1:0/" } } }) },
  { name: "entrypoint that is not a URL", key: "entrypoints.gateway.url", env: (e) => ({ ...e, entrypoints: { ...e.entrypoints, gateway: { url: "gateway.example.com" } } }) },
  { name: "Prometheus URL with tcp://", key: "prometheus.url", env: (e, c) => ({ ...e, prometheus: { enabled: true, url: `tcp://127.0.0.1:${c.port}` } }) },
  { name: "database host with a port", key: "database.host", env: (e, c) => ({ ...e, database: { ...e.database, host: `127.0.0.1:${c.port}` } }) },
  { name: "host address with a user", key: "hosts[1].address", env: (e) => ({ ...e, hosts: e.hosts.map((h: Env, i: number) => (i === 1 ? { ...h, address: "root@127.0.0.1" } : h)) }) },
  // Placeholders outside a lab.
  { name: "{{placeholder}} as database host", key: "database.host", env: (e) => ({ ...e, database: { ...e.database, host: "{{postgres}}" } }) },
  { name: "{{placeholder}} in an entrypoint", key: "entrypoints.gateway.url", env: (e) => ({ ...e, entrypoints: { ...e.entrypoints, gateway: { url: "http://{{lb-dp}}:9080/" } } }) },
  { name: "{{placeholder}} as host address", key: "hosts[0].address", env: (e) => ({ ...e, hosts: e.hosts.map((h: Env, i: number) => (i === 0 ? { ...h, address: "{{cp1}}" } : h)) }) },
  // Known hosts.
  { name: "ssh.knownHosts is a FIFO", key: "ssh.knownHosts", env: (e, c) => ({ ...e, ssh: { ...e.ssh, knownHosts: fifo(c) } }) },
  { name: "ssh.knownHosts under a regular file", key: "ssh.knownHosts", env: (e, c) => ({ ...e, ssh: { ...e.ssh, knownHosts: join(c.credentials.identityFile, "known_hosts") } }) },
  { name: "ssh.knownHosts absent without --accept-new-host-keys", key: "ssh.knownHosts", env: (e, c) => ({ ...e, ssh: { ...e.ssh, knownHosts: join(c.dir, "absent_known_hosts") } }) },
  // Identity files and credentials.
  { name: "identity file is a directory", key: "ssh.identityFile", env: (e, c) => ({ ...e, ssh: { ...e.ssh, identityFile: c.dir } }) },
  { name: "identity file is the public key", key: "ssh.identityFile", env: (e, c) => ({ ...e, ssh: { ...e.ssh, identityFile: c.credentials.publicKeyFile } }) },
  { name: "identity file is not a key", key: "ssh.identityFile", env: (e, c) => ({ ...e, ssh: { ...e.ssh, identityFile: c.file("notes.txt", "not a key\n") } }) },
  { name: "identity file encrypted with a passphrase", key: "ssh.identityFile", env: (e, c) => ({ ...e, ssh: { ...e.ssh, identityFile: encryptedKey(c) } }) },
  {
    name: "encrypted identity file with useAgent, public half unknown",
    key: "ssh.identityFile",
    env: (e, c) => ({ ...e, ssh: { ...e.ssh, identityFile: encryptedPemKey(c), useAgent: true } }),
    vars: { SSH_AUTH_SOCK: "/nonexistent/agent.sock" },
  },
  { name: "one host's identity file missing", key: "hosts[2].identityFile", env: (e, c) => ({ ...e, hosts: e.hosts.map((h: Env, i: number) => (i === 2 ? { ...h, identityFile: join(c.dir, "dp1-key") } : h)) }) },
  {
    name: "jump host's identity file missing",
    key: "hosts[3].jumpHost.identityFile",
    env: (e, c) => ({ ...e, hosts: e.hosts.map((h: Env, i: number) => (i === 3 ? { ...h, jumpHost: { address: "127.0.0.1", port: c.port, user: "jump", identityFile: join(c.dir, "jump-key") } } : h)) }),
  },
  { name: "useAgent without SSH_AUTH_SOCK", key: "ssh.useAgent", env: (e) => ({ ...e, ssh: { ...e.ssh, useAgent: true } }), vars: { SSH_AUTH_SOCK: "" } },
  { name: "no credentials at all", key: "ssh.identityFile", env: (e) => ({ ...e, ssh: { ...e.ssh, identityFile: undefined } }) },
  { name: "database password variable not set", key: "database.passwordEnv", env: (e) => ({ ...e, database: { ...e.database, passwordEnv: "BAD_INPUT_UNSET_PASSWORD" } }) },
  // Values that become part of a path.
  { name: "name that climbs out of reports/", key: "name", env: (e) => ({ ...e, name: "a/../../../escaped" }) },
  { name: "name ../x", key: "name", env: (e) => ({ ...e, name: "../x" }) },
  { name: "name starting with '-'", key: "name", env: (e) => ({ ...e, name: "-rf" }) },
  { name: "inventory host name with a slash", key: "inventory.ansible", env: (e, c) => withInventory(e, iniInventory(c, "\n[api7_dp]\nx/../../y ansible_host=127.0.0.1\n")) },
  // Secrets that redaction could not tell apart from ordinary output.
  { name: "database password shorter than 8 characters", key: "database.passwordEnv", env: (e) => e, vars: { [PASSWORD_VARIABLE]: "api7" } },
  {
    name: "URL password that also occurs in the file's own text",
    key: "entrypoints.gateway.url",
    env: (e, c) => ({ ...e, entrypoints: { ...e.entrypoints, gateway: { url: `http://admin:api7-ee-gateway@127.0.0.1:${c.port}/` } } }),
  },
  // Failover budgets.
  { name: "observationSeconds >= rollbackAfterSeconds", key: "failover.observationSeconds", env: (e) => ({ ...e, failover: { observationSeconds: 60, rollbackAfterSeconds: 60 } }) },
  { name: "rtoSeconds >= observationSeconds", key: "failover.rtoSeconds", env: (e) => ({ ...e, failover: { rtoSeconds: 10, observationSeconds: 8 } }) },
  { name: "errorBudget >= requests sent", key: "failover.errorBudget", env: (e) => ({ ...e, failover: { errorBudget: 200, requestsPerSecond: 20, observationSeconds: 8 } }) },
  { name: "failover pair lists a host twice", key: "failover.pairs.dp[1]", env: (e) => ({ ...e, failover: { pairs: { dp: ["dp1", "dp1"] } } }) },
  // Waivers follow the matcher's rule.
  { name: "waiver for @database on a per-host requirement", key: "waivers[0].host", env: (e) => ({ ...e, waivers: [waiver("HW-01", "@database")] }) },
  { name: "waiver for a host not in the inventory", key: "waivers[0].host", env: (e) => ({ ...e, waivers: [waiver("HW-01", "cp9")] }) },
  // Ansible inventories.
  { name: "inventory role group that does not exist", key: "inventory.roles.dp", env: (e, c) => withInventory(e, iniInventory(c), { cp: "api7_cp", dp: "gateways" }) },
  { name: "inventory role group without hosts", key: "inventory.roles.cp", env: (e, c) => withInventory(e, iniInventory(c, "\n[empty]\n"), { cp: "empty", dp: "api7_dp" }) },
  { name: "inventory file missing", key: "inventory.ansible", env: (e, c) => withInventory(e, join(c.dir, "no-such-inventory.ini")) },
  { name: "inventory with a broken section header", key: "inventory.ansible", env: (e, c) => withInventory(e, iniInventory(c, "\n[api7_dp:vars\nx=1\n")) },
  { name: "inventory become method other than sudo", key: "ansible_become_method", env: (e, c) => withInventory(e, iniInventory(c, "\n[api7_dp:vars]\nansible_become=true\nansible_become_method=su\n")) },
  { name: "inventory variable that is a Jinja template", key: "ansible_user", env: (e, c) => withInventory(e, iniInventory(c, "\n[api7_cp:vars]\nansible_user=\"{{ lookup('env', 'USER') }}\"\n")) },
  { name: "both hosts and inventory", key: "inventory", env: (e, c) => ({ ...e, inventory: { ansible: iniInventory(c), roles: { cp: "api7_cp", dp: "api7_dp" } } }) },
  // OpenSSH client config.
  { name: "ssh.config file missing", key: "ssh.config", env: (e, c) => ({ ...e, ssh: { ...e.ssh, config: join(c.dir, "no-such-config") } }) },
  { name: "ssh config with ProxyCommand", key: "ProxyCommand", env: (e, c) => withSshConfig(e, c, "  ProxyCommand ssh -W %h:%p bastion\n") },
  { name: "ssh config with a ProxyJump loop", key: "ProxyJump", env: (e, c) => withSshConfig(e, c, "  ProxyJump hop-a\nHost hop-a\n  ProxyJump hop-b\nHost hop-b\n  ProxyJump hop-a\n") },
  { name: "ssh config IdentityFile that does not exist", key: "IdentityFile", env: (e, c) => withSshConfig({ ...e, ssh: { ...e.ssh, identityFile: undefined } }, c, `  IdentityFile ${join(c.dir, "config-key")}\n`) },
  { name: "a lab placeholder that names no lab container", key: "database.host", env: (e) => ({ ...e, lab: { variant: "compliant" }, database: { ...e.database, host: "{{no-such-container}}" } }) },
  { name: "a lab environment with ssh.config", key: "ssh.config", env: (e, c) => ({ ...e, lab: { variant: "compliant" }, ssh: { config: c.file("cfg", "") } }) },
  // The YAML itself.
  { name: "YAML alias bomb", key: "line 2", env: (e) => e, text: (e) => `${ALIAS_BOMB}${stringify(e)}` },
  { name: "YAML alias bomb in a YAML inventory", key: "hosts.yml: line 2", env: (e, c) => withInventory(e, c.file("hosts.yml", ALIAS_BOMB)) },
  { name: "YAML syntax error", key: "line 3: YAML: Flow sequence", env: (e) => e, text: (e) => `name: bad-input\nhosts: [\n${stringify(e)}` },
  { name: "duplicate key", key: 'duplicate key "name"', env: (e) => e, text: (e) => `${stringify(e)}name: again\n` },
  { name: "empty file", key: "the file is empty", env: (e) => e, text: () => "# nothing yet\n" },
  { name: "a list instead of a mapping", key: "must be a mapping", env: (e) => e, text: (e) => stringify([e]) },
  { name: "misspelled top-level key", key: 'did you mean "waivers"', env: (e) => ({ ...e, waiver: [] }) },
  { name: "misspelled host key", key: 'did you mean "address"', env: (e) => ({ ...e, hosts: e.hosts.map((h: Env, i: number) => (i === 0 ? { ...h, address: undefined, adress: h.address } : h)) }) },
  // Bracketed IPv6 belongs in URLs only.
  { name: "bracketed IPv6 host address", key: "hosts[0].address", env: (e) => ({ ...e, hosts: e.hosts.map((h: Env, i: number) => (i === 0 ? { ...h, address: "[2001:db8::1]" } : h)) }) },
  { name: "bracketed IPv6 with a port", key: "hosts[1].port", env: (e) => ({ ...e, hosts: e.hosts.map((h: Env, i: number) => (i === 1 ? { ...h, address: "[::1]:2222" } : h)) }) },
  { name: "bracketed IPv6 database host", key: "database.host", env: (e) => ({ ...e, database: { ...e.database, host: "[::1]" } }) },
  // Signing the evidence.
  { name: "evidence.signWith: an encrypted key, no agent", key: "evidence.signWith", env: (e, c) => ({ ...e, evidence: { signWith: encryptedPemKey(c) } }), vars: { SSH_AUTH_SOCK: "" } },
  { name: "--sign with a key that does not exist", key: "--sign", namesFile: false, env: (e) => e, args: ["--sign", "/nonexistent/operator_key"] },
  // Command-line options.
  { name: "--only with an empty value", key: "--only", namesFile: false, env: (e) => e, args: ["--only", ""] },
  { name: "--shard with more shards than hosts", key: "--shard 5/5", namesFile: false, env: (e) => e, args: ["--shard", "5/5"] },
  { name: "--report-dir is a file", key: "--report-dir", namesFile: false, env: (e) => e, args: ["--report-dir", "REPORT_FILE"] },
  { name: "--run-id with a slash", key: "--run-id", namesFile: false, env: (e) => e, args: ["--run-id", "../escape"] },
];

/** Nine aliases of nine aliases ... : 9^4 values from a few lines (billion laughs). */
const ALIAS_BOMB = ["a: &a [x, x, x, x, x, x, x, x, x]", ..."bcde".split("").map((k, i) => `${k}: &${k} [${Array(9).fill(`*${"abcd"[i]}`).join(", ")}]`)].join("\n") + "\n";

const waiver = (requirement: string, host: string) => ({
  requirement,
  host,
  justification: "accepted by the platform team for this test",
  approver: "lead@example.com",
  expires: "2099-12-31",
});

function fifo(ctx: RowContext): string {
  const path = join(ctx.dir, "known_hosts.fifo");
  execFileSync("mkfifo", [path]);
  return path;
}

function encryptedKey(ctx: RowContext): string {
  const pair = ssh2.utils.generateKeyPairSync("ed25519", { passphrase: "secret", cipher: "aes256-ctr", rounds: 16 });
  return ctx.file("encrypted_key", pair.private);
}

/** An encrypted PEM key (no public part inside) without its .pub. */
function encryptedPemKey(ctx: RowContext): string {
  const path = join(ctx.dir, "encrypted_pem_key");
  execFileSync("ssh-keygen", ["-q", "-t", "ecdsa", "-m", "PEM", "-N", "a passphrase", "-f", path]);
  rmSync(`${path}.pub`);
  return path;
}

async function runRow(row: Row, broken: boolean): Promise<{ code: number | null; output: string; connections: number; envFile: string }> {
  const recorder = await connectionRecorder();
  const dir = join(root, row.name.replace(/[^a-z0-9]+/gi, "-"), broken ? "broken" : "control");
  mkdirSync(dir, { recursive: true });
  const ctx: RowContext = {
    dir,
    port: recorder.port,
    credentials: writeLocalCredentials(join(dir, "credentials")),
    file: (name, text) => {
      const path = join(dir, name);
      writeFileSync(path, text);
      return path;
    },
  };
  const base = baseEnvironment(ctx, PASSWORD_VARIABLE);
  const env = broken ? row.env(base, ctx) : base;
  const envFile = ctx.file("environment.yaml", broken && row.text ? row.text(env) : stringify(env));
  const reportFile = ctx.file("reports-is-a-file", "");
  const args = (broken ? (row.args ?? []) : ["--only", "HW-01"]).map((a) => (a === "REPORT_FILE" ? reportFile : a));
  const hasReportDir = args.includes("--report-dir");
  const run = await runCli("audit", ["--env", envFile, ...(hasReportDir ? [] : ["--report-dir", join(dir, "reports")]), ...args], {
    [PASSWORD_VARIABLE]: "not-a-real-password",
    ...(broken ? row.vars : {}),
  });
  // Let a connection that the CLI opened just before exiting reach the listener's accept callback.
  await new Promise((resolve) => setTimeout(resolve, 100));
  const connections = recorder.connections();
  await recorder.close();
  return { code: run.code, output: run.stdout + run.stderr, connections, envFile };
}

describe("bad input exits 3 before any connection", () => {
  test("the table has at least 25 rows", () => expect(rows.length).toBeGreaterThanOrEqual(25));

  test("control: the same environment unbroken does connect, and the recorder sees it", async () => {
    const control = await runRow(rows[0]!, false);
    expect(control.code, control.output).toBe(2);
    expect(control.connections).toBeGreaterThan(0);
  }, 300_000);

  test.concurrent.each(rows)("$name", async (row) => {
    const result = await runRow(row, true);
    expect(result.code, result.output).toBe(3);
    expect(result.output).toContain(row.key);
    if (row.namesFile !== false) expect(result.output).toContain(result.envFile);
    expect(result.output).not.toMatch(/internal error|connected|collecting from/);
    expect(result.connections, "connections recorded").toBe(0);
  }, 300_000);
});
