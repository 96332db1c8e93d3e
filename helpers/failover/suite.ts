// The failover suite: which experiments HA-* need, and which of them may run at the same time.
// Each requirement's experiments run one after the other (one member of a component pair out at
// a time); two requirements run concurrently only when neither's fault can disturb the other's
// traffic, so a verdict never carries another experiment's errors.
import type { ComponentName, Environment } from "../environment/schema.js";
import { entrypointTarget, faultComponent, runFaultExperiment, type ExecOnHost, type Log } from "./fault.js";
import { HA_EXPERIMENTS, HA_REQUIREMENTS, type EntrypointName, type HaExperimentDeclaration, type HaRequirement } from "./experiments.js";
import { faultActions } from "./host-commands.js";
import { DISRUPTION_NOT_ALLOWED, faultKindsOf, pairMembers, type FailoverExperiment } from "./record.js";

export interface FailoverSuiteInput {
  /** The resolved environment (lab placeholders replaced by addresses). */
  env: Environment;
  exec: ExecOnHost;
  /** Both opt-ins, as the run decided them (helpers/run/audit-run.ts). */
  allowDisruption: boolean;
  log: Log;
}

/** One requirement of the plan: what its experiments take out and whose traffic they record. */
export interface PlannedRequirement extends Pick<HaExperimentDeclaration, "pair" | "entrypoint" | "components"> {
  requirement: HaRequirement;
}

/** The HA-* requirements in the order they are planned; each runs per fault kind, then per pair member. */
export const FAILOVER_PLAN: readonly PlannedRequirement[] = HA_REQUIREMENTS.map((requirement) => {
  const { pair, entrypoint, components } = HA_EXPERIMENTS[requirement];
  return { requirement, pair, entrypoint, components };
});

/**
 * The entrypoints whose traffic a fault on a component may disturb: its own, and for the DP
 * Manager also the gateway's, since gateways fetch their configuration from it (a dependency
 * HA-DP-02 measures, so it must not be assumed away here).
 */
const DISTURBS: Record<ComponentName, readonly EntrypointName[]> = {
  gateway: ["gateway"],
  dashboard: ["dashboard"],
  dpManager: ["dpManager", "gateway"],
};

/** True when the two requirements' experiments may overlap in time. */
export function canRunTogether(a: PlannedRequirement, b: PlannedRequirement): boolean {
  const sameComponentPair = a.pair === b.pair && a.components.some((component) => b.components.includes(component));
  const disturbs = (x: PlannedRequirement, y: PlannedRequirement) => x.components.some((component) => DISTURBS[component].includes(y.entrypoint));
  return !sameComponentPair && !disturbs(a, b) && !disturbs(b, a);
}

/** Groups the plan into stages, first fit: the requirements of one stage run concurrently. */
export function failoverStages(plan: readonly PlannedRequirement[]): PlannedRequirement[][] {
  const stages: PlannedRequirement[][] = [];
  for (const planned of plan) {
    const stage = stages.find((candidate) => candidate.every((other) => canRunTogether(planned, other)));
    if (stage) stage.push(planned);
    else stages.push([planned]);
  }
  return stages;
}

/** What the suite would run on a host, for --dry-run: a black hole as nft (a host without nft gets the iptables chain). */
export function plannedFaultCommands(env: Environment, hostName: string): { argv: string[]; note: string }[] {
  const lines: { argv: string[]; note: string }[] = [];
  for (const plan of FAILOVER_PLAN) {
    if (!pairMembers(env, plan.pair).some((host) => host.name === hostName)) continue;
    const components = plan.components.map((name) => faultComponent(env, name));
    for (const kind of faultKindsOf(env, plan.requirement)) {
      for (const action of faultActions(kind, components, { timer: "nohup", firewall: "nft" })) {
        const what = `${plan.requirement} ${kind} ${action.target}`;
        lines.push(
          { argv: action.undo.argv, note: `${what}: rollback armed on the host before the fault` },
          { argv: action.inject.argv, note: `${what}: fault` },
          { argv: action.undo.argv, note: `${what}: rollback` },
        );
      }
    }
  }
  return lines;
}

/** Runs every experiment, stage by stage; stops injecting faults once a member was left down. */
export async function runFailoverSuite(input: FailoverSuiteInput): Promise<FailoverExperiment[]> {
  const { env, exec, log } = input;
  if (!input.allowDisruption || !env.failover.allowDisruption) {
    log(`failover experiments not run: ${DISRUPTION_NOT_ALLOWED}`);
    return [];
  }
  const results = new Map<HaRequirement, FailoverExperiment[]>();
  let leftDown: string | null = null;

  const runRequirement = async (plan: PlannedRequirement) => {
    const experiments: FailoverExperiment[] = [];
    results.set(plan.requirement, experiments);
    const members = pairMembers(env, plan.pair);
    if (members.length < 2) {
      log(`${plan.requirement}: the ${plan.pair} pair has ${members.length} member(s); no fault injected`);
      return;
    }
    for (const faultKind of faultKindsOf(env, plan.requirement)) {
      for (const member of members) {
        if (leftDown !== null) return;
        const experiment = await runFaultExperiment({
          requirement: plan.requirement,
          pair: { role: plan.pair, members },
          member,
          components: plan.components.map((name) => faultComponent(env, name)),
          faultKind,
          entrypoint: entrypointTarget(env, plan.entrypoint),
          exec,
          settings: env.failover,
          log,
        });
        experiments.push(experiment);
        if (experiment.faultAt !== null && !experiment.restored) {
          leftDown = member.name;
          log(`failover suite stopped: ${member.name} was not restored; no further fault injected`);
        }
      }
    }
  };

  for (const [index, stage] of failoverStages(FAILOVER_PLAN).entries()) {
    if (leftDown !== null) break;
    const started = Date.now();
    log(`failover stage ${index + 1}: ${stage.map((plan) => plan.requirement).join(" + ")}${stage.length > 1 ? " (concurrently)" : ""}`);
    await Promise.all(stage.map(runRequirement));
    log(`failover stage ${index + 1} done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  return FAILOVER_PLAN.flatMap((plan) => results.get(plan.requirement) ?? []);
}
