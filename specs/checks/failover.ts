// [S2.1] HA-CP-01, HA-CP-02, HA-DP-01, HA-DP-02: verdicts from the failover experiments recorded
// in the run (helpers/failover). One experiment per pair member and fault kind; an experiment
// counts only when its fault was confirmed (VALID_EXPERIMENT), and the pair passes when every
// member's loss stayed within the environment's budgets and the member came back.
import { fail, skip } from "../../helpers/checks/assert.js";
import { HA_EXPERIMENTS, HA_REQUIREMENTS, type HaExperimentDeclaration } from "../../helpers/failover/experiments.js";
import {
  DISRUPTION_NOT_ALLOWED,
  faultKindsOf,
  isFailoverExperiment,
  MIN_TRAFFIC_SHARE,
  pairMembers,
  STEADY_STATE_SUCCESS_RATE,
  type FailoverExperiment,
  type FaultKind,
  type HaRequirement,
  type HealthCheck,
} from "../../helpers/failover/record.js";
import type { CheckContext, CheckModule, RequirementCheck } from "../../helpers/checks/types.js";
import type { CheckOutcome } from "../../helpers/model.js";

interface HaRule extends Pick<HaExperimentDeclaration, "pair" | "stopped" | "zeroErrors"> {
  requirement: HaRequirement;
}

interface MemberVerdict {
  member: string;
  status: "passed" | "failed" | "broken";
  summary: string;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const FAULT_NOUN: Record<FaultKind, string> = { stop: "the stop", "black-hole": "the black hole" };

/** "9080, 9443" from checks like "dp1:gateway:9080". */
const portsOf = (checks: readonly HealthCheck[]) => checks.map((check) => check.target.split(":").pop()).join(", ");
const describeCheck = (check: HealthCheck) => (check.target.startsWith("entrypoint:") ? check.detail : `${check.target} ${check.detail}`);

function trafficShortfall(e: FailoverExperiment): string | null {
  if (!e.traffic) return "too little traffic: none was recorded";
  const windowMs = e.traffic.endMs - e.traffic.startMs;
  const expected = (e.traffic.ratePerSecond * windowMs) / 1000;
  if (e.traffic.sent >= MIN_TRAFFIC_SHARE * expected) return null;
  return `too little traffic: ${e.traffic.sent} requests sent in ${seconds(windowMs)}, fewer than ${MIN_TRAFFIC_SHARE * 100} % of ${e.traffic.ratePerSecond}/s × ${seconds(windowMs)} (${Math.round(expected)})`;
}

/**
 * An experiment is evidence of a failover only when every precondition holds, in this order; the
 * first one unmet makes the member's verdict broken with its reason, whatever the traffic showed.
 */
const VALID_EXPERIMENT: readonly { holds: string; unmet: (e: FailoverExperiment) => string | null }[] = [
  {
    holds: `steady state before the fault: every member's ports answer and ≥ ${STEADY_STATE_SUCCESS_RATE * 100} % of the requests recorded before it were answered`,
    unmet: (e) => (e.steadyBefore?.ok === false ? `no steady state: ${e.steadyBefore.checks.filter((c) => !c.ok).map(describeCheck).join("; ")}` : null),
  },
  {
    holds: "a fault was injected",
    unmet: (e) => (e.faultAt === null ? `no fault injected (${e.error ?? "unknown reason"})` : null),
  },
  {
    holds: "every fault command succeeded",
    unmet: (e) => (e.faultError !== null ? `fault not injected: ${e.faultError}` : null),
  },
  {
    holds: "the member was observed down from the runner within confirmWithinSeconds of the fault command",
    unmet: (e) => {
      if (e.confirmation?.downAt != null) return null;
      const answering = e.confirmation?.checks.filter((check) => check.ok) ?? [];
      const verb = answering.length === 1 ? "answers" : "answer";
      return `fault not confirmed: ${portsOf(answering) || "the member"} still ${verb} on ${e.member} ${(e.confirmation?.withinSeconds ?? 0).toFixed(1)} s after ${FAULT_NOUN[e.faultKind]}`;
    },
  },
  {
    holds: "the member stayed down until the rollback (nothing restarted it behind the experiment's back)",
    unmet: (e) =>
      e.confirmation?.heldUntilRollback === false
        ? `fault not held: ${portsOf(e.confirmation.heldChecks.filter((check) => check.ok))} answered again on ${e.member} before the rollback`
        : null,
  },
  {
    holds: `traffic flowed: at least ${MIN_TRAFFIC_SHARE * 100} % of requestsPerSecond × the recording window was sent`,
    unmet: trafficShortfall,
  },
];

function describeExperiment(rule: HaRule, experiment: FailoverExperiment): string {
  const { errors, longestOutage } = experiment.analysis;
  const outage =
    longestOutage === null ? "no outage" : `a ${seconds(longestOutage.durationMs)} outage${longestOutage.open ? " still open when recording stopped" : ""}`;
  const blackHole = experiment.faultKind === "black-hole";
  const what = rule.zeroErrors
    ? `${experiment.member}'s ${rule.stopped} ${blackHole ? "black-holed" : "down"}`
    : `${blackHole ? "black-holing" : "stopping"} ${experiment.member}'s ${rule.stopped}`;
  // Only a counted experiment is described: VALID_EXPERIMENT made sure it had a fault and was seen down.
  const confirmed = ` (down after ${((experiment.confirmation!.downAt! - experiment.faultAt!) / 1000).toFixed(2)} s)`;
  const verb = rule.zeroErrors ? "with" : "gave";
  return `${what}${confirmed} ${verb} ${errors} failed ${rule.zeroErrors ? "gateway " : ""}request${errors === 1 ? "" : "s"} and ${outage}`;
}

function judgeMember(rule: HaRule, experiment: FailoverExperiment | undefined, member: string, kind: FaultKind, ctx: CheckContext): MemberVerdict {
  if (!experiment) {
    return { member, status: "broken", summary: `${member} (${kind}): no experiment recorded (the suite stops after a member is left down)` };
  }
  const budgets = ctx.env.failover;
  const invalid = VALID_EXPERIMENT.map((precondition) => precondition.unmet(experiment)).find((reason) => reason !== null);
  if (invalid) {
    const leftDown = experiment.faultAt !== null && !experiment.restored ? `; ${member} not healthy again within ${budgets.recoverySeconds} s of the rollback` : "";
    return { member, status: "broken", summary: `${member} (${kind}): ${invalid}${leftDown}` };
  }
  const { errors, longestOutage } = experiment.analysis;
  const violations: string[] = [];
  const errorBudget = rule.zeroErrors ? 0 : budgets.errorBudget;
  if (errors > errorBudget) violations.push(`${errors} failed request${errors === 1 ? "" : "s"} > budget ${errorBudget}`);
  if (!rule.zeroErrors && longestOutage !== null) {
    if (longestOutage.open) violations.push(`the outage had not ended when recording stopped`);
    else if (longestOutage.durationMs > budgets.rtoSeconds * 1000) {
      violations.push(`outage ${seconds(longestOutage.durationMs)} > RTO ${budgets.rtoSeconds} s`);
    }
  }
  if (!experiment.restored) violations.push(`${member} not healthy again within ${budgets.recoverySeconds} s of the rollback`);
  else if (experiment.steadyAfter && !experiment.steadyAfter.ok) violations.push(`steady state not back after the experiment`);
  const summary = describeExperiment(rule, experiment) + (violations.length > 0 ? ` (${violations.join("; ")})` : "");
  return { member, status: violations.length > 0 ? "failed" : "passed", summary };
}

/** The latest experiment of the requirement per member and fault kind (a rerun of the suite appends). */
function experimentsOf(ctx: CheckContext, requirement: HaRequirement): Map<string, FailoverExperiment> {
  const byMemberAndKind = new Map<string, FailoverExperiment>();
  for (const experiment of ctx.run.failover.filter(isFailoverExperiment)) {
    if (experiment.requirement === requirement) byMemberAndKind.set(`${experiment.member}/${experiment.faultKind}`, experiment);
  }
  return byMemberAndKind;
}

function haCheck(rule: HaRule): RequirementCheck {
  return { reads: { experiments: true }, decide: (ctx): CheckOutcome => {
    if (!ctx.run.options.allowDisruption || !ctx.env.failover.allowDisruption) {
      return skip(`${rule.requirement}: ${DISRUPTION_NOT_ALLOWED}`);
    }
    const members = pairMembers(ctx.env, rule.pair).map((host) => host.name);
    if (members.length < 2) {
      return fail(`${rule.requirement}: the ${rule.pair} pair has ${members.length} host(s) (${members.join(", ") || "none"}); failover needs 2 (S2.1), so no fault was injected`, {
        expected: `2 or more ${rule.pair} hosts`,
        actual: `${members.length}`,
      });
    }
    const experiments = experimentsOf(ctx, rule.requirement);
    const planned = faultKindsOf(ctx.env, rule.requirement).flatMap((kind) => members.map((member) => ({ member, kind, key: `${member}/${kind}` })));
    const verdicts = planned.map(({ member, kind, key }) => judgeMember(rule, experiments.get(key), member, kind, ctx));
    const budgets = ctx.env.failover;
    const budgetText = rule.zeroErrors
      ? `no gateway error expected while the control plane is down`
      : `budget ${budgets.errorBudget} errors, RTO ${budgets.rtoSeconds} s`;
    const status = verdicts.some((v) => v.status === "failed") ? "failed" : verdicts.some((v) => v.status === "broken") ? "broken" : "passed";
    return {
      status,
      message: `${rule.requirement}: ${verdicts.map((v) => v.summary).join("; ")}; ${budgetText}`,
      expected: rule.zeroErrors
        ? `0 failed gateway requests while either CP host's ${rule.stopped} is down; the host restored within ${budgets.recoverySeconds} s`
        : `per ${rule.pair} host stopped: at most ${budgets.errorBudget} failed requests, longest outage at most ${budgets.rtoSeconds} s, restored within ${budgets.recoverySeconds} s`,
      actual: verdicts.map((v) => v.summary).join("; "),
      evidence: planned.flatMap(({ key }) => {
        const experiment = experiments.get(key);
        return experiment ? [experiment.id] : [];
      }),
    };
  } };
}

export const failoverChecks: CheckModule = Object.fromEntries(
  HA_REQUIREMENTS.map((requirement) => [requirement, haCheck({ requirement, ...HA_EXPERIMENTS[requirement] })]),
);
