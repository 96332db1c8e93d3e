// What a verdict may rest on. A Fact is either positively observed, with the raw evidence it came
// from (section names, probe keys, experiment ids), or missing, with the reason. Checks only ever
// see Facts: the assertion helpers (assert.ts) turn a missing one into "broken", so a check cannot
// pass on absent evidence without unwrapping a Fact on purpose.
import { sectionProblem } from "../facts/parsers/result.js";
import type { CommandOutput } from "../model.js";

export interface Observed<T> {
  readonly observed: true;
  readonly value: T;
  /** Raw evidence the value was read from: section names, probe keys or experiment ids. */
  readonly sources: readonly string[];
}

export interface Missing {
  readonly observed: false;
  /** Why the evidence cannot be used, naming the section or probe. */
  readonly reason: string;
  readonly sources: readonly string[];
}

export type Fact<T> = Observed<T> | Missing;

export const observed = <T>(value: T, sources: readonly string[]): Observed<T> => ({ observed: true, value, sources });
export const missing = (reason: string, sources: readonly string[]): Missing => ({ observed: false, reason, sources });

/** Reads a section of one host's collection; an absent section is one that was never collected. */
export type SectionLookup = (name: string) => CommandOutput | undefined;

/**
 * Why a section cannot be used as evidence (not run, timed out, cut off, failed, absent), or null
 * when it ran and exited 0. Its output must still parse: that is the fact's own business.
 */
export function unusable(lookup: SectionLookup, name: string): string | null {
  const problem = sectionProblem(lookup(name));
  return problem === null ? null : `${name}: ${problem}`;
}

/**
 * The file or program a section reads does not exist on the host (exit 127, or "No such file or
 * directory"): for a few facts that absence is itself the observation, e.g. no SELinux at all.
 * A timeout, a cut-off, a permission error or any other failure is never absence.
 */
export function reportsAbsence(section: CommandOutput | undefined): boolean {
  if (!section || section.notRun !== undefined || section.timedOut || section.exitCode === null) return false;
  // bash says "command not found"; `timeout` running a program itself says "failed to run command
  // 'getenforce': No such file or directory".
  if (section.exitCode === 127) return /not found|No such file or directory/i.test(section.stderr);
  return section.exitCode !== 0 && /No such file or directory/.test(section.stderr) && !/Permission denied/i.test(section.stderr);
}
