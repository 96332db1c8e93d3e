// Shared vocabulary of the suite: statuses, levels, verdicts, raw command evidence.

export type Level = "MUST" | "SHOULD" | "INFO";

/** Verdict of one (requirement, host). See "Status model" in the README. */
export type Status = "passed" | "failed" | "warning" | "broken" | "skipped" | "waived";

export type Role = "cp" | "dp";

/** Which hosts or endpoints a requirement runs against. */
export type Scope =
  | "all-hosts"
  | "cp-hosts"
  | "dp-hosts"
  | "database"
  | "prometheus"
  | "cp-pair"
  | "dp-pair";

/** One command's raw result: the evidence a verdict is decided from. */
export interface CommandOutput {
  section: string;
  command: string;
  exitCode: number | null;
  stdout: string;
  stderr: string;
  durationMs: number;
  timedOut?: boolean;
  /** The section never ran, and why (its daemon did not answer, the SSH command ended before it). */
  notRun?: string;
}

/** What a check decided, before waivers are applied. */
export interface CheckOutcome {
  status: Exclude<Status, "waived">;
  message: string;
  expected?: string;
  actual?: string;
  /** Names of the raw sections (CommandOutput.section) or probe keys that decided it. */
  evidence?: string[];
}

/** A verdict as written to results.json. */
export interface Verdict extends Omit<CheckOutcome, "status"> {
  requirement: string;
  host: string | null;
  /** The host name, or "@database", "@prometheus", "@cp-pair", "@dp-pair" for endpoint and pair tests. */
  target: string;
  level: Level;
  status: Status;
  waiver?: { justification: string; approver: string; expires: string };
}
