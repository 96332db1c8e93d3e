// Mutation tests of DB-01/02 (specs/checks/database.ts), SW-01..05 (software.ts) and TOPO-01..04
// (topology.ts): the verdict's status, expected and actual values and the evidence it cites, on the
// captured compliant lab run (tests/fixtures/runs/lab) with one piece of evidence edited per case
// (the edit is written beside it) or replaced by a captured output of tests/fixtures/facts.
import { describe, expect, it } from "vitest";
import { requirementById } from "../../../helpers/checks/catalogue.js";
import { type Environment, environmentSchema } from "../../../helpers/environment/schema.js";
import { parseAllFacts, verdictFor } from "../../../helpers/evaluate.js";
import type { CommandOutput } from "../../../helpers/model.js";
import type { CollectedRun, ProbeRecord } from "../../../helpers/run/collected.js";
import type { PgProbeResult } from "../../../helpers/probes/types.js";
import { allChecks } from "../../../specs/checks/index.js";
import { fixture } from "../facts/fixtures.js";
import { labEnv, labRun } from "../../support/lab-run.js";
import { newHostKey, withHostKeys } from "../../support/host-keys.js";
import { absent, type Edit, stdout } from "../../support/section-edits.js";


interface Change {
  sections?: Record<string, Edit>;
  hostProbes?: Record<string, Edit>;
  /** Edits of one other host's sections (TOPO-01 reads every host's machine-id). */
  otherHosts?: Record<string, Record<string, Edit>>;
  /** Host keys of the runner's handshakes, by host, in place of the captured ones. */
  hostKeys?: Record<string, CommandOutput>;
  /** Hosts whose captured ssh-host-key section is removed (a run that did not record the handshake's key). */
  withoutHostKey?: string[];
  pg?: (result: PgProbeResult) => PgProbeResult;
  env?: (env: Environment) => Environment;
}

function verdict(id: string, target: string, change: Change = {}) {
  const sectionEdits = (name: string) => (name === target ? change.sections : change.otherHosts?.[name]);
  const keyed = withHostKeys(labRun, change.hostKeys ?? {});
  const run: CollectedRun = {
    ...keyed,
    hosts: keyed.hosts.map((h) => ({
      ...h,
      sections: h.sections
        .filter((s) => !(s.section === "ssh-host-key" && change.withoutHostKey?.includes(h.name)))
        .map((s) => sectionEdits(h.name)?.[s.section]?.(s) ?? s),
      hostProbes: h.name === target ? h.hostProbes.map((s) => change.hostProbes?.[s.section]?.(s) ?? s) : h.hostProbes,
    })),
    probes: labRun.probes.map((p): ProbeRecord => (change.pg && p.key === "pg:database" ? { ...p, result: change.pg(structuredClone(p.result) as PgProbeResult) } : p)),
  };
  const env = change.env?.(labEnv) ?? labEnv;
  return verdictFor(requirementById(id), target, allChecks, { env, run, allFacts: parseAllFacts(run) });
}

const labSection = (host: string, name: string) => labRun.hosts.find((h) => h.name === host)!.sections.find((s) => s.section === name)!;
const labPg = labRun.probes.find((p) => p.key === "pg:database")!.result as PgProbeResult;
const policy = (edit: Partial<Environment["policy"]>) => (env: Environment): Environment => ({ ...env, policy: { ...env.policy, ...edit } });
const where = `${labEnv.database.host}:${labEnv.database.port}`;

describe("DB-01 from the runner: the session and what the server said", () => {
  it("passes with the server's version and version() text as the actual value", () => {
    expect(verdict("DB-01", "@database")).toMatchObject({
      status: "passed",
      expected: `an authenticated session to ${labEnv.database.database} as ${labEnv.database.user} on ${where}`,
      actual: `server_version ${labPg.serverVersion}; ${labPg.versionText}`,
      evidence: ["pg:database"],
    });
  });

  it("fails with the driver's error as the actual value", () => {
    // The lab's result edited as pgProbe returns a refused session: ok false, the error text, no version.
    const error = '28P01: password authentication failed for user "api7"';
    const v = verdict("DB-01", "@database", { pg: (r) => ({ ...r, ok: false, serverVersion: null, versionText: null, inRecovery: null, replication: null, error }) });
    expect(v).toMatchObject({ status: "failed", expected: `an authenticated session to ${labEnv.database.database} as ${labEnv.database.user} on ${where}`, actual: error });
    expect(v.message).toContain(error);
  });
});

describe("DB-01 from a CP host: db-reach's exit", () => {
  const reach = (edit: Partial<CommandOutput>): Change => ({ hostProbes: { "db-reach": (s) => ({ ...s, ...edit }) } });

  it("passes on exit 0 and cites the probe", () => {
    expect(verdict("DB-01", "cp1")).toMatchObject({ status: "passed", expected: `cp1 opens a TCP connection to ${where}`, actual: "exit 0: connected", evidence: ["db-reach"] });
  });

  it("a stderr of only whitespace adds nothing to the actual value", () => {
    // The lab's db-reach with a bare newline on stderr.
    expect(verdict("DB-01", "cp1", reach({ stderr: "\n" })).actual).toBe("exit 0: connected");
  });

  it("an exit the probe does not produce is broken, with the exit in the actual value", () => {
    // bash's "command not found" exit: the probe did not measure anything.
    const v = verdict("DB-01", "cp1", reach({ exitCode: 127, stderr: "bash: line 1: timeout: command not found\n" }));
    expect(v).toMatchObject({ status: "broken", actual: "exit 127: bash or timeout is missing on the host; bash: line 1: timeout: command not found" });
  });
});

describe("DB-02: the database's own HA, recorded only", () => {
  it("names the role the server reports", () => {
    expect(verdict("DB-02", "@database").message).toMatch(/the server is a primary;/);
    expect(verdict("DB-02", "@database", { pg: (r) => ({ ...r, inRecovery: true }) }).message).toMatch(/the server is a standby/);
    expect(verdict("DB-02", "@database", { pg: (r) => ({ ...r, inRecovery: null }) }).message).toMatch(/the server is unknown;/);
  });

  it("is broken naming the driver's error when no session was opened", () => {
    const v = verdict("DB-02", "@database", { pg: (r) => ({ ...r, ok: false, error: "ECONNREFUSED: connect ECONNREFUSED 192.168.144.6:5432" }) });
    expect(v).toMatchObject({ status: "broken", evidence: ["pg:database"] });
    expect(v.message).toContain("ECONNREFUSED: connect ECONNREFUSED 192.168.144.6:5432");
  });
});

describe("SW-01: the release against the page's CentOS 7.6 or the policy's minimum", () => {
  const release = (line: string): Record<string, Edit> => ({ "centos-release": stdout(() => `${line}\n`), "redhat-release": stdout(() => `${line}\n`) });
  const os = (distro: string, files: string[]): Record<string, Edit> =>
    Object.fromEntries(["os-release", "centos-release", "redhat-release"].map((name) => [name, files.includes(name) ? () => fixture(`os/${distro}/${name}`, name) : absent]));
  const allowed = (osAllowed: Environment["policy"]["osAllowed"]) => policy({ osAllowed });

  it("CentOS rests on os-release and the release file that gave the minor version", () => {
    expect(verdict("SW-01", "cp1")).toMatchObject({ status: "passed", evidence: ["os-release", "centos-release"] });
    expect(verdict("SW-01", "cp1", { sections: { "centos-release": absent } })).toMatchObject({ status: "passed", evidence: ["os-release", "redhat-release"] });
  });

  it("a distribution outside the RHEL family rests on os-release alone", () => {
    expect(verdict("SW-01", "cp1", { sections: os("debian-12", ["os-release"]), env: allowed([{ id: "debian", minVersion: "12" }]) })).toMatchObject({ status: "passed", evidence: ["os-release"] });
  });

  it("CentOS needs no policy entry: the page's 7.6 applies", () => {
    expect(verdict("SW-01", "cp1", { env: allowed([]) })).toMatchObject({ status: "passed", actual: "centos 7.9: CentOS Linux release 7.9.2009 (Core)" });
    expect(verdict("SW-01", "cp1", { sections: release("CentOS Linux release 7.5.1804 (Core)"), env: allowed([]) }).status).toBe("warning");
    expect(verdict("SW-01", "cp1").message).toContain("(the page's recommendation)");
  });

  it("a policy entry for CentOS replaces the page's minimum, and the message says so", () => {
    const v = verdict("SW-01", "cp1", { env: allowed([{ id: "centos", minVersion: "7.4" }]) });
    expect(v.status).toBe("passed");
    expect(v.message).toContain("(policy.osAllowed: centos >= 7.4)");
    expect(verdict("SW-01", "cp1", { env: allowed([{ id: "centos", minVersion: "8" }]) }).status).toBe("warning");
  });

  it("a distribution without VERSION_ID and no policy entry: not accepted, its version shown as unknown", () => {
    // Ubuntu's captured os-release without its VERSION_ID line.
    const noVersion = { ...os("ubuntu-22.04", ["os-release"]), "os-release": (s: CommandOutput) => ({ ...fixture("os/ubuntu-22.04/os-release", s.section), stdout: fixture("os/ubuntu-22.04/os-release").stdout.replace(/^VERSION_ID=.*\n/m, "") }) };
    expect(verdict("SW-01", "cp1", { sections: noVersion })).toMatchObject({ status: "warning", actual: "ubuntu ?: Ubuntu 22.04.2 LTS" });
  });

  it("a RHEL rebuild at the policy's 7.6 is judged by the policy, on os-release alone (VERSION_ID has the minor)", () => {
    // The lab policy lists rhel >= 7.6.
    const v = verdict("SW-01", "cp1", { sections: os("rhel-8.7", ["os-release", "redhat-release"]) });
    expect(v).toMatchObject({ status: "passed", actual: "rhel 8.7: Red Hat Enterprise Linux 8.7 (Ootpa)", evidence: ["os-release"] });
    expect(v.message).toContain("(policy.osAllowed: rhel >= 7.6)");
  });

  it("Oracle Linux is labelled by its os-release, not by the RHEL line of its /etc/redhat-release", () => {
    const v = verdict("SW-01", "cp1", { sections: os("oracle-7.9", ["os-release", "redhat-release"]) });
    expect(v).toMatchObject({ status: "passed", actual: "ol 7.9: Oracle Linux Server 7.9", evidence: ["os-release"] });
    expect(v.message).not.toContain("Red Hat");
  });

  it("CentOS Stream: the policy is consulted before any minor release is needed", () => {
    const stream = os("centos-stream-9", ["os-release", "centos-release", "redhat-release"]);
    // No entry (the schema's defaults list no "centos"): not the page's OS, a warning, not broken.
    const none = verdict("SW-01", "cp1", { sections: stream, env: allowed(environmentSchema.shape.policy.parse(undefined).osAllowed) });
    expect(none).toMatchObject({ status: "warning", actual: "centos 9: CentOS Stream 9", evidence: ["os-release"] });
    expect(none.message).toBe('cp1: CentOS Stream 9 is not the page\'s OS (CentOS 7.6 or later), and policy.osAllowed does not list "centos" (S4.1)');
    // An entry without a minor, or whose major is another: decided by the major, no minor needed.
    expect(verdict("SW-01", "cp1", { sections: stream, env: allowed([{ id: "centos", minVersion: "9" }]) })).toMatchObject({ status: "passed", evidence: ["os-release"] });
    expect(verdict("SW-01", "cp1", { sections: stream, env: allowed([{ id: "centos", minVersion: "7.6" }]) })).toMatchObject({ status: "passed", evidence: ["os-release"] });
    expect(verdict("SW-01", "cp1", { sections: stream, env: allowed([{ id: "centos", minVersion: "10" }]) }).status).toBe("warning");
    // Only an entry of its own major with a minor needs the minor Stream does not have.
    const minor = verdict("SW-01", "cp1", { sections: stream, env: allowed([{ id: "centos", minVersion: "9.2" }]) });
    expect(minor).toMatchObject({ status: "broken", evidence: ["os-release", "centos-release"] });
    expect(minor.message).toContain("the minor release is unknown: CentOS Stream release 9");
  });

  it("an older CentOS shows what was compared", () => {
    expect(verdict("SW-01", "cp1", { sections: release("CentOS Linux release 7.5.1804 (Core)") })).toMatchObject({
      status: "warning",
      expected: "CentOS 7.6 or later, or a distribution of policy.osAllowed at its minimum version",
      actual: "centos 7.5: CentOS Linux release 7.5.1804 (Core)",
    });
  });

  it("a policy minimum that needs a version os-release does not give: broken, saying so", () => {
    // Debian's captured os-release without its VERSION_ID line.
    const noVersion = { ...os("debian-12", ["os-release"]), "os-release": (s: CommandOutput) => ({ ...fixture("os/debian-12/os-release", s.section), stdout: fixture("os/debian-12/os-release").stdout.replace(/^VERSION_ID=.*\n/m, "") }) };
    const v = verdict("SW-01", "cp1", { sections: noVersion, env: allowed([{ id: "debian", minVersion: "12" }]) });
    expect(v).toMatchObject({ status: "broken", evidence: ["os-release"] });
    expect(v.message).toContain("the release version of Debian GNU/Linux 12 (bookworm) is unknown");
  });

  it("CentOS 7 (os-release says only \"7\") without a release file: broken, naming both files", () => {
    const v = verdict("SW-01", "cp1", { sections: { "centos-release": absent, "redhat-release": absent } });
    expect(v.status).toBe("broken");
    expect(v.message).toContain("release unknown (centos-release: exit 1");
    expect(v.message).toContain("redhat-release: exit 1");
  });

  it("a major-only policy minimum compares the major only", () => {
    const rocky = os("rocky-9.5", ["os-release", "redhat-release"]);
    expect(verdict("SW-01", "cp1", { sections: rocky, env: allowed([{ id: "rocky", minVersion: "9" }]) }).status).toBe("passed");
    expect(verdict("SW-01", "cp1", { sections: rocky, env: allowed([{ id: "rocky", minVersion: "9.5" }]) }).status).toBe("passed");
    expect(verdict("SW-01", "cp1", { sections: rocky, env: allowed([{ id: "rocky", minVersion: "8" }]) }).status).toBe("passed");
  });
});

describe("SW-02: CentOS 7.2 or earlier", () => {
  const os = (distro: string, files: string[]): Record<string, Edit> =>
    Object.fromEntries(["os-release", "centos-release", "redhat-release"].map((name) => [name, files.includes(name) ? () => fixture(`os/${distro}/${name}`, name) : absent]));

  const EXPECTED = "not CentOS 7.2 or earlier, nor RHEL or Oracle Linux of that release";

  it("shows the distribution and its release line", () => {
    expect(verdict("SW-02", "cp1")).toMatchObject({ status: "passed", expected: EXPECTED, actual: "centos 7.9: CentOS Linux release 7.9.2009 (Core)", evidence: ["os-release", "centos-release"] });
    expect(verdict("SW-02", "cp1", { sections: os("debian-12", ["os-release"]) })).toMatchObject({ status: "passed", actual: "debian: Debian GNU/Linux 12 (bookworm)", evidence: ["os-release"] });
  });

  it("a later RHEL major is past the floor on its major alone", () => {
    const v = verdict("SW-02", "cp1", { sections: os("rhel-8.7", ["os-release", "redhat-release"]) });
    expect(v).toMatchObject({ status: "passed", actual: "rhel 8.7: Red Hat Enterprise Linux 8.7 (Ootpa)", evidence: ["os-release"] });
    expect(v.message).toContain("later than the page's incompatible CentOS 7.2");
  });

  it("CentOS 7.2 fails with the release line as the actual value", () => {
    const v = verdict("SW-02", "cp1", { sections: os("centos-7.2", ["os-release", "centos-release", "redhat-release"]) });
    expect(v.status).toBe("failed");
    expect(v.actual).toMatch(/^centos 7\.2: CentOS Linux release 7\.2\.\d+/);
    // CentOS is not called the release of CentOS (RHEL and Oracle Linux are, below).
    expect(v.message).not.toContain("the release of CentOS");
  });

  it("RHEL 7.2 is CentOS 7.2's release: failed, on os-release alone", () => {
    const v = verdict("SW-02", "cp1", { sections: os("rhel-7.2", ["os-release", "redhat-release"]) });
    expect(v).toMatchObject({ status: "failed", actual: "rhel 7.2: Red Hat Enterprise Linux Server 7.2 (Maipo)", evidence: ["os-release"] });
    expect(v.message).toContain("rhel 7.2, the release of CentOS 7.2; the page knows CentOS 7.2 or earlier to be incompatible");
    // Oracle Linux of the same release line, with its minor edited: 7.2 fails, 7.9 passes.
    const ol72 = { ...os("oracle-7.9", ["os-release", "redhat-release"]), "os-release": stdout(() => fixture("os/oracle-7.9/os-release").stdout.replaceAll("7.9", "7.2")) };
    expect(verdict("SW-02", "cp1", { sections: ol72 }).status).toBe("failed");
    expect(verdict("SW-02", "cp1", { sections: os("oracle-7.9", ["os-release", "redhat-release"]) }).status).toBe("passed");
  });

  it("CentOS Stream 9 is past the floor without a minor release", () => {
    expect(verdict("SW-02", "cp1", { sections: os("centos-stream-9", ["os-release", "centos-release", "redhat-release"]) })).toMatchObject({ status: "passed", evidence: ["os-release"] });
  });
});

describe("SW-04: the kernel build", () => {
  const uname = (release: string): Change => ({ sections: { "uname-r": stdout(() => `${release}\n`) } });
  it("names the build it compared, with or without a release part", () => {
    expect(verdict("SW-04", "cp1").message).toContain("(build 3.10.0-1160)");
    expect(verdict("SW-04", "cp1", uname("3.10.0")).message).toContain("(build 3.10.0)");
    expect(verdict("SW-04", "cp1", uname("3.10.0-327.36.3.el7.x86_64")).message).toContain("(build 3.10.0-327)");
    expect(verdict("SW-04", "cp1")).toMatchObject({ expected: "kernel build later than 3.10.0-327", evidence: ["uname-r"] });
  });
});

describe("SW-05: a working Docker engine", () => {
  it("running: the server version against the minimum, citing docker-version", () => {
    expect(verdict("SW-05", "cp1")).toMatchObject({ status: "passed", actual: "20.10.24+dfsg1", evidence: ["docker-version"] });
  });
  it("the daemon not answering or not installed: failed, citing docker-version", () => {
    const down = verdict("SW-05", "cp1", { sections: { "docker-version": () => fixture("docker/version-daemon-down", "docker-version") } });
    expect(down).toMatchObject({ status: "failed", evidence: ["docker-version"] });
    expect(down.expected).toBe(verdict("SW-05", "cp1").expected);
    // The captured daemon-down output with nothing on stdout: the client's version is not known either.
    const silent = verdict("SW-05", "cp1", { sections: { "docker-version": () => ({ ...fixture("docker/version-daemon-down", "docker-version"), stdout: "" }) } });
    expect(silent).toMatchObject({ status: "failed", actual: "Docker client (version unknown), daemon not answering" });
  });
  it("docker version unusable: broken, naming why, citing docker-version", () => {
    const v = verdict("SW-05", "cp1", { sections: { "docker-version": (s) => ({ ...s, timedOut: true, exitCode: 124, durationMs: 10000 }) } });
    expect(v).toMatchObject({ status: "broken", evidence: ["docker-version"] });
    expect(v.message).toContain("docker-version: timed out after 10000 ms");
  });
});

describe("TOPO-01: distinct machines", () => {
  const machineIdOf = (host: string) => labSection(host, "machine-id").stdout;
  const sameAs = (host: string): Record<string, Edit> => ({ "machine-id": stdout(() => machineIdOf(host)) });
  const short = (host: string) => machineIdOf(host).slice(0, 8);
  const withHosts = (edit: (hosts: Environment["hosts"]) => Environment["hosts"]) => (env: Environment): Environment => ({ ...env, hosts: edit(env.hosts) });

  const EXPECTED = "at least 2 CP and 2 DP hosts, 4 distinct machines (distinct /etc/machine-id, or distinct SSH host keys where a machine-id is shared)";
  const keys = { a: newHostKey(), b: newHostKey(), c: newHostKey(), d: newHostKey(), ecdsa: newHostKey("ecdsa-sha2-nistp256") };
  const shortKey = (key: CommandOutput) => key.stdout.trim().slice(0, "ssh-ed25519 SHA256:".length + 8);

  it("passes on the lab, citing this host's machine-id only: no machine-id is shared", () => {
    const v = verdict("TOPO-01", "cp1");
    expect(v).toMatchObject({ status: "passed", evidence: ["machine-id"], expected: EXPECTED });
    expect(v.message).not.toContain("shares machine-id");
  });

  it("two DP names of one machine (one host key), seen from a CP host: too few distinct machines", () => {
    const v = verdict("TOPO-01", "cp1", { otherHosts: { dp2: sameAs("dp1") }, hostKeys: { dp1: keys.a, dp2: keys.a } });
    expect(v).toMatchObject({ status: "failed", actual: `cp: cp1 [${short("cp1")}], cp2 [${short("cp2")}]; dp: dp1 [${short("dp1")}, ${shortKey(keys.a)}], dp2 [${short("dp1")}, ${shortKey(keys.a)}]` });
    expect(v.message).toContain("1 distinct DP machine");
  });

  it("two DP clones of one template (one machine-id, two host keys), seen from a CP host: two machines", () => {
    const v = verdict("TOPO-01", "cp1", { otherHosts: { dp2: sameAs("dp1") }, hostKeys: { dp1: keys.a, dp2: keys.b } });
    expect(v).toMatchObject({ status: "passed", evidence: ["machine-id"] });
    expect(v.message).toContain("2 distinct DP machines");
    // Their keys not seen (the captured ssh-host-key sections of dp1 and dp2 removed): one machine
    // at least, so too few, and the count cannot be trusted.
    const unseen = verdict("TOPO-01", "cp1", { otherHosts: { dp2: sameAs("dp1") }, withoutHostKey: ["dp1", "dp2"] });
    expect(unseen.status).toBe("broken");
    expect(unseen.message).toMatch(/cannot count distinct machines: dp1, dp2 share machine-id \w{8} and their SSH host keys cannot be compared \(ssh-host-key: section missing/);
  });

  it("clones seen from one of them: passed, citing the host key, with the note on the duplicated machine-id", () => {
    const v = verdict("TOPO-01", "dp2", { sections: sameAs("dp1"), hostKeys: { dp1: keys.a, dp2: keys.b } });
    expect(v).toMatchObject({ status: "passed", evidence: ["machine-id", "ssh-host-key"] });
    expect(v.message).toContain(`it shares machine-id ${short("dp1")} with dp1 but presents another SSH host key (${shortKey(keys.b)}): distinct machines, cloned without resetting /etc/machine-id`);
    expect(v.message).toContain("2 distinct DP machines");
  });

  it("one machine under two names: failed, naming the shared machine-id and host key", () => {
    const v = verdict("TOPO-01", "dp2", { sections: sameAs("dp1"), hostKeys: { dp1: keys.a, dp2: keys.a } });
    expect(v).toMatchObject({ status: "failed", evidence: ["machine-id", "ssh-host-key"] });
    expect(v.message).toBe(`dp2: dp2 and dp1 are the same machine (machine-id ${short("dp1")}, SSH host key ${shortKey(keys.a)}); the page requires distinct hosts (S2.1)`);
    // A third name of the machine whose key was not seen (cp2's captured ssh-host-key removed) does
    // not hide what two keys show.
    const third = verdict("TOPO-01", "dp2", { sections: sameAs("dp1"), otherHosts: { cp2: sameAs("dp1") }, hostKeys: { dp1: keys.a, dp2: keys.a }, withoutHostKey: ["cp2"] });
    expect(third.status).toBe("failed");
  });

  it("a shared machine-id whose host keys cannot be compared: broken, never passed by absence", () => {
    // One host's key not seen: its captured ssh-host-key section removed.
    const mineUnseen = verdict("TOPO-01", "dp2", { sections: sameAs("dp1"), hostKeys: { dp1: keys.a }, withoutHostKey: ["dp2"] });
    expect(mineUnseen).toMatchObject({ status: "broken", evidence: ["machine-id", "ssh-host-key"] });
    expect(mineUnseen.message).toContain("hostKey unknown (ssh-host-key: section missing from the collection output)");
    const theirsUnseen = verdict("TOPO-01", "dp2", { sections: sameAs("dp1"), hostKeys: { dp2: keys.b }, withoutHostKey: ["dp1"] });
    expect(theirsUnseen.status).toBe("broken");
    expect(theirsUnseen.message).toContain("cannot tell whether dp2 and dp1, which share machine-id");
    expect(theirsUnseen.message).toContain("dp1's SSH host key unknown (ssh-host-key: section missing");
    const unreadable = verdict("TOPO-01", "dp2", { sections: sameAs("dp1"), hostKeys: { dp1: keys.a, dp2: { ...keys.b, stdout: "garbage\n" } } });
    expect(unreadable.status).toBe("broken");
    expect(unreadable.message).toContain('ssh-host-key: not "<key type> SHA256:<fingerprint>"');
    const otherTypes = verdict("TOPO-01", "dp2", { sections: sameAs("dp1"), hostKeys: { dp1: keys.ecdsa, dp2: keys.b } });
    expect(otherTypes.status).toBe("broken");
    expect(otherTypes.message).toContain("dp2 presented ssh-ed25519, dp1 presented ecdsa-sha2-nistp256; a machine has one key of each type");
  });

  /** Another host collected like `from` (its captured sections), with its machine-id edited to a new one. */
  const clone = (name: string, from: string, roles: ("cp" | "dp")[]) => {
    const source = labRun.hosts.find((h) => h.name === from)!;
    const newId = [...machineIdOf(from).trim()].reverse().join("");
    return {
      host: { ...source, name, sections: source.sections.map((s) => (s.section === "machine-id" ? { ...s, stdout: `${newId}\n` } : s)) },
      entry: { ...labEnv.hosts.find((h) => h.name === from)!, name, roles },
    };
  };
  function withClone(target: string, extra: ReturnType<typeof clone>, edits: Record<string, Record<string, Edit>>, hostKeys: Record<string, CommandOutput> = {}) {
    const run: CollectedRun = withHostKeys({
      ...labRun,
      hosts: [...labRun.hosts, extra.host].map((h) => ({ ...h, sections: h.sections.map((s) => edits[h.name]?.[s.section]?.(s) ?? s) })),
    }, hostKeys);
    const env = { ...labEnv, hosts: [...labEnv.hosts, extra.entry] };
    return verdictFor(requirementById("TOPO-01"), target, allChecks, { env, run, allFacts: parseAllFacts(run) });
  }

  it("five hosts, four machines: each role needs 2 distinct machines of its own", () => {
    // A third DP host (dp2's captured collection, machine-id edited); cp2 on cp1's machine: 1 CP machine, 4 in all.
    const oneCp = withClone("dp1", clone("dp3", "dp2", ["dp"]), { cp2: sameAs("cp1") }, { cp1: keys.a, cp2: keys.a });
    expect(oneCp.status).toBe("failed");
    expect(oneCp.message).toContain("1 distinct CP machine and 3 distinct DP machines");
    // A third CP host; dp2 on dp1's machine: 1 DP machine, 4 in all.
    const oneDp = withClone("cp1", clone("cp3", "cp2", ["cp"]), { dp2: sameAs("dp1") }, { dp1: keys.b, dp2: keys.b });
    expect(oneDp.status).toBe("failed");
    expect(oneDp.message).toContain("3 distinct CP machines and 1 distinct DP machine");
    // Nothing shared: passes, nothing left uncounted.
    const fine = withClone("cp1", clone("cp3", "cp2", ["cp"]), {});
    expect(fine.status).toBe("passed");
    expect(fine.message).not.toContain("not counted");
  });

  it("this host named twice: fails with every host's machine-id shown", () => {
    const v = verdict("TOPO-01", "cp1", { sections: sameAs("cp2"), hostKeys: { cp1: keys.c, cp2: keys.c } });
    expect(v).toMatchObject({
      status: "failed",
      expected: EXPECTED,
      actual: `cp: cp1 [${short("cp2")}, ${shortKey(keys.c)}], cp2 [${short("cp2")}, ${shortKey(keys.c)}]; dp: dp1 [${short("dp1")}], dp2 [${short("dp2")}]`,
    });
  });

  it("a CP and a DP name of one machine: 2 per role but 3 machines in all", () => {
    expect(verdict("TOPO-01", "cp2", { otherHosts: { dp1: sameAs("cp1") }, hostKeys: { cp1: keys.d, dp1: keys.d } }).status).toBe("failed");
  });

  it("another host's machine-id unknown: broken when the count needs it, not counted when it does not", () => {
    const unreadable = { otherHosts: { dp2: { "machine-id": absent } } };
    const v = verdict("TOPO-01", "cp1", unreadable);
    expect(v).toMatchObject({ status: "broken", actual: `cp: cp1 [${short("cp1")}], cp2 [${short("cp2")}]; dp: dp1 [${short("dp1")}], dp2 [machine-id unknown]` });
    expect(v.message).toContain("dp2");
    // A fifth host (dp3) that was never collected from: the four others suffice.
    const fifth = verdict("TOPO-01", "cp1", { env: withHosts((hosts) => [...hosts, { name: "dp3", address: "192.168.144.10", roles: ["dp"] }]) });
    expect(fifth.status).toBe("passed");
    expect(fifth.message).toContain("not counted: dp3");
    expect(fifth.actual).toContain("dp3 [machine-id unknown]");
  });

  it("hosts whose machine-ids are unknown are not told apart by their host keys", () => {
    // dp1's and dp2's machine-id unreadable, their captured host keys intact: no DP machine is known.
    const v = verdict("TOPO-01", "cp1", { otherHosts: { dp1: { "machine-id": absent }, dp2: { "machine-id": absent } } });
    expect(v.status).toBe("broken");
    expect(v.message).toContain("known: 2 distinct CP machines and 0 distinct DP machines");
  });

  it("a shared machine-id whose keys are of different types, on other hosts: the count is undecided", () => {
    const v = verdict("TOPO-01", "cp1", { otherHosts: { dp2: sameAs("dp1") }, hostKeys: { dp1: keys.a, dp2: keys.ecdsa } });
    expect(v.status).toBe("broken");
    expect(v.message).toContain("dp1, dp2 share machine-id");
    expect(v.message).toContain("(keys of different types)");
  });

  it("a host alone on its machine-id needs no host key: one machine under two names still fails", () => {
    // As above (dp2 on dp1's machine, one host key), with cp2's captured host key removed.
    const v = verdict("TOPO-01", "cp1", { otherHosts: { dp2: sameAs("dp1") }, hostKeys: { dp1: keys.a, dp2: keys.a }, withoutHostKey: ["cp2"] });
    expect(v.status).toBe("failed");
    expect(v.message).toContain("1 distinct DP machine");
  });

  it("four hosts but too few of one role fail on the declaration alone, citing no evidence", () => {
    const relabel = (name: string, roles: ("cp" | "dp")[]) => withHosts((hosts) => hosts.map((h) => (h.name === name ? { ...h, roles } : h)));
    expect(verdict("TOPO-01", "cp1", { env: relabel("cp2", ["dp"]) })).toMatchObject({ status: "failed", actual: "1 CP host, 3 DP hosts, 4 hosts in all", evidence: [] });
    expect(verdict("TOPO-01", "cp1", { env: relabel("dp2", ["cp"]) })).toMatchObject({ status: "failed", actual: "3 CP hosts, 1 DP host, 4 hosts in all", evidence: [] });
  });

  it("an inventory with too few hosts fails on the declaration alone, citing no evidence", () => {
    // cp1 and cp2 declared with both roles, dp2 left out: 2 CP, 3 DP, but only 3 hosts.
    const dual = withHosts((hosts) => hosts.filter((h) => h.name !== "dp2").map((h) => (h.roles.includes("cp") ? { ...h, roles: ["cp", "dp"] } : h)));
    expect(verdict("TOPO-01", "cp1", { env: dual })).toMatchObject({ status: "failed", actual: "2 CP hosts, 3 DP hosts, 3 hosts in all", evidence: [] });
    expect(verdict("TOPO-01", "cp1", { env: withHosts((hosts) => hosts.filter((h) => h.name !== "cp2")) })).toMatchObject({ status: "failed", actual: "1 CP host, 2 DP hosts, 3 hosts in all", evidence: [] });
  });
});

describe("TOPO-02, TOPO-03: the role's components run and listen", () => {
  const detect = (name: "dashboard" | "dpManager" | "gateway", how: { container?: string; process?: string }) => (env: Environment): Environment => ({
    ...env,
    components: { ...env.components, [name]: { ...env.components[name], detect: how } },
  });
  const aContainer = labSection("dp1", "docker-ps").stdout.split("\n")[0]!;
  const psDenied: Edit = (s) => ({ ...s, exitCode: 1, stdout: "", stderr: "ps: Permission denied\n" });
  const dockerPsDenied: Edit = (s) => ({ ...s, exitCode: 1, stdout: "", stderr: "permission denied while trying to connect to the docker API at unix:///var/run/docker.sock\n" });

  it("found by process: cites the processes and the listeners", () => {
    expect(verdict("TOPO-03", "dp1")).toMatchObject({ status: "passed", expected: "API7 Gateway running and listening on 9080, 9443", evidence: ["processes", "ss-listen"] });
    expect(verdict("TOPO-02", "cp1")).toMatchObject({ status: "passed", expected: "API7 Dashboard running and listening on 7080; DP Manager running and listening on 7900" });
  });

  it("found by container: cites docker's sections", () => {
    const v = verdict("TOPO-03", "dp1", { env: detect("gateway", { container: aContainer }) });
    expect(v).toMatchObject({ status: "passed", evidence: ["docker-version", "docker-ps", "ss-listen"] });
  });

  it("not found by container, and the process listing unreadable: broken", () => {
    const v = verdict("TOPO-03", "dp1", { env: detect("gateway", { container: "no-such", process: "api7-gateway.conf" }), sections: { processes: psDenied } });
    expect(v.status).toBe("broken");
  });

  it("found by process while docker ps is unreadable", () => {
    const v = verdict("TOPO-03", "dp1", { env: detect("gateway", { container: aContainer, process: "api7-gateway.conf" }), sections: { "docker-ps": dockerPsDenied } });
    expect(v).toMatchObject({ status: "passed", actual: 'API7 Gateway: process matching "api7-gateway.conf", listening on 9080, 9443' });
  });

  it("detected by container only, docker ps unreadable: broken", () => {
    expect(verdict("TOPO-03", "dp1", { env: detect("gateway", { container: aContainer }), sections: { "docker-ps": dockerPsDenied } }).status).toBe("broken");
  });

  it("detected by container only, the daemon down: not running", () => {
    const v = verdict("TOPO-03", "dp1", { env: detect("gateway", { container: aContainer }), sections: { "docker-version": () => fixture("docker/version-daemon-down", "docker-version") } });
    expect(v).toMatchObject({ status: "failed", actual: "API7 Gateway: not running, listening on 9080, 9443", evidence: ["docker-version", "ss-listen"] });
    expect(v.message).toContain("API7 Gateway is not running");
  });

  it("not running by either detection: cites both listings", () => {
    const v = verdict("TOPO-03", "dp1", { env: detect("gateway", { container: "no-such", process: "no-such.conf" }) });
    expect(v).toMatchObject({ status: "failed", evidence: ["docker-version", "docker-ps", "processes", "ss-listen"] });
  });

  it("a port nobody listens on is named", () => {
    // The lab's ss output without its :9443 line.
    const v = verdict("TOPO-03", "dp1", { sections: { "ss-listen": stdout((t) => t.replace(/^.*:9443 .*\n/m, "")) } });
    expect(v.message).toContain("nothing listens for the network on API7 Gateway's port 9443");
    expect(v.message).not.toContain("is not running");
    expect(v.message).toContain("the page runs API7 Gateway on every DP host");
    const cp = verdict("TOPO-02", "cp1", { sections: { "ss-listen": stdout((t) => t.replace(/^.*:7900 .*\n/m, "")) } });
    expect(cp.message).toContain("the page runs API7 Dashboard and DP Manager on every CP host");
  });
});

describe("TOPO-04: only the role's components", () => {
  it("cites the process listing", () => {
    expect(verdict("TOPO-04", "cp1")).toMatchObject({ status: "passed", expected: "CP hosts run only API7 Dashboard and DP Manager; DP hosts run only API7 Gateway", evidence: ["processes"] });
    expect(verdict("TOPO-04", "cp1").message).toContain("no API7 Gateway on this CP host");
    expect(verdict("TOPO-04", "dp1").message).toContain("on this DP host");
  });
  it("a host with both roles fails on the declaration, citing no evidence", () => {
    const both = (env: Environment): Environment => ({ ...env, hosts: env.hosts.map((h) => (h.name === "dp1" ? { ...h, roles: ["cp", "dp"] } : h)) });
    expect(verdict("TOPO-04", "dp1", { env: both })).toMatchObject({ status: "warning", actual: "roles: cp, dp", evidence: [] });
  });
  it("CP components on a DP host: each one named with how it was seen", () => {
    const cpProcesses = labSection("cp1", "processes").stdout;
    const v = verdict("TOPO-04", "dp1", { sections: { processes: stdout((t) => `${t}${cpProcesses}`) } });
    expect(v).toMatchObject({ status: "warning", actual: 'API7 Dashboard runs (process matching "api7-dashboard.conf"); DP Manager runs (process matching "api7-dp-manager.conf")' });
    expect(v.message).toContain("on a DP host; the page places it on CP hosts only");
    const dpProcesses = labSection("dp1", "processes").stdout;
    expect(verdict("TOPO-04", "cp1", { sections: { processes: stdout((t) => `${t}${dpProcesses}`) } }).message).toContain("on a CP host; the page places it on DP hosts only");
  });
});
