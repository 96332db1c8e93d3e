// Command lines from `ps -eo args=`, one per line, without the collector's own processes.
import { lines } from "./result.js";

// The collection script runs a section as `bash -c api7audit_<section>` under `timeout`, or a plain
// command such as `ps -eo args=` under `timeout` directly.
const OWN_PROCESS = /\bapi7audit_[a-z0-9_]+\b|^(?:timeout -k \d+ \d+ )?ps -eo args=$/;

export function parseProcesses(stdout: string): string[] {
  return lines(stdout)
    .map((line) => line.trim())
    .filter((line) => !OWN_PROCESS.test(line));
}
