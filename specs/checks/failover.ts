// [S2.1] HA-CP-01, HA-CP-02, HA-DP-01, HA-DP-02: verdicts from the failover experiments recorded
// in the run (helpers/failover). One experiment per pair member; the pair passes when every
// member's loss stayed within the environment's budgets and the member came back.
import {
  DISRUPTION_NOT_ALLOWED,
  isFailoverExperiment,
  pairMembers,
  type FailoverExperiment,
  type HaRequirement,
  type PairRole,
} from "../../helpers/failover/record.js";
// Registers the timeline picture attached to these verdicts' evidence.
import "../../helpers/failover/timeline.js";
import type { CheckOutcome } from "../../helpers/model.js";
import type { Check, CheckContext, CheckSet } from "./context.js";

interface HaRule {
  requirement: HaRequirement;
  pair: PairRole;
  /** What was stopped, in the page's words. */
  stopped: string;
  /** HA-DP-02 tolerates no gateway error at all; the others use the environment's budgets. */
  zeroErrors: boolean;
}

interface MemberVerdict {
  member: string;
  status: "passed" | "failed" | "broken";
  summary: string;
  violations: string[];
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function describeExperiment(rule: HaRule, experiment: FailoverExperiment): string {
  const { errors, longestOutage } = experiment.analysis;
  const outage =
    longestOutage === null ? "no outage" : `a ${seconds(longestOutage.durationMs)} outage${longestOutage.open ? " still open when recording stopped" : ""}`;
  const what = rule.zeroErrors ? `${experiment.member}'s ${rule.stopped} down` : `stopping ${experiment.member}'s ${rule.stopped}`;
  const verb = rule.zeroErrors ? "with" : "gave";
  return `${what} ${verb} ${errors} failed ${rule.zeroErrors ? "gateway " : ""}request${errors === 1 ? "" : "s"} and ${outage}`;
}

function judgeMember(rule: HaRule, experiment: FailoverExperiment | undefined, member: string, ctx: CheckContext): MemberVerdict {
  if (!experiment) {
    return { member, status: "broken", summary: `${member}: no experiment recorded (the suite stops after a member is left down)`, violations: [] };
  }
  if (experiment.faultAt === null) {
    return { member, status: "broken", summary: `${member}: no fault injected (${experiment.error ?? "unknown reason"})`, violations: [] };
  }
  const budgets = ctx.env.failover;
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
  return { member, status: violations.length > 0 ? "failed" : "passed", summary, violations };
}

/** The latest experiment of the requirement per member (a rerun of the suite appends). */
function experimentsByMember(ctx: CheckContext, requirement: HaRequirement): Map<string, FailoverExperiment> {
  const byMember = new Map<string, FailoverExperiment>();
  for (const experiment of ctx.run.failover.filter(isFailoverExperiment)) {
    if (experiment.requirement === requirement) byMember.set(experiment.member, experiment);
  }
  return byMember;
}

function haCheck(rule: HaRule): Check {
  return (ctx): CheckOutcome => {
    if (!ctx.run.options.allowDisruption || !ctx.env.failover.allowDisruption) {
      return { status: "skipped", message: `${rule.requirement}: ${DISRUPTION_NOT_ALLOWED}` };
    }
    const members = pairMembers(ctx.env, rule.pair).map((host) => host.name);
    if (members.length < 2) {
      return {
        status: "failed",
        message: `${rule.requirement}: the ${rule.pair} pair has ${members.length} host(s) (${members.join(", ") || "none"}); failover needs 2 (S2.1), so no fault was injected`,
        expected: `2 or more ${rule.pair} hosts`,
        actual: `${members.length}`,
      };
    }
    const experiments = experimentsByMember(ctx, rule.requirement);
    const verdicts = members.map((member) => judgeMember(rule, experiments.get(member), member, ctx));
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
      evidence: members.flatMap((member) => {
        const experiment = experiments.get(member);
        return experiment ? [experiment.id] : [];
      }),
    };
  };
}

export const failoverChecks: CheckSet = {
  "HA-DP-01": haCheck({ requirement: "HA-DP-01", pair: "dp", stopped: "gateway", zeroErrors: false }),
  "HA-CP-01": haCheck({ requirement: "HA-CP-01", pair: "cp", stopped: "dashboard", zeroErrors: false }),
  "HA-CP-02": haCheck({ requirement: "HA-CP-02", pair: "cp", stopped: "DP Manager", zeroErrors: false }),
  "HA-DP-02": haCheck({ requirement: "HA-DP-02", pair: "cp", stopped: "dashboard and DP Manager", zeroErrors: true }),
};
