// One whole process measured from outside: wall time around spawn-to-exit, and GNU time's CPU and
// peak RSS. GNU time reads the child's rusage at exit, which counts the CPU of every descendant it
// waited for and the largest single process's peak RSS (not the sum).
import { spawn } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";

export const GNU_TIME = "/usr/bin/time";

export interface ProcessSample {
  wallMs: number;
  exitCode: number | null;
  /** User + system CPU seconds of the process and its children; null without GNU time. */
  cpuSeconds: number | null;
  /** Largest resident set of one process of the tree, bytes; null without GNU time. */
  maxRssBytes: number | null;
  /** stdout + stderr, for failures. */
  output: string;
}

export interface GnuTimeFigures {
  cpuSeconds: number | null;
  maxRssBytes: number | null;
}

/** GNU `time -v` output: "User time (seconds): 1.2", "System time ...", "Maximum resident set size (kbytes): 123". */
export function parseGnuTime(text: string): GnuTimeFigures {
  const number = (pattern: RegExp) => {
    const match = pattern.exec(text);
    return match ? Number(match[1]) : null;
  };
  const user = number(/User time \(seconds\): ([\d.]+)/);
  const system = number(/System time \(seconds\): ([\d.]+)/);
  const rssKib = number(/Maximum resident set size \(kbytes\): (\d+)/);
  return {
    cpuSeconds: user === null || system === null ? null : user + system,
    maxRssBytes: rssKib === null ? null : rssKib * 1024,
  };
}

export function measureProcess(argv: readonly string[], opts: { cwd: string; env: NodeJS.ProcessEnv; timeFile: string }): Promise<ProcessSample> {
  const gnuTime = existsSync(GNU_TIME);
  const [command, ...args] = gnuTime ? [GNU_TIME, "-v", "-o", opts.timeFile, ...argv] : argv;
  rmSync(opts.timeFile, { force: true });
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command!, args, { cwd: opts.cwd, env: opts.env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      const wallMs = performance.now() - started;
      const figures = gnuTime && existsSync(opts.timeFile) ? parseGnuTime(readFileSync(opts.timeFile, "utf8")) : { cpuSeconds: null, maxRssBytes: null };
      resolve({ wallMs, exitCode: code, ...figures, output });
    });
  });
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length === 0 ? Number.NaN : sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
