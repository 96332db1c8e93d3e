// What every parser returns: a value, or null plus the reason it could not be read.
import type { CommandOutput } from "../../model.js";

export type Parsed<T> = { ok: true; value: T } | { ok: false; problem: string };

export const parsed = <T>(value: T): Parsed<T> => ({ ok: true, value });
export const unparsed = <T>(problem: string): Parsed<T> => ({ ok: false, problem });

export const mapParsed = <T, U>(result: Parsed<T>, transform: (value: T) => U): Parsed<U> =>
  result.ok ? parsed(transform(result.value)) : result;

/** Why a section cannot be used at all (absent, not run, failed, timed out), or null when it can. */
export function sectionProblem(section: CommandOutput | undefined): string | null {
  if (!section) return "section missing from the collection output";
  if (section.notRun !== undefined) return `not run: ${section.notRun}`;
  if (section.timedOut) return `timed out after ${section.durationMs} ms`;
  if (section.exitCode === null) return "output cut off before the section ended";
  if (section.exitCode === 127) return `exit 127 (not installed): ${firstLine(section.stderr) || section.command}`;
  if (section.exitCode !== 0) return `exit ${section.exitCode}: ${firstLine(section.stderr) || "(no stderr)"}`;
  return null;
}

export function firstLine(text: string): string {
  return (text.split("\n").find((line) => line.trim() !== "") ?? "").trim();
}

/** Non-empty lines without trailing whitespace. */
export function lines(text: string): string[] {
  return text
    .split("\n")
    .map((line) => line.trimEnd())
    .filter((line) => line !== "");
}
