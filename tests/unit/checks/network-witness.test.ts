// SEC-02's network witness (helpers/checks/network-witness.ts): how a port nobody opened answered
// the runner, and when that reading decides, is only recorded, or cannot be had.
import { describe, expect, it } from "vitest";
import { readWitness, witnessAnswer, type WitnessInput } from "../../../helpers/checks/network-witness.js";
import type { FamilyFirewall } from "../../../helpers/facts/types.js";
import type { TcpProbeResult } from "../../../helpers/probes/types.js";

const reset: TcpProbeResult = { state: "closed", ms: 2, error: "ECONNREFUSED" };
const silence: TcpProbeResult = { state: "filtered", ms: 900, error: "timeout" };
const prohibited: TcpProbeResult = { state: "filtered", ms: 3, error: "EHOSTUNREACH" };
const ssh: TcpProbeResult = { state: "open", ms: 1, localAddress: "10.0.0.9" };

const denying: FamilyFirewall = { tool: "nftables", defaultDenyInbound: true, persistentMatchesRuntime: true, detail: "policy drop", openings: [], denyAnswer: "silence" };

const input = (change: Partial<WitnessInput> = {}): WitnessInput => ({
  family: "ipv4",
  address: "10.0.0.5",
  config: denying,
  probes: [4, 6, 8].map((port) => ({ port, tcp: silence })),
  others: [ssh],
  trustedSources: [],
  ...change,
});

describe("how a witness port answered", () => {
  it.each([
    [reset, "answered"],
    [{ ...ssh, localAddress: undefined }, "answered"],
    [silence, "dropped"],
    [prohibited, "rejected"],
    [{ state: "filtered", ms: 3, error: "EACCES" } as TcpProbeResult, "rejected"],
  ] as const)("%o: %s", (tcp, answer) => expect(witnessAnswer(tcp)).toBe(answer));
});

describe("the network's reading", () => {
  it("every port filtered: confirms the deny", () => expect(readWitness(input()).outcome).toBe("confirms"));

  it("one port reset while the configuration denies: contradicts, naming the port", () => {
    const reading = readWitness(input({ probes: [{ port: 4, tcp: silence }, { port: 6, tcp: reset }] }));
    expect(reading).toMatchObject({ outcome: "contradicts", answeredPort: 6 });
    expect(reading.text).toContain("10.0.0.5:6 reset (ECONNREFUSED)");
  });

  it("no other port of the host answered: silence cannot be told from an unreachable host", () =>
    expect(readWitness(input({ others: [silence] })).outcome).toBe("unknown"));

  it("a port inside an opening of the configuration is not counted", () => {
    const opened = { ...denying, openings: [{ protocol: "tcp", ports: [[1, 1024]] as Array<[number, number]>, sources: [], iface: null, rule: "tcp dport 1-1024 accept" }] };
    const reading = readWitness(input({ config: opened, probes: [{ port: 4, tcp: reset }] }));
    expect(reading.outcome).toBe("unknown");
    expect(reading.text).toContain("4 lies in tcp 1-1024 (tcp dport 1-1024 accept)");
  });

  it("the runner inside a declared trusted network: recorded, not deciding", () => {
    const reading = readWitness(input({ probes: [{ port: 4, tcp: reset }], trustedSources: ["10.0.0.0/24"] }));
    expect(reading.outcome).toBe("advisory");
    expect(reading.text).toContain("inside the declared trusted network 10.0.0.0/24");
  });

  it("the runner inside a source the configuration opens every port to: recorded, not deciding", () => {
    const opened = { ...denying, openings: [{ protocol: "any", ports: "any" as const, sources: ["10.0.0.0/28"], iface: null, rule: "ip saddr 10.0.0.0/28 accept" }] };
    expect(readWitness(input({ config: opened, probes: [{ port: 4, tcp: reset }] })).outcome).toBe("advisory");
    expect(readWitness(input({ config: opened, probes: [{ port: 4, tcp: reset }], others: [{ ...ssh, localAddress: "10.0.0.99" }] })).outcome).toBe("contradicts");
  });

  it("a deny that answers with a reset: a reset is consistent, not proof", () => {
    const resetting = { ...denying, denyAnswer: "closed-port" as const };
    expect(readWitness(input({ config: resetting, probes: [{ port: 4, tcp: reset }] })).outcome).toBe("advisory");
    expect(readWitness(input({ config: resetting })).outcome).toBe("confirms");
  });
});
