// What a run prints. The console carries the tool's own lines (the run, the lab, one line per host,
// the summary, the transitions, the paths); the details (lab start-up, probes, failover steps) go to
// run.log in the run folder, and to the console too with --verbose. The log is closed before the
// manifest seals the folder: later lines (the lab's removal) reach the console only.
import { appendFileSync } from "node:fs";
import { join } from "node:path";

export const RUN_LOG = "run.log";

export interface RunConsole {
  /** A line for the person at the console (and the log). */
  say(line: string): void;
  /** A line for the log (and the console with --verbose). */
  detail(line: string): void;
  /** No more writes to the run folder: its manifest is about to be written. */
  closeLog(): void;
}

export function runConsole(runDir: string, verbose: boolean, print: (line: string) => void = (line) => console.log(line)): RunConsole {
  let logFile: string | null = join(runDir, RUN_LOG);
  const record = (line: string) => {
    if (logFile !== null) appendFileSync(logFile, `${line}\n`);
  };
  return {
    say: (line) => {
      print(line);
      record(line);
    },
    detail: (line) => {
      if (verbose) print(line);
      record(line);
    },
    closeLog: () => {
      logFile = null;
    },
  };
}
