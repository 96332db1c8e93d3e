// buildHostFacts and the runner's probe targets (hostListeners, hostForwardedPorts,
// hostIpv6Address) at the edges build.test.ts leaves loose: which sections are read when, what a
// section that is there but unusable leaves in `problems`, and the order of the filesystems. The base is a saved collection of a lab host (CentOS 7.9, firewalld, Docker client
// with its daemon down); a test swaps or edits one section of it and says so.
import { describe, expect, it } from "vitest";
import { resolveFact } from "../../../helpers/checks/facts.js";
import { buildHostFacts, hostForwardedPorts, hostIpv6Address, hostListeners } from "../../../helpers/facts/build.js";
import { parseDockerVersion } from "../../../helpers/facts/parsers/docker.js";
import { parseMachineId } from "../../../helpers/facts/parsers/machine-id.js";
import { parseMemoryBlocks } from "../../../helpers/facts/parsers/memory.js";
import { sectionProblem } from "../../../helpers/facts/parsers/result.js";
import { splitSections } from "../../../helpers/facts/script.js";
import type { CommandOutput } from "../../../helpers/model.js";
import { capturedFirewall, fixture, fixtureText } from "./fixtures.js";

const lab = (): CommandOutput[] => splitSections(fixtureText("collection/lab-firewalld-host"));
const section = (sections: CommandOutput[], name: string): CommandOutput => {
  const found = sections.find((s) => s.section === name);
  if (!found) throw new Error(`no section ${name}`);
  return found;
};
/** The sections with `name` replaced (or dropped when `replacement` is null). */
const withSection = (sections: CommandOutput[], name: string, replacement: CommandOutput | null): CommandOutput[] =>
  sections.flatMap((s) => (s.section !== name ? [s] : replacement === null ? [] : [replacement]));

describe("buildHostFacts: a section that ran but cannot be read", () => {
  it("the saved lab collection reads without problems (the base of the tests below)", () => {
    const facts = buildHostFacts("cp1", lab());
    expect(facts.problems).toStrictEqual({});
    expect(facts.machineId).toBe("fa0f0116d36ae7a36b5f151c13c5a68f");
    expect(facts.docker).toEqual({ state: "daemon-down", clientVersion: "20.10.24+dfsg1", serverVersion: null, rootDir: null });
  });

  it("leaves the fact null and records the parser's problem", () => {
    // The captured empty /etc/machine-id in place of the lab host's, read with exit 0.
    const sections = lab();
    const empty = { ...section(sections, "machine-id"), stdout: fixtureText("machine-id/empty") };
    const facts = buildHostFacts("cp1", withSection(sections, "machine-id", empty));
    expect(facts.machineId).toBeNull();
    const expected = parseMachineId(empty.stdout);
    expect(expected.ok).toBe(false);
    expect(facts.problems).toEqual({ "machine-id": expected.ok ? "" : expected.problem });
  });

  it("no sections: every list is empty", () => {
    const facts = buildHostFacts("ghost", []);
    expect(facts).toMatchObject({ filesystems: [], listeners: [], processes: [], containers: [] });
  });
});

describe("the onlineMemoryBytes fact: lsmem, else the memory blocks (one parse path: buildHostFacts keeps MemTotal only)", () => {
  const blocksNoneOnline = (sections: CommandOutput[]) => {
    // Edit of the lab host's memory-blocks: no block online.
    const blocks = section(sections, "memory-blocks");
    return { ...blocks, stdout: blocks.stdout.replace("blocks_online 192", "blocks_online 0") };
  };
  const onlineMemory = (sections: CommandOutput[]) =>
    resolveFact("onlineMemoryBytes", { facts: buildHostFacts("cp1", sections), section: (name) => sections.find((s) => s.section === name) });

  it("with lsmem the blocks are not needed (an unreadable block summary changes nothing)", () => {
    const sections = lab();
    const fact = onlineMemory(withSection(sections, "memory-blocks", blocksNoneOnline(sections)));
    expect(fact).toMatchObject({ observed: true, value: 25769803776, sources: ["lsmem"] });
  });

  it("without lsmem the blocks give it", () => {
    const sections = withSection(lab(), "lsmem", null);
    const blocks = parseMemoryBlocks(section(sections, "memory-blocks").stdout);
    expect(blocks.ok).toBe(true);
    expect(onlineMemory(sections)).toMatchObject({ observed: true, value: blocks.ok ? blocks.value.onlineBytes : "not ok", sources: ["memory-blocks"] });
  });

  it("without lsmem and with unreadable blocks it is missing, with the blocks' problem", () => {
    const sections = lab();
    const fact = onlineMemory(withSection(withSection(sections, "lsmem", null), "memory-blocks", blocksNoneOnline(sections)));
    expect(fact.observed).toBe(false);
    expect(fact.observed ? "" : fact.reason).toMatch(/memory-blocks: /);
  });

  it("buildHostFacts reads neither lsmem, the blocks nor the cgroup limit", () => {
    const facts = buildHostFacts("cp1", lab());
    expect(facts.memory).toEqual({ memTotalBytes: expect.any(Number) });
  });
});

describe("buildHostFacts: a docker-version section that cannot be trusted", () => {
  it.each<[string, (s: CommandOutput) => CommandOutput]>([
    ["cut off", (s) => ({ ...s, exitCode: null })],
    ["timed out", (s) => ({ ...s, exitCode: 124, timedOut: true })],
  ])("%s: daemon down, no client version, the section's problem recorded", (_name, edit) => {
    const sections = lab();
    const version = edit(section(sections, "docker-version"));
    const facts = buildHostFacts("cp1", withSection(sections, "docker-version", version));
    expect(facts.docker).toEqual({ state: "daemon-down", clientVersion: null, serverVersion: null, rootDir: null });
    expect(facts.problems).toEqual({ "docker-version": sectionProblem(version) });
  });

  it("missing: the same, with the missing-section problem", () => {
    const facts = buildHostFacts("cp1", withSection(lab(), "docker-version", null));
    expect(facts.docker).toEqual({ state: "daemon-down", clientVersion: null, serverVersion: null, rootDir: null });
    expect(facts.problems).toEqual({ "docker-version": sectionProblem(undefined) });
  });

  it("exit 0 with no version in it: the parser's problem, and the data root is not asked", () => {
    // Edits: the running capture's section with plain text for stdout; a readable docker-root beside it.
    const version: CommandOutput = { ...fixture("docker/version-running", "docker-version"), stdout: "Docker version 20.10.24, build 297e128\n" };
    const root: CommandOutput = { ...section(lab(), "docker-root"), exitCode: 0, stdout: fixtureText("docker/root-default"), stderr: "" };
    const sections = withSection(withSection(lab(), "docker-version", version), "docker-root", root);
    const facts = buildHostFacts("cp1", sections);
    expect(facts.docker).toEqual({ state: "daemon-down", clientVersion: null, serverVersion: null, rootDir: null });
    const expected = parseDockerVersion(version);
    expect(facts.problems).toEqual({ "docker-version": expected.ok ? "" : expected.problem });
  });
});

describe("buildHostFacts: filesystems in the order the checks read them", () => {
  it("Docker's root unknown (daemon down): \"/\" first, then what else df reported", () => {
    // The captured df of a host with /var/lib/docker on the root filesystem, in place of the lab
    // host's (df lists the paths in the order it was asked: the Docker root, then "/").
    const sections = lab();
    const df = { ...section(sections, "df"), stdout: fixtureText("disk/df-docker-root-same-fs") };
    const facts = buildHostFacts("cp1", withSection(sections, "df", df));
    expect(facts.filesystems.map((fs) => fs.path)).toEqual(["/", "/var/lib/docker"]);
  });
});

describe("hostIpv6Address", () => {
  const sections = () => capturedFirewall("nftables");
  const ipv6 = (all: CommandOutput[]) => section(all, "ipv6-addresses");

  it("the first global address of the ipv6-addresses section", () => expect(hostIpv6Address(sections())).toBe("fd7a:4676:116b:1::e"));

  it.each<[string, (s: CommandOutput) => CommandOutput | null]>([
    ["missing", () => null],
    ["cut off", (s) => ({ ...s, exitCode: null })],
    ["failed", (s) => ({ ...s, exitCode: 1 })],
    ["no global address", (s) => ({ ...s, stdout: "" })],
    ["unreadable", (s) => ({ ...s, stdout: fixtureText("disk/df-docker-root-same-fs") })],
  ])("%s: null", (_name, edit) => {
    const all = sections();
    expect(hostIpv6Address(withSection(all, "ipv6-addresses", edit(ipv6(all))))).toBeNull();
  });
});

describe("hostListeners", () => {
  it("the sockets of the ss-listen section, as the facts list them", () => {
    const listeners = hostListeners(lab());
    expect(listeners.map((l) => `${l.protocol} ${l.address}:${l.port}`)).toEqual([
      "udp 127.0.0.11:48584",
      "tcp 0.0.0.0:22",
      "tcp 0.0.0.0:7080",
      "tcp 127.0.0.11:39927",
      "tcp 0.0.0.0:7900",
      "tcp :::22",
    ]);
    expect(listeners).toEqual(buildHostFacts("cp1", lab()).listeners);
  });

  it.each<[string, (s: CommandOutput) => CommandOutput | null]>([
    ["missing", () => null],
    ["failed", (s) => ({ ...s, exitCode: 1, stdout: "" })],
  ])("%s: empty", (_name, edit) => {
    const all = lab();
    expect(hostListeners(withSection(all, "ss-listen", edit(section(all, "ss-listen"))))).toEqual([]);
  });
});

describe("hostForwardedPorts", () => {
  it("an nft redirect on the prerouting path", () =>
    expect(hostForwardedPorts(capturedFirewall("nftables-nat-redirect")).map((f) => [f.protocol, f.ports])).toEqual([["tcp", [8888, 8888]]]));

  it("Docker's DNAT in iptables -t nat", () =>
    expect(hostForwardedPorts(capturedFirewall("iptables-services-chains-docker-nat")).map((f) => [f.protocol, f.ports])).toEqual([["tcp", [8080, 8080]]]));

  it("a NAT listing that failed (nft without root): empty, as no port is known", () => {
    const sections = splitSections(fixtureText("collection/debian12-container-1cpu-3g"));
    expect(buildHostFacts("dp1", sections).problems.forwardedPorts).toMatch(/^nft-ruleset: exit 1/);
    expect(hostForwardedPorts(sections)).toEqual([]);
  });
});
