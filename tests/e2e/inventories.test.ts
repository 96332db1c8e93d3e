// The operator's own inventories audit the same hosts with the same verdicts: one compliant lab is
// started, then audited (non-destructively) three times through the real CLI, from
//  1. environments/lab.yaml with the lab's addresses, key and known_hosts filled in,
//  2. an Ansible INI inventory with [api7_cp]/[api7_dp] groups, key and user as host variables,
//  3. an OpenSSH client config with an alias per lab host (and StrictHostKeyChecking no, ignored).
// The verdict tables are compared with each other, not with tests/expected.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startLab, type RunningLab } from "../../environments/lab/lab.js";
import { ENVIRONMENTS_DIR, resolvePlaceholders } from "../../helpers/environment/load.js";
import { actualVerdicts, readResults, runCli, type CliRun } from "./run-audit.js";

const LAB_MINUTES = 15;
const work = mkdtempSync(join(tmpdir(), "api7-inventories-"));
let lab: RunningLab | undefined;
const runs: Record<"lab" | "ansible" | "sshConfig", CliRun & { verdicts: Map<string, string>; messages: Map<string, string> }> = {} as never;

type Env = Record<string, any>;

function write(name: string, content: string): string {
  const path = join(work, name);
  writeFileSync(path, content);
  return path;
}

/** environments/lab.yaml pointed at the running lab, as the CLI's lab session would resolve it. */
function labEnvironment(running: RunningLab): Env {
  const { lab: _variant, ...source } = parse(readFileSync(join(ENVIRONMENTS_DIR, "lab.yaml"), "utf8")) as Env;
  const env = resolvePlaceholders(source, running.addresses);
  return { ...env, ssh: { ...env.ssh, identityFile: running.identityFile, knownHosts: running.knownHostsPath } };
}

function ansibleEnvironment(env: Env, running: RunningLab): Env {
  const line = (h: Env) => `${h.name} ansible_host=${h.address} ansible_user=root ansible_ssh_private_key_file=${running.identityFile}`;
  const group = (role: string) => env.hosts.filter((h: Env) => h.roles.includes(role)).map(line).join("\n");
  const inventory = write("hosts.ini", `[api7_cp]\n${group("cp")}\n\n[api7_dp]\n${group("dp")}\n\n[api7:children]\napi7_cp\napi7_dp\n`);
  const { hosts: _hosts, ...rest } = env;
  const { user: _user, identityFile: _key, ...ssh } = env.ssh;
  return { ...rest, name: "lab-ansible", ssh, inventory: { ansible: inventory, roles: { cp: "api7_cp", dp: "api7_dp" } } };
}

function sshConfigEnvironment(env: Env, running: RunningLab): Env {
  const hostBlocks = env.hosts.map((h: Env) => `Host lab-${h.name}\n  HostName ${h.address}\n`).join("\n");
  const config = write(
    "ssh_config",
    `${hostBlocks}\nHost lab-*\n  User root\n  IdentityFile ${running.identityFile}\n  UserKnownHostsFile ${running.knownHostsPath}\n  StrictHostKeyChecking no\n`,
  );
  const { user: _user, identityFile: _key, knownHosts: _knownHosts, ...ssh } = env.ssh;
  return { ...env, name: "lab-ssh-config", ssh: { ...ssh, config }, hosts: env.hosts.map((h: Env) => ({ ...h, address: `lab-${h.name}` })) };
}

async function audit(name: keyof typeof runs, env: Env, running: RunningLab): Promise<void> {
  const file = write(`${name}.yaml`, stringify(env));
  const run = await runCli("audit", ["--env", file, "--report-dir", join(work, "reports"), "--run-id", name], { API7_AUDIT_PG_PASSWORD: running.dbPassword });
  const results = readResults(join(work, "reports", name));
  runs[name] = { ...run, verdicts: actualVerdicts(results), messages: new Map(results.results.map((v) => [`${v.requirement} ${v.target}`, v.message])) };
}

beforeAll(async () => {
  process.env.TESTCONTAINERS_RYUK_DISABLED ??= "true";
  process.env.TESTCONTAINERS_HOST_OVERRIDE ??= "localhost";
  lab = await startLab("compliant", { log: () => undefined, workDir: join(work, "lab") });
  const env = labEnvironment(lab);
  // One after the other: three audits at once would distort each other's timings on 2 cores.
  await audit("lab", env, lab);
  await audit("ansible", ansibleEnvironment(env, lab), lab);
  await audit("sshConfig", sshConfigEnvironment(env, lab), lab);
}, LAB_MINUTES * 60_000);

afterAll(async () => {
  await lab?.stop();
  rmSync(work, { recursive: true, force: true });
}, 120_000);

/**
 * A loaded 2-core runner can run a host's facts script out of its time budget in one run and not in
 * another; such a verdict is "broken" for a reason no inventory can cause, so it is left out of the
 * comparison (and counted, so that a good part of the verdicts is still compared).
 */
const LOAD_INDUCED = /time budget of \d+ s was used up|timed out/;

/** Same targets in both runs; among the comparable ones, the verdicts that differ (with both messages). */
function differences(a: (typeof runs)["lab"], b: (typeof runs)["lab"]): string[] {
  expect([...b.verdicts.keys()].sort()).toEqual([...a.verdicts.keys()].sort());
  const comparable = [...a.verdicts.keys()].filter((k) => !LOAD_INDUCED.test(`${a.messages.get(k)} ${b.messages.get(k)}`));
  // On the 6-engineer build machine (load average 30-90) one run in three lost up to 60 % of its facts this way.
  expect(comparable.length, `only ${comparable.length} of ${a.verdicts.size} verdicts were evaluated in both runs`).toBeGreaterThan(a.verdicts.size / 4);
  return comparable
    .filter((k) => a.verdicts.get(k) !== b.verdicts.get(k))
    .map((k) => `${k}: ${a.verdicts.get(k)} vs ${b.verdicts.get(k)} (${b.messages.get(k) ?? ""} | ${a.messages.get(k) ?? ""})`);
}

describe("the same lab audited from three inventories", () => {
  test("the run from environments/lab.yaml evaluated every host", () => {
    expect(runs.lab.code, runs.lab.stdout.slice(-3000) + runs.lab.stderr.slice(-2000)).not.toBe(3);
    expect([...runs.lab.verdicts.keys()].filter((k) => k.startsWith("HW-01 "))).toEqual(["HW-01 cp1", "HW-01 cp2", "HW-01 dp1", "HW-01 dp2"]);
  });

  test("an Ansible INI inventory ([api7_cp]/[api7_dp], key and user as host variables) gives the same verdicts", () => {
    expect(runs.ansible.code, runs.ansible.stderr.slice(-2000)).toBe(runs.lab.code);
    expect(differences(runs.lab, runs.ansible)).toEqual([]);
  });

  test("an ssh_config with aliases for the lab's hosts gives the same verdicts", () => {
    expect(runs.sshConfig.code, runs.sshConfig.stderr.slice(-2000)).toBe(runs.lab.code);
    expect(differences(runs.lab, runs.sshConfig)).toEqual([]);
  });

  test("the config's StrictHostKeyChecking no is reported as ignored", () => {
    expect(runs.sshConfig.stdout).toMatch(/StrictHostKeyChecking no is ignored: host keys are always checked strictly/);
  });
});
