// The black-hole fault on the compliant lab (real sshd, nftables and haproxy): the gateway's ports
// are dropped on a DP host in a table of the suite's own. The runner sees the member stop
// answering, the load balancer (fast checks, redispatch) keeps the entrypoint answering, and
// afterwards the host's ruleset is exactly what it was, also when only the armed undo runs.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLab, type RunningLab } from "../../../environments/lab/lab.js";
import { loadEnvironment, resolvePlaceholders } from "../../../helpers/environment/load.js";
import type { Environment } from "../../../helpers/environment/schema.js";
import {
  entrypointTarget,
  faultComponent,
  pairMembers,
  runFaultExperiment,
  type ExecOnHost,
  type FailoverSettings,
} from "../../../helpers/failover/fault.js";
import { renderTimelineSvg } from "../../../helpers/failover/timeline.js";
import { knownHostsPath, sshTarget } from "../../../helpers/run/targets.js";
import { SshPool } from "../../../helpers/transport/ssh-pool.js";

let lab: RunningLab;
let env: Environment;
let pool: SshPool;
let workDir: string;
const log: string[] = [];

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), "api7-black-hole-"));
  lab = await startLab("compliant", { workDir, log: () => undefined });
  const resolved = resolvePlaceholders(loadEnvironment("lab").env, lab.addresses);
  env = { ...resolved, ssh: { ...resolved.ssh, identityFile: lab.identityFile, knownHosts: lab.knownHostsPath } };
  pool = new SshPool({ knownHostsPath: knownHostsPath(env), acceptNewHostKeys: false, connectTimeoutMs: 20_000, commandTimeoutMs: 60_000 });
  const connected = await pool.connectAll(env.hosts.filter((h) => h.roles.includes("dp")).map((h) => sshTarget(h, env)));
  for (const [name, result] of connected) if (!result.ok) throw new Error(`${name}: ${result.error}`);
});

afterAll(async () => {
  await pool?.closeAll();
  await lab?.stop();
  rmSync(workDir, { recursive: true, force: true });
});

const exec: ExecOnHost = (host, argv, options) => pool.exec(host, argv, { section: options?.section, timeoutMs: options?.timeoutMs });

async function ruleset(host: string): Promise<string> {
  const output = await pool.exec(host, ["nft", "list", "ruleset"]);
  expect(output.exitCode, output.stderr).toBe(0);
  return output.stdout;
}

function blackHole(memberName: string, run: ExecOnHost, settings: Partial<FailoverSettings> = {}) {
  const members = pairMembers(env, "dp");
  return runFaultExperiment({
    requirement: "HA-DP-01",
    pair: { role: "dp", members },
    member: members.find((host) => host.name === memberName)!,
    components: [faultComponent(env, "gateway")],
    faultKind: "black-hole",
    entrypoint: entrypointTarget(env, "gateway"),
    exec: run,
    settings: { ...env.failover, ...settings },
    log: (line) => log.push(line),
  });
}

describe("black-hole fault", () => {
  it("drops the gateway's ports in a table of its own, the member is seen down, the pair answers, the ruleset is restored", async () => {
    const before = await ruleset("dp1");
    let during = "";
    // Reads the ruleset right after the fault command, while the black hole is in place.
    const watching: ExecOnHost = async (host, argv, options) => {
      const output = await exec(host, argv, options);
      if (options?.section?.endsWith("black-hole:gateway") && !options.section.includes("undo")) during = await ruleset(host);
      return output;
    };
    const experiment = await blackHole("dp1", watching);

    expect(experiment.error, log.join("\n")).toBeUndefined();
    expect(experiment).toMatchObject({ faultKind: "black-hole", faultError: null, restored: true, disarmed: true });
    expect(experiment.confirmation?.downAt).not.toBeNull();
    expect(experiment.confirmation?.heldUntilRollback).toBe(true);
    // A black-holed port does not refuse: the connect attempt times out.
    expect(experiment.confirmation?.checks.every((check) => /no TCP connect within/.test(check.detail))).toBe(true);

    const table = /table inet (api7_audit_fault_[0-9a-f]{6}) \{[\s\S]*?\n\}\n?/.exec(during);
    expect(table, during).not.toBeNull();
    expect(table![0]).toMatch(/tcp dport \{ 9080, 9443 \} drop/);
    // Nothing else changed: without the suite's table, the ruleset during the fault is the one before.
    expect(during.replace(table![0], "")).toBe(before);
    expect(await ruleset("dp1")).toBe(before);

    expect(experiment.analysis.errors).toBeLessThanOrEqual(env.failover.errorBudget);
    expect(renderTimelineSvg(experiment)).toContain("fault: black-hole gateway on dp1");
  }, 120_000);

  it("the undo armed on the host deletes the table when the runner's own undo fails", async () => {
    const before = await ruleset("dp2");
    const failingUndo: ExecOnHost = (host, argv, options) =>
      exec(host, options?.section?.endsWith("undo-black-hole:gateway") ? ["false"] : argv, options);
    const experiment = await blackHole("dp2", failingUndo, { rollbackAfterSeconds: 8 });

    expect(experiment.error).toMatch(/deleting table inet api7_audit_fault_[0-9a-f]{6} on dp2 exited 1/);
    // Back only once the armed undo fired, 8 s after arming.
    expect(experiment.restored).toBe(true);
    expect(experiment.recoveredAt! - experiment.rollbackAt!).toBeGreaterThan(500);
    expect(await ruleset("dp2")).toBe(before);
  }, 120_000);
});
