import { describe, expect, it } from "vitest";
import { buildHostFacts } from "../../../helpers/facts/build.js";
import { splitSections } from "../../../helpers/facts/script.js";
import type { CommandOutput } from "../../../helpers/model.js";
import { fixture, fixtureText } from "./fixtures.js";

describe("buildHostFacts on a saved collection (Debian 12 container, 1 CPU via cpuset, 3 GiB limit, no Docker)", () => {
  // Built inside each test: work done while vitest collects the tests escapes mutation testing's
  // per-test coverage (every mutant it reaches would then need the whole suite).
  const facts = () => buildHostFacts("dp1", splitSections(fixtureText("collection/debian12-container-1cpu-3g")));

  it("decides from the sections", () => {
    expect(facts()).toMatchObject({
      host: "dp1",
      arch: "x86_64",
      cpu: { usable: 1, online: 2 },
      memory: { memTotalBytes: 24684092 * 1024 },
      filesystems: [{ path: "/", fstype: "overlay" }],
      os: { id: "debian", family: "other", major: 12, minor: null },
      kernelRelease: "6.18.44-fc-v657",
      docker: { state: "not-installed", clientVersion: null, serverVersion: null, rootDir: null },
      selinux: { config: null },
      firewall: { tool: null, active: false, defaultDenyInbound: false },
      listeners: [],
      machineId: null,
      processes: ["bash -s"],
      containers: [],
    });
  });

  // Collected without root: nft cannot list the ruleset, so the ports the host forwards are unknown.
  it("says why a fact is missing", () =>
    expect(facts().problems).toEqual({
      "machine-id": "exit 1: cat: /etc/machine-id: No such file or directory",
      forwardedPorts: "nft-ruleset: exit 1: Operation not permitted (you must be root)",
    }));
});

describe("buildHostFacts from individual fixtures", () => {
  const ok = (section: string, stdout: string): CommandOutput => ({ section, command: section, exitCode: 0, stdout, stderr: "", durationMs: 1 });

  it("CentOS 7.9 with SELinux, firewalld and Docker", () => {
    const facts = buildHostFacts("cp1", [
      ok("uname-m", "x86_64\n"),
      ok("nproc", "4\n"),
      ok("meminfo", fixtureText("memory/meminfo-4gib-vm")),
      ok("os-release", fixtureText("os/centos-7.9/os-release")),
      ok("centos-release", fixtureText("os/centos-7.9/centos-release")),
      ok("redhat-release", fixtureText("os/centos-7.9/redhat-release")),
      ok("uname-r", fixtureText("kernel/3.10.0-1160.el7.x86_64")),
      fixture("docker/version-running", "docker-version"),
      ok("docker-root", "/var/lib/docker\n"),
      ok("df", fixtureText("disk/df-docker-root-own-tmpfs").replace(/docker-fixture/g, "docker")),
      ok("getenforce", fixtureText("selinux/getenforce-enforcing")),
      ok("selinux-config", fixtureText("selinux/config-rhel8-enforcing")),
      // A lab host's firewalld whose eth0 is in the default zone by ZONE= in its ifcfg file.
      fixture("firewall/firewalld-stock-ifcfg-zone/firewalld-state", "firewalld-state"),
      fixture("firewall/firewalld-stock-ifcfg-zone/firewalld-runtime", "firewalld-runtime"),
      fixture("firewall/firewalld-stock-ifcfg-zone/firewalld-permanent", "firewalld-permanent"),
      fixture("firewall/firewalld-stock-ifcfg-zone/firewalld-default-zone", "firewalld-default-zone"),
      fixture("firewall/firewalld-stock-ifcfg-zone/network-interfaces", "network-interfaces"),
      fixture("firewall/firewalld-stock-ifcfg-zone/zone-bindings", "zone-bindings"),
      ok("ss-listen", fixtureText("listeners/ss-mixed-netns")),
      ok("machine-id", fixtureText("machine-id/debian12")),
      ok("processes", fixtureText("processes/pidns-haproxy")),
      ok("docker-ps", "api7-ee-gateway\n"),
    ]);
    expect(facts).toMatchObject({
      cpu: { usable: 4, online: null },
      memory: { memTotalBytes: 3880404 * 1024 },
      os: { id: "centos", family: "centos", major: 7, minor: 9 },
      kernelRelease: "3.10.0-1160.el7.x86_64",
      docker: { state: "running", serverVersion: "20.10.24+dfsg1", rootDir: "/var/lib/docker" },
      filesystems: [{ path: "/var/lib/docker", availBytes: 107374182400 }, { path: "/" }],
      selinux: { config: "enforcing" },
      firewall: { tool: "firewalld", active: true, defaultDenyInbound: true, persistentMatchesRuntime: true },
      containers: ["api7-ee-gateway"],
    });
    expect(facts.listeners).toHaveLength(8);
    // Sections absent from this hand-assembled list are reported, not guessed (no NAT listing:
    // the forwarded ports are unknown).
    expect(Object.keys(facts.problems).sort()).toEqual(["cpu-online", "forwardedPorts"]);
  });

  it("no sections at all: nulls and problems, never a throw", () => {
    const facts = buildHostFacts("ghost", []);
    expect(facts).toMatchObject({ arch: null, cpu: null, memory: null, os: null, kernelRelease: null, firewall: null, machineId: null });
    expect(facts.docker.state).toBe("daemon-down");
    expect(Object.keys(facts.problems)).toEqual(
      expect.arrayContaining(["uname-m", "nproc", "meminfo", "os", "uname-r", "docker-version", "firewall", "machine-id", "processes"]),
    );
  });
});
