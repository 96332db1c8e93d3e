// Host checks on hand-built HostFacts: a compliant four-host lab passes every requirement, and
// each seeded violation (one per case) fails the requirement it violates, with the page's terms.
import { describe, expect, it } from "vitest";
import { environmentSchema, type Environment, type EnvironmentInput } from "../../../helpers/environment/schema.js";
import type { HostFacts } from "../../../helpers/facts/types.js";
import type { CheckOutcome } from "../../../helpers/model.js";
import type { CollectedRun } from "../../../helpers/run/collected.js";
import type { CheckContext } from "../../../specs/checks/context.js";
import { hostChecks } from "../../../specs/checks/host.js";

const GIB = 2 ** 30;
const HOST_IDS = ["TOPO-01", "TOPO-02", "TOPO-03", "TOPO-04", "HW-01", "HW-02", "HW-03", "HW-04", "SW-01", "SW-02", "SW-03", "SW-04", "SW-05", "SEC-01", "SEC-02"];

const baseEnvironment: EnvironmentInput = {
  name: "unit",
  hosts: [
    { name: "cp1", address: "10.0.0.11", roles: ["cp"] },
    { name: "cp2", address: "10.0.0.12", roles: ["cp"] },
    { name: "dp1", address: "10.0.0.21", roles: ["dp"] },
    { name: "dp2", address: "10.0.0.22", roles: ["dp"] },
  ],
  components: {
    dashboard: { role: "cp", ports: [7080], detect: { container: "api7-ee-dashboard" } },
    dpManager: { role: "cp", ports: [7900], detect: { container: "api7-ee-dp-manager", process: "api7-dp-manager" } },
    gateway: { role: "dp", ports: [9080, 9443], detect: { container: "api7-ee-gateway", process: "api7-gateway" } },
  },
  entrypoints: {
    gateway: { url: "http://gw.example.internal:9080/" },
    dashboard: { url: "https://dashboard.example.internal:7080/" },
    dpManager: { url: "https://dpm.example.internal:7900/" },
  },
  database: { host: "pg.example.internal", database: "api7ee", user: "api7ee", passwordEnv: "API7_AUDIT_PG_PASSWORD" },
  prometheus: { enabled: false },
};

const environment = (change: (input: EnvironmentInput) => void = () => {}): Environment => {
  const input = structuredClone(baseEnvironment);
  change(input);
  return environmentSchema.parse(input);
};

const listener = (port: number, process: string | null = null) => ({ protocol: "tcp" as const, address: "0.0.0.0", port, process });

/** A compliant CentOS 7.9 host of the page's table. */
function compliantFacts(name: string): HostFacts {
  const cp = name.startsWith("cp");
  return {
    host: name,
    arch: "x86_64",
    cpu: { usable: 2, online: 2 },
    memory: { memTotalBytes: 3.7 * GIB, onlineBytes: 4 * GIB, cgroupLimitBytes: null },
    filesystems: [
      { path: "/var/lib/docker", source: "/dev/sdb1", fstype: "xfs", mountpoint: "/var/lib/docker", sizeBytes: 200e9, availBytes: 150e9 },
      { path: "/", source: "/dev/mapper/centos-root", fstype: "xfs", mountpoint: "/", sizeBytes: 120e9, availBytes: 90e9 },
    ],
    os: {
      id: "centos",
      prettyName: "CentOS Linux 7 (Core)",
      family: "centos",
      major: 7,
      minor: 9,
      releaseLine: "CentOS Linux release 7.9.2009 (Core)",
    },
    kernelRelease: "3.10.0-1160.el7.x86_64",
    docker: { state: "running", clientVersion: "24.0.7", serverVersion: "24.0.7", rootDir: "/var/lib/docker" },
    selinux: { runtime: "enforcing", config: "enforcing" },
    firewall: { tool: "firewalld", active: true, defaultDenyInbound: true, persistentMatchesRuntime: true, detail: "zone public: target default" },
    listeners: cp
      ? [listener(22, "sshd"), listener(7080, "docker-proxy"), listener(7900, "docker-proxy")]
      : [listener(22, "sshd"), listener(9080, "docker-proxy"), listener(9443, "docker-proxy")],
    machineId: `${name}000000000000000000000000000`.slice(0, 32),
    processes: ["/usr/sbin/sshd -D", "/usr/bin/dockerd -H fd://"],
    containers: cp ? ["api7-ee-dashboard", "api7-ee-dp-manager"] : ["api7-ee-gateway"],
    problems: {},
  };
}

interface Scenario {
  env?: Environment;
  /** Changes to some hosts' facts; the others stay compliant. */
  facts?: Record<string, (facts: HostFacts) => void>;
  /** Hosts whose facts are missing (unreachable). */
  unreachable?: string[];
}

function evaluate(id: string, target: string, scenario: Scenario = {}): CheckOutcome {
  const env = scenario.env ?? environment();
  const allFacts = new Map<string, HostFacts>();
  for (const host of env.hosts) {
    if (scenario.unreachable?.includes(host.name)) continue;
    const facts = compliantFacts(host.name);
    scenario.facts?.[host.name]?.(facts);
    allFacts.set(host.name, facts);
  }
  const run: CollectedRun = {
    runId: "unit",
    environmentName: env.name,
    startedAt: "2026-01-01T00:00:00Z",
    options: { fullPortSweep: false, allowDisruption: false, strict: false },
    hosts: [],
    probes: [],
    failover: [],
  };
  const host = env.hosts.find((h) => h.name === target) ?? null;
  const ctx: CheckContext = { env, run, target, host, collection: null, facts: host ? (allFacts.get(host.name) ?? null) : null, allFacts };
  const check = hostChecks[id];
  if (!check) throw new Error(`no check for ${id}`);
  return check(ctx);
}

/** Hosts a requirement runs on, as the catalogue scopes them. */
const targetsOf = (id: string) => (id === "TOPO-02" ? ["cp1", "cp2"] : id === "TOPO-03" ? ["dp1", "dp2"] : ["cp1", "cp2", "dp1", "dp2"]);

describe("a compliant four-host deployment", () => {
  it("has a check for every host requirement and nothing else", () => {
    expect(Object.keys(hostChecks).sort()).toEqual([...HOST_IDS].sort());
  });

  for (const id of HOST_IDS) {
    it(`${id} passes on every host in scope`, () => {
      for (const target of targetsOf(id)) {
        const outcome = evaluate(id, target);
        expect(outcome.status, `${id} ${target}: ${outcome.message}`).toBe("passed");
        expect(outcome.message).toContain(target);
        expect(outcome.evidence?.length).toBeGreaterThan(0);
      }
    });
  }
});

describe("TOPO-01 hosts and machines", () => {
  it("fails both hosts of a duplicate machine-id, naming the other", () => {
    const scenario = { facts: { dp2: (f: HostFacts) => void (f.machineId = compliantFacts("dp1").machineId) } };
    const dp2 = evaluate("TOPO-01", "dp2", scenario);
    expect(dp2.status).toBe("failed");
    expect(dp2.message).toMatch(/dp2 and dp1 are the same machine/);
    expect(evaluate("TOPO-01", "dp1", scenario).message).toMatch(/dp1 and dp2 are the same machine/);
    expect(evaluate("TOPO-01", "cp1", scenario).status).toBe("failed");
    expect(evaluate("TOPO-01", "cp1", scenario).message).toMatch(/only 1 distinct DP machine/);
    expect(dp2.evidence).toEqual(["machine-id"]);
  });

  it("fails an inventory with fewer than 2 DP hosts", () => {
    const env = environment((input) => void input.hosts.splice(3, 1));
    const outcome = evaluate("TOPO-01", "cp1", { env });
    expect(outcome.status).toBe("failed");
    expect(outcome.message).toMatch(/declares 2 CP hosts and 1 DP host \(3 hosts in all\).*at least 4 hosts.*S2\.1/);
  });

  it("is broken when another host's machine-id is unknown and distinctness depends on it", () => {
    expect(evaluate("TOPO-01", "cp1", { unreachable: ["dp2"] }).status).toBe("broken");
    const own = evaluate("TOPO-01", "cp1", { facts: { cp1: (f) => void ((f.machineId = null), (f.problems["machine-id"] = "empty output")) } });
    expect(own.status).toBe("broken");
    expect(own.message).toContain("machine-id: empty output");
  });
});

describe("TOPO-02..04 components", () => {
  it("TOPO-02 fails a CP host without DP Manager, and one whose dashboard port does not listen", () => {
    const down = evaluate("TOPO-02", "cp2", { facts: { cp2: (f) => void (f.containers = ["api7-ee-dashboard"]) } });
    expect(down.status).toBe("failed");
    expect(down.message).toMatch(/DP Manager is not running \(no running container api7-ee-dp-manager, no process matching "api7-dp-manager"\)/);
    const deaf = evaluate("TOPO-02", "cp1", { facts: { cp1: (f) => void (f.listeners = f.listeners.filter((l) => l.port !== 7080)) } });
    expect(deaf.status).toBe("failed");
    expect(deaf.message).toMatch(/nothing listens on API7 Dashboard's port 7080/);
  });

  it("TOPO-02 recognises a component by its process when it does not run in a container", () => {
    const outcome = evaluate("TOPO-02", "cp1", {
      facts: { cp1: (f) => void ((f.containers = ["api7-ee-dashboard"]), f.processes.push("/usr/local/bin/api7-dp-manager -c /etc/dpm.yaml")) },
    });
    expect(outcome.status).toBe("passed");
    expect(outcome.message).toContain('DP Manager: process matching "api7-dp-manager"');
  });

  it("TOPO-02 is broken when the listener list could not be read", () => {
    const outcome = evaluate("TOPO-02", "cp1", { facts: { cp1: (f) => void ((f.listeners = []), (f.problems["ss-listen"] = "ss: command not found")) } });
    expect(outcome.status).toBe("broken");
  });

  it("TOPO-03 fails a DP host without the gateway", () => {
    const outcome = evaluate("TOPO-03", "dp1", { facts: { dp1: (f) => void ((f.containers = []), (f.listeners = [listener(22)])) } });
    expect(outcome.status).toBe("failed");
    expect(outcome.message).toMatch(/^dp1: API7 Gateway is not running .*nothing listens on API7 Gateway's port 9080, 9443.*S3\.5/);
  });

  it("TOPO-04 fails a gateway on a CP host and a dashboard on a DP host", () => {
    const gatewayOnCp = evaluate("TOPO-04", "cp1", { facts: { cp1: (f) => void f.containers.push("api7-ee-gateway") } });
    expect(gatewayOnCp.status).toBe("failed");
    expect(gatewayOnCp.message).toMatch(/cp1: API7 Gateway runs \(container api7-ee-gateway\) on a control-plane host/);
    const dashboardOnDp = evaluate("TOPO-04", "dp2", { facts: { dp2: (f) => void f.containers.push("api7-ee-dashboard") } });
    expect(dashboardOnDp.status).toBe("failed");
    expect(dashboardOnDp.message).toContain("API7 Dashboard runs");
  });

  it("TOPO-04 fails a host declared with both roles", () => {
    const env = environment((input) => void (input.hosts[0]!.roles = ["cp", "dp"]));
    expect(evaluate("TOPO-04", "cp1", { env }).message).toMatch(/declared with both roles/);
  });
});

describe("hardware", () => {
  it("HW-01 fails a non-x86_64 host and is broken without the fact", () => {
    const arm = evaluate("HW-01", "dp1", { facts: { dp1: (f) => void (f.arch = "aarch64") } });
    expect(arm).toMatchObject({ status: "failed", actual: "aarch64" });
    expect(arm.message).toBe("dp1: architecture aarch64, the page requires x86_64 (S3.1)");
    const unknown = evaluate("HW-01", "dp1", { facts: { dp1: (f) => void ((f.arch = null), (f.problems["uname-m"] = "exit 127")) } });
    expect(unknown.status).toBe("broken");
    expect(unknown.message).toContain("uname-m: exit 127");
  });

  it("HW-02 fails 1 usable CPU even when 2 are online (cpuset)", () => {
    const outcome = evaluate("HW-02", "dp1", { facts: { dp1: (f) => void (f.cpu = { usable: 1, online: 2 }) } });
    expect(outcome.status).toBe("failed");
    expect(outcome.message).toMatch(/^dp1: 1 usable CPU of 2 online; CPU affinity or a cpuset leaves only 1 .*requires 2 cores \(S3\.2\)/);
  });

  it("HW-03 fails a 3 GiB cgroup limit on a 4 GiB machine", () => {
    const outcome = evaluate("HW-03", "dp2", { facts: { dp2: (f) => void (f.memory!.cgroupLimitBytes = 3 * GIB) } });
    expect(outcome.status).toBe("failed");
    expect(outcome.message).toMatch(/^dp2: cgroup memory limit 3\.0 GiB, the page requires 4G \(S3\.3\)/);
  });

  it("HW-03 decides from online memory, else from MemTotal with the stated tolerance", () => {
    const small = evaluate("HW-03", "dp2", { facts: { dp2: (f) => void (f.memory = { memTotalBytes: 2.8 * GIB, onlineBytes: 3 * GIB, cgroupLimitBytes: null }) } });
    expect(small.status).toBe("failed");
    expect(small.message).toMatch(/^dp2: 3\.0 GiB RAM \(online\), the page requires 4G \(S3\.3\) \(rule: installed\/online memory >= 4 GiB/);
    const tolerated = evaluate("HW-03", "dp2", { facts: { dp2: (f) => void (f.memory = { memTotalBytes: 3.7 * GIB, onlineBytes: null, cgroupLimitBytes: null }) } });
    expect(tolerated.status).toBe("passed");
    expect(tolerated.message).toContain("rule: MemTotal >= 3.5 GiB");
    const tooSmall = evaluate("HW-03", "dp2", { facts: { dp2: (f) => void (f.memory = { memTotalBytes: 2.9 * GIB, onlineBytes: null, cgroupLimitBytes: null }) } });
    expect(tooSmall.status).toBe("failed");
    expect(tooSmall.message).toContain("2.9 GiB RAM (MemTotal)");
  });

  it("HW-04 fails 10 GB free on Docker's data root", () => {
    const outcome = evaluate("HW-04", "dp1", { facts: { dp1: (f) => void (f.filesystems[0]!.availBytes = 10e9) } });
    expect(outcome.status).toBe("failed");
    expect(outcome.message).toMatch(/^dp1: 10\.0 GB available on \/var\/lib\/docker .*requires 80 GB free \(S3\.4\)/);
  });

  it("HW-04 checks / when it is another filesystem, unless policy.diskCheckRoot is false", () => {
    const smallRoot = { dp1: (f: HostFacts) => void (f.filesystems[1]!.availBytes = 20e9) };
    expect(evaluate("HW-04", "dp1", { facts: smallRoot }).status).toBe("failed");
    const env = environment((input) => void (input.policy = { diskCheckRoot: false }));
    const relaxed = evaluate("HW-04", "dp1", { env, facts: smallRoot });
    expect(relaxed.status).toBe("passed");
    expect(relaxed.message).toContain("policy.diskCheckRoot: false");
  });

  it("HW-04 checks one filesystem when the data root lives on /", () => {
    const outcome = evaluate("HW-04", "dp1", {
      facts: {
        dp1: (f) =>
          void (f.filesystems = [
            { path: "/var/lib/docker", source: "/dev/sda1", fstype: "xfs", mountpoint: "/", sizeBytes: 100e9, availBytes: 85e9 },
            { path: "/", source: "/dev/sda1", fstype: "xfs", mountpoint: "/", sizeBytes: 100e9, availBytes: 85e9 },
          ]),
      },
    });
    expect(outcome.status).toBe("passed");
    expect(outcome.actual).not.toContain("/: ");
  });
});

describe("software", () => {
  const centos = (minor: number) => (f: HostFacts) =>
    void (f.os = { ...f.os!, minor, releaseLine: `CentOS Linux release 7.${minor}.1511 (Core)` });

  it("CentOS 7.2 fails SW-02 (MUST) and SW-01", () => {
    const sw02 = evaluate("SW-02", "cp1", { facts: { cp1: centos(2) } });
    expect(sw02.status).toBe("failed");
    expect(sw02.message).toMatch(/^cp1: CentOS 7\.2 .*the page knows CentOS 7\.2 or earlier to be incompatible \(S4\.1\)/);
    expect(evaluate("SW-01", "cp1", { facts: { cp1: centos(2) } }).status).toBe("failed");
  });

  it("CentOS 7.4 fails SW-01 (SHOULD) but passes SW-02", () => {
    const sw01 = evaluate("SW-01", "cp1", { facts: { cp1: centos(4) } });
    expect(sw01.status).toBe("failed");
    expect(sw01.message).toMatch(/^cp1: CentOS 7\.4 \(.*\); the page recommends CentOS 7\.6 or later \(S4\.1\)$/);
    expect(evaluate("SW-02", "cp1", { facts: { cp1: centos(4) } }).status).toBe("passed");
  });

  it("another distribution: SW-01 follows policy.osAllowed, SW-02 passes with a note", () => {
    const ubuntu = (f: HostFacts) =>
      void (f.os = { id: "ubuntu", prettyName: "Ubuntu 22.04.4 LTS", family: "other", major: 22, minor: 4, releaseLine: null });
    const sw01 = evaluate("SW-01", "cp1", { facts: { cp1: ubuntu } });
    expect(sw01.status).toBe("failed");
    expect(sw01.message).toContain("not CentOS and not in the environment's policy.osAllowed");
    expect(evaluate("SW-02", "cp1", { facts: { cp1: ubuntu } }).message).toContain("does not apply");
    const rocky = (f: HostFacts) =>
      void (f.os = { id: "rocky", prettyName: "Rocky Linux 9.3 (Blue Onyx)", family: "rhel-compatible", major: 9, minor: 3, releaseLine: null });
    expect(evaluate("SW-01", "cp1", { facts: { cp1: rocky } }).status).toBe("passed");
    const oldRhel = (f: HostFacts) =>
      void (f.os = { id: "rhel", prettyName: "Red Hat Enterprise Linux Server 7.4", family: "rhel-compatible", major: 7, minor: 4, releaseLine: null });
    expect(evaluate("SW-01", "cp1", { facts: { cp1: oldRhel } }).message).toContain("older than 7.6 (policy.osAllowed: rhel >= 7.6)");
  });

  it("kernel 3.10.0-327.36.3.el7 (an update of the 7.2 kernel) fails SW-04 and SW-03", () => {
    const kernel = { cp2: (f: HostFacts) => void (f.kernelRelease = "3.10.0-327.36.3.el7.x86_64") };
    const sw04 = evaluate("SW-04", "cp2", { facts: kernel });
    expect(sw04.status).toBe("failed");
    expect(sw04.message).toContain("build 3.10.0-327");
    expect(sw04.message).toContain("kernel releases");
    expect(evaluate("SW-03", "cp2", { facts: kernel }).status).toBe("failed");
  });

  it("kernel 3.10.0-693 fails SW-03 only; 4.18 and 5.14 kernels count as newer", () => {
    const at = (release: string) => ({ cp2: (f: HostFacts) => void (f.kernelRelease = release) });
    const sw03 = evaluate("SW-03", "cp2", { facts: at("3.10.0-693.el7.x86_64") });
    expect(sw03.status).toBe("failed");
    expect(sw03.message).toMatch(/older than the page's recommended 3\.10\.0-927.*"Docker".*kernel releases/);
    expect(evaluate("SW-04", "cp2", { facts: at("3.10.0-693.el7.x86_64") }).status).toBe("passed");
    for (const release of ["4.18.0-513.5.1.el8_9.x86_64", "5.14.0-362.8.1.el9_3.x86_64"]) {
      expect(evaluate("SW-03", "cp2", { facts: at(release) }).status).toBe("passed");
      expect(evaluate("SW-04", "cp2", { facts: at(release) }).status).toBe("passed");
    }
  });

  it("SW-05 fails when the Docker daemon is down or older than the minimum", () => {
    const down = evaluate("SW-05", "dp1", {
      facts: { dp1: (f) => void ((f.docker = { state: "daemon-down", clientVersion: "24.0.7", serverVersion: null, rootDir: null }), (f.containers = [])) },
    });
    expect(down.status).toBe("failed");
    expect(down.message).toMatch(/^dp1: Docker client 24\.0\.7, daemon not answering/);
    const old = evaluate("SW-05", "dp1", { facts: { dp1: (f) => void (f.docker.serverVersion = "1.13.1") } });
    expect(old.status).toBe("failed");
    expect(old.message).toContain("older than the minimum 20.10.7, the vendor's earlier HA page");
    const custom = evaluate("SW-05", "dp1", { env: environment((input) => void (input.policy = { dockerMinVersion: "25.0" })) });
    expect(custom.status).toBe("failed");
    expect(custom.message).toContain("this environment's policy.dockerMinVersion");
  });
});

describe("security", () => {
  it("SEC-01 fails SELinux disabled, and a running mode that differs from the config", () => {
    const disabled = evaluate("SEC-01", "dp1", { facts: { dp1: (f) => void (f.selinux = { runtime: "disabled", config: "disabled" }) } });
    expect(disabled.status).toBe("failed");
    expect(disabled.message).toContain("SELinux runs disabled, the environment requires enforcing");
    const mismatch = evaluate("SEC-01", "dp1", { facts: { dp1: (f) => void (f.selinux = { runtime: "enforcing", config: "permissive" }) } });
    expect(mismatch.status).toBe("failed");
    expect(mismatch.message).toContain("/etc/selinux/config says SELINUX=permissive while SELinux runs enforcing");
    const absent = evaluate("SEC-01", "dp1", { facts: { dp1: (f) => void (f.selinux = { runtime: null, config: null }) } });
    expect(absent.status).toBe("failed");
    expect(absent.message).toContain("SELinux is not available");
  });

  it("SEC-01 follows policy.selinuxMode", () => {
    const env = environment((input) => void (input.policy = { selinuxMode: "permissive" }));
    const permissive = { dp1: (f: HostFacts) => void (f.selinux = { runtime: "permissive", config: "permissive" }) };
    expect(evaluate("SEC-01", "dp1", { env, facts: permissive }).status).toBe("passed");
    expect(evaluate("SEC-01", "dp1", { env }).status).toBe("failed");
  });

  it("SEC-02 fails a stopped firewall, a default-accept policy and a runtime-only rule set", () => {
    const off = evaluate("SEC-02", "cp2", {
      facts: { cp2: (f) => void (f.firewall = { tool: null, active: false, defaultDenyInbound: false, persistentMatchesRuntime: null, detail: "no firewall running" }) },
    });
    expect(off.status).toBe("failed");
    expect(off.message).toContain("no active host firewall");
    const accept = evaluate("SEC-02", "cp2", { facts: { cp2: (f) => void (f.firewall!.defaultDenyInbound = false) } });
    expect(accept.message).toContain("firewalld accepts inbound traffic by default");
    const drift = evaluate("SEC-02", "cp2", { facts: { cp2: (f) => void (f.firewall!.persistentMatchesRuntime = false) } });
    expect(drift.status).toBe("failed");
    expect(drift.message).toContain("differs from the running rules");
    expect(drift.evidence).toEqual(["firewalld-state", "firewalld-runtime", "firewalld-permanent"]);
    const unknown = evaluate("SEC-02", "cp2", { facts: { cp2: (f) => void ((f.firewall = null), (f.problems["nft-ruleset"] = "permission denied")) } });
    expect(unknown.status).toBe("broken");
    expect(unknown.message).toContain("nft-ruleset: permission denied");
  });
});

describe("targets without facts", () => {
  it("is broken for an endpoint target or a host without facts", () => {
    expect(evaluate("HW-01", "@database").status).toBe("broken");
    expect(evaluate("HW-01", "dp1", { unreachable: ["dp1"] }).status).toBe("broken");
  });
});
