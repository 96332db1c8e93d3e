// Runs the real collection script with `bash -s` on this machine (no mocks).
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { sshDefaultsSchema } from "../../../helpers/environment/schema.js";
import { buildHostFacts } from "../../../helpers/facts/build.js";
import { sectionProblem } from "../../../helpers/facts/parsers/result.js";
import {
  DAEMON_ANSWER_SECONDS,
  KILL_GRACE_SECONDS,
  SCRIPT_BUDGET_SECONDS,
  SECTION_TIMEOUT_SECONDS,
  SCRIPT_SECTIONS,
  type SectionDefinition,
  collectionScript,
  daemonNotAnswering,
  daemonWaitFor,
  finishedSections,
  scriptBudgetFor,
  splitSections,
  withSectionsNotRun,
} from "../../../helpers/facts/script.js";

function runLocally(script: string): string {
  const result = spawnSync("bash", ["-s"], { input: script, encoding: "utf8", timeout: 60_000 });
  if (result.status !== 0) throw new Error(`bash -s exited ${result.status}: ${result.stderr}`);
  return result.stdout;
}

describe("collection script on this machine", () => {
  // What each section yields, not the time budget (tested below): on a heavily loaded runner the
  // whole script has taken more than its 20 s, so the budget here is a minute.
  const output = runLocally(collectionScript(SCRIPT_SECTIONS, 60));
  const sections = splitSections(output);

  it("yields every section, in order, each with an exit code", () => {
    expect(sections.map((s) => s.section)).toEqual(SCRIPT_SECTIONS.map((s) => s.name));
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
    // This Debian machine has no SELinux userland. getenforce cannot hang: the script's bash runs it
    // without `timeout`, and says so itself.
    expect(getenforce?.exitCode).toBe(127);
    expect(getenforce?.stderr).toMatch(/getenforce: command not found/);
  });

  it("builds sane facts", () => {
    const facts = buildHostFacts("localhost", sections);
    expect(facts.arch).toBe("x86_64");
    expect(facts.cpu?.usable).toBeGreaterThanOrEqual(1);
    expect(facts.memory?.memTotalBytes).toBeGreaterThan(0);
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
    { name: "nul-and-blank-lines", command: "printf", body: "printf 'a\\0b\\n\\n\\n'; printf ' e \\n\\n' >&2" },
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
  it("NUL bytes, blank lines and spaces at the end are kept exactly", () =>
    expect(byName.get("nul-and-blank-lines")).toMatchObject({ stdout: "a\0b\n\n\n", stderr: " e \n\n" }));
  it("a command reading stdin gets /dev/null, not the rest of the script", () =>
    expect(byName.get("eats-stdin")).toMatchObject({ exitCode: 0, stdout: "" }));
  it("marker-like output cannot end a section early", () =>
    expect(byName.get("forges-marker")?.stdout).toContain("@@API7AUDIT 1 END forges-marker"));
  it("the sections around it are intact", () => {
    expect(byName.get("before")).toMatchObject({ exitCode: 0, stdout: "before\n", stderr: "" });
    expect(byName.get("after")).toMatchObject({ exitCode: 0, stdout: "after\n", stderr: "" });
  });

  it("a missing tool under `timeout` exits 127 too, with timeout's words", () => {
    const [missing] = splitSections(runLocally(collectionScript([{ name: "missing", command: "no-such-tool-api7", body: "no-such-tool-api7" }])));
    expect(missing).toMatchObject({ exitCode: 127, stderr: expect.stringMatching(/failed to run command .no-such-tool-api7.: No such file or directory/) });
  });

  it("a section that runs too long is stopped by timeout and flagged", { timeout: 30_000 }, () => {
    const slow = splitSections(runLocally(collectionScript([{ name: "slow", command: "sleep 60", body: "sleep 60" }, { name: "next", command: "echo next", body: "echo next" }])));
    expect(slow[0]).toMatchObject({ section: "slow", exitCode: 124, timedOut: true });
    expect(slow[1]).toMatchObject({ section: "next", exitCode: 0, stdout: "next\n" });
  });
});

describe("sections that cannot hang run in the script's own bash, without timeout", () => {
  const sections: SectionDefinition[] = [
    { name: "plain", command: "echo plain", body: "echo plain", cannotHang: true },
    { name: "body", command: "a body", body: "found=yes\necho body; echo err >&2; return 4", cannotHang: true },
    { name: "reads-stdin", command: "cat", body: "cat; echo done", cannotHang: true },
    { name: "missing", command: "no-such-tool-api7", body: "no-such-tool-api7", cannotHang: true },
    { name: "after", command: "echo ${found:-unset}", body: "echo ${found:-unset}" },
  ];
  const script = collectionScript(sections);
  const byName = new Map(splitSections(runLocally(script)).map((s) => [s.section, s]));

  it("a plain command runs as it is, a longer body in a subshell; neither under timeout nor a new bash", () => {
    expect(script).toMatch(/^api7audit_plain_run\(\) \{ echo plain; \}$/m);
    expect(script).toMatch(/^api7audit_body_run\(\) \{ \( api7audit_body \); \}$/m);
    expect(script).not.toMatch(/export -f api7audit_(plain|body|reads_stdin|missing)\b/);
    expect(script).toMatch(/^ {2}api7audit_run plain \S+ \S+ - - -$/m);
  });
  it("keeps stdout, stderr and the exit code", () => {
    expect(byName.get("plain")).toMatchObject({ exitCode: 0, stdout: "plain\n", stderr: "" });
    expect(byName.get("body")).toMatchObject({ exitCode: 4, stdout: "body\n", stderr: "err\n" });
  });
  it("reads /dev/null, not the rest of the script", () => expect(byName.get("reads-stdin")).toMatchObject({ exitCode: 0, stdout: "done\n" }));
  it("a missing tool exits 127, with bash's words", () =>
    expect(byName.get("missing")).toMatchObject({ exitCode: 127, stderr: expect.stringMatching(/no-such-tool-api7: command not found/) }));
  it("a body's variables stay in its subshell", () => expect(byName.get("after")?.stdout).toBe("unset\n"));
});

describe("the script's clock without EPOCHREALTIME (bash before 5.0)", () => {
  // bash 5 loses EPOCHREALTIME once it is unset: the script then reads /proc/uptime, as on CentOS 7's bash 4.2.
  const clock = /^api7audit_clock\(\) \{\n[\s\S]*?\n\}$/m.exec(collectionScript())?.[0];

  it("is /proc/uptime in milliseconds, read by bash itself (no PATH, so no date)", () => {
    const probe = `unset EPOCHREALTIME\n${clock}\napi7audit_clock; read -r up _ </proc/uptime; echo "$now_ms $up"`;
    // stdin not a socket (libuv's pipes are), or bash reads ~/.bashrc as if started by sshd.
    const result = spawnSync("/bin/bash", ["-c", probe], { encoding: "utf8", env: { PATH: "" }, stdio: ["ignore", "pipe", "pipe"] });
    const [nowMs, uptime] = result.stdout.trim().split(" ").map(Number);
    expect(result.stderr).toBe("");
    expect(Math.abs(nowMs! - uptime! * 1000)).toBeLessThan(1000);
  });
  it("times a whole script's sections", () => {
    const [sleeps] = splitSections(runLocally(`unset EPOCHREALTIME\n${collectionScript([{ name: "sleeps", command: "sleep 0.3", body: "sleep 0.3" }], 2)}`));
    expect(sleeps).toMatchObject({ section: "sleeps", exitCode: 0 });
    expect(sleeps?.durationMs).toBeGreaterThanOrEqual(280);
  });
});

describe("firewalld-state: busctl's RUNNING, else firewall-cmd --state itself", () => {
  // The section's real body, run with a PATH of stand-ins only (the script's own PATH puts the system
  // directories first, where the real tools would win). Each stand-in says on stderr that it ran.
  const body = SCRIPT_SECTIONS.find((s) => s.name === "firewalld-state")!.body;
  const FIREWALL_CMD_STATE = { running: 'echo running; exit 0', failed: 'echo failed >&2; exit 251', "not running": 'echo "not running" >&2; exit 252' };
  function runState(tools: { busctl?: string; firewallCmd?: string }) {
    const dir = mkdtempSync(join(tmpdir(), "api7-state-"));
    try {
      const tool = (name: string, script: string) => {
        writeFileSync(join(dir, name), `#!/bin/sh\necho "${name} $*" >>"${dir}/ran"\n${script}\n`);
        chmodSync(join(dir, name), 0o755);
      };
      if (tools.busctl !== undefined) tool("busctl", tools.busctl);
      if (tools.firewallCmd !== undefined) tool("firewall-cmd", tools.firewallCmd);
      const result = spawnSync("/bin/bash", ["-c", `state_section() {\n${body}\n}\nstate_section`], { encoding: "utf8", env: { PATH: dir, HOME: dir }, timeout: 10_000 });
      const ran = spawnSync("/bin/cat", [join(dir, "ran")], { encoding: "utf8" }).stdout;
      return { exitCode: result.status, stdout: result.stdout, stderr: result.stderr, ran };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it("busctl reads RUNNING: its line is the output, exit 0, and firewall-cmd is not started", () => {
    const r = runState({ busctl: `echo 's "RUNNING"'`, firewallCmd: FIREWALL_CMD_STATE.running });
    expect(r).toMatchObject({ exitCode: 0, stdout: 's "RUNNING"\n', stderr: "" });
    expect(r.ran).toBe("busctl --auto-start=no get-property org.fedoraproject.FirewallD1 /org/fedoraproject/FirewallD1 org.fedoraproject.FirewallD1 state\n");
  });

  it("busctl reads FAILED (or any other state): firewall-cmd --state answers, with its own output and exit", () => {
    for (const other of ['s "FAILED"', 's "INIT"', 's "RUNNING" '])
      expect(runState({ busctl: `echo '${other}'`, firewallCmd: FIREWALL_CMD_STATE.failed }), other).toMatchObject({ exitCode: 251, stdout: "", stderr: "failed\n" });
  });

  it("busctl gets no answer (firewalld not on the bus) or is not installed: firewall-cmd --state answers, busctl's words left out", () => {
    const notOnBus = runState({ busctl: "echo 'Failed to get property state: The name is not activatable' >&2; exit 1", firewallCmd: FIREWALL_CMD_STATE["not running"] });
    expect(notOnBus).toMatchObject({ exitCode: 252, stdout: "", stderr: "not running\n" });
    expect(notOnBus.ran).toContain("firewall-cmd --state");
    expect(runState({ firewallCmd: FIREWALL_CMD_STATE.running })).toMatchObject({ exitCode: 0, stdout: "running\n", stderr: "" });
  });

  it("the bus says no one owns firewalld's name: 'not running', exit 252, naming the bus's answer; firewall-cmd is not started", () => {
    const busctl = `case "$*" in *NameHasOwner*) echo 'b false' ;; *) echo 'Failed to get property state' >&2; exit 1 ;; esac`;
    const r = runState({ busctl, firewallCmd: FIREWALL_CMD_STATE.running });
    expect(r).toMatchObject({ exitCode: 252, stdout: "", stderr: "not running (busctl: the system bus says NameHasOwner org.fedoraproject.FirewallD1: b false)\n" });
    expect(r.ran).not.toContain("firewall-cmd");
    // Only the bus's own "b false" counts: an owned name (or anything else) goes to firewall-cmd.
    for (const answer of ["b true", "b false ", ""]) {
      const other = runState({ busctl: `case "$*" in *NameHasOwner*) echo '${answer}' ;; *) exit 1 ;; esac`, firewallCmd: FIREWALL_CMD_STATE.failed });
      expect(other, answer).toMatchObject({ exitCode: 251, stderr: "failed\n" });
    }
  });

  it("busctl there but no firewall-cmd: firewalld is not installed (exit 127), not 'not running'; busctl is not asked", () => {
    const r = runState({ busctl: `case "$*" in *NameHasOwner*) echo 'b false' ;; *) echo 'Failed to get property state' >&2; exit 1 ;; esac` });
    expect(r).toMatchObject({ exitCode: 127, stdout: "", stderr: "bash: firewall-cmd: command not found (firewalld is not installed)\n" });
    expect(r.ran).toBe("");
  });

  it("neither tool installed: exit 127 and bash's 'command not found' (absence, as before)", () => {
    const r = runState({});
    expect(r.exitCode).toBe(127);
    expect(r.stderr).toMatch(/firewall-cmd: command not found/);
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

describe("finishedSections on output still arriving", () => {
  const output = runLocally(collectionScript([{ name: "one", command: "echo one", body: "echo one" }, { name: "two", command: "echo two", body: "echo two" }]));
  const endOfTwo = output.indexOf("END two ");

  it("leaves out the section whose END marker has not arrived", () => {
    expect(finishedSections(output.slice(0, output.indexOf("two\n") + 4))).toEqual([expect.objectContaining({ section: "one", exitCode: 0, stdout: "one\n" })]);
    // The END line arrives in pieces too: a trailer without its closing "@@" is not finished.
    expect(finishedSections(output.slice(0, output.indexOf("@@", endOfTwo))).map((s) => s.section)).toEqual(["one"]);
  });
  it("gives every section once the whole output is in, as splitSections does", () => {
    expect(finishedSections(output)).toEqual(splitSections(output));
    expect(finishedSections(output).map((s) => s.section)).toEqual(["one", "two"]);
  });
});

describe("a daemon that does not answer costs one wait", () => {
  const sections: SectionDefinition[] = [
    { name: "asks-docker", command: "docker version", body: "sleep 60", daemon: "docker" },
    { name: "docker-free", command: "echo free", body: "echo free" },
    { name: "asks-docker-again", command: "docker ps", body: "sleep 60", daemon: "docker" },
    { name: "asks-firewalld", command: "firewall-cmd --state", body: "echo running", daemon: "firewalld" },
  ];
  const started = Date.now();
  const parsed = splitSections(runLocally(collectionScript(sections)));
  const wallMs = Date.now() - started;
  const byName = new Map(parsed.map((s) => [s.section, s]));

  it("the first of its sections times out after the daemon wait, not the section timeout", () => {
    expect(byName.get("asks-docker")).toMatchObject({ exitCode: 124, timedOut: true });
    expect(byName.get("asks-docker")?.durationMs).toBeLessThan((DAEMON_ANSWER_SECONDS + KILL_GRACE_SECONDS) * 1000);
    // Two waits (the second docker section) would take at least this long.
    expect(wallMs).toBeLessThan(2 * DAEMON_ANSWER_SECONDS * 1000);
  });
  it("its later sections are not run, with the reason", () => {
    expect(byName.get("asks-docker-again")).toMatchObject({ exitCode: null, stdout: "", notRun: `dockerd did not answer within ${DAEMON_ANSWER_SECONDS} s` });
    expect(sectionProblem(byName.get("asks-docker-again"))).toBe(`not run: dockerd did not answer within ${DAEMON_ANSWER_SECONDS} s`);
  });
  it("sections of other daemons and without one still run", () => {
    expect(byName.get("docker-free")).toMatchObject({ exitCode: 0, stdout: "free\n" });
    expect(byName.get("asks-firewalld")).toMatchObject({ exitCode: 0, stdout: "running\n" });
    expect(byName.get("asks-firewalld")?.notRun).toBeUndefined();
  });
});

describe("the time budget", () => {
  it("no section starts once the script's budget is used up; one near it gets only what is left", { timeout: 30_000 }, () => {
    const sections: SectionDefinition[] = [
      { name: "slow", command: "sleep 60", body: "sleep 60" },
      { name: "late", command: "echo late", body: "echo late" },
    ];
    const started = Date.now();
    const parsed = splitSections(runLocally(collectionScript(sections, 2)));
    expect(Date.now() - started).toBeLessThan(SECTION_TIMEOUT_SECONDS * 1000);
    expect(parsed[0]).toMatchObject({ section: "slow", exitCode: 124, timedOut: true });
    expect(parsed[1]).toMatchObject({ section: "late", exitCode: null, notRun: "the facts script's time budget of 2 s was used up before this section started" });
  });

  // Read from the script text itself: what a host actually runs.
  const script = collectionScript();
  const calls = [...script.matchAll(/^ {2}api7audit_run (\S+) \S+ \S+ (\d+|-) (\S+) \S+$/gm)].map(([, name, timeout, daemon]) => ({
    name: name!,
    timeoutSeconds: timeout === "-" ? null : Number(timeout),
    daemon: daemon!,
  }));
  const budgetSeconds = Number(/^ {2}budget_ms=(\d+)$/m.exec(script)?.[1]) / 1000;
  const killGraceSeconds = Number(/timeout -k (\d+) "\$1"/.exec(script)?.[1]);
  const commandTimeoutSeconds = sshDefaultsSchema.parse({}).commandTimeoutMs / 1000;

  it("every section is called with its timeout: the daemon wait for daemon sections, none for file reads and sections that cannot hang, the section timeout otherwise", () => {
    expect(calls.map((c) => c.name)).toEqual(SCRIPT_SECTIONS.map((s) => s.name));
    for (const [i, call] of calls.entries()) {
      const section = SCRIPT_SECTIONS[i]!;
      const untimed = section.cannotHang === true || /^cat \/\S+$/.test(section.body);
      expect(call.timeoutSeconds, call.name).toBe(untimed ? null : call.daemon === "-" ? SECTION_TIMEOUT_SECONDS : DAEMON_ANSWER_SECONDS);
    }
    // What asks a daemon, or may wait on another process or a mount, is never left without a timeout.
    for (const name of ["docker-version", "docker-root", "docker-ps", "firewalld-state", "firewalld-runtime", "firewalld-permanent", "zone-bindings", "processes", "df", "ss-listen"]) {
      expect(calls.find((c) => c.name === name)?.timeoutSeconds, name).not.toBeNull();
    }
    expect(budgetSeconds).toBe(SCRIPT_BUDGET_SECONDS);
    expect(killGraceSeconds).toBe(KILL_GRACE_SECONDS);
  });

  it("the worst case ends inside the default SSH command timeout, with at least 5 s to spare", () => {
    // A section starts only with >= 1 whole second of budget left and gets at most what is left,
    // so TERM comes by the budget's end and KILL one grace later, whatever the sections do.
    expect(budgetSeconds + killGraceSeconds + 5).toBeLessThanOrEqual(commandTimeoutSeconds);
  });

  it("the budget follows the command timeout: 20 s for the default 30 s, the timeout less 10 s when longer", () => {
    expect(scriptBudgetFor(commandTimeoutSeconds * 1000)).toBe(SCRIPT_BUDGET_SECONDS);
    expect(scriptBudgetFor(90_000)).toBe(80);
    for (const timeoutMs of [30_000, 45_000, 90_000, 600_000]) expect(scriptBudgetFor(timeoutMs) + killGraceSeconds + 5).toBeLessThanOrEqual(timeoutMs / 1000);
    // A short timeout still leaves the script a daemon's wait, and cuts the rest short (kept as not run).
    expect(scriptBudgetFor(8_000)).toBe(DAEMON_ANSWER_SECONDS);
  });

  it("the daemon wait is 5 s for the default budget and a quarter of a longer one; the script text carries it", () => {
    expect(daemonWaitFor(SCRIPT_BUDGET_SECONDS)).toBe(DAEMON_ANSWER_SECONDS);
    expect(daemonWaitFor(80)).toBe(20);
    expect(daemonWaitFor(5)).toBe(DAEMON_ANSWER_SECONDS);
    const labScript = collectionScript(SCRIPT_SECTIONS, 80);
    const daemonCalls = [...labScript.matchAll(/^ {2}api7audit_run (\S+) \S+ \S+ (\d+) (docker|firewalld) (\S+)$/gm)];
    expect(daemonCalls.length).toBe(SCRIPT_SECTIONS.filter((s) => s.daemon).length);
    for (const [, , timeout, daemon, reason] of daemonCalls) {
      expect(Number(timeout)).toBe(20);
      expect(Buffer.from(reason!, "base64").toString()).toBe(daemonNotAnswering(daemon as "docker" | "firewalld", 20));
    }
  });

  it("hung daemons, each counted once, leave budget for every other section", () => {
    const daemons = new Set(calls.filter((c) => c.daemon !== "-").map((c) => c.daemon));
    expect(daemons).toEqual(new Set(["docker", "firewalld"]));
    // Every daemon hangs at once: one wait each, however many sections ask it.
    const daemonsWorstSeconds = daemons.size * (DAEMON_ANSWER_SECONDS + killGraceSeconds);
    expect(budgetSeconds - daemonsWorstSeconds).toBeGreaterThanOrEqual(5);
  });
});

describe("withSectionsNotRun", () => {
  it("keeps what arrived, in script order, and records every other section as not run", () => {
    const arrived = splitSections(runLocally(collectionScript([{ name: "one", command: "echo one", body: "echo one" }])));
    const definitions: SectionDefinition[] = [
      { name: "one", command: "echo one", body: "echo one" },
      { name: "two", command: "echo two", body: "echo two" },
    ];
    expect(withSectionsNotRun(arrived, "the SSH command timed out after 30 s before this section started", definitions)).toEqual([
      expect.objectContaining({ section: "one", exitCode: 0, stdout: "one\n" }),
      { section: "two", command: "echo two", exitCode: null, stdout: "", stderr: "", durationMs: 0, notRun: "the SSH command timed out after 30 s before this section started" },
    ]);
  });
});
