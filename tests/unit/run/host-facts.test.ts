// collectHostFacts hands the probe-input sections over exactly once: as they stream in, or else at
// the end. The transport is a stand-in that returns a captured script output (collection fixture).
import { describe, expect, it } from "vitest";
import { PROBE_INPUT_SECTIONS, SCRIPT_SECTIONS } from "../../../helpers/facts/script.js";
import type { CommandOutput } from "../../../helpers/model.js";
import { collectHostFacts } from "../../../helpers/run/host-facts.js";
import type { ExecOptions, ExecOutput, SshPool } from "../../../helpers/transport/ssh-pool.js";
import { fixtureText } from "../facts/fixtures.js";

const captured = fixtureText("collection/lab-firewalld-host");
/** What happened, in order: "arrived" (the hand-over) and "returned" (the command's end). */
let events: string[] = [];

/** A pool whose one command prints `stdout`, in `chunks` pieces through onStdout (0: none streamed). */
function poolPrinting(stdout: string, chunks: number, exitCode: number | null = 0): SshPool {
  const exec = async (_host: string, _argv: readonly string[], opts: ExecOptions = {}): Promise<ExecOutput> => {
    const size = Math.ceil(stdout.length / Math.max(chunks, 1));
    for (let at = 0; chunks > 0 && at < stdout.length; at += size) opts.onStdout?.(Buffer.from(stdout.slice(at, at + size)));
    events.push("returned");
    return { section: "facts", command: "bash -s", exitCode, stdout, stderr: "", durationMs: 1 };
  };
  return { exec } as unknown as SshPool;
}

async function handedOver(pool: SshPool) {
  const calls: (CommandOutput[] | null)[] = [];
  events = [];
  const arrived = (s: CommandOutput[] | null) => {
    calls.push(s);
    events.push("arrived");
  };
  const facts = await collectHostFacts(pool, "h", { sections: SCRIPT_SECTIONS, sudo: false, commandTimeoutMs: 30_000, early: { sections: PROBE_INPUT_SECTIONS, arrived } });
  return { facts, calls };
}

describe("collectHostFacts: the probe-input sections", () => {
  it("streamed: handed over once, as they arrive, equal to the collected ones", async () => {
    const { facts, calls } = await handedOver(poolPrinting(captured, 200));
    expect(events).toEqual(["arrived", "returned"]);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.map((s) => s.section).sort()).toEqual([...PROBE_INPUT_SECTIONS].sort());
    for (const s of calls[0]!) expect(s).toEqual(facts.sections.find((f) => f.section === s.section));
  });
  it("not streamed: handed over once at the end, only those two", async () => {
    const { calls } = await handedOver(poolPrinting(captured, 0));
    expect(events).toEqual(["returned", "arrived"]);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.map((s) => s.section).sort()).toEqual([...PROBE_INPUT_SECTIONS].sort());
  });
  it("no section at all: handed over once, as null", async () => {
    const { facts, calls } = await handedOver(poolPrinting("", 0, 255));
    expect(facts.error).toMatch(/^facts collection failed/);
    expect(calls).toEqual([null]);
  });
});
