// The verdict engine shared by the specs (live run) and `npm run verify` (offline): given what a run
// collected, it plans every (requirement, target) in scope, runs the check on the evidence the check
// declares, and applies the status model: unreachable host → broken, a pass that does not rest on
// intact evidence → broken, SHOULD failure → warning, INFO never fails, then waivers.
import type { Environment, HostEntry } from "./environment/schema.js";
import { buildHostFacts } from "./facts/build.js";
import type { HostFacts } from "./facts/types.js";
import type { CheckOutcome, CommandOutput, Level, Scope, Verdict } from "./model.js";
import type { CollectedRun, HostCollection } from "./run/collected.js";
import { applyWaivers } from "./evidence/waivers.js";
import { type Fact, missing, observed, reportsAbsence, unusable } from "./checks/evidence.js";
import { type FactName, resolveFact } from "./checks/facts.js";
import { type ProbeKind, probeFact, probeKindOf, recordFact } from "./checks/probes.js";
import type { CheckContext, CheckModule, Reads, RequirementCheck } from "./checks/types.js";

/** What the engine needs to know of a catalogue entry. */
export interface RequirementRef {
  id: string;
  level: Level;
  scope: Scope[];
  /** Tags of the page sentences it comes from, e.g. ["S3.2"]: they end every decided message. */
  source: readonly string[];
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
export function planTargets(requirement: Pick<RequirementRef, "id" | "scope">, env: Environment): PlannedTarget[] {
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

/** Facts of every host that answered, parsed once per run. */
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

class UndeclaredEvidence extends Error {}

/** The context a check sees: only the evidence it declared, as Facts. */
function contextFor(requirement: string, reads: Reads, planned: PlannedTarget, input: EvaluationInput): CheckContext {
  const declared = <T extends string>(list: readonly T[] | undefined, item: T, what: string) => {
    if (!list?.includes(item)) throw new UndeclaredEvidence(`${requirement} reads ${what} ${item} without declaring it`);
  };
  const hostFact = <K extends FactName>(hostName: string, name: K) => {
    const collection = input.run.hosts.find((h) => h.name === hostName);
    const facts = input.allFacts.get(hostName);
    if (!collection || !facts) return missing(`${hostName}: ${collection?.error ?? "nothing was collected from this host"}`, []);
    return resolveFact(name, { section: (section) => collection.sections.find((s) => s.section === section), facts });
  };
  const ownEntry = () => {
    if (planned.host === null) throw new UndeclaredEvidence(`${requirement} reads host evidence on ${planned.target}, which is not a host`);
    return planned.host;
  };
  const ownHost = () => ownEntry().name;
  return {
    env: input.env,
    run: input.run,
    target: planned.target,
    host: planned.host,
    hostEntry: ownEntry,
    fact: (name) => {
      declared(reads.facts, name, "fact");
      return hostFact(ownHost(), name);
    },
    factOf: (hostName, name) => {
      declared(reads.everyHost, name, "fact of every host:");
      return hostFact(hostName, name);
    },
    probe: (kind, key) => {
      declared(reads.probes, kind, "probe kind");
      return probeFact(input.run, kind, key);
    },
    probesWith: (kind, prefix) => {
      declared(reads.probes, kind, "probe kind");
      return input.run.probes.filter((p) => p.key.startsWith(prefix) && probeKindOf(p.key) === kind).map((p) => ({ key: p.key, fact: recordFact(p, kind) }));
    },
    hostProbe: (section) => {
      declared(reads.hostProbes, section, "host probe");
      // evaluateTarget decides "broken" before any check when the host has no collection.
      const collection = input.run.hosts.find((h) => h.name === ownHost())!;
      const output = collection.hostProbes.find((p) => p.section === section);
      return hostProbeFact(section, output);
    },
  };
}

/** A host probe is evidence when it finished; its exit code is the measurement. */
function hostProbeFact(section: string, output: CommandOutput | undefined): Fact<CommandOutput> {
  if (!output) return missing(`${section}: the probe did not run on this host`, [section]);
  if (output.notRun !== undefined) return missing(`${section}: not run: ${output.notRun}`, [section]);
  if (output.timedOut || output.exitCode === null) return missing(`${section}: did not finish`, [section]);
  return observed(output, [section]);
}

/**
 * Why a passed outcome does not rest on intact evidence, or null when it does: at least one piece
 * of evidence, and every piece it names present and readable (a section that exited 0 or said its
 * file does not exist, a probe with a measurement, a recorded experiment). The checks' helpers already ensure this; the engine
 * checks again so that no check can pass on absent evidence by mistake.
 */
export function unsupportedPass(outcome: CheckOutcome, collection: HostCollection | null, run: CollectedRun): string | null {
  const evidence = outcome.evidence ?? [];
  if (evidence.length === 0) return "it names no evidence";
  for (const name of evidence) {
    const kind = probeKindOf(name);
    if (kind !== null) {
      const fact = probeFact(run, kind as ProbeKind, name);
      if (!fact.observed) return fact.reason;
      continue;
    }
    if (run.failover.some((experiment) => (experiment as { id?: string }).id === name)) continue;
    const hostProbe = collection?.hostProbes.find((p) => p.section === name);
    if (hostProbe) {
      const fact = hostProbeFact(name, hostProbe);
      if (!fact.observed) return fact.reason;
      continue;
    }
    const sections = collection ? [collection] : run.hosts;
    for (const host of sections) {
      const lookup = (section: string) => host.sections.find((s) => s.section === section);
      // A file or program that does not exist, in the tool's own words, is an observation too.
      const problem = reportsAbsence(lookup(name)) ? null : unusable(lookup, name);
      if (problem !== null) return collection ? problem : `${host.name} ${problem}`;
    }
  }
  return null;
}

/** One verdict, before waivers. Never throws: a check that crashes is "broken". */
export function evaluateTarget(requirement: RequirementRef, planned: PlannedTarget, check: RequirementCheck | undefined, input: EvaluationInput): Verdict {
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
    let outcome: CheckOutcome;
    try {
      outcome = check.decide(contextFor(requirement.id, check.reads, planned, input));
    } catch (error) {
      return { status: "broken", message: `${requirement.id} ${planned.target}: the check crashed: ${(error as Error).message}` };
    }
    if (outcome.status === "passed") {
      const unsupported = unsupportedPass(outcome, collection, input.run);
      if (unsupported !== null) return { ...outcome, status: "broken", message: `${outcome.message}; but that pass does not rest on positive evidence: ${unsupported}` };
    }
    const decided = outcome.status === "passed" || outcome.status === "failed" || outcome.status === "warning";
    const where = planned.host ? `${planned.host.name}: ` : "";
    return { ...outcome, message: `${where}${outcome.message}${decided ? ` (${requirement.source.join(", ")})` : ""}` };
  }
}

/** The verdict of one requirement on one of its targets, before waivers (tests and tools). */
export function verdictFor(requirement: RequirementRef, target: string, checks: CheckModule, input: EvaluationInput): Verdict {
  const planned = planTargets(requirement, input.env).find((p) => p.target === target);
  if (!planned) throw new Error(`${target} is not a target of ${requirement.id}`);
  return evaluateTarget(requirement, planned, checks[requirement.id], input);
}

/** SHOULD violations warn; INFO requirements record evidence and never fail. */
function applyLevel(status: CheckOutcome["status"], level: Level): Verdict["status"] {
  if (status !== "failed") return status;
  if (level === "SHOULD") return "warning";
  if (level === "INFO") return "passed";
  return "failed";
}

/** Every verdict of a run, waivers applied as of the run's start date (so verify agrees later). */
export function evaluateRun(env: Environment, run: CollectedRun, catalogue: RequirementRef[], checks: CheckModule): Verdict[] {
  const input: EvaluationInput = { env, run, allFacts: parseAllFacts(run) };
  const verdicts = catalogue.flatMap((req) => planTargets(req, env).map((planned) => evaluateTarget(req, planned, checks[req.id], input)));
  return applyWaivers(verdicts, env.waivers, run.startedAt.slice(0, 10)).verdicts;
}
