// The facts script on one connected host, and what is kept when its output is cut short.
import { collectionScript, finishedSections, scriptBudgetFor, SECTIONS, splitSections, withSectionsNotRun } from "../facts/script.js";
import type { CommandOutput } from "../model.js";
import type { ExecOutput, SshPool } from "../transport/ssh-pool.js";

export interface HostFactsCollection {
  /** Set only when nothing was collected; the host is then broken as a whole. */
  error: string | null;
  sections: CommandOutput[];
  /** Why the script's output ended early, when it did (its missing sections say "not run: ..."). */
  cutShort: string | null;
  durationMs: number;
}

export interface HostFactsOptions {
  sudo: boolean;
  commandTimeoutMs: number;
  /** Called once, while the script still runs, when all of these sections have arrived whole. */
  early?: { sections: readonly string[]; arrived: (sections: CommandOutput[]) => void };
}

/**
 * Runs the facts script on one connected host. Nothing that arrived is lost: on an SSH timeout or
 * a dropped connection the finished sections are kept, the one that was running stays cut off
 * (exitCode null), and the ones that never started are recorded as not run with the reason.
 */
export async function collectHostFacts(pool: SshPool, host: string, opts: HostFactsOptions): Promise<HostFactsCollection> {
  const onStdout = opts.early ? watchFor(opts.early.sections, opts.early.arrived) : undefined;
  const output = await pool.exec(host, ["bash", "-s"], { stdin: collectionScript(SECTIONS, scriptBudgetFor(opts.commandTimeoutMs)), sudo: opts.sudo, section: "facts", timeoutMs: opts.commandTimeoutMs, onStdout });
  const arrived = splitSections(output.stdout);
  const ending = endedEarly(output, opts.commandTimeoutMs);
  const result = { cutShort: ending, durationMs: output.durationMs };
  if (arrived.length === 0) {
    const stderr = output.stderr.trim().slice(0, 300);
    const why = ending ?? `the script produced no sections (exit ${output.exitCode})`;
    return { ...result, error: `facts collection failed: ${why}${stderr ? `: ${stderr}` : ""}`, sections: [] };
  }
  if (ending === null) return { ...result, error: null, sections: arrived };
  return { ...result, error: null, sections: withSectionsNotRun(arrived, `${ending} before this section started`) };
}

/** Why the facts script's output ended before the script did, or null when it ran to the end. */
function endedEarly(output: ExecOutput, commandTimeoutMs: number): string | null {
  if (output.timedOut) return `the SSH command timed out after ${commandTimeoutMs / 1000} s`;
  if (output.connectionLost) return `the connection dropped (${output.connectionLost})`;
  if (output.exitCode !== 0) return `the facts script ended with exit ${output.exitCode ?? "unknown"}`;
  return null;
}

/** A stdout listener that calls `arrived` once with the named sections, as soon as each has ended. */
function watchFor(names: readonly string[], arrived: (sections: CommandOutput[]) => void): (chunk: Buffer) => void {
  const chunks: Buffer[] = [];
  let called = false;
  return (chunk) => {
    if (called) return;
    chunks.push(chunk);
    const ended = finishedSections(Buffer.concat(chunks).toString("utf8")).filter((s) => names.includes(s.section));
    if (ended.length < names.length) return;
    called = true;
    arrived(ended);
  };
}
