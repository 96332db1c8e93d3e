// The black-hole fault on the compliant lab (real sshd, nftables and haproxy): the gateway's ports
// are dropped on a DP host in a table of the suite's own. The runner sees the member stop
// answering, the load balancer (fast checks, redispatch) keeps the entrypoint answering, and
// afterwards the host's ruleset is exactly what it was, also when only the armed undo runs.
// dp1's gateway listens on the host; dp2 publishes it as Docker does (DNAT to a network namespace
// of its own, then FORWARD), where the fault must cut it too, and an INPUT-only rule does not.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLab, type RunningLab } from "../../../environments/lab/lab.js";
import { loadEnvironment, resolvePlaceholders } from "../../../helpers/environment/load.js";
import type { Environment } from "../../../helpers/environment/schema.js";
import {
  type FailoverExperiment,
  entrypointTarget,
  faultComponent,
  pairMembers,
  runFaultExperiment,
  type ExecOnHost,
  type FailoverSettings,
} from "../../../helpers/failover/fault.js";
import { renderTimelineSvg } from "../../../helpers/failover/timeline.js";
import { requirementById } from "../../../helpers/checks/catalogue.js";
import { verdictFor } from "../../../helpers/evaluate.js";
import type { CollectedRun } from "../../../helpers/run/collected.js";
import { failoverChecks } from "../../../specs/checks/failover.js";
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

/** The black hole as it was: an input-hook rule only ($0 table, $1 ports), which DNATed packets never cross. */
const INPUT_ONLY_BLACK_HOLE =
  'nft "add table inet $0; add chain inet $0 input { type filter hook input priority -10; policy accept; }; add rule inet $0 input tcp dport { $1 } drop"';

/** Each member's latest black-hole experiment, for HA-DP-01's verdict over the pair. */
const blackHoles = new Map<string, FailoverExperiment>();

/** HA-DP-01 as the audit decides it from the black holes recorded on dp1 and dp2. */
function blackHoleVerdict() {
  const settings = { ...env, failover: { ...env.failover, faults: { "HA-DP-01": ["black-hole" as const] } } };
  const run: CollectedRun = {
    runId: "integration",
    environmentName: env.name,
    startedAt: new Date().toISOString(),
    options: { fullPortSweep: false, allowDisruption: true, strict: false },
    hosts: [],
    probes: [],
    failover: JSON.parse(JSON.stringify([...blackHoles.values()])) as unknown[],
  };
  return verdictFor(requirementById("HA-DP-01"), "@dp-pair", failoverChecks, { env: settings, run, allFacts: new Map() });
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
    expect(table![0]).toMatch(/elements = \{ 9080, 9443 \}/);
    expect(table![0]).toMatch(/tcp dport @ports drop/);
    expect(table![0]).toMatch(/ct status dnat ct original proto-dst @ports drop/);
    // Nothing else changed: without the suite's table, the ruleset during the fault is the one before.
    expect(during.replace(table![0], "")).toBe(before);
    expect(await ruleset("dp1")).toBe(before);

    expect(experiment.analysis.errors).toBeLessThanOrEqual(env.failover.errorBudget);
    expect(renderTimelineSvg(experiment)).toContain("fault: black-hole gateway on dp1");
    blackHoles.set("dp1", experiment);
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
  describe("on dp2, whose gateway is published as Docker publishes a container's ports", () => {
    it("nothing of the gateway listens in dp2's own namespace but docker-proxy; its ports are DNATed to the gateway's namespace", async () => {
      const listeners = await pool.exec("dp2", ["ss", "-Htlnp"]);
      const onGatewayPorts = listeners.stdout.split("\n").filter((line) => /:(9080|9443)\s/.test(line));
      expect(onGatewayPorts, listeners.stdout).toHaveLength(2);
      for (const line of onGatewayPorts) expect(line).toContain('"docker-proxy"');
      const nat = await pool.exec("dp2", ["nft", "list", "table", "ip", "api7_lab_docker"]);
      expect(nat.stdout).toMatch(/type nat hook prerouting priority dstnat;[\s\S]*fib daddr type local tcp dport \{ 9080, 9443 \} dnat to 192\.0\.2\.2/);
    });

    it("the black hole is confirmed over the DNAT path, held until the rollback, and HA-DP-01 passes", async () => {
      const before = await ruleset("dp2");
      const experiment = await blackHole("dp2", exec);

      expect(experiment.error, log.join("\n")).toBeUndefined();
      expect(experiment).toMatchObject({ faultError: null, restored: true, disarmed: true });
      expect(experiment.confirmation?.downAt).not.toBeNull();
      expect(experiment.confirmation?.heldUntilRollback).toBe(true);
      expect(experiment.confirmation?.checks.every((check) => /no TCP connect within/.test(check.detail))).toBe(true);
      expect(await ruleset("dp2")).toBe(before);
      blackHoles.set("dp2", experiment);
      const verdict = blackHoleVerdict();
      expect(verdict.status, verdict.message).toBe("passed");
    }, 120_000);

    it("self-test: the INPUT-only rule of before leaves the DNATed gateway answering, so HA-DP-01 is broken, not passed", async () => {
      // Same table name and ports, so the suite's own undo deletes it.
      const inputOnly: ExecOnHost = (host, argv, options) =>
        exec(host, options?.section?.endsWith(":black-hole:gateway") ? ["sh", "-c", INPUT_ONLY_BLACK_HOLE, argv[3]!, argv[4]!] : argv, options);
      const before = await ruleset("dp2");
      const experiment = await blackHole("dp2", inputOnly);

      // The rule went in, and the runner still reached both ports: their packets never crossed INPUT
      // (nor docker-proxy, which would be behind INPUT): they were DNATed and forwarded.
      expect(experiment.faultError).toBeNull();
      const injected = experiment.commands.find((c) => c.section.endsWith(":black-hole:gateway"));
      expect(injected?.command).toContain("hook input");
      expect(injected?.command).not.toContain("hook forward");
      expect(experiment.confirmation?.downAt).toBeNull();
      expect(experiment.confirmation?.checks.map((check) => check.ok)).toEqual([true, true]);
      expect(experiment.restored).toBe(true);
      expect(await ruleset("dp2")).toBe(before);
      blackHoles.set("dp2", experiment);
      const verdict = blackHoleVerdict();
      expect(verdict.status).toBe("broken");
      expect(verdict.message).toContain("dp2 (black-hole): fault not confirmed: 9080, 9443 still answer on dp2");
    }, 120_000);

    it("the iptables form (a member without nft) cuts the DNAT path too, and its undo leaves iptables as it was", async () => {
      // dp2's iptables is Debian's default (nf_tables) variant: real FORWARD and conntrack matches.
      const asIptablesHost: ExecOnHost = async (host, argv, options) => {
        const output = await exec(host, argv, options);
        return options?.section?.endsWith(":detect-tools") ? { ...output, stdout: output.stdout.replace("firewall=nft", "firewall=iptables") } : output;
      };
      const rules = async () => (await pool.exec("dp2", ["iptables", "-w", "-S"])).stdout;
      const before = await rules();
      const experiment = await blackHole("dp2", asIptablesHost);

      expect(experiment.error, log.join("\n")).toBeUndefined();
      expect(experiment.commands.find((c) => c.section.endsWith(":black-hole:gateway"))?.command).toContain("iptables -w -I FORWARD 1");
      expect(experiment.confirmation?.downAt).not.toBeNull();
      expect(experiment.confirmation?.heldUntilRollback).toBe(true);
      expect(experiment).toMatchObject({ restored: true, disarmed: true });
      expect(await rules()).toBe(before);
    }, 120_000);
  });
});
