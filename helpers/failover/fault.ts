// Fault injection for the failover requirements (HA-CP-01, HA-CP-02, HA-DP-01, HA-DP-02), in
// the shape of a Chaos Toolkit experiment: steady state → recorded traffic → rollback armed ON
// the host → fault on ONE member → observation → rollback → recovery → steady state again.
// A fault is always undone: in `finally`, from a SIGINT/SIGTERM handler while it is active, and
// by the timer armed on the host, which restarts the component even if this process dies.
import net from "node:net";
import { randomBytes } from "node:crypto";
import type { ComponentName, Environment, HostEntry } from "../environment/schema.js";
import type { CommandOutput } from "../model.js";
import { analyseTraffic } from "./analysis.js";
import type {
  ArmedRollback,
  EntrypointName,
  FailoverBudgets,
  FailoverExperiment,
  HaRequirement,
  HealthCheck,
  PairRole,
  SteadyState,
} from "./record.js";
import { DISRUPTION_NOT_ALLOWED, pairMembers } from "./record.js";

export type * from "./record.js";
export { DISRUPTION_NOT_ALLOWED, isFailoverExperiment, pairMembers } from "./record.js";
import { nowMs, requestOnce, startTraffic, type RequestRecord, type TrafficRecorder, type TrafficTarget } from "./traffic.js";

export interface ExecOptions {
  /** Name of the evidence section (CommandOutput.section). */
  section?: string;
  timeoutMs?: number;
}

/** Runs argv on the inventory host of that name (the SSH transport quotes every argument). */
export type ExecOnHost = (host: string, argv: string[], options?: ExecOptions) => Promise<CommandOutput>;

export type Log = (line: string) => void;

/** A component as the experiment handles it: where it listens and how it is stopped/started. */
export interface FaultComponent {
  name: ComponentName;
  ports: readonly number[];
  stop: readonly string[];
  start: readonly string[];
}

export interface EntrypointTarget extends TrafficTarget {
  name: EntrypointName;
}

export interface FaultExperimentInput {
  requirement: HaRequirement;
  pair: { role: PairRole; members: readonly HostEntry[] };
  member: HostEntry;
  components: readonly FaultComponent[];
  entrypoint: EntrypointTarget;
  exec: ExecOnHost;
  budgets: FailoverBudgets;
  /** Requests per second through the entrypoint. */
  rate: number;
  observationSeconds: number;
  log: Log;
  /** Traffic recorded before the fault and after recovery, so the picture shows both sides. */
  marginSeconds?: number;
  requestTimeoutMs?: number;
}

const HEALTH_TIMEOUT_MS = 2_000;
const COMMAND_TIMEOUT_MS = 60_000;

/** Stop/start argv of a component: the environment's, else `docker stop|start <container>`. */
export function faultComponent(env: Environment, name: ComponentName): FaultComponent {
  const spec = env.components[name];
  const container = spec.detect.container;
  const stop = spec.stop ?? (container ? ["docker", "stop", container] : undefined);
  const start = spec.start ?? (container ? ["docker", "start", container] : undefined);
  if (!stop || !start) {
    throw new Error(`component ${name}: no stop/start command and no detect.container to default to docker stop/start`);
  }
  return { name, ports: spec.ports, stop, start };
}

export function entrypointTarget(env: Environment, name: EntrypointName): EntrypointTarget {
  const entrypoint = env.entrypoints[name];
  return { name, url: entrypoint.url, okStatuses: entrypoint.okStatuses, insecureTls: entrypoint.insecureTls };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function tcpAnswers(address: string, port: number, timeoutMs = HEALTH_TIMEOUT_MS): Promise<HealthCheck["detail"] | null> {
  // Resolves null when the port accepts a connection, else the reason it did not.
  return new Promise((resolve) => {
    const socket = net.connect({ host: address, port });
    const done = (reason: string | null) => {
      socket.destroy();
      resolve(reason);
    };
    socket.setTimeout(timeoutMs, () => done(`no TCP connect within ${timeoutMs} ms`));
    socket.once("connect", () => done(null));
    socket.once("error", (error: NodeJS.ErrnoException) => done(error.code ?? error.message));
  });
}

export async function memberHealth(member: HostEntry, components: readonly FaultComponent[]): Promise<HealthCheck[]> {
  const checks = components.flatMap((component) =>
    component.ports.map(async (port): Promise<HealthCheck> => {
      const reason = await tcpAnswers(member.address, port);
      return {
        target: `${member.name}:${component.name}:${port}`,
        ok: reason === null,
        detail: reason === null ? `${member.address}:${port} accepts connections` : `${member.address}:${port}: ${reason}`,
      };
    }),
  );
  return Promise.all(checks);
}

export async function steadyState(
  entrypoint: EntrypointTarget,
  members: readonly HostEntry[],
  components: readonly FaultComponent[],
): Promise<SteadyState> {
  const [answer, memberChecks] = await Promise.all([
    requestOnce(entrypoint, HEALTH_TIMEOUT_MS),
    Promise.all(members.map((member) => memberHealth(member, components))),
  ]);
  const entrypointCheck: HealthCheck = {
    target: `entrypoint:${entrypoint.name}`,
    ok: answer.ok,
    detail: answer.ok ? `HTTP ${answer.status ?? "connect"} from ${entrypoint.url}` : `${entrypoint.url}: ${answer.error}`,
  };
  const checks = [entrypointCheck, ...memberChecks.flat()];
  return { ok: checks.every((check) => check.ok), at: new Date().toISOString(), checks };
}

async function waitUntilHealthy(member: HostEntry, components: readonly FaultComponent[], withinMs: number): Promise<number | null> {
  const deadline = nowMs() + withinMs;
  for (;;) {
    const checks = await memberHealth(member, components);
    if (checks.every((check) => check.ok)) return nowMs();
    if (nowMs() >= deadline) return null;
    await sleep(200);
  }
}

function failedSteadyState(state: SteadyState): string {
  return state.checks
    .filter((check) => !check.ok)
    .map((check) => `${check.target} (${check.detail})`)
    .join(", ");
}

/** Marker in the armed process's command line, so disarming never kills a process that is not ours. */
function rollbackName(experimentId: string, component: ComponentName): string {
  const slug = `${experimentId}-${component}`.toLowerCase().replace(/[^a-z0-9]+/g, "-");
  return `api7-audit-rollback-${slug}-${randomBytes(3).toString("hex")}`;
}

// Inventory values only ever travel as positional parameters of these constant scripts.
const HAS_SYSTEMD = "command -v systemd-run >/dev/null 2>&1 && test -d /run/systemd/system";
/** $0 marker, $1 delay, $2.. start argv. `&&` so a killed sleep never reaches the exec. */
const ARM_WITH_NOHUP =
  'marker=$0; delay=$1; shift; nohup sh -c \'sleep "$1" && shift && exec "$@"\' "$marker" "$delay" "$@" </dev/null >/dev/null 2>&1 & echo $!';
/** $0 marker, $1 pid: kill the timer only while it still is ours (after firing it is the start command). */
const DISARM_NOHUP =
  'case "$(tr "\\000" " " < "/proc/$1/cmdline" 2>/dev/null)" in *"$0"*) pkill -P "$1" 2>/dev/null; kill "$1" 2>/dev/null; echo disarmed;; *) echo "already fired or gone";; esac';

export function armArgv(kind: ArmedRollback["kind"], name: string, delaySeconds: number, start: readonly string[]): string[] {
  return kind === "systemd-run"
    ? ["systemd-run", "--quiet", `--unit=${name}`, `--on-active=${delaySeconds}`, "--", ...start]
    : ["sh", "-c", ARM_WITH_NOHUP, name, String(delaySeconds), ...start];
}

export function disarmArgv(armed: ArmedRollback, name: string): string[] {
  return armed.kind === "systemd-run"
    ? ["systemctl", "stop", `${armed.unit}.timer`]
    : ["sh", "-c", DISARM_NOHUP, name, String(armed.pid)];
}

/** Members currently under a fault, by pair: refuses a second concurrent fault in one pair. */
const activeFaults = new Map<PairRole, string>();

export function experimentId(requirement: HaRequirement, member: string, components: readonly ComponentName[]): string {
  return `${requirement}/${member}/${components.join("+")}`;
}

export async function runFaultExperiment(input: FaultExperimentInput): Promise<FailoverExperiment> {
  const { requirement, pair, member, components, entrypoint, exec, budgets, log } = input;
  const componentNames = components.map((component) => component.name);
  const id = experimentId(requirement, member.name, componentNames);
  const marginMs = (input.marginSeconds ?? 1) * 1000;
  const commands: CommandOutput[] = [];
  const armed: { rollback: ArmedRollback; name: string }[] = [];
  const stopped: FaultComponent[] = [];
  const record: FailoverExperiment = {
    kind: "failover-experiment",
    id,
    requirement,
    pair: pair.role,
    pairMembers: pair.members.map((host) => host.name),
    member: member.name,
    component: componentNames.join("+"),
    components: componentNames,
    entrypoint: { name: entrypoint.name, url: entrypoint.url },
    startedAt: new Date().toISOString(),
    faultAt: null,
    rollbackAt: null,
    recoveredAt: null,
    finishedAt: "",
    history: [],
    analysis: analyseTraffic([]),
    budgets: { ...budgets, observationSeconds: input.observationSeconds, requestsPerSecond: input.rate },
    armedRollbacks: [],
    disarmed: true,
    steadyBefore: null,
    steadyAfter: null,
    restored: false,
    commands,
  };
  const errors: string[] = [];
  const run = async (argv: readonly string[], section: string): Promise<CommandOutput> => {
    const output = await exec(member.name, [...argv], { section: `${id}:${section}`, timeoutMs: COMMAND_TIMEOUT_MS });
    commands.push(output);
    return output;
  };
  /** Starts every stopped component again; true when every start command succeeded. */
  const rollBack = async (why: string): Promise<boolean> => {
    let allStarted = true;
    for (const component of [...stopped].reverse()) {
      log(`${id}: rollback (${why}): starting ${component.name} on ${member.name}`);
      try {
        const output = await run(component.start, `start:${component.name}`);
        if (output.exitCode !== 0) {
          allStarted = false;
          errors.push(`start of ${component.name} exited ${output.exitCode}: ${output.stderr.trim()}`);
        }
      } catch (error) {
        allStarted = false;
        errors.push(`start of ${component.name} failed: ${String(error)}`);
      }
    }
    stopped.length = 0;
    return allStarted;
  };

  const disarmAll = async (): Promise<boolean> => {
    let all = true;
    for (const { rollback, name } of armed) {
      const output = await run(disarmArgv(rollback, name), `disarm:${rollback.component}`).catch((error: unknown) => {
        errors.push(`disarm failed: ${String(error)}`);
        return null;
      });
      if (!output || output.exitCode !== 0) all = false;
    }
    return all;
  };

  const problem = refusal(input);
  if (problem) {
    record.error = `refused, no fault injected: ${problem}`;
    record.finishedAt = new Date().toISOString();
    log(`${id}: ${record.error}`);
    return record;
  }

  let recorder: TrafficRecorder | null = null;
  let removeSignalHandlers = () => {};
  activeFaults.set(pair.role, member.name);
  try {
    record.steadyBefore = await steadyState(entrypoint, pair.members, components);
    if (!record.steadyBefore.ok) {
      errors.push(`steady state not met before the fault, no fault injected: ${failedSteadyState(record.steadyBefore)}`);
      return record;
    }
    const observationMs = input.observationSeconds * 1000;
    recorder = startTraffic(entrypoint, {
      ratePerSecond: input.rate,
      requestTimeoutMs: input.requestTimeoutMs,
      // A safety bound only: the experiment stops the recorder itself.
      maxDurationMs: observationMs + 2 * marginMs + (budgets.recoverySeconds + budgets.rollbackAfterSeconds + 60) * 1000,
    });
    await sleep(marginMs);

    const systemd = (await run(["sh", "-c", HAS_SYSTEMD], "detect-systemd")).exitCode === 0;
    for (const component of components) {
      const name = rollbackName(id, component.name);
      const kind = systemd ? "systemd-run" : "nohup";
      const output = await run(armArgv(kind, name, budgets.rollbackAfterSeconds, component.start), `arm:${component.name}`);
      const pid = Number(output.stdout.trim());
      if (output.exitCode !== 0 || (kind === "nohup" && !(Number.isInteger(pid) && pid > 0))) {
        errors.push(`could not arm the rollback of ${component.name} on ${member.name}, no fault injected: exit ${output.exitCode} ${output.stderr.trim()}`);
        return record;
      }
      const rollback: ArmedRollback =
        kind === "systemd-run" ? { kind, component: component.name, unit: name } : { kind, component: component.name, pid };
      armed.push({ rollback, name });
      record.armedRollbacks.push(rollback);
      log(`${id}: rollback armed on ${member.name} (${kind}, ${budgets.rollbackAfterSeconds} s)`);
    }

    // On a signal the start commands run at once; the timers stay armed unless every start succeeded.
    removeSignalHandlers = installSignalRollback(async () => {
      if (await rollBack("signal")) await disarmAll();
    });
    record.faultAt = nowMs();
    for (const component of components) {
      stopped.push(component);
      log(`${id}: fault: stopping ${component.name} on ${member.name}`);
      const output = await run(component.stop, `stop:${component.name}`);
      if (output.exitCode !== 0) throw new Error(`stop of ${component.name} exited ${output.exitCode}: ${output.stderr.trim()}`);
    }
    await sleep(observationMs);

    record.rollbackAt = nowMs();
    await rollBack("end of observation");
  } catch (error) {
    errors.push(error instanceof Error ? error.message : String(error));
  } finally {
    if (stopped.length > 0) {
      record.rollbackAt ??= nowMs();
      await rollBack("finally");
    }
    removeSignalHandlers();
    if (record.faultAt !== null) {
      // Disarm only once the member answers again: if it stays down, the armed timer is the last resort.
      record.recoveredAt = await waitUntilHealthy(member, components, budgets.recoverySeconds * 1000);
      record.restored = record.recoveredAt !== null;
      if (!record.restored) errors.push(`${member.name} did not answer again within ${budgets.recoverySeconds} s of the rollback`);
    }
    if (record.faultAt === null || record.restored) {
      record.disarmed = await disarmAll();
    } else {
      record.disarmed = armed.length === 0;
      log(`${id}: ${member.name} still down; armed rollback left in place`);
    }
    if (recorder) {
      if (record.faultAt !== null) await sleep(marginMs);
      record.steadyAfter = await steadyState(entrypoint, pair.members, components).catch(() => null);
      if (record.steadyAfter && !record.steadyAfter.ok) errors.push(`steady state not met after the experiment: ${failedSteadyState(record.steadyAfter)}`);
      record.history = await recorder.stop();
    }
    activeFaults.delete(pair.role);
    record.analysis = analyseTraffic(record.history, { faultMs: record.faultAt, rollbackMs: record.rollbackAt });
    record.finishedAt = new Date().toISOString();
    if (errors.length > 0) record.error = errors.join("; ");
    log(`${id}: ${record.analysis.errors} failed of ${record.analysis.total}, longest outage ${(record.analysis.longestOutageMs / 1000).toFixed(1)} s, restored: ${record.restored}`);
  }
  return record;
}

function refusal(input: FaultExperimentInput): string | null {
  const { pair, member, components, budgets } = input;
  if (pair.members.length < 2) return `the ${pair.role} pair has ${pair.members.length} member(s): stopping it would stop the whole pair`;
  if (!pair.members.some((host) => host.name === member.name)) return `${member.name} is not a member of the ${pair.role} pair`;
  const active = activeFaults.get(pair.role);
  if (active !== undefined) return `a fault is already active on ${active} in the ${pair.role} pair`;
  if (components.length === 0) return "no component to stop";
  if (budgets.rollbackAfterSeconds <= input.observationSeconds) {
    return `rollbackAfterSeconds (${budgets.rollbackAfterSeconds}) must exceed observationSeconds (${input.observationSeconds}), or the armed timer ends the fault early`;
  }
  return null;
}

/** While a fault is active, SIGINT/SIGTERM roll it back before the process exits. */
function installSignalRollback(rollBack: () => Promise<void>): () => void {
  const handler = (signal: NodeJS.Signals) => {
    void rollBack().finally(() => process.exit(signal === "SIGINT" ? 130 : 143));
  };
  process.once("SIGINT", handler);
  process.once("SIGTERM", handler);
  return () => {
    process.off("SIGINT", handler);
    process.off("SIGTERM", handler);
  };
}

export interface FailoverSuiteInput {
  /** The resolved environment (lab placeholders replaced by addresses). */
  env: Environment;
  exec: ExecOnHost;
  /** The command line's opt-in; env.failover.allowDisruption must be true as well. */
  allowDisruption: boolean;
  log: Log;
}


interface PlannedExperiment {
  requirement: HaRequirement;
  pair: PairRole;
  entrypoint: EntrypointName;
  components: ComponentName[];
}

/** The experiments of the HA-* requirements, in the order they run, each repeated per pair member. */
export const FAILOVER_PLAN: readonly PlannedExperiment[] = [
  { requirement: "HA-DP-01", pair: "dp", entrypoint: "gateway", components: ["gateway"] },
  { requirement: "HA-CP-01", pair: "cp", entrypoint: "dashboard", components: ["dashboard"] },
  { requirement: "HA-CP-02", pair: "cp", entrypoint: "dpManager", components: ["dpManager"] },
  { requirement: "HA-DP-02", pair: "cp", entrypoint: "gateway", components: ["dashboard", "dpManager"] },
];


/** Runs every experiment sequentially; stops early if a member was left down. */
export async function runFailoverSuite(input: FailoverSuiteInput): Promise<FailoverExperiment[]> {
  const { env, exec, log } = input;
  if (!input.allowDisruption || !env.failover.allowDisruption) {
    log(`failover experiments not run: ${DISRUPTION_NOT_ALLOWED}`);
    return [];
  }
  const budgets: FailoverBudgets = {
    errorBudget: env.failover.errorBudget,
    rtoSeconds: env.failover.rtoSeconds,
    recoverySeconds: env.failover.recoverySeconds,
    rollbackAfterSeconds: env.failover.rollbackAfterSeconds,
  };
  const experiments: FailoverExperiment[] = [];
  for (const plan of FAILOVER_PLAN) {
    const members = pairMembers(env, plan.pair);
    if (members.length < 2) {
      log(`${plan.requirement}: the ${plan.pair} pair has ${members.length} member(s); no fault injected`);
      continue;
    }
    for (const member of members) {
      const experiment = await runFaultExperiment({
        requirement: plan.requirement,
        pair: { role: plan.pair, members },
        member,
        components: plan.components.map((name) => faultComponent(env, name)),
        entrypoint: entrypointTarget(env, plan.entrypoint),
        exec,
        budgets,
        rate: env.failover.requestsPerSecond,
        observationSeconds: env.failover.observationSeconds,
        log,
      });
      experiments.push(experiment);
      if (experiment.faultAt !== null && !experiment.restored) {
        log(`failover suite stopped: ${member.name} was not restored; no further fault injected`);
        return experiments;
      }
    }
  }
  return experiments;
}
