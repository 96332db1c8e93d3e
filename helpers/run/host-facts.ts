// The facts script on one connected host, and what is kept when its output is cut short.
import { collectionScript, finishedSections, scriptBudgetFor, splitSections, withSectionsNotRun, type SectionDefinition } from "../facts/script.js";
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
  /** The script's sections this run gathers (helpers/checks/gather.ts). */
  sections: readonly SectionDefinition[];
  sudo: boolean;
  commandTimeoutMs: number;
  /**
   * Called exactly once with these sections: while the script still runs, as soon as all of them
   * have arrived whole; otherwise when it ends, with those of them that arrived (null: no sections).
   */
  early?: { sections: readonly string[]; arrived: (sections: CommandOutput[] | null) => void };
}

/**
 * Runs the facts script on one connected host. Nothing that arrived is lost: on an SSH timeout or
 * a dropped connection the finished sections are kept, the one that was running stays cut off
 * (exitCode null), and the ones that never started are recorded as not run with the reason.
 */
export async function collectHostFacts(pool: SshPool, host: string, opts: HostFactsOptions): Promise<HostFactsCollection> {
  const early = opts.early ? handOver(opts.early.sections, opts.early.arrived) : undefined;
  const output = await pool.exec(host, ["bash", "-s"], { stdin: collectionScript(opts.sections, scriptBudgetFor(opts.commandTimeoutMs)), sudo: opts.sudo, section: "facts", timeoutMs: opts.commandTimeoutMs, onStdout: early?.watch });
  const facts = factsFrom(output, opts);
  early?.atEnd(facts.error === null ? facts.sections : null);
  return facts;
}

function factsFrom(output: ExecOutput, opts: HostFactsOptions): HostFactsCollection {
  const arrived = splitSections(output.stdout);
  const ending = endedEarly(output, opts.commandTimeoutMs);
  const result = { cutShort: ending, durationMs: output.durationMs };
  if (arrived.length === 0) {
    const stderr = output.stderr.trim().slice(0, 300);
    const why = ending ?? `the script produced no sections (exit ${output.exitCode})`;
    return { ...result, error: `facts collection failed: ${why}${stderr ? `: ${stderr}` : ""}`, sections: [] };
  }
  if (ending === null) return { ...result, error: null, sections: arrived };
  return { ...result, error: null, sections: withSectionsNotRun(arrived, `${ending} before this section started`, opts.sections) };
}

/** Why the facts script's output ended before the script did, or null when it ran to the end. */
function endedEarly(output: ExecOutput, commandTimeoutMs: number): string | null {
  if (output.timedOut) return `the SSH command timed out after ${commandTimeoutMs / 1000} s`;
  if (output.connectionLost) return `the connection dropped (${output.connectionLost})`;
  if (output.exitCode !== 0) return `the facts script ended with exit ${output.exitCode ?? "unknown"}`;
  return null;
}

/** Hands the named sections to `arrived` once: from the output as it arrives (`watch`), as soon as
 * each has ended, or else from the whole collection (`atEnd`). */
function handOver(names: readonly string[], arrived: (sections: CommandOutput[] | null) => void) {
  const chunks: Buffer[] = [];
  let handed = false;
  const hand = (sections: CommandOutput[] | null) => {
    handed = true;
    arrived(sections);
  };
  const named = (sections: CommandOutput[]) => sections.filter((s) => names.includes(s.section));
  return {
    watch(chunk: Buffer): void {
      if (handed) return;
      chunks.push(chunk);
      const ended = named(finishedSections(Buffer.concat(chunks).toString("utf8")));
      if (ended.length === names.length) hand(ended);
    },
    atEnd(sections: CommandOutput[] | null): void {
      if (!handed) hand(sections === null ? null : named(sections));
    },
  };
}
