// The verdict engine shared by the specs (live run) and `npm run verify` (offline): given what a run
// collected, it plans every (requirement, target) in scope, runs the check, and applies the status
// model: unreachable host → broken, SHOULD failure → warning, INFO never fails, then waivers.
import type { Environment, HostEntry } from "./environment/schema.js";
import { buildHostFacts } from "./facts/build.js";
import type { HostFacts } from "./facts/types.js";
import type { CheckOutcome, Level, Scope, Verdict } from "./model.js";
import type { CollectedRun, HostCollection } from "./run/collected.js";
import { applyWaivers } from "./evidence/waivers.js";
import type { Check, CheckContext, CheckSet } from "../specs/checks/context.js";

/** What the engine needs to know of a catalogue entry. */
export interface RequirementRef {
  id: string;
  level: Level;
  scope: Scope[];
}

export interface PlannedTarget {
  requirement: string;
  /** Inventory host name, or "@database", "@prometheus", "@cp-pair", "@dp-pair". */
  target: string;
  host: HostEntry | null;
}

const ENDPOINT_TARGETS: Partial<Record<Scope, string>> = {
  database: "@database",
  prometheus: "@prometheus",
  "cp-pair": "@cp-pair",
  "dp-pair": "@dp-pair",
};

/** Every target a requirement runs against, in inventory order; one Allure test each. */
export function planTargets(requirement: RequirementRef, env: Environment): PlannedTarget[] {
  const planned: PlannedTarget[] = [];
  const add = (target: string, host: HostEntry | null) => {
    if (!planned.some((p) => p.target === target)) planned.push({ requirement: requirement.id, target, host });
  };
  for (const scope of requirement.scope) {
    const endpoint = ENDPOINT_TARGETS[scope];
    if (endpoint) {
      add(endpoint, null);
      continue;
    }
    for (const host of env.hosts) {
      const inScope =
        scope === "all-hosts" ||
        (scope === "cp-hosts" && host.roles.includes("cp")) ||
        (scope === "dp-hosts" && host.roles.includes("dp"));
      if (inScope) add(host.name, host);
    }
  }
  return planned;
}

/** Facts of every reachable host, parsed once per run. */
export function parseAllFacts(run: CollectedRun): Map<string, HostFacts> {
  const facts = new Map<string, HostFacts>();
  for (const host of run.hosts) {
    if (host.error === null) facts.set(host.name, buildHostFacts(host.name, host.sections));
  }
  return facts;
}

export interface EvaluationInput {
  env: Environment;
  run: CollectedRun;
  allFacts: ReadonlyMap<string, HostFacts>;
}

/** One verdict, before waivers. Never throws: a check that crashes is "broken". */
export function evaluateTarget(requirement: RequirementRef, planned: PlannedTarget, check: Check | undefined, input: EvaluationInput): Verdict {
  const collection: HostCollection | null = planned.host ? (input.run.hosts.find((h) => h.name === planned.host!.name) ?? null) : null;
  const base = { requirement: requirement.id, host: planned.host?.name ?? null, target: planned.target, level: requirement.level };
  const outcome = decide();
  return { ...base, ...outcome, status: applyLevel(outcome.status, requirement.level) };

  function decide(): CheckOutcome {
    if (!check) return { status: "broken", message: `no check is registered for ${requirement.id}` };
    if (planned.host) {
      if (!collection) return { status: "broken", message: `${planned.target}: nothing was collected from this host` };
      if (collection.error !== null) return { status: "broken", message: `${planned.target}: could not be evaluated: ${collection.error}` };
    }
    const ctx: CheckContext = {
      env: input.env,
      run: input.run,
      target: planned.target,
      host: planned.host,
      collection,
      facts: planned.host ? (input.allFacts.get(planned.host.name) ?? null) : null,
      allFacts: input.allFacts,
    };
    try {
      return check(ctx);
    } catch (error) {
      return { status: "broken", message: `${requirement.id} ${planned.target}: the check crashed: ${(error as Error).message}` };
    }
  }
}

/** SHOULD violations warn; INFO requirements record evidence and never fail. */
function applyLevel(status: CheckOutcome["status"], level: Level): Verdict["status"] {
  if (status !== "failed") return status;
  if (level === "SHOULD") return "warning";
  if (level === "INFO") return "passed";
  return "failed";
}

/** Every verdict of a run, waivers applied as of the run's start date (so verify agrees later). */
export function evaluateRun(env: Environment, run: CollectedRun, catalogue: RequirementRef[], checks: CheckSet): Verdict[] {
  const input: EvaluationInput = { env, run, allFacts: parseAllFacts(run) };
  const verdicts = catalogue.flatMap((req) => planTargets(req, env).map((planned) => evaluateTarget(req, planned, checks[req.id], input)));
  return applyWaivers(verdicts, env.waivers, run.startedAt.slice(0, 10)).verdicts;
}
