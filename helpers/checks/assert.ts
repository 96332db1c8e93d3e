// Assertion helpers of the checks, in the spirit of kube-bench's `compare: {op: gte, value: 2}`
// and InSpec's matchers: each builds the verdict's expected, actual and message from one named
// threshold. Every helper takes Facts: a missing one makes the verdict "broken", naming the
// evidence and why, before any comparison runs. `given` is the general form.
import type { CheckOutcome } from "../model.js";
import type { Fact, Observed } from "./evidence.js";
import { rpmvercmp } from "../versions/rpmvercmp.js";

/** What a check decides once every fact it needs was observed. */
export interface Decision {
  status: "passed" | "failed" | "warning" | "skipped";
  message: string;
  expected?: string;
  actual?: string;
}

type Detail = Pick<Decision, "expected" | "actual">;
export const pass = (message: string, detail: Detail = {}): Decision => ({ status: "passed", message, ...detail });
export const fail = (message: string, detail: Detail = {}): Decision => ({ status: "failed", message, ...detail });
export const warn = (message: string, detail: Detail = {}): Decision => ({ status: "warning", message, ...detail });
export const skip = (message: string): Decision => ({ status: "skipped", message });
/** What the check read cannot decide (it contradicts itself, a measurement did not finish): never a pass. */
export const broken = (message: string, detail: Detail = {}): CheckOutcome => ({ status: "broken", message, ...detail });

type Values<F extends Record<string, Fact<unknown>>> = { [K in keyof F]: F[K] extends Fact<infer T> ? T : never };

const unique = (items: readonly string[]) => [...new Set(items)];

/**
 * Decides from observed values only. Any missing fact makes the verdict "broken" with its reason;
 * the evidence of the verdict is every source the facts came from.
 */
export function given<F extends Record<string, Fact<unknown>>>(facts: F, decide: (values: Values<F>) => Decision | CheckOutcome): CheckOutcome {
  const entries = Object.entries(facts);
  const evidence = unique(entries.flatMap(([, fact]) => fact.sources));
  const absent = entries.flatMap(([name, fact]) => (fact.observed ? [] : [`${name} unknown (${fact.reason})`]));
  if (absent.length > 0) return { status: "broken", message: `cannot evaluate: ${absent.join("; ")}`, evidence };
  const values = Object.fromEntries(entries.map(([name, fact]) => [name, fact.observed ? fact.value : undefined])) as Values<F>;
  const decision = decide(values);
  return { ...decision, evidence: unique([...evidence, ...("evidence" in decision ? (decision.evidence ?? []) : [])]) };
}

/** A fact's value transformed, keeping where it came from (or why it is missing). */
export function mapFact<T, U>(fact: Fact<T>, transform: (value: T) => U): Fact<U> {
  return fact.observed ? { ...fact, value: transform(fact.value) } : fact;
}

/** Several facts as one list, missing as soon as one is (with every reason). */
export function allOf<T>(facts: readonly Fact<T>[]): Fact<T[]> {
  const sources = unique(facts.flatMap((fact) => fact.sources));
  const reasons = facts.flatMap((fact) => (fact.observed ? [] : [fact.reason]));
  if (reasons.length > 0) return { observed: false, reason: reasons.join("; "), sources };
  return { observed: true, value: facts.map((fact) => (fact as Observed<T>).value), sources };
}

/** Named facts as one record, missing as soon as one is (with every reason). */
export function allOfNamed<F extends Record<string, Fact<unknown>>>(facts: F): Fact<Values<F>> {
  const entries = Object.entries(facts);
  const sources = unique(entries.flatMap(([, fact]) => fact.sources));
  const reasons = entries.flatMap(([name, fact]) => (fact.observed ? [] : [`${name}: ${fact.reason}`]));
  if (reasons.length > 0) return { observed: false, reason: reasons.join("; "), sources };
  return { observed: true, value: Object.fromEntries(entries.map(([name, fact]) => [name, (fact as Observed<unknown>).value])) as Values<F>, sources };
}

/** A named threshold: the page's number and how to say it. */
export interface Threshold<T> {
  value: T;
  /** How the page's requirement reads, e.g. "at least 2 usable CPUs". */
  expected: string;
}

/** `subject` (e.g. "architecture") equals the threshold. */
export function equals<T>(fact: Fact<T>, required: Threshold<T>, subject: string, show: (value: T) => string = String): CheckOutcome {
  return given({ actual: fact }, ({ actual }) => {
    const detail = { expected: required.expected, actual: show(actual) };
    return actual === required.value ? pass(`${subject} ${show(actual)}`, detail) : fail(`${subject} ${show(actual)}; the page requires ${required.expected}`, detail);
  });
}

/** A number at least the threshold. */
export function atLeast(fact: Fact<number>, minimum: Threshold<number>, subject: string, show: (value: number) => string = String): CheckOutcome {
  return given({ actual: fact }, ({ actual }) => {
    const detail = { expected: minimum.expected, actual: show(actual) };
    return actual >= minimum.value
      ? pass(`${subject} ${show(actual)}, ${minimum.expected}`, detail)
      : fail(`${subject} ${show(actual)}; the page requires ${minimum.expected}`, detail);
  });
}

/** A version at least the threshold by rpm's version order (rpmvercmp). */
export function versionAtLeast(fact: Fact<string>, minimum: Threshold<string>, subject: string): CheckOutcome {
  return given({ actual: fact }, ({ actual }) => {
    const detail = { expected: minimum.expected, actual };
    return rpmvercmp(actual, minimum.value) >= 0
      ? pass(`${subject} ${actual}, ${minimum.expected}`, detail)
      : fail(`${subject} ${actual} is older than required: ${minimum.expected}`, detail);
  });
}
