// Every host requirement PASSES on the compliant lab run (tests/fixtures/runs/lab) and FAILS when
// one host's evidence is replaced by a saved output of a violating host (tests/fixtures/facts).
// One row per (requirement, violation); the expected status and a word of the message.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { requirementById } from "../../../helpers/checks/catalogue.js";
import { environmentSchema, type Environment } from "../../../helpers/environment/schema.js";
import { parseAllFacts, planTargets, verdictFor } from "../../../helpers/evaluate.js";
import type { CommandOutput, Status } from "../../../helpers/model.js";
import type { CollectedRun } from "../../../helpers/run/collected.js";
import { allChecks } from "../../../specs/checks/index.js";
import { absentFile, fixture } from "../facts/fixtures.js";

const FIXTURE = join(import.meta.dirname, "../../fixtures/runs/lab");
const labEnv = JSON.parse(readFileSync(join(FIXTURE, "environment.resolved.json"), "utf8")) as Environment;
const baseline = JSON.parse(readFileSync(join(FIXTURE, "collected.json"), "utf8")) as CollectedRun;

type Sections = Record<string, CommandOutput>;

function verdict(id: string, target: string, replaced: Sections = {}, env: Environment = labEnv, removed: string[] = []) {
  const run: CollectedRun = {
    ...baseline,
    hosts: baseline.hosts.map((h) => (h.name === target ? { ...h, sections: replaceSections(h.sections, replaced).filter((s) => !removed.includes(s.section)) } : h)),
  };
  return verdictFor(requirementById(id), target, allChecks, { env, run, allFacts: parseAllFacts(run) });
}

/** The host's sections with some replaced, and those it did not collect added. */
function replaceSections(sections: CommandOutput[], replaced: Sections): CommandOutput[] {
  const kept = sections.map((s) => (replaced[s.section] ? { ...replaced[s.section]!, section: s.section } : s));
  const added = Object.entries(replaced).filter(([name]) => !sections.some((s) => s.section === name)).map(([name, output]) => ({ ...output, section: name }));
  return [...kept, ...added];
}

/** The same section as another lab host collected it (e.g. cp2's machine-id on cp1). */
const sectionOf = (host: string, name: string): CommandOutput => baseline.hosts.find((h) => h.name === host)!.sections.find((s) => s.section === name)!;
const withStdout = (host: string, name: string, edit: (stdout: string) => string): CommandOutput => ({ ...sectionOf(host, name), stdout: edit(sectionOf(host, name).stdout) });

interface Row {
  id: string;
  host?: string;
  replaced: Sections;
  /** Sections of the host removed (never collected). */
  removed?: string[];
  status: Status;
  says: RegExp;
  env?: (env: Environment) => Environment;
}

const envWith = (change: (input: Record<string, unknown>) => void) => (env: Environment) => {
  const input = structuredClone(env) as unknown as Record<string, unknown>;
  change(input);
  return environmentSchema.parse(input);
};

const ROWS: Row[] = [
  // cp2's machine-id and the host key its handshake presented: one machine under two names.
  { id: "TOPO-01", replaced: { "machine-id": sectionOf("cp2", "machine-id"), "ssh-host-key": sectionOf("cp2", "ssh-host-key") }, status: "failed", says: /cp1 and cp2 are the same machine \(machine-id \w{8}, SSH host key ssh-ed25519 SHA256:/ },
  // cp2's machine-id, cp1's own ssh-host-key section removed: one machine or two clones cannot be told apart.
  { id: "TOPO-01", replaced: { "machine-id": sectionOf("cp2", "machine-id") }, removed: ["ssh-host-key"], status: "broken", says: /^cp1: cannot evaluate: hostKey unknown \(ssh-host-key: section missing/ },
  { id: "TOPO-02", replaced: { processes: withStdout("cp1", "processes", (ps) => ps.replace(/.*api7-dp-manager\.conf.*\n/g, "")) }, status: "failed", says: /DP Manager is not running/ },
  { id: "TOPO-02", replaced: { "ss-listen": withStdout("cp1", "ss-listen", (ss) => ss.replace(/^.*:7900 .*\n/gm, "")) }, status: "failed", says: /nothing listens for the network on DP Manager's port 7900/ },
  { id: "TOPO-03", host: "dp1", replaced: { processes: withStdout("dp1", "processes", (ps) => ps.replace(/.*api7-gateway\.conf.*\n/g, "")) }, status: "failed", says: /API7 Gateway is not running/ },
  { id: "TOPO-04", replaced: { processes: withStdout("cp1", "processes", (ps) => `${ps}${sectionOf("dp1", "processes").stdout}`) }, status: "warning", says: /API7 Gateway runs .* on a CP host/ },
  { id: "TOPO-04", replaced: { processes: fixture("processes/container-collector-only") }, status: "broken", says: /ps does not list the SSH server this audit came in through/ },
  { id: "HW-02", replaced: { nproc: fixture("cpu/nproc-1-cpuset") }, status: "failed", says: /usable CPUs: 1 of 2 online; the page requires at least 2 cores/ },
  { id: "HW-03", replaced: { "cgroup-memory": fixture("memory/cgroup-v1-container-3g") }, status: "failed", says: /cgroup memory limit 3\.0 GiB/ },
  { id: "HW-03", replaced: { meminfo: fixture("memory/meminfo-4gib-vm"), lsmem: absentFile("lsmem", "lsmem"), "memory-blocks": absentFile("memory-blocks", "/sys") }, status: "passed", says: /rule: MemTotal >= 3\.5 GiB/ },
  { id: "HW-04", replaced: { df: withStdout("cp1", "df", (df) => df.replace(/(\/var\/lib\/docker\s+\S+\s+\S+\s+\d+\s+)\d+/, "$110000000000")) }, status: "failed", says: /10\.0 GB available on \/var\/lib\/docker/ },
  {
    id: "HW-04",
    replaced: { "docker-version": fixture("docker/version-daemon-down"), "docker-daemon-json": absentFile("docker-daemon-json", "/etc/docker/daemon.json") },
    status: "passed",
    says: /Docker's data root: .* on \/var\/lib\/docker/,
  },
  {
    id: "HW-04",
    replaced: { "docker-version": fixture("docker/version-daemon-down"), "docker-daemon-json": { ...absentFile("docker-daemon-json", "/etc/docker/daemon.json"), stderr: "cat: /etc/docker/daemon.json: Permission denied\n" } },
    status: "broken",
    says: /docker-daemon-json: exit 1: cat: \/etc\/docker\/daemon.json: Permission denied/,
  },
  { id: "SW-01", replaced: { "os-release": fixture("os/centos-7.4/os-release"), "centos-release": fixture("os/centos-7.4/centos-release"), "redhat-release": fixture("os/centos-7.4/redhat-release") }, status: "warning", says: /older than 7\.6/ },
  { id: "SW-01", replaced: { "os-release": fixture("os/ubuntu-22.04/os-release"), "centos-release": absentFile("centos-release", "/etc/centos-release"), "redhat-release": absentFile("redhat-release", "/etc/redhat-release") }, status: "warning", says: /Ubuntu 22\.04\.2 LTS is not the page's OS \(CentOS 7\.6 or later\), and policy\.osAllowed does not list "ubuntu"/ },
  {
    id: "SW-01",
    replaced: { "os-release": fixture("os/rocky-9.5/os-release"), "centos-release": absentFile("centos-release", "/etc/centos-release"), "redhat-release": fixture("os/rocky-9.5/redhat-release") },
    env: envWith((input) => ((input.policy as Record<string, unknown>).osAllowed = [{ id: "rocky", minVersion: "9.4" }])),
    status: "passed",
    says: /rocky 9\.5 >= 9\.4 \(policy\.osAllowed/,
  },
  { id: "SW-02", replaced: { "os-release": fixture("os/centos-7.2/os-release"), "centos-release": fixture("os/centos-7.2/centos-release"), "redhat-release": fixture("os/centos-7.2/redhat-release") }, status: "failed", says: /CentOS 7\.2 or earlier to be incompatible/ },
  { id: "SW-03", replaced: { "uname-r": fixture("kernel/3.10.0-862.el7.x86_64") }, status: "warning", says: /older than the page's recommended 3\.10\.0-927/ },
  { id: "SW-03", replaced: { "uname-r": fixture("kernel/3.10.0-957.el7.x86_64") }, status: "passed", says: /at least the page's recommended/ },
  { id: "SW-04", replaced: { "uname-r": fixture("kernel/3.10.0-327.36.3.el7.x86_64") }, status: "failed", says: /3\.10\.0-327 \(the CentOS 7\.2 kernel\) or earlier/ },
  { id: "SW-04", replaced: { "uname-r": fixture("kernel/3.10.0-514.el7.x86_64") }, status: "passed", says: /later than the page's incompatible/ },
  { id: "SW-05", replaced: { "docker-version": fixture("docker/version-daemon-down") }, status: "failed", says: /daemon not answering/ },
  { id: "SW-05", replaced: { "docker-version": fixture("docker/version-not-installed") }, status: "failed", says: /Docker not installed/ },
  { id: "SW-05", replaced: { "docker-version": withStdout("cp1", "docker-version", (json) => json.replaceAll("20.10.24+dfsg1", "19.03.15")) }, status: "failed", says: /19\.03\.15 is older than required/ },
  { id: "SEC-01", replaced: { getenforce: fixture("selinux/getenforce-permissive") }, status: "failed", says: /SELinux runs permissive/ },
  { id: "SEC-01", replaced: { "selinux-config": fixture("selinux/config-disabled") }, status: "failed", says: /says SELINUX=disabled while SELinux runs enforcing/ },
  {
    id: "SEC-01",
    replaced: { getenforce: { ...absentFile("getenforce", "getenforce"), exitCode: 127, stderr: "bash: line 1: getenforce: command not found\n" }, sestatus: { ...absentFile("sestatus", "sestatus"), exitCode: 127, stderr: "bash: line 1: sestatus: command not found\n" } },
    status: "failed",
    says: /SELinux is not available/,
  },
  { id: "SEC-02", replaced: { "nft-ruleset": fixture("firewall/nft-ruleset-accept-all"), "nft-persistent": fixture("firewall/nft-persistent-debian-default") }, host: "dp1", status: "failed", says: /no active host firewall/ },
  { id: "SEC-02", replaced: { "nft-persistent": fixture("firewall/nft-persistent-drifted") }, host: "dp1", status: "failed", says: /differs from the running rules/ },
  {
    id: "SEC-02",
    host: "dp1",
    replaced: { "nft-ruleset": { ...sectionOf("dp1", "nft-ruleset"), exitCode: 1, stdout: "", stderr: "Operation not permitted (you must be root)\n" } },
    status: "broken",
    says: /nft-ruleset: exit 1: Operation not permitted/,
  },
];

describe("the compliant lab run passes every host requirement", () => {
  const hostIds = ["TOPO-01", "TOPO-02", "TOPO-03", "TOPO-04", "HW-01", "HW-02", "HW-03", "HW-04", "SW-01", "SW-02", "SW-03", "SW-04", "SW-05", "SEC-01", "SEC-02"];
  test.each(hostIds)("%s", (id) => {
    for (const planned of planTargets(requirementById(id), labEnv)) {
      const v = verdict(id, planned.target);
      expect(v.status, v.message).toBe("passed");
    }
  });
});

describe("one violating output fails the requirement it violates", () => {
  test.each(ROWS.map((row) => [`${row.id} ${row.status}: ${row.says.source}`, row] as const))("%s", (_name, row) => {
    const v = verdict(row.id, row.host ?? "cp1", row.replaced, row.env?.(labEnv) ?? labEnv, row.removed);
    expect(v.status, v.message).toBe(row.status);
    expect(v.message).toMatch(row.says);
  });
});
