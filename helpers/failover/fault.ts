// Fault injection for the failover requirements (HA-CP-01, HA-CP-02, HA-DP-01, HA-DP-02), in
// the shape of a Chaos Toolkit experiment: recorded traffic → steady state → rollback armed ON
// the host → fault on ONE member → the member observed down → observation → rollback → recovery
// → steady state again. A fault is always undone: in `finally`, from a SIGINT/SIGTERM handler
// while it is active, and by the timer armed on the host, which undoes it even if this process dies.
import net from "node:net";
import type { ComponentName, Environment, HostEntry } from "../environment/schema.js";
import type { CommandOutput } from "../model.js";
import { analyseTraffic } from "./analysis.js";
import {
  armArgv,
  DETECT_HOST_TOOLS,
  disarmArgv,
  faultActions,
  parseHostTools,
  rollbackName,
  type FaultAction,
  type FaultComponent,
} from "./host-commands.js";
import type {
  ArmedRollback,
  EntrypointName,
  FailoverExperiment,
  FaultConfirmation,
  FaultKind,
  HaRequirement,
  HealthCheck,
  PairRole,
  SteadyState,
} from "./record.js";
import { STEADY_STATE_SUCCESS_RATE } from "./record.js";
import { nowMs, requestOnce, startTraffic, type RequestRecord, type TrafficTarget } from "./traffic.js";

export type * from "./record.js";
export { DISRUPTION_NOT_ALLOWED, isFailoverExperiment, pairMembers } from "./record.js";
export { armArgv, disarmArgv, type FaultComponent } from "./host-commands.js";

export interface ExecOptions {
  /** Name of the evidence section (CommandOutput.section). */
  section?: string;
  timeoutMs?: number;
}

/** Runs argv on the inventory host of that name (the SSH transport quotes every argument). */
export type ExecOnHost = (host: string, argv: string[], options?: ExecOptions) => Promise<CommandOutput>;

export type Log = (line: string) => void;

export interface EntrypointTarget extends TrafficTarget {
  name: EntrypointName;
}

/** The environment's failover settings an experiment uses. */
export type FailoverSettings = Pick<
  Environment["failover"],
  | "requestsPerSecond"
  | "observationSeconds"
  | "errorBudget"
  | "rtoSeconds"
  | "recoverySeconds"
  | "rollbackAfterSeconds"
  | "confirmWithinSeconds"
  | "steadyStateSeconds"
>;

export interface FaultExperimentInput {
  requirement: HaRequirement;
  pair: { role: PairRole; members: readonly HostEntry[] };
  member: HostEntry;
  components: readonly FaultComponent[];
  faultKind: FaultKind;
  entrypoint: EntrypointTarget;
  exec: ExecOnHost;
  settings: FailoverSettings;
  log: Log;
  requestTimeoutMs?: number;
}

const HEALTH_TIMEOUT_MS = 2_000;
/** A connect attempt that neither succeeds nor is refused within this time counts as "down" (black hole). */
const DOWN_PROBE_TIMEOUT_MS = 1_000;
const POLL_INTERVAL_MS = 100;
/** Traffic recorded after the member is healthy again, so the picture shows it back. */
const AFTER_RECOVERY_MS = 250;
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

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));

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

/** One TCP connect per component port of the member, from the runner; ok: the port accepts. */
export async function memberHealth(member: HostEntry, components: readonly FaultComponent[], timeoutMs = HEALTH_TIMEOUT_MS): Promise<HealthCheck[]> {
  const ports = [...new Set(components.flatMap((component) => component.ports))];
  return Promise.all(
    ports.map(async (port): Promise<HealthCheck> => {
      const reason = await tcpAnswers(member.address, port, timeoutMs);
      const component = components.find((c) => c.ports.includes(port))!.name;
      return {
        target: `${member.name}:${component}:${port}`,
        ok: reason === null,
        detail: reason === null ? `${member.address}:${port} accepts connections` : `${member.address}:${port}: ${reason}`,
      };
    }),
  );
}

/** After the experiment: one request through the entrypoint and every member's ports. */
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

/**
 * Before the fault: the requests recorded so far (answered ≥ STEADY_STATE_SUCCESS_RATE of those
 * that completed) and every member's component ports.
 */
export function steadyStateBefore(entrypoint: EntrypointTarget, recorded: readonly RequestRecord[], sent: number, memberChecks: HealthCheck[]): SteadyState {
  const answered = recorded.filter((record) => record.ok).length;
  const inFlight = sent - recorded.length;
  const trafficCheck: HealthCheck = {
    target: `entrypoint:${entrypoint.name}`,
    ok: recorded.length > 0 && answered >= STEADY_STATE_SUCCESS_RATE * recorded.length,
    detail:
      `${answered} of ${recorded.length} requests answered before the fault` +
      (inFlight > 0 ? ` (${inFlight} more still waiting)` : "") +
      `; a steady state needs ${STEADY_STATE_SUCCESS_RATE * 100} %`,
  };
  const checks = [trafficCheck, ...memberChecks];
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

/** Polls the member's ports from the runner until every one refuses or times out, or the bound passes. */
async function confirmDown(member: HostEntry, components: readonly FaultComponent[], withinSeconds: number, commandsEndedAt: number): Promise<FaultConfirmation> {
  const deadline = commandsEndedAt + withinSeconds * 1000;
  for (;;) {
    // The moment the connect attempts start: a black-holed port shows it only when they time out.
    const observedAt = nowMs();
    const checks = await memberHealth(member, components, DOWN_PROBE_TIMEOUT_MS);
    if (checks.every((check) => !check.ok)) {
      return { withinSeconds, commandsEndedAt, downAt: observedAt, checks, heldUntilRollback: null, heldChecks: [] };
    }
    if (nowMs() >= deadline) return { withinSeconds, commandsEndedAt, downAt: null, checks, heldUntilRollback: null, heldChecks: [] };
    await sleep(POLL_INTERVAL_MS);
  }
}

/** Keeps observing the member until `untilMs`: false as soon as any port answers again. */
async function watchStillDown(member: HostEntry, components: readonly FaultComponent[], untilMs: number): Promise<{ held: boolean; checks: HealthCheck[] }> {
  let checks: HealthCheck[] = [];
  while (nowMs() + DOWN_PROBE_TIMEOUT_MS < untilMs) {
    checks = await memberHealth(member, components, DOWN_PROBE_TIMEOUT_MS);
    if (checks.some((check) => check.ok)) return { held: false, checks };
    await sleep(POLL_INTERVAL_MS * 2);
  }
  return { held: true, checks };
}

function failedChecks(state: SteadyState): string {
  return state.checks
    .filter((check) => !check.ok)
    .map((check) => `${check.target} (${check.detail})`)
    .join(", ");
}

/** Members under a fault, by pair and component: refuses a second concurrent fault on one component pair. */
const activeFaults = new Map<string, string>();
const lockKeys = (role: PairRole, components: readonly FaultComponent[]) => components.map((component) => `${role}:${component.name}`);

export function experimentId(requirement: HaRequirement, member: string, components: readonly ComponentName[], kind: FaultKind): string {
  // A stop keeps the id it always had; other kinds say theirs.
  return `${requirement}/${member}/${components.join("+")}${kind === "stop" ? "" : `/${kind}`}`;
}

/**
 * One experiment, in its phases: steady state and arming, injection, confirmation and observation,
 * rollback and recovery. Whatever happens in the first three, the last one runs.
 */
export async function runFaultExperiment(input: FaultExperimentInput): Promise<FailoverExperiment> {
  const experiment = startExperiment(input);
  const { id, record } = experiment;
  const problem = refusal(input);
  if (problem) {
    record.error = `refused, no fault injected: ${problem}`;
    record.finishedAt = new Date().toISOString();
    input.log(`${id}: ${record.error}`);
    return record;
  }

  const locks = lockKeys(input.pair.role, input.components);
  for (const key of locks) activeFaults.set(key, input.member.name);
  const recorder = startRecorder(input);
  try {
    const actions = await steadyStateAndArming(experiment, recorder);
    if (actions !== null) {
      // On a signal the undo commands run at once; the timers stay armed unless every undo succeeded.
      experiment.removeSignalHandlers = installSignalRollback(async () => {
        if (await rollBack(experiment, "signal")) await disarmAll(experiment);
      });
      await injectFault(experiment, actions);
      if (record.faultError === null) await confirmAndObserve(experiment);
      record.rollbackAt = nowMs();
      await rollBack(experiment, "end of observation");
    }
  } catch (error) {
    experiment.errors.push(error instanceof Error ? error.message : String(error));
  } finally {
    await rollBackAndRecover(experiment);
    await closeRecord(experiment, recorder, locks);
  }
  return record;
}

/** What the phases of one experiment share. */
interface Experiment {
  input: FaultExperimentInput;
  id: string;
  record: FailoverExperiment;
  /** Undo timers armed on the member. */
  armed: { rollback: ArmedRollback; name: string }[];
  /** Fault actions whose inject command ran (or started): each is undone. */
  injected: FaultAction[];
  errors: string[];
  removeSignalHandlers: () => void;
}

function startExperiment(input: FaultExperimentInput): Experiment {
  const { requirement, pair, member, components, faultKind, entrypoint, settings } = input;
  const componentNames = components.map((component) => component.name);
  const id = experimentId(requirement, member.name, componentNames, faultKind);
  const record: FailoverExperiment = {
    kind: "failover-experiment",
    id,
    requirement,
    pair: pair.role,
    pairMembers: pair.members.map((host) => host.name),
    member: member.name,
    component: componentNames.join("+"),
    components: componentNames,
    faultKind,
    entrypoint: { name: entrypoint.name, url: entrypoint.url },
    startedAt: new Date().toISOString(),
    faultAt: null,
    faultError: null,
    confirmation: null,
    rollbackAt: null,
    recoveredAt: null,
    finishedAt: "",
    history: [],
    traffic: null,
    analysis: analyseTraffic([]),
    budgets: {
      errorBudget: settings.errorBudget,
      rtoSeconds: settings.rtoSeconds,
      recoverySeconds: settings.recoverySeconds,
      rollbackAfterSeconds: settings.rollbackAfterSeconds,
      observationSeconds: settings.observationSeconds,
      requestsPerSecond: settings.requestsPerSecond,
    },
    armedRollbacks: [],
    disarmed: true,
    steadyBefore: null,
    steadyAfter: null,
    restored: false,
    commands: [],
  };
  return { input, id, record, armed: [], injected: [], errors: [], removeSignalHandlers: () => {} };
}

function startRecorder({ entrypoint, settings, requestTimeoutMs }: FaultExperimentInput): ReturnType<typeof startTraffic> {
  return startTraffic(entrypoint, {
    ratePerSecond: settings.requestsPerSecond,
    requestTimeoutMs,
    // A safety bound only: the experiment stops the recorder itself.
    maxDurationMs:
      (settings.steadyStateSeconds + settings.confirmWithinSeconds + settings.observationSeconds + settings.recoverySeconds + settings.rollbackAfterSeconds + 60) * 1000,
  });
}

/** Runs argv on the member, recorded in the experiment's commands. */
async function runOnMember(experiment: Experiment, argv: readonly string[], section: string): Promise<CommandOutput> {
  const { input, id, record } = experiment;
  const output = await input.exec(input.member.name, [...argv], { section: `${id}:${section}`, timeoutMs: COMMAND_TIMEOUT_MS });
  record.commands.push(output);
  return output;
}

function commandFailure(member: HostEntry, label: string, output: CommandOutput): string {
  return `${label} on ${member.name} ${output.timedOut ? "timed out" : `exited ${output.exitCode}`}${output.stderr.trim() ? `: ${output.stderr.trim().slice(0, 300)}` : ""}`;
}

/**
 * Phase 1, the steady-state window: traffic recorded while every member's ports are read and the
 * undo is armed on the member (disarmed again at the end when no fault follows). The fault actions,
 * or null when there is no steady state or the undo could not be armed.
 */
async function steadyStateAndArming(experiment: Experiment, recorder: ReturnType<typeof startTraffic>): Promise<FaultAction[] | null> {
  const { input, record, errors } = experiment;
  const [prepared, memberChecks] = await Promise.all([
    armRollbacks(experiment),
    Promise.all(input.pair.members.map((host) => memberHealth(host, input.components))),
    sleep(input.settings.steadyStateSeconds * 1000),
  ]);
  record.steadyBefore = steadyStateBefore(input.entrypoint, recorder.history, recorder.volume().sent, memberChecks.flat());
  if (!record.steadyBefore.ok) {
    errors.push(`no steady state, no fault injected: ${failedChecks(record.steadyBefore)}`);
    return null;
  }
  if ("problem" in prepared) {
    errors.push(`no fault injected: ${prepared.problem}`);
    return null;
  }
  return prepared.actions;
}

/** Reads the member's tools and arms every undo on it; the reason when it could not. */
async function armRollbacks(experiment: Experiment): Promise<{ actions: FaultAction[] } | { problem: string }> {
  const { input, id, record, armed } = experiment;
  const { member, settings } = input;
  const detected = await runOnMember(experiment, DETECT_HOST_TOOLS, "detect-tools");
  const tools = parseHostTools(detected.stdout);
  if (detected.exitCode !== 0 || !tools) return { problem: `could not read ${member.name}'s tools: ${commandFailure(member, "tool detection", detected)}` };
  const actions = faultActions(input.faultKind, input.components, tools);
  const problems = await Promise.all(
    actions.map(async (action) => {
      const name = rollbackName(`${id}-${action.target}`);
      const output = await runOnMember(experiment, armArgv(tools.timer, name, settings.rollbackAfterSeconds, action.undo.argv), `arm:${action.target}`);
      const pid = Number(output.stdout.trim());
      if (output.exitCode !== 0 || (tools.timer === "nohup" && !(Number.isInteger(pid) && pid > 0))) return commandFailure(member, "arming the rollback", output);
      const rollback: ArmedRollback =
        tools.timer === "systemd-run" ? { kind: "systemd-run", component: action.target, unit: name } : { kind: "nohup", component: action.target, pid };
      armed.push({ rollback, name });
      record.armedRollbacks.push(rollback);
      input.log(`${id}: rollback armed on ${member.name} (${tools.timer}, ${settings.rollbackAfterSeconds} s)`);
      return null;
    }),
  );
  const problem = problems.find((p) => p !== null);
  return problem ? { problem } : { actions };
}

/** Phase 2: every fault command at once (HA-DP-02 takes out two components, as a host loss would). */
async function injectFault(experiment: Experiment, actions: readonly FaultAction[]): Promise<void> {
  const { input, id, record, injected, errors } = experiment;
  record.faultAt = nowMs();
  const outputs = await Promise.all(
    actions.map((action) => {
      injected.push(action);
      input.log(`${id}: fault: ${action.inject.label} on ${input.member.name}`);
      return runOnMember(experiment, action.inject.argv, action.inject.section);
    }),
  );
  const failed = actions.flatMap((action, i) => (outputs[i]!.exitCode !== 0 ? [commandFailure(input.member, action.inject.label, outputs[i]!)] : []));
  if (failed.length > 0) {
    record.faultError = failed.join("; ");
    errors.push(`fault not injected: ${record.faultError}`);
  }
}

/** Phase 3: the member observed down, then watched down for the observation window from that moment. */
async function confirmAndObserve(experiment: Experiment): Promise<void> {
  const { input, id, record } = experiment;
  const { member, components, settings } = input;
  const confirmation = await confirmDown(member, components, settings.confirmWithinSeconds, nowMs());
  record.confirmation = confirmation;
  if (confirmation.downAt === null) {
    const answering = confirmation.checks.filter((check) => check.ok).map((check) => check.target);
    input.log(`${id}: fault NOT confirmed: ${answering.join(", ")} still answer ${settings.confirmWithinSeconds} s after the fault`);
    return;
  }
  const since = (from: number) => ((confirmation.downAt! - from) / 1000).toFixed(2);
  input.log(`${id}: down confirmed ${since(record.faultAt!)} s after the fault command started (${since(confirmation.commandsEndedAt)} s after it returned)`);
  // The observation runs from the confirmed moment; the member is watched all along.
  const until = confirmation.downAt + settings.observationSeconds * 1000;
  const [watch] = await Promise.all([watchStillDown(member, components, until), sleep(until - nowMs())]);
  confirmation.heldUntilRollback = watch.held;
  confirmation.heldChecks = watch.checks;
}

/** Undoes every injected action, all at once; true when every undo command succeeded. */
async function rollBack(experiment: Experiment, why: string): Promise<boolean> {
  const { input, id, errors } = experiment;
  const undone = await Promise.all(
    experiment.injected.splice(0).map(async (action) => {
      input.log(`${id}: rollback (${why}): ${action.undo.label} on ${input.member.name}`);
      try {
        const output = await runOnMember(experiment, action.undo.argv, action.undo.section);
        if (output.exitCode === 0) return true;
        errors.push(commandFailure(input.member, action.undo.label, output));
      } catch (error) {
        errors.push(`${action.undo.label} failed: ${String(error)}`);
      }
      return false;
    }),
  );
  return undone.every(Boolean);
}

async function disarmAll(experiment: Experiment): Promise<boolean> {
  const outputs = await Promise.all(
    experiment.armed.map(({ rollback, name }) =>
      runOnMember(experiment, disarmArgv(rollback, name), `disarm:${rollback.component}`).catch((error: unknown) => {
        experiment.errors.push(`disarm failed: ${String(error)}`);
        return null;
      }),
    ),
  );
  return outputs.every((output) => output !== null && output.exitCode === 0);
}

/**
 * Phase 4, always run: anything still injected undone, the member waited for, and the armed timers
 * disarmed once it answers again (if it stays down, the armed timer is the last resort).
 */
async function rollBackAndRecover(experiment: Experiment): Promise<void> {
  const { input, id, record, errors } = experiment;
  const { member, components, settings } = input;
  if (experiment.injected.length > 0) {
    record.rollbackAt ??= nowMs();
    await rollBack(experiment, "finally");
  }
  experiment.removeSignalHandlers();
  if (record.faultAt !== null) {
    record.recoveredAt = await waitUntilHealthy(member, components, settings.recoverySeconds * 1000);
    record.restored = record.recoveredAt !== null;
    if (!record.restored) errors.push(`${member.name} did not answer again within ${settings.recoverySeconds} s of the rollback`);
  }
  const afterRecovery = sleep(record.faultAt !== null ? AFTER_RECOVERY_MS : 0);
  if (record.faultAt === null || record.restored) {
    record.disarmed = await disarmAll(experiment);
  } else {
    record.disarmed = experiment.armed.length === 0;
    input.log(`${id}: ${member.name} still down; armed rollback left in place`);
  }
  await afterRecovery;
}

/** The steady state after the experiment, the recorded traffic and its analysis; the locks released. */
async function closeRecord(experiment: Experiment, recorder: ReturnType<typeof startTraffic>, locks: readonly string[]): Promise<void> {
  const { input, id, record, errors } = experiment;
  record.steadyAfter = await steadyState(input.entrypoint, input.pair.members, input.components).catch(() => null);
  if (record.steadyAfter && !record.steadyAfter.ok) errors.push(`steady state not met after the experiment: ${failedChecks(record.steadyAfter)}`);
  record.history = await recorder.stop();
  const volume = recorder.volume();
  record.traffic = { ratePerSecond: input.settings.requestsPerSecond, startMs: volume.startMs, endMs: volume.endMs ?? nowMs(), sent: volume.sent };
  for (const key of locks) activeFaults.delete(key);
  record.analysis = analyseTraffic(record.history, { faultMs: record.faultAt, rollbackMs: record.rollbackAt });
  record.finishedAt = new Date().toISOString();
  if (errors.length > 0) record.error = errors.join("; ");
  const outcome = record.faultAt === null ? "no fault injected" : `restored: ${record.restored}`;
  input.log(`${id}: ${record.analysis.errors} failed of ${record.analysis.total}, longest outage ${(record.analysis.longestOutageMs / 1000).toFixed(1)} s, ${outcome}`);
}

function refusal(input: FaultExperimentInput): string | null {
  const { pair, member, components, settings } = input;
  if (pair.members.length < 2) return `the ${pair.role} pair has ${pair.members.length} member(s): taking one out would take out the whole pair`;
  if (!pair.members.some((host) => host.name === member.name)) return `${member.name} is not a member of the ${pair.role} pair`;
  if (components.length === 0) return "no component to take out";
  const busy = lockKeys(pair.role, components).find((key) => activeFaults.has(key));
  if (busy !== undefined) return `a fault is already active on ${activeFaults.get(busy)} for ${busy.split(":")[1]} in the ${pair.role} pair`;
  if (settings.rollbackAfterSeconds <= settings.confirmWithinSeconds + settings.observationSeconds) {
    return `rollbackAfterSeconds (${settings.rollbackAfterSeconds}) must exceed confirmWithinSeconds + observationSeconds (${settings.confirmWithinSeconds + settings.observationSeconds}), or the armed timer ends the fault early`;
  }
  return null;
}

/** Rollbacks of the faults active right now (experiments may run concurrently), run on SIGINT/SIGTERM. */
const signalRollbacks = new Set<() => Promise<void>>();

function onSignal(signal: NodeJS.Signals): void {
  void Promise.allSettled([...signalRollbacks].map((rollBack) => rollBack())).finally(() => process.exit(signal === "SIGINT" ? 130 : 143));
}

/** While a fault is active, SIGINT/SIGTERM roll it back (with every other active one) before the process exits. */
function installSignalRollback(rollBack: () => Promise<void>): () => void {
  if (signalRollbacks.size === 0) {
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
  }
  signalRollbacks.add(rollBack);
  return () => {
    signalRollbacks.delete(rollBack);
    if (signalRollbacks.size === 0) {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    }
  };
}
