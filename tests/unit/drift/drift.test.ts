// Drift between two runs: the fact changes per host, and each verdict transition with the changes
// among the evidence its check declares. Input: the captured compliant lab run as the baseline, and
// a copy of it edited as the next night would find dp1 (each edit named where it is made).
import { describe, expect, it } from "vitest";
import { parseAllFacts } from "../../../helpers/evaluate.js";
import { buildHostFacts } from "../../../helpers/facts/build.js";
import { sectionsGathering } from "../../../helpers/facts/script.js";
import { compareRuns, type RunSide } from "../../../helpers/drift/compare.js";
import { hostFactChanges, movedBeyondThreshold, probeChanges } from "../../../helpers/drift/facts.js";
import { driftConsoleLines, driftMarkdown, NO_BASELINE } from "../../../helpers/drift/render.js";
import type { Status, Verdict } from "../../../helpers/model.js";
import type { CollectedRun } from "../../../helpers/run/collected.js";
import { allChecks } from "../../../specs/checks/index.js";
import { labRun } from "../../support/lab-run.js";
import { fixtureText } from "../facts/fixtures.js";

/** The lab run with dp1's section `name` edited. */
function editDp1(run: CollectedRun, name: string, edit: (stdout: string) => string): CollectedRun {
  return { ...run, hosts: run.hosts.map((h) => (h.name === "dp1" ? { ...h, sections: h.sections.map((s) => (s.section === name ? { ...s, stdout: edit(s.stdout) } : s)) } : h)) };
}

const verdict = (requirement: string, target: string, status: Status): Verdict => ({ requirement, host: target, target, level: "MUST", status, message: `${target}: ${status}` });

function side(runId: string, run: CollectedRun, verdicts: Verdict[]): RunSide {
  return { runId, startedAt: `${runId}T00:00:00Z`, run, facts: parseAllFacts(run), verdicts };
}

// An extra listener as `ss -Htulnp` prints one (the line is dp1's captured nginx line, port and process changed).
const withExtraListener = editDp1(labRun, "ss-listen", (stdout) => `${stdout}tcp LISTEN 0      5         0.0.0.0:8081  0.0.0.0:* users:(("python3",pid=90,fd=3))\n`);
const opened: CollectedRun = {
  ...withExtraListener,
  probes: [...labRun.probes, { key: "tcp:dp1:8081", kind: "tcp", host: "dp1", target: "172.23.0.4:8081", startedAt: labRun.startedAt, durationMs: 1, result: { state: "open", ms: 1 } }],
};
// ...and a newer kernel (the captured uname -r with its release number raised).
const openedAndUpdated = editDp1(opened, "uname-r", (stdout) => stdout.replace(/^(\S+?)(\d+)(\D*)$/m, (_, head: string, n: string, tail: string) => `${head}${Number(n) + 1}${tail}`));

const readsOf = (id: string) => allChecks[id]?.reads;

describe("a port opened on dp1 and its kernel updated", () => {
  const before = side("night-1", labRun, [verdict("SEC-04", "dp1", "passed"), verdict("SW-03", "dp1", "passed"), verdict("HW-01", "dp1", "passed")]);
  const after = side("night-2", openedAndUpdated, [verdict("SEC-04", "dp1", "failed"), verdict("SW-03", "dp1", "warning"), verdict("HW-01", "dp1", "passed")]);
  const report = compareRuns(before, after, "lab", readsOf, "the previous run");

  it("lists dp1's changes: the listener, the probe of its port, the kernel; nothing else", () => {
    expect(report.changes.map((c) => `${c.host} ${c.what}`)).toEqual(["dp1 kernel", "dp1 listening sockets", "dp1 probe tcp:dp1:8081"]);
    expect(report.changes.find((c) => c.what === "listening sockets")).toMatchObject({ before: "(none)", after: "tcp 0.0.0.0:8081 (python3)" });
  });

  it("each transition carries the changes among the evidence its check reads, and no other", () => {
    expect(report.transitions.map((t) => [t.requirement, t.from, t.to, t.causes.map((c) => c.what)])).toEqual([
      ["SEC-04", "passed", "failed", ["listening sockets", "probe tcp:dp1:8081"]],
      ["SW-03", "passed", "warning", ["kernel"]],
    ]);
  });

  it("drift.md and the console name the host, the port and the transition, one console line each", () => {
    const markdown = driftMarkdown(report, "night-2", "lab");
    expect(markdown).toMatch(/\| SEC-04 \| dp1 \| passed -> failed \| listening sockets: \(none\) -> tcp 0\.0\.0\.0:8081 \(python3\)/);
    expect(markdown).toMatch(/### dp1\n\n- kernel: /);
    const lines = driftConsoleLines(report);
    expect(lines[0]).toBe("drift: against night-1: 3 change(s) on 1 host(s)/endpoint(s), 2 verdict transition(s)");
    expect(lines[1]).toMatch(/^ {2}SEC-04 dp1: passed -> failed: listening sockets: \(none\) -> tcp 0\.0\.0\.0:8081 \(python3\); probe tcp:dp1:8081: \(none\) -> open$/);
  });
});

it("a port probed in one run only and not open there is no change; one that opened is", () => {
  const probe = (port: number, state: string) => ({ key: `tcp:dp1:${port}`, kind: "tcp" as const, host: "dp1", target: `172.23.0.4:${port}`, startedAt: labRun.startedAt, durationMs: 1, result: { state, ms: 1 } });
  expect(probeChanges([probe(40001, "filtered")], [probe(40002, "filtered")])).toEqual([]);
  expect(probeChanges([], [probe(8022, "open")]).map((c) => `${c.what}: ${c.before} -> ${c.after}`)).toEqual(["probe tcp:dp1:8022: (none) -> open"]);
  expect(probeChanges([probe(9080, "open")], [probe(9080, "closed")]).map((c) => `${c.before} -> ${c.after}`)).toEqual(["open -> closed"]);
});

it("firewall rules: a rule inserted at runtime shows as the line it added; packet counters that moved are no change", () => {
  // `nft insert rule inet api7_lab input tcp dport 8022 accept` as `nft list ruleset` then prints it, and traffic counted.
  const inserted = editDp1(labRun, "nft-ruleset", (stdout) =>
    stdout.replace("policy drop;\n", "policy drop;\n\t\ttcp dport 8022 accept\n").replace(/counter packets 0 bytes 0/g, "counter packets 17 bytes 1020"),
  );
  const counted = editDp1(labRun, "nft-ruleset", (stdout) => stdout.replace(/counter packets 0 bytes 0/g, "counter packets 17 bytes 1020"));
  const report = (run: CollectedRun) => compareRuns(side("night-1", labRun, []), side("night-2", run, []), "lab", readsOf, "the previous run").changes;
  // Inserted at runtime only, the rule also makes the persisted configuration differ from the running one.
  expect(report(inserted)).toEqual([
    { host: "dp1", what: "firewall persistence", sections: ["firewall"], before: "ipv4 persistent = running, ipv6 persistent = running", after: "ipv4 persistent differs from running, ipv6 persistent differs from running" },
    { host: "dp1", what: "firewall rules", sections: ["firewall"], before: "(none)", after: "nft-ruleset: tcp dport 8022 accept" },
  ]);
  expect(report(counted)).toEqual([]);
});

it("the first run says there is nothing to compare with", () => {
  expect(driftConsoleLines(null)).toEqual([`drift: ${NO_BASELINE}`]);
  expect(driftMarkdown(null, "night-1", "lab")).toMatch(/No earlier run to compare with/);
});

it("CPUs, RAM and disk drift only beyond 5%", () => {
  expect(movedBeyondThreshold(100, 104)).toBe(false);
  expect(movedBeyondThreshold(100, 106)).toBe(true);
  expect(movedBeyondThreshold(null, 5)).toBe(true);
  const dp1 = parseAllFacts(labRun).get("dp1")!;
  const memory = dp1.memory!;
  const slightly = { ...dp1, memory: { ...memory, memTotalBytes: Math.round(memory.memTotalBytes * 1.04) } };
  const halved = { ...dp1, memory: { ...memory, memTotalBytes: Math.round(memory.memTotalBytes / 2) } };
  const sections = labRun.hosts.find((h) => h.name === "dp1")!.sections;
  expect(hostFactChanges("dp1", { facts: dp1, sections }, { facts: slightly, sections })).toEqual([]);
  expect(hostFactChanges("dp1", { facts: dp1, sections }, { facts: halved, sections }).map((c) => c.what)).toEqual(["RAM"]);
});

it("a run narrowed by --only changed nothing it did not gather", () => {
  const full = labRun.hosts.find((h) => h.name === "dp1")!.sections;
  const gathered = new Set(sectionsGathering(["uname-m", "nproc", "meminfo"]).map((s) => s.name));
  const narrowed = full.filter((s) => gathered.has(s.section as never));
  const facts = (sections: typeof full) => buildHostFacts("dp1", sections);
  expect(hostFactChanges("dp1", { facts: facts(full), sections: full }, { facts: facts(narrowed), sections: narrowed })).toEqual([]);
  // What both gathered still drifts.
  const halvedMemory = narrowed.map((s) => (s.section === "meminfo" ? { ...s, stdout: s.stdout.replace(/^MemTotal:\s+(\d+)/m, (_, kb: string) => `MemTotal: ${Math.round(Number(kb) / 2)}`) } : s));
  expect(hostFactChanges("dp1", { facts: facts(full), sections: full }, { facts: facts(halvedMemory), sections: halvedMemory }).map((c) => c.what)).toEqual(["RAM"]);
});

describe("SELinux set to permissive at runtime on dp1", () => {
  // dp1's getenforce output replaced by the captured output of a permissive host.
  const permissive = editDp1(labRun, "getenforce", () => fixtureText("selinux/getenforce-permissive"));
  const changes = (run: CollectedRun) => {
    const sides = [labRun, run].map((r) => {
      const host = r.hosts.find((h) => h.name === "dp1")!;
      return { facts: buildHostFacts("dp1", host.sections), sections: host.sections };
    });
    return hostFactChanges("dp1", sides[0]!, sides[1]!);
  };

  it("is one change, read as the SELinux check reads the running mode", () => {
    expect(changes(permissive)).toEqual([{ host: "dp1", what: "SELinux", sections: ["selinuxMode", "selinuxConfig"], before: "running enforcing, config enforcing", after: "running permissive, config enforcing" }]);
  });

  it("an unreadable getenforce, with no other source, is a change to 'unreadable', not to a mode", () => {
    const unreadable = editDp1(labRun, "getenforce", () => "no such mode\n");
    expect(changes(unreadable)).toMatchObject([{ what: "SELinux", after: "running unreadable, config enforcing" }]);
  });
});
