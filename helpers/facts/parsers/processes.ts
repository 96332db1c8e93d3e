// Command lines from `ps -eo args=`, one per line, without the collector's own processes.
import { lines } from "./result.js";

// The collection script runs each section as `bash -c api7audit_<section>` under `timeout`.
const OWN_PROCESS = /\bapi7audit_[a-z0-9_]+\b|^ps -eo args=$/;

export function parseProcesses(stdout: string): string[] {
  return lines(stdout)
    .map((line) => line.trim())
    .filter((line) => !OWN_PROCESS.test(line));
}
