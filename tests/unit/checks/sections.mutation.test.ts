// Boundaries of the hardware, SELinux, monitoring and database checks, on the captured compliant
// lab run with one piece of evidence edited per row (the edit is written in the row). Statuses and
// the verdict's expected/actual values are asserted, not the wording of messages; of a message only
// what it names (a section, a path) or a note that carries a finding.
import { describe, expect, it } from "vitest";
import { requirementById } from "../../../helpers/checks/catalogue.js";
import type { Environment } from "../../../helpers/environment/schema.js";
import { parseAllFacts, verdictFor } from "../../../helpers/evaluate.js";
import type { CommandOutput, Status } from "../../../helpers/model.js";
import type { CollectedRun, ProbeRecord } from "../../../helpers/run/collected.js";
import { allChecks } from "../../../specs/checks/index.js";
import { fixture } from "../facts/fixtures.js";
import { labEnv, labRun } from "../../support/lab-run.js";
import { newHostKey, withHostKeys } from "../../support/host-keys.js";
import { absent, type Edit, stdout } from "../../support/section-edits.js";

const baseline = labRun;

const GIB = 2 ** 30;

interface Change {
  sections?: Record<string, Edit>;
  hostProbes?: Record<string, Edit>;
  probes?: Record<string, (result: any) => unknown>;
  env?: (env: Environment) => Environment;
  /** Hosts whose captured ssh-host-key section is removed (a run that did not record the handshake's key). */
  withoutHostKey?: string[];
}

function verdict(id: string, target: string, change: Change = {}) {
  const host = (name: string) => name === target;
  const keyed = baseline.hosts.map((h) =>
    change.withoutHostKey?.includes(h.name) ? { ...h, sections: h.sections.filter((s) => s.section !== "ssh-host-key") } : h,
  );
  const run: CollectedRun = {
    ...baseline,
    hosts: keyed.map((h) =>
      host(h.name)
        ? {
            ...h,
            sections: h.sections.map((s) => change.sections?.[s.section]?.(s) ?? s),
            hostProbes: h.hostProbes.map((s) => change.hostProbes?.[s.section]?.(s) ?? s),
          }
        : h,
    ),
    probes: baseline.probes.map((p): ProbeRecord => (change.probes?.[p.key] ? { ...p, result: change.probes[p.key]!(structuredClone(p.result)) } : p)),
  };
  const env = change.env?.(labEnv) ?? labEnv;
  return verdictFor(requirementById(id), target, allChecks, { env, run, allFacts: parseAllFacts(run) });
}

const policy = (edit: Partial<Environment["policy"]>) => (env: Environment): Environment => ({ ...env, policy: { ...env.policy, ...edit } });

describe("HW-01, HW-02: architecture and usable CPUs", () => {
  it.each<[string, Change, Status, string]>([
    ["x86_64", {}, "passed", "x86_64"],
    ["aarch64", { sections: { "uname-m": stdout((t) => t.replace("x86_64", "aarch64")) } }, "failed", "aarch64"],
  ])("HW-01 %s", (_name, change, status, actual) => expect(verdict("HW-01", "cp1", change)).toMatchObject({ status, actual }));

  it.each<[string, Change, Status, string]>([
    ["2 of 2 online", {}, "passed", "2"],
    ["1 of 2 online", { sections: { nproc: stdout((t) => t.replace("2", "1")) } }, "failed", "1 of 2 online"],
    ["3, online list unreadable", { sections: { nproc: stdout((t) => t.replace("2", "3")), "cpu-online": absent } }, "passed", "3"],
    ["2 of 4 online", { sections: { "cpu-online": stdout((t) => t.replace("0-1", "0-3")) } }, "passed", "2 of 4 online"],
  ])("HW-02 %s", (_name, change, status, actual) => expect(verdict("HW-02", "cp1", change)).toMatchObject({ status, actual }));

  it("HW-02 with nproc unreadable: broken, naming the section (the check does not read the missing value)", () => {
    const v = verdict("HW-02", "cp1", { sections: { nproc: absent } });
    expect(v.status).toBe("broken");
    expect(v.message).toContain("actual unknown (nproc: exit 1");
  });
});

describe("HW-03: memory", () => {
  const lsmemBytes = (bytes: number): Edit => stdout((t) => t.replace(/Total online memory:\s+\d+/, `Total online memory: ${bytes}`));
  const memTotalKiB = (kib: number): Edit => stdout((t) => t.replace(/^MemTotal:\s+\d+ kB/m, `MemTotal: ${kib} kB`));
  const cgroupLimit = (value: string): Edit => stdout((t) => t.replace(/ \d+\n?$/, ` ${value}\n`));
  const onlineUnknown = { lsmem: absent, "memory-blocks": absent };

  it.each<[string, Change, Status, string[]]>([
    ["24 GiB online, no limit", {}, "passed", ["24.0 GiB online", "no cgroup limit"]],
    ["exactly 4 GiB online", { sections: { lsmem: lsmemBytes(4 * GIB) } }, "passed", ["4.0 GiB online"]],
    ["just under 4 GiB online", { sections: { lsmem: lsmemBytes(4 * GIB - 1024) } }, "failed", ["4.0 GiB online"]],
    ["online from the sysfs blocks when lsmem is absent", { sections: { lsmem: absent } }, "passed", ["24.0 GiB online"]],
    ["a cgroup limit of exactly 4 GiB", { sections: { "cgroup-memory": cgroupLimit(String(4 * GIB)) } }, "passed", ["cgroup limit 4.0 GiB"]],
    ["a cgroup limit under 4 GiB", { sections: { "cgroup-memory": cgroupLimit(String(4 * GIB - 4096)) } }, "failed", ["cgroup limit 4.0 GiB"]],
    ["online unknown: MemTotal of exactly 3.5 GiB", { sections: { ...onlineUnknown, meminfo: memTotalKiB(3.5 * 1024 * 1024) } }, "passed", ["online memory unknown", "MemTotal 3.5 GiB"]],
    ["online unknown: MemTotal under 3.5 GiB", { sections: { ...onlineUnknown, meminfo: memTotalKiB(3.5 * 1024 * 1024 - 4) } }, "failed", ["online memory unknown"]],
    ["online known: a small MemTotal does not decide", { sections: { meminfo: memTotalKiB(1024 * 1024) } }, "passed", ["24.0 GiB online", "MemTotal 1.0 GiB"]],
  ])("%s", (_name, change, status, actual) => {
    const v = verdict("HW-03", "cp1", change);
    expect(v.status, v.message).toBe(status);
    for (const part of actual) expect(v.actual).toContain(part);
  });

  it("a MemTotal that cannot be read is broken", () => expect(verdict("HW-03", "cp1", { sections: { meminfo: absent } }).status).toBe("broken"));
});

describe("HW-04: free disk", () => {
  // The lab's df: /var/lib/docker on its own 200 GiB tmpfs, / on overlay with ~84 GB free.
  const availOf = (path: string, bytes: number): Edit => stdout((t) => t.replace(new RegExp(`^(${path}\\s+\\S+\\s+\\S+\\s+\\d+\\s+)\\d+`, "m"), `$1${bytes}`));
  const dropRow = (path: string): Edit => stdout((t) => t.replace(new RegExp(`^${path}\\s.*\\n`, "m"), ""));
  const both = (...edits: Edit[]): Edit => (s) => edits.reduce((acc, edit) => edit(acc), s);

  it.each<[string, Change, Status, string | null]>([
    ["data root with room", {}, "passed", "Docker's data root"],
    ["data root with exactly 80 GB", { sections: { df: availOf("/var/lib/docker", 80e9) } }, "passed", "80.0 GB"],
    ["data root just under 80 GB", { sections: { df: availOf("/var/lib/docker", 80e9 - 1) } }, "failed", "80.0 GB"],
    ["a small / is not checked by default", { sections: { df: availOf("/", 1e9) } }, "passed", null],
    ["a small / is checked with diskCheckRoot", { sections: { df: availOf("/", 1e9) }, env: policy({ diskCheckRoot: true }) }, "failed", "/: 1.0 GB"],
    ["no data root row: / decides", { sections: { df: dropRow("/var/lib/docker") } }, "passed", "/: "],
    ["no data root row and a small /", { sections: { df: both(dropRow("/var/lib/docker"), availOf("/", 1e9)) } }, "failed", "/: 1.0 GB"],
    ["neither row", { sections: { df: both(dropRow("/var/lib/docker"), (s) => s) , "docker-root": stdout(() => "/srv/docker\n") } }, "passed", "/: "],
  ])("%s", (_name, change, status, actual) => {
    const v = verdict("HW-04", "cp1", change);
    expect(v.status, v.message).toBe(status);
    if (actual !== null) expect(v.actual).toContain(actual);
  });

  it("checks / beside the data root only when diskCheckRoot is on", () => {
    expect(verdict("HW-04", "cp1").actual).not.toContain("/: ");
    expect(verdict("HW-04", "cp1", { env: policy({ diskCheckRoot: true }) }).actual).toContain("/: ");
  });

  it("a data root on the root filesystem is checked once, with diskCheckRoot too", () => {
    // The data root's row as df prints a directory of "/": the root filesystem, mounted at /.
    const onRoot: Edit = stdout((t) => t.replace(/^\/var\/lib\/docker .*$/m, "/var/lib/docker overlay        overlay 270553174016  81716080640 /"));
    const v = verdict("HW-04", "cp1", { sections: { df: onRoot }, env: policy({ diskCheckRoot: true }) });
    expect(v.status).toBe("passed");
    expect(v.actual).toMatch(/^Docker's data root: 81\.7 GB available on \/var\/lib\/docker/);
    expect(v.actual).not.toContain("/: ");
  });

  it("says when Docker's data root does not exist yet and / was checked instead", () => {
    expect(verdict("HW-04", "cp1", { sections: { df: dropRow("/var/lib/docker") } }).message).toContain("[Docker's data root /var/lib/docker does not exist yet: checked /]");
    expect(verdict("HW-04", "cp1").message).not.toContain("does not exist yet");
  });

  it("a df that lists neither the data root nor / is broken, naming both", () => {
    const onlyOther: Edit = stdout((t) => t.replace(/^\/ .*\n/m, "").replace(/^\/var\/lib\/docker /m, "/srv/other      "));
    const v = verdict("HW-04", "cp1", { sections: { df: onlyOther } });
    expect(v.status).toBe("broken");
    expect(v.message).toContain("neither /var/lib/docker nor /");
  });
});

describe("SEC-01: SELinux, running and persistent", () => {
  const getenforce = (mode: string): Edit => stdout(() => `${mode}\n`);
  const config = (mode: string): Edit => stdout((t) => t.replace(/^SELINUX=\w+/m, `SELINUX=${mode}`));
  const notInstalled: Edit = (s) => ({ ...s, exitCode: 127, stdout: "", stderr: `bash: line 1: ${s.section}: command not found\n` });

  it.each<[string, Change, Status]>([
    ["enforcing, persistent", {}, "passed"],
    ["permissive at runtime", { sections: { getenforce: getenforce("Permissive"), "selinux-config": config("permissive") } }, "failed"],
    ["permissive allowed by policy", { sections: { getenforce: getenforce("Permissive"), "selinux-config": config("permissive") }, env: policy({ selinuxMode: "permissive" }) }, "passed"],
    ["enforcing but persisted permissive", { sections: { "selinux-config": config("permissive") } }, "failed"],
    ["enforcing but no config file", { sections: { "selinux-config": absent } }, "failed"],
    ["not available anywhere", { sections: { getenforce: notInstalled, sestatus: notInstalled, "selinux-enforce": absent } }, "failed"],
    ["getenforce refused", { sections: { getenforce: (s) => ({ ...s, exitCode: 1, stdout: "", stderr: "Permission denied\n" }) } }, "broken"],
  ])("%s", (_name, change, status) => {
    const v = verdict("SEC-01", "cp1", change);
    expect(v.status, v.message).toBe(status);
  });

  it("shows the running mode and the persisted one", () => {
    expect(verdict("SEC-01", "cp1").actual).toBe("running: enforcing; /etc/selinux/config: SELINUX=enforcing");
    expect(verdict("SEC-01", "cp1", { sections: { "selinux-config": absent } }).actual).toBe("running: enforcing; /etc/selinux/config: absent");
  });
});

describe("PORT-05: Prometheus", () => {
  type Prom = { healthy: boolean; healthStatus: number | null; targets: { job: string; instance: string; health: string; lastError: string }[]; error?: string };
  const prom = (edit: (p: Prom) => void) => ({ probes: { prometheus: (p: Prom) => (edit(p), p) } });

  it.each<[string, Change, Status]>([
    ["healthy, every target up", {}, "passed"],
    ["not healthy", prom((p) => ((p.healthy = false), (p.healthStatus = 503))), "failed"],
    ["a target down", prom((p) => p.targets.push({ job: "node", instance: "dp1:9100", health: "down", lastError: "refused" })), "failed"],
    ["a target unknown", prom((p) => (p.targets[0]!.health = "unknown")), "failed"],
    ["healthy, targets unreadable", prom((p) => (p.error = "targets: HTTP 500")), "broken"],
    ["healthy, no target", prom((p) => (p.targets = [])), "warning"],
    ["not enabled", { env: (env) => ({ ...env, prometheus: { ...env.prometheus, enabled: false } }) }, "skipped"],
    ["enabled without a URL", { env: (env) => ({ ...env, prometheus: { ...env.prometheus, url: undefined } as Environment["prometheus"] }) }, "broken"],
  ])("%s", (_name, change, status) => expect(verdict("PORT-05", "@prometheus", change).status).toBe(status));

  it("lists each target in the actual value", () => {
    expect(verdict("PORT-05", "@prometheus", prom((p) => (p.targets[0]!.lastError = "slow"))).actual).toContain("prometheus/localhost:9090: up (slow)");
  });

  it("shows the health endpoint's status, in the actual value and in a failure without a probe error", () => {
    expect(verdict("PORT-05", "@prometheus").actual).toMatch(/^health 200 /);
    expect(verdict("PORT-05", "@prometheus", prom((p) => ((p.healthy = false), (p.healthStatus = 503)))).message).toContain("is not healthy (status 503)");
  });
});

describe("DB-01, DB-02: the database", () => {
  const exit = (exitCode: number | null, timedOut = false): Change => ({ hostProbes: { "db-reach": (s) => ({ ...s, exitCode, timedOut }) } });

  it.each<[string, Change, Status]>([
    ["connected", {}, "passed"],
    ["refused", exit(1), "failed"],
    ["dropped (timeout's exit)", exit(124), "failed"],
    ["bash missing", exit(127), "broken"],
    ["another exit", exit(2), "broken"],
    ["did not finish", exit(null), "broken"],
  ])("DB-01 from cp1: %s", (_name, change, status) => expect(verdict("DB-01", "cp1", change).status).toBe(status));

  it("DB-01 shows the exit code and stderr", () => {
    const v = verdict("DB-01", "cp1", { hostProbes: { "db-reach": (s) => ({ ...s, exitCode: 1, stderr: " refused \n" }) } });
    expect(v.actual).toMatch(/^exit 1: .*; refused$/);
    expect(verdict("DB-01", "cp1").actual).toBe("exit 0: connected");
  });

  const pg = (edit: (r: Record<string, unknown>) => void): Change => ({ probes: { "pg:database": (r: Record<string, unknown>) => (edit(r), r) } });
  it.each<[string, Change, Status]>([
    ["a session", {}, "passed"],
    ["refused", pg((r) => ((r.ok = false), (r.error = "password authentication failed"))), "failed"],
  ])("DB-01 from the runner: %s", (_name, change, status) => expect(verdict("DB-01", "@database", change).status).toBe(status));

  it.each<[string, Change, Status, string]>([
    ["a primary without standby", {}, "passed", "pg_is_in_recovery() = false; pg_stat_replication: no standby attached"],
    ["a standby", pg((r) => (r.inRecovery = true)), "passed", "pg_is_in_recovery() = true; pg_stat_replication: no standby attached"],
    ["role unknown", pg((r) => (r.inRecovery = null)), "passed", "pg_is_in_recovery() = null; pg_stat_replication: no standby attached"],
    ["replication not read", pg((r) => (r.replication = null)), "passed", "pg_is_in_recovery() = false; pg_stat_replication: not read"],
    ["replication not readable", pg((r) => (r.replication = { error: "permission denied" })), "passed", "pg_is_in_recovery() = false; pg_stat_replication: not readable (permission denied)"],
    [
      "two standbys",
      pg((r) => (r.replication = { rows: [{ client_addr: "10.0.0.51", state: "streaming", sync_state: "async" }, { application_name: "s2" }] })),
      "passed",
      "pg_is_in_recovery() = false; pg_stat_replication: 10.0.0.51 streaming async, s2 ?",
    ],
    ["no session", pg((r) => (r.ok = false)), "broken", ""],
  ])("DB-02 %s", (_name, change, status, actual) => {
    const v = verdict("DB-02", "@database", change);
    expect(v.status).toBe(status);
    if (actual) expect(v.actual).toBe(actual);
  });
});

describe("SW-01..05: release, kernel, Docker", () => {
  // The lab's hosts say CentOS Linux release 7.9.2009 in both release files.
  const release = (line: string): Record<string, Edit> => ({ "centos-release": stdout(() => `${line}\n`), "redhat-release": stdout(() => `${line}\n`) });
  const os = (distro: string, files: string[]): Record<string, Edit> =>
    Object.fromEntries(["os-release", "centos-release", "redhat-release"].map((name) => [name, files.includes(name) ? () => fixture(`os/${distro}/${name}`, name) : absent]));
  const allow = (id: string, minVersion: string) => policy({ osAllowed: [{ id, minVersion }] });

  it.each<[string, Change, Status, string | null]>([
    ["CentOS 7.9", {}, "passed", "centos 7.9: CentOS Linux release 7.9.2009 (Core)"],
    ["CentOS 7.6", { sections: release("CentOS Linux release 7.6.1810 (Core)") }, "passed", "centos 7.6: CentOS Linux release 7.6.1810 (Core)"],
    ["CentOS 7.5", { sections: release("CentOS Linux release 7.5.1804 (Core)") }, "warning", null],
    ["CentOS 8.0", { sections: release("CentOS Linux release 8.0.1905 (Core)") }, "passed", null],
    ["CentOS 6.10", { sections: release("CentOS release 6.10 (Final)") }, "warning", null],
    ["CentOS 7.5 allowed by policy", { sections: release("CentOS Linux release 7.5.1804 (Core)"), env: allow("centos", "7.4") }, "passed", null],
    ["a release line without minor", { sections: release("CentOS Linux release 7 (Core)") }, "broken", null],
    ["Ubuntu, not allowed", { sections: os("ubuntu-22.04", ["os-release"]) }, "warning", "ubuntu 22: Ubuntu 22.04.2 LTS"],
    ["Rocky 9.5, allowed from 9.4", { sections: os("rocky-9.5", ["os-release", "redhat-release"]), env: allow("rocky", "9.4") }, "passed", "rocky 9.5: Rocky Linux 9.5 (Blue Onyx)"],
    ["Rocky 9.5, allowed from 9.6", { sections: os("rocky-9.5", ["os-release", "redhat-release"]), env: allow("rocky", "9.6") }, "warning", null],
    ["Rocky 9.5, allowed from 10", { sections: os("rocky-9.5", ["os-release", "redhat-release"]), env: allow("rocky", "10") }, "warning", null],
    ["Debian 12, allowed from 12", { sections: os("debian-12", ["os-release"]), env: allow("debian", "12") }, "passed", "debian 12: Debian GNU/Linux 12 (bookworm)"],
    ["Debian 12, allowed from 11", { sections: os("debian-12", ["os-release"]), env: allow("debian", "11") }, "passed", null],
    ["Debian 12, allowed from 13", { sections: os("debian-12", ["os-release"]), env: allow("debian", "13") }, "warning", null],
    ["Debian 12, allowed from 12.1: the minor is unknown", { sections: os("debian-12", ["os-release"]), env: allow("debian", "12.1") }, "broken", null],
  ])("SW-01 %s", (_name, change, status, actual) => {
    const v = verdict("SW-01", "cp1", change);
    expect(v.status, v.message).toBe(status);
    if (actual !== null) expect(v.actual).toBe(actual);
  });

  it("SW-01: a version-less os-release with a version-less policy is broken", () => {
    const change = { sections: { ...os("debian-12", ["os-release"]), "os-release": (s: CommandOutput) => ({ ...fixture("os/debian-12/os-release", s.section), stdout: fixture("os/debian-12/os-release").stdout.replace(/^VERSION_ID=.*\n/m, "") }) }, env: allow("debian", "12") };
    expect(verdict("SW-01", "cp1", change).status).toBe("broken");
  });

  it.each<[string, Change, Status]>([
    ["CentOS 7.9", {}, "passed"],
    ["CentOS 7.3", { sections: release("CentOS Linux release 7.3.1611 (Core)") }, "passed"],
    ["CentOS 7.2", { sections: release("CentOS Linux release 7.2.1511 (Core)") }, "failed"],
    ["CentOS 6.10", { sections: release("CentOS release 6.10 (Final)") }, "failed"],
    ["CentOS 8.1", { sections: release("CentOS Linux release 8.1.1911 (Core)") }, "passed"],
    ["Rocky 9.5", { sections: os("rocky-9.5", ["os-release", "redhat-release"]) }, "passed"],
    ["Debian 12", { sections: os("debian-12", ["os-release"]) }, "passed"],
  ])("SW-02 %s", (_name, change, status) => expect(verdict("SW-02", "cp1", change).status).toBe(status));

  const kernel = (name: string): Change => ({ sections: { "uname-r": () => fixture(`kernel/${name}`, "uname-r") } });
  it.each<[string, Status, Status]>([
    ["3.10.0-1160.el7.x86_64", "passed", "passed"],
    ["3.10.0-957.el7.x86_64", "passed", "passed"],
    ["3.10.0-862.el7.x86_64", "warning", "passed"],
    ["3.10.0-514.el7.x86_64", "warning", "passed"],
    ["3.10.0-327.36.3.el7.x86_64", "warning", "failed"],
    ["3.10.0-327.el7.x86_64", "warning", "failed"],
    ["3.10.0-229.el7.x86_64", "warning", "failed"],
    ["4.18.0-425.3.1.el8.x86_64", "passed", "passed"],
  ])("kernel %s: SW-03 %s, SW-04 %s", (name, sw03, sw04) => {
    expect(verdict("SW-03", "cp1", kernel(name))).toMatchObject({ status: sw03, actual: name });
    expect(verdict("SW-04", "cp1", kernel(name))).toMatchObject({ status: sw04, actual: name });
  });

  it("SW-03 at exactly the recommended release, SW-04 just after the incompatible build or without a release", () => {
    const uname = (release: string): Change => ({ sections: { "uname-r": stdout(() => `${release}\n`) } });
    expect(verdict("SW-03", "cp1", uname("3.10.0-927")).status).toBe("passed");
    expect(verdict("SW-03", "cp1", uname("3.10.0-926.99")).status).toBe("warning");
    expect(verdict("SW-04", "cp1", uname("3.10.0-328")).status).toBe("passed");
    expect(verdict("SW-04", "cp1", uname("3.10.0")).status).toBe("failed");
  });

  const serverVersion = (version: string): Change => ({ sections: { "docker-version": stdout((t) => t.replace(/("Server":.*?"Components":\[\{"Name":"Engine","Version":")[^"]+/, `$1${version}`).replace(/("Server":\{.*?"Version":")20\.10\.24\+dfsg1(","ApiVersion")/, `$1${version}$2`)) } });
  it.each<[string, Change, Status, string | null]>([
    ["20.10.24 running", {}, "passed", "20.10.24+dfsg1"],
    ["exactly the minimum", serverVersion("20.10.7"), "passed", "20.10.7"],
    ["older than the minimum", serverVersion("20.10.6"), "failed", "20.10.6"],
    ["older than the policy's minimum", { env: policy({ dockerMinVersion: "24.0" }) }, "failed", "20.10.24+dfsg1"],
    ["daemon down", { sections: { "docker-version": () => fixture("docker/version-daemon-down", "docker-version") } }, "failed", "Docker client 28.2.2, daemon not answering"],
    ["not installed", { sections: { "docker-version": () => fixture("docker/version-not-installed", "docker-version") } }, "failed", "Docker not installed"],
    ["timed out", { sections: { "docker-version": (s) => ({ ...s, timedOut: true, exitCode: 124 }) } }, "broken", null],
  ])("SW-05 %s", (_name, change, status, actual) => {
    const v = verdict("SW-05", "cp1", change);
    expect(v.status, v.message).toBe(status);
    if (actual !== null) expect(v.actual).toBe(actual);
  });

  it("SW-05 names where the minimum comes from", () => {
    expect(verdict("SW-05", "cp1").expected).toContain("20.10.7, the vendor's earlier HA page");
    expect(verdict("SW-05", "cp1", { env: policy({ dockerMinVersion: "20.10.8" }) }).expected).toContain("20.10.8, this environment's policy.dockerMinVersion");
  });
});

describe("TOPO-01..04: hosts and what runs on them", () => {
  const machineIdOf = (host: string) => baseline.hosts.find((h) => h.name === host)!.sections.find((s) => s.section === "machine-id")!.stdout;
  const withoutHost = (name: string) => (env: Environment): Environment => ({ ...env, hosts: env.hosts.filter((h) => h.name !== name) });

  it.each<[string, string, Change, Status]>([
    ["distinct machines", "cp1", {}, "passed"],
    // The captured run's distinct handshake host keys: two clones of one template.
    ["cp1 has cp2's machine-id, distinct host keys", "cp1", { sections: { "machine-id": stdout(() => machineIdOf("cp2")) } }, "passed"],
    // The same with the ssh-host-key sections of both removed: one machine or two clones cannot be told apart.
    ["cp1 has cp2's machine-id, host keys not recorded", "cp1", { sections: { "machine-id": stdout(() => machineIdOf("cp2")) }, withoutHostKey: ["cp1", "cp2"] }, "broken"],
    ["dp1 has dp2's machine-id, host keys not recorded", "dp1", { sections: { "machine-id": stdout(() => machineIdOf("dp2")) }, withoutHostKey: ["dp1", "dp2"] }, "broken"],
    ["three hosts declared", "cp1", { env: withoutHost("dp2") }, "failed"],
    ["one CP host declared", "dp1", { env: withoutHost("cp2") }, "failed"],
    ["cp1's machine-id unreadable", "cp1", { sections: { "machine-id": absent } }, "broken"],
  ])("%s (%s)", (_name, target, change, status) => expect(verdict("TOPO-01", target, change).status).toBe(status));

  it("counts distinct machines per role even when the host under test is distinct", () => {
    const oneKey = newHostKey();
    const run: CollectedRun = {
      ...baseline,
      hosts: withHostKeys(baseline, { dp1: oneKey, dp2: oneKey }).hosts.map((h) => (h.name === "dp2" ? { ...h, sections: h.sections.map((s) => (s.section === "machine-id" ? { ...s, stdout: machineIdOf("dp1") } : s)) } : h)),
    };
    const v = verdictFor(requirementById("TOPO-01"), "cp1", allChecks, { env: labEnv, run, allFacts: parseAllFacts(run) });
    expect(v.status).toBe("failed");
    const cpOnly = { ...baseline, hosts: withHostKeys(baseline, { cp1: oneKey, cp2: oneKey }).hosts.map((h) => (h.name === "cp2" ? { ...h, sections: h.sections.map((s) => (s.section === "machine-id" ? { ...s, stdout: machineIdOf("cp1") } : s)) } : h)) };
    expect(verdictFor(requirementById("TOPO-01"), "dp1", allChecks, { env: labEnv, run: cpOnly, allFacts: parseAllFacts(cpOnly) }).status).toBe("failed");
  });

  it("shows each host with the start of its machine-id; a short inventory has no evidence", () => {
    expect(verdict("TOPO-01", "cp1").actual).toBe(`cp: cp1 [${machineIdOf("cp1").slice(0, 8)}], cp2 [${machineIdOf("cp2").slice(0, 8)}]; dp: dp1 [${machineIdOf("dp1").slice(0, 8)}], dp2 [${machineIdOf("dp2").slice(0, 8)}]`);
    expect(verdict("TOPO-01", "cp1", { env: withoutHost("dp2") })).toMatchObject({ actual: "2 CP hosts, 1 DP host, 3 hosts in all", evidence: [] });
  });

  const ss = (edit: (text: string) => string): Change => ({ sections: { "ss-listen": stdout(edit) } });
  const ps = (edit: (text: string) => string): Change => ({ sections: { processes: stdout(edit) } });
  const detect = (name: "dashboard" | "dpManager" | "gateway", how: { container?: string; process?: string }) => (env: Environment): Environment => ({
    ...env,
    components: { ...env.components, [name]: { ...env.components[name], detect: how } },
  });
  const aContainer = baseline.hosts[0]!.sections.find((s) => s.section === "docker-ps")!.stdout.split("\n")[0]!;

  it.each<[string, string, string, Change, Status, string | null]>([
    ["CP components running and listening", "TOPO-02", "cp1", {}, "passed", "API7 Dashboard: process matching \"api7-dashboard.conf\", listening on 7080; DP Manager: process matching \"api7-dp-manager.conf\", listening on 7900"],
    ["DP Manager only on loopback", "TOPO-02", "cp1", ss((t) => t.replace("0.0.0.0:7900", "127.0.0.1:7900")), "failed", "API7 Dashboard: process matching \"api7-dashboard.conf\", listening on 7080; DP Manager: process matching \"api7-dp-manager.conf\", listening on none of its ports"],
    ["Dashboard not running", "TOPO-02", "cp1", ps((t) => t.replace(/.*api7-dashboard\.conf.*\n/, "")), "failed", "API7 Dashboard: not running, listening on 7080; DP Manager: process matching \"api7-dp-manager.conf\", listening on 7900"],
    ["gateway on one of its two ports", "TOPO-03", "dp1", ss((t) => t.replace(/^.*:9443 .*\n/m, "")), "failed", "API7 Gateway: process matching \"api7-gateway.conf\", listening on 9080"],
    ["gateway running and listening", "TOPO-03", "dp1", {}, "passed", "API7 Gateway: process matching \"api7-gateway.conf\", listening on 9080, 9443"],
    ["found by its container", "TOPO-03", "dp1", { env: detect("gateway", { container: aContainer }) }, "passed", `API7 Gateway: container ${aContainer}, listening on 9080, 9443`],
    ["container absent, process present", "TOPO-03", "dp1", { env: detect("gateway", { container: "no-such", process: "api7-gateway.conf" }) }, "passed", null],
    ["neither container nor process", "TOPO-03", "dp1", { env: detect("gateway", { container: "no-such", process: "no-such.conf" }) }, "failed", null],
    ["process listing unreadable", "TOPO-03", "dp1", { sections: { processes: (s) => ({ ...s, exitCode: 1, stdout: "", stderr: "Permission denied\n" }) } }, "broken", null],
    ["container found while processes are unreadable", "TOPO-03", "dp1", { env: detect("gateway", { container: aContainer, process: "api7-gateway.conf" }), sections: { processes: (s) => ({ ...s, exitCode: 1, stdout: "", stderr: "Permission denied\n" }) } }, "passed", null],
  ])("%s: %s %s", (_name, id, target, change, status, actual) => {
    const v = verdict(id, target, change);
    expect(v.status, v.message).toBe(status);
    if (actual !== null) expect(v.actual).toBe(actual);
  });

  const dpProcesses = baseline.hosts.find((h) => h.name === "dp1")!.sections.find((s) => s.section === "processes")!.stdout;
  const cpProcesses = baseline.hosts.find((h) => h.name === "cp1")!.sections.find((s) => s.section === "processes")!.stdout;
  it.each<[string, string, Change, Status, string | null]>([
    ["a CP host with its own components", "cp1", {}, "passed", "no API7 Gateway"],
    ["a DP host with its own component", "dp1", {}, "passed", "no API7 Dashboard or DP Manager"],
    ["a gateway on a CP host", "cp1", ps((t) => `${t}${dpProcesses}`), "warning", "API7 Gateway runs (process matching \"api7-gateway.conf\")"],
    ["CP components on a DP host", "dp1", ps((t) => `${t}${cpProcesses}`), "warning", null],
    ["a gateway host whose gateway is down: still no CP component", "dp1", ps((t) => t.replace(/.*api7-gateway\.conf.*\n/, "")), "passed", null],
    ["a listing that does not show the SSH server", "dp1", ps((t) => t.replace(/.*sshd.*\n/g, "")), "broken", null],
    ["both roles declared", "cp1", { env: (env) => ({ ...env, hosts: env.hosts.map((h) => (h.name === "cp1" ? { ...h, roles: ["cp", "dp"] } : h)) }) }, "warning", "roles: cp, dp"],
  ])("TOPO-04 %s", (_name, target, change, status, actual) => {
    const v = verdict("TOPO-04", target, change);
    expect(v.status, v.message).toBe(status);
    if (actual !== null) expect(v.actual).toBe(actual);
  });
});
