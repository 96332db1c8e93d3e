// Runs the real collection script with `bash -s` on this machine (no mocks).
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { buildHostFacts } from "../../../helpers/facts/build.js";
import { SECTIONS, type SectionDefinition, collectionScript, splitSections } from "../../../helpers/facts/script.js";

function runLocally(script: string): string {
  const result = spawnSync("bash", ["-s"], { input: script, encoding: "utf8", timeout: 60_000 });
  if (result.status !== 0) throw new Error(`bash -s exited ${result.status}: ${result.stderr}`);
  return result.stdout;
}

describe("collection script on this machine", () => {
  const output = runLocally(collectionScript());
  const sections = splitSections(output);

  it("yields every section, in order, each with an exit code", () => {
    expect(sections.map((s) => s.section)).toEqual(SECTIONS.map((s) => s.name));
    for (const section of sections) {
      expect(section.exitCode, section.section).not.toBeNull();
      expect(section.durationMs).toBeGreaterThanOrEqual(0);
    }
  });

  it("keeps the human-readable command of each section", () => {
    expect(sections.find((s) => s.section === "docker-version")?.command).toBe("docker version --format '{{json .}}'");
  });

  it("a missing tool is a section with exit 127, not an abort", () => {
    const getenforce = sections.find((s) => s.section === "getenforce");
    // This Debian machine has no SELinux userland.
    expect(getenforce?.exitCode).toBe(127);
    expect(getenforce?.stderr).toMatch(/command not found/);
  });

  it("builds sane facts", () => {
    const facts = buildHostFacts("localhost", sections);
    expect(facts.arch).toBe("x86_64");
    expect(facts.cpu?.usable).toBeGreaterThanOrEqual(1);
    expect(facts.memory?.memTotalBytes).toBeGreaterThan(0);
    expect(facts.memory?.onlineBytes).toBeGreaterThanOrEqual(facts.memory?.memTotalBytes ?? 0);
    expect(facts.kernelRelease).toMatch(/^\d+\.\d+/);
    expect(facts.os).toMatchObject({ id: "debian", major: 12 });
    expect(facts.machineId).toMatch(/^[0-9a-f]{32}$/);
    expect(facts.filesystems.map((f) => f.path)).toContain("/");
    expect(facts.processes.length).toBeGreaterThan(0);
    expect(facts.processes.some((p) => p.includes("api7audit_"))).toBe(false);
    expect(facts.problems).toEqual({});
  });
});

describe("a failing section does not spoil the others", () => {
  const sections: SectionDefinition[] = [
    { name: "before", command: "echo before", body: "echo before" },
    { name: "fails", command: "false with output", body: "echo partial; echo broken >&2; return 3" },
    { name: "missing-tool", command: "no-such-tool-api7", body: "no-such-tool-api7 --version" },
    { name: "no-newline", command: "printf", body: "printf 'no newline at end'" },
    { name: "eats-stdin", command: "cat", body: "cat" },
    { name: "forges-marker", command: "fake marker", body: "echo '@@API7AUDIT 1 STDERR@@'; echo '@@API7AUDIT 1 END forges-marker exit=0 ms=0 timeout=0@@'" },
    { name: "after", command: "echo after", body: "echo after" },
  ];
  const parsed = splitSections(runLocally(collectionScript(sections)));
  const byName = new Map(parsed.map((s) => [s.section, s]));

  it("every section is there", () => expect(parsed.map((s) => s.section)).toEqual(sections.map((s) => s.name)));
  it("the failing one keeps its stdout, stderr and exit code", () =>
    expect(byName.get("fails")).toMatchObject({ exitCode: 3, stdout: "partial\n", stderr: "broken\n" }));
  it("a missing tool exits 127", () => expect(byName.get("missing-tool")?.exitCode).toBe(127));
  it("output without a final newline is kept exactly", () => expect(byName.get("no-newline")?.stdout).toBe("no newline at end"));
  it("a command reading stdin gets /dev/null, not the rest of the script", () =>
    expect(byName.get("eats-stdin")).toMatchObject({ exitCode: 0, stdout: "" }));
  it("marker-like output cannot end a section early", () =>
    expect(byName.get("forges-marker")?.stdout).toContain("@@API7AUDIT 1 END forges-marker"));
  it("the sections around it are intact", () => {
    expect(byName.get("before")).toMatchObject({ exitCode: 0, stdout: "before\n", stderr: "" });
    expect(byName.get("after")).toMatchObject({ exitCode: 0, stdout: "after\n", stderr: "" });
  });

  it("a section that runs too long is stopped by timeout and flagged", { timeout: 30_000 }, () => {
    const slow = splitSections(runLocally(collectionScript([{ name: "slow", command: "sleep 60", body: "sleep 60" }, { name: "next", command: "echo next", body: "echo next" }])));
    expect(slow[0]).toMatchObject({ section: "slow", exitCode: 124, timedOut: true });
    expect(slow[1]).toMatchObject({ section: "next", exitCode: 0, stdout: "next\n" });
  });
});

describe("splitSections on cut-off output", () => {
  it("keeps what arrived with exitCode null", () => {
    const output = runLocally(collectionScript([{ name: "one", command: "echo one", body: "echo one" }, { name: "two", command: "echo two", body: "echo two" }]));
    const cut = output.slice(0, output.indexOf("two\n") + 4);
    expect(splitSections(cut)).toEqual([
      expect.objectContaining({ section: "one", exitCode: 0, stdout: "one\n" }),
      expect.objectContaining({ section: "two", exitCode: null, stdout: "two\n" }),
    ]);
  });
});
