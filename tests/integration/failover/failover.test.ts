// Failover experiments against real processes on loopback: haproxy in front of stand-in
// components that the experiments really kill and restart (tests/integration/failover/*).
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CollectedRun } from "../../../helpers/run/collected.js";
import {
  armArgv,
  disarmArgv,
  entrypointTarget,
  faultComponent,
  pairMembers,
  runFaultExperiment,
  tcpAnswers,
  type EntrypointTarget,
  type ExecOnHost,
  type FailoverExperiment,
} from "../../../helpers/failover/fault.js";
import { runFailoverSuite } from "../../../helpers/failover/suite.js";
import { renderTimelineSvg } from "../../../helpers/failover/timeline.js";
import { requirementById } from "../../../helpers/checks/catalogue.js";
import { verdictFor } from "../../../helpers/evaluate.js";
import { failoverChecks } from "../../../specs/checks/failover.js";
import { localExec } from "./local-exec.js";
import { freePort, startLoopbackLab, type LoopbackLab } from "./loopback-lab.js";

const here = dirname(fileURLToPath(import.meta.url));
const logLines: string[] = [];
const log = (line: string) => logLines.push(line);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function verdict(lab: LoopbackLab, id: string, target: string, failover: FailoverExperiment[]) {
  const run: CollectedRun = {
    runId: "integration",
    environmentName: lab.env.name,
    startedAt: new Date().toISOString(),
    options: { fullPortSweep: false, allowDisruption: true, strict: false },
    hosts: [],
    probes: [],
    failover: JSON.parse(JSON.stringify(failover)) as unknown[],
  };
  return verdictFor(requirementById(id), target, failoverChecks, { env: lab.env, run, allFacts: new Map() });
}

function dpExperiment(lab: LoopbackLab, memberName: string, options: { entrypoint?: EntrypointTarget; exec?: ExecOnHost } = {}) {
  const members = pairMembers(lab.env, "dp");
  return runFaultExperiment({
    requirement: "HA-DP-01",
    pair: { role: "dp", members },
    member: members.find((host) => host.name === memberName)!,
    components: [faultComponent(lab.env, "gateway")],
    faultKind: "stop",
    entrypoint: options.entrypoint ?? entrypointTarget(lab.env, "gateway"),
    exec: options.exec ?? localExec,
    settings: lab.env.failover,
    log,
  });
}

/** [start, end] of an experiment, epoch ms. */
const span = (e: FailoverExperiment) => [Date.parse(e.startedAt), Date.parse(e.finishedAt)] as const;
const overlap = (a: FailoverExperiment[], b: FailoverExperiment[]) =>
  a.some((x) => b.some((y) => span(x)[0] < span(y)[1] && span(y)[0] < span(x)[1]));

async function answersWithin(address: string, port: number, withinMs: number): Promise<number | null> {
  const started = Date.now();
  while (Date.now() - started <= withinMs) {
    if ((await tcpAnswers(address, port, 500)) === null) return Date.now() - started;
    await sleep(100);
  }
  return null;
}

/** Waits until the child runner logged the fault and the member's port really closed. */
async function waitForDown(output: () => string, member: string, address: string, port: number): Promise<void> {
  // A loaded runner starts the child (tsx) slowly: the fault may come late, the port closes soon after.
  let deadline = Date.now() + 60_000;
  while (!output().includes(`fault: stopping gateway on ${member}`)) {
    if (Date.now() > deadline) throw new Error(`the child never injected the fault:\n${output()}`);
    await sleep(50);
  }
  deadline = Date.now() + 20_000;
  while ((await tcpAnswers(address, port, 300)) === null) {
    if (Date.now() > deadline) throw new Error(`${member}'s gateway never went down`);
    await sleep(20);
  }
}

describe("a pair behind haproxy with health checks", () => {
  let lab: LoopbackLab;
  beforeAll(async () => {
    lab = await startLoopbackLab({
      healthChecks: true,
      failover: {
        allowDisruption: true,
        // Two experiments record at once in this (vitest) process: 10/s each keeps a loaded runner on rate.
        requestsPerSecond: 10,
        steadyStateSeconds: 1,
        confirmWithinSeconds: 2,
        observationSeconds: 1.5,
        errorBudget: 5,
        rtoSeconds: 1,
        // Generous: on a loaded runner one experiment's commands alone can take 10 s, and the armed
        // timer must not fire before the runner's own rollback.
        recoverySeconds: 30,
        rollbackAfterSeconds: 15,
      },
    });
  });
  afterAll(async () => lab?.close());

  it("passes HA-DP-01, HA-CP-01, HA-CP-02 and HA-DP-02: each member stopped in turn, restored, within budget", async () => {
    const experiments = await runFailoverSuite({ env: lab.env, exec: localExec, allowDisruption: true, log });
    expect(experiments.map((e) => e.id)).toEqual([
      "HA-DP-01/dp1/gateway",
      "HA-DP-01/dp2/gateway",
      "HA-CP-01/cp1/dashboard",
      "HA-CP-01/cp2/dashboard",
      "HA-CP-02/cp1/dpManager",
      "HA-CP-02/cp2/dpManager",
      "HA-DP-02/cp1/dashboard+dpManager",
      "HA-DP-02/cp2/dashboard+dpManager",
    ]);
    for (const experiment of experiments) {
      expect(experiment.error, experiment.id).toBeUndefined();
      expect(experiment).toMatchObject({ restored: true, disarmed: true, steadyBefore: { ok: true }, steadyAfter: { ok: true }, faultError: null });
      expect(experiment.armedRollbacks.every((armed) => armed.kind === "nohup" && armed.pid > 0)).toBe(true);
      // The fault really happened: the stop command ran, the member was seen down and stayed down.
      expect(experiment.commands.some((c) => c.section.endsWith(`stop:${experiment.components[0]}`) && c.exitCode === 0)).toBe(true);
      expect(experiment.confirmation).toMatchObject({ heldUntilRollback: true });
      const { faultAt, rollbackAt, recoveredAt } = experiment;
      const downAt = experiment.confirmation!.downAt!;
      expect(faultAt! < downAt && downAt < rollbackAt! && rollbackAt! <= recoveredAt!).toBe(true);
      // The observation runs from the confirmed moment.
      expect(rollbackAt! - downAt).toBeGreaterThan(1_400);
      expect(experiment.traffic!.sent).toBe(experiment.history.length);
    }
    // Independent pairs overlap (gateway faults vs dashboard faults); a DP Manager fault, which
    // gateways depend on, never overlaps gateway traffic of another experiment.
    const of = (id: string) => experiments.filter((e) => e.requirement === id);
    expect(overlap(of("HA-DP-01"), of("HA-CP-01"))).toBe(true);
    expect(overlap(of("HA-DP-01"), of("HA-CP-02"))).toBe(false);
    expect(overlap(of("HA-DP-02"), [...of("HA-DP-01"), ...of("HA-CP-01"), ...of("HA-CP-02")])).toBe(false);
    for (const [id, target] of [["HA-DP-01", "@dp-pair"], ["HA-CP-01", "@cp-pair"], ["HA-CP-02", "@cp-pair"], ["HA-DP-02", "@dp-pair"]] as const) {
      const outcome = verdict(lab, id, target, experiments);
      expect(outcome.status, outcome.message).toBe("passed");
      expect(outcome.evidence).toHaveLength(2);
    }
    expect(JSON.parse(JSON.stringify(experiments))).toEqual(experiments);
    expect(renderTimelineSvg(experiments[0]!)).toContain("fault: stop gateway on dp1");
  }, 180_000);

  describe("an experiment that proves nothing is never passed", () => {
    /** HA-DP-01 with dp1's experiment only: the message must name dp1's own reason. */
    const judge = (experiment: FailoverExperiment) => verdict(lab, "HA-DP-01", "@dp-pair", [experiment]);

    it("a stop command that exits 1: broken, and the member is still running", async () => {
      lab.breakNextStop("dp1", "gateway", "fails");
      const experiment = await dpExperiment(lab, "dp1");
      expect(experiment.faultError).toMatch(/^stopping gateway on dp1 exited 1: Error response from daemon: No such container/);
      expect(experiment.confirmation).toBeNull();
      expect(experiment.restored).toBe(true);
      const outcome = judge(experiment);
      expect(outcome.status).toBe("broken");
      expect(outcome.message).toContain("dp1 (stop): fault not injected: stopping gateway on dp1 exited 1");
    }, 60_000);

    it("a stop command that exits 0 but leaves the component listening: broken, fault not confirmed", async () => {
      lab.breakNextStop("dp1", "gateway", "ignored");
      const experiment = await dpExperiment(lab, "dp1");
      expect(experiment.faultError).toBeNull();
      expect(experiment.confirmation).toMatchObject({ downAt: null, withinSeconds: 2 });
      const outcome = judge(experiment);
      expect(outcome.status).toBe("broken");
      expect(outcome.message).toContain(`dp1 (stop): fault not confirmed: ${lab.ports.gateway} still answers on dp1 2.0 s after the stop`);
    }, 60_000);

    it("an entrypoint that answers nothing from the start: broken, no fault injected", async () => {
      const nothing = { name: "gateway" as const, url: `http://127.0.0.1:${await freePort()}/` };
      const experiment = await dpExperiment(lab, "dp1", { entrypoint: nothing });
      expect(experiment.faultAt).toBeNull();
      expect(experiment.commands.some((c) => c.section.endsWith("stop:gateway"))).toBe(false);
      const outcome = judge(experiment);
      expect(outcome.status).toBe("broken");
      expect(outcome.message).toMatch(/dp1 \(stop\): no steady state: 0 of \d+ requests answered before the fault/);
    }, 60_000);

    it("a recorder that sent too few requests (the runner stalled during the fault): broken", async () => {
      // Blocks this process's event loop for 4 s once the stop returned: no request can be sent meanwhile.
      const stalling: ExecOnHost = async (host, argv, options) => {
        const output = await localExec(host, argv, options);
        if (options?.section?.endsWith("stop:gateway")) for (const until = Date.now() + 4_000; Date.now() < until; );
        return output;
      };
      const experiment = await dpExperiment(lab, "dp1", { exec: stalling });
      expect(experiment.confirmation?.downAt).not.toBeNull();
      const { sent, startMs, endMs } = experiment.traffic!;
      expect(sent).toBeLessThan(0.9 * 10 * ((endMs - startMs) / 1000));
      const outcome = judge(experiment);
      expect(outcome.status).toBe("broken");
      expect(outcome.message).toMatch(/dp1 \(stop\): too little traffic: \d+ requests sent in \d+\.\d s, fewer than 90 % of 10\/s/);
    }, 60_000);
  });

  it("the armed rollback restores the member when the runner's own rollback fails", async () => {
    lab.failNextStart("dp2", "gateway");
    const experiment = await dpExperiment(lab, "dp2");
    const starts = experiment.commands.filter((c) => c.section.endsWith("start:gateway"));
    expect(starts.map((c) => c.exitCode)).toEqual([1]);
    expect(experiment.error).toContain("starting gateway on dp2 exited 1");
    // Nobody but the armed timer started it again: 15 s after arming, within the 30 s recovery budget.
    expect(experiment.restored).toBe(true);
    expect(experiment.recoveredAt! - experiment.rollbackAt!).toBeGreaterThan(1_000);
    expect((await tcpAnswers("127.0.0.22", lab.ports.gateway)) ?? "open").toBe("open");
  }, 60_000);

  it("SIGTERM during the fault runs the rollback before the runner exits", async () => {
    // The armed timer would fire only 60 s after arming: whatever restores the member now is the runner.
    const env = { ...lab.env, failover: { ...lab.env.failover, rollbackAfterSeconds: 60 } };
    const child = spawn(process.execPath, ["--import", "tsx", join(here, "dead-runner-child.ts"), JSON.stringify({ env, member: "dp2" })], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    await waitForDown(() => output, "dp2", "127.0.0.22", lab.ports.gateway);
    const signalledAt = Date.now();
    child.kill("SIGTERM");
    expect(await exited).toBe(143);
    expect(output).toContain("rollback (signal): starting gateway on dp2");
    expect(output).not.toContain("finished:");
    // Back as the runner exits, long before the armed timer.
    expect(await tcpAnswers("127.0.0.22", lab.ports.gateway)).toBeNull();
    expect(Date.now() - signalledAt).toBeLessThan(30_000);
  }, 120_000);

  it("a runner killed with SIGKILL during the fault leaves the member restored by the armed rollback", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", join(here, "dead-runner-child.ts"), JSON.stringify({ env: lab.env, member: "dp1" })], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once("exit", (_code, signal) => resolve(signal)));
    await waitForDown(() => output, "dp1", "127.0.0.21", lab.ports.gateway);
    const killedAt = Date.now();
    child.kill("SIGKILL");
    expect(await exited).toBe("SIGKILL");
    expect(output).not.toContain("rollback (");
    // Still down right after the runner died...
    await sleep(300);
    expect(await tcpAnswers("127.0.0.21", lab.ports.gateway, 300)).not.toBeNull();
    // ...and up again once the armed timer (15 s after arming) fired.
    const upAfter = await answersWithin("127.0.0.21", lab.ports.gateway, 25_000);
    expect(upAfter, `dp1's gateway not restored:\n${output}`).not.toBeNull();
    expect(Date.now() - killedAt).toBeLessThan(25_000);
  }, 120_000);
});

describe("a pair behind haproxy without health checks", () => {
  let lab: LoopbackLab;
  beforeAll(async () => {
    lab = await startLoopbackLab({
      healthChecks: false,
      failover: {
        allowDisruption: true,
        requestsPerSecond: 20,
        steadyStateSeconds: 1,
        confirmWithinSeconds: 2,
        observationSeconds: 2,
        errorBudget: 5,
        rtoSeconds: 1.5,
        // Generous: on a loaded runner one experiment's commands alone can take 10 s, and the armed
        // timer must not fire before the runner's own rollback.
        recoverySeconds: 30,
        rollbackAfterSeconds: 15,
      },
    });
  });
  afterAll(async () => lab?.close());

  it("fails HA-DP-01 with the measured errors and outage; the member is restored anyway", async () => {
    const experiments = [await dpExperiment(lab, "dp1"), await dpExperiment(lab, "dp2")];
    for (const experiment of experiments) {
      expect(experiment.restored).toBe(true);
      // Round robin keeps sending every other request to the stopped member: about half fail.
      expect(experiment.analysis.errorsDuringFault).toBeGreaterThan(10);
      expect(experiment.analysis.errorsBeforeFault).toBe(0);
      // Failures end once the member answers again (until its start completes, requests still fail).
      expect(experiment.history.filter((r) => !r.ok && r.startMs >= experiment.recoveredAt!)).toEqual([]);
      // haproxy retries the refused connection (1 s apart) and then answers 503 (502 when the member
      // went away mid-response): the client's 2 s request timeout usually comes first.
      const failures = experiment.history.filter((r) => !r.ok);
      const unexpected = failures.filter((r) => !(r.status === 502 || r.status === 503 || (r.status === null && /timeout/i.test(r.error ?? ""))));
      expect(unexpected.map((r) => `${r.status} ${r.error}`)).toEqual([]);
    }
    const outcome = verdict(lab, "HA-DP-01", "@dp-pair", experiments);
    expect(outcome.status).toBe("failed");
    expect(outcome.message).toMatch(
      /^HA-DP-01: stopping dp1's gateway \(down after \d\.\d\d s\) gave \d+ failed requests and a \d+\.\d s outage \(\d+ failed requests > budget 5\); stopping dp2's gateway \(down after \d\.\d\d s\) gave \d+ failed requests/,
    );
    expect(outcome.message).toContain("budget 5 errors, RTO 1.5 s");
  }, 60_000);
});

describe("the rollback armed with nohup (no systemd on this machine)", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "api7-failover-arm-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  // The start argv writes its last argument to a file: any shell interpretation would show.
  const hostile = () => `it's "quoted"; touch ${dir}/INJECTED $(touch ${dir}/INJECTED2) \`$HOME\``;
  const startArgv = (file: string) => [process.execPath, "-e", "require('fs').writeFileSync(process.argv[1], process.argv[2])", file, hostile()];

  it("runs the start argv after the delay, every argument verbatim", async () => {
    const file = join(dir, "fired");
    const armed = await localExec("dp1", armArgv("nohup", "api7-audit-rollback-test-fire", 1, startArgv(file)));
    expect(armed.exitCode).toBe(0);
    expect(Number(armed.stdout.trim())).toBeGreaterThan(0);
    expect(existsSync(file)).toBe(false);
    await sleep(2_500);
    expect(readFileSync(file, "utf8")).toBe(hostile());
    expect(readdirSync(dir).sort()).toEqual(["fired"]);
  });

  it("disarming kills the timer before it fires, and leaves a fired timer's process alone", async () => {
    const file = join(dir, "disarmed");
    const name = "api7-audit-rollback-test-disarm";
    const armed = await localExec("dp1", armArgv("nohup", name, 2, startArgv(file)));
    const pid = Number(armed.stdout.trim());
    const disarmed = await localExec("dp1", disarmArgv({ kind: "nohup", component: "gateway", pid }, name));
    expect(disarmed).toMatchObject({ exitCode: 0, stdout: "disarmed\n" });
    await sleep(3_000);
    expect(existsSync(file)).toBe(false);
    const again = await localExec("dp1", disarmArgv({ kind: "nohup", component: "gateway", pid }, name));
    expect(again.stdout).toBe("already fired or gone\n");
  });
});
