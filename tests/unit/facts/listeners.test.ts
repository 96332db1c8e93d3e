import { describe, expect, it } from "vitest";
import { parseListeners, splitLocalAddress } from "../../../helpers/facts/parsers/listeners.js";
import { PUBLISHED_SOURCE, fixtureSource, fixtureText } from "./fixtures.js";

const expected = [
  { protocol: "tcp", address: "0.0.0.0", port: 22, process: "python3" },
  { protocol: "tcp", address: "127.0.0.53%lo", port: 53, process: "python3" },
  { protocol: "tcp", address: "127.0.0.1", port: 7085, process: "haproxy" },
  { protocol: "tcp", address: "0.0.0.0", port: 9080, process: "haproxy" },
  { protocol: "tcp", address: "::", port: 22, process: "python3" },
  { protocol: "tcp", address: "*", port: 80, process: "python3" },
  { protocol: "tcp", address: "::1", port: 5432, process: "python3" },
  { protocol: "tcp", address: "::", port: 9443, process: "haproxy" },
];

describe("ss -Htlnp", () => {
  it("IPv4, IPv6, dual-stack *, %lo scope, users:((...))", () =>
    expect(parseListeners(fixtureText("listeners/ss-mixed-netns"))).toEqual({ ok: true, value: expected }));

  it("ss without -H: the header line is skipped", () =>
    expect(parseListeners(fixtureText("listeners/ss-with-header-netns"))).toEqual({ ok: true, value: expected }));

  it("old iproute2 unbracketed IPv6 and a listener without process", () => {
    expect(splitLocalAddress(":::22")).toEqual({ address: "::", port: 22 });
    expect(parseListeners("LISTEN     0      128         :::22                      :::*\n")).toEqual({
      ok: true,
      value: [{ protocol: "tcp", address: "::", port: 22, process: null }],
    });
  });
});

describe("ss -Htulnp (TCP and UDP, Netid column)", () => {
  it("captured from a lab host: Docker's DNS on UDP and TCP, sshd dual-stack, the gateway", () => {
    const result = parseListeners(fixtureText("listeners/firewalld-stock"));
    if (!result.ok) throw new Error(result.problem);
    expect(result.value.find((l) => l.protocol === "udp")).toMatchObject({ address: "127.0.0.11", process: null });
    expect(result.value.filter((l) => l.protocol === "tcp").map((l) => `${l.address}:${l.port}`)).toEqual(
      expect.arrayContaining(["0.0.0.0:22", ":::22", "0.0.0.0:9080", "0.0.0.0:9443"]),
    );
  });

  it("a UDP socket bound to every address is a listener (state UNCONN)", () =>
    expect(parseListeners('udp UNCONN 0 0 0.0.0.0:68 0.0.0.0:* users:(("dhclient",pid=712,fd=6))\n')).toEqual({
      ok: true,
      value: [{ protocol: "udp", address: "0.0.0.0", port: 68, process: "dhclient" }],
    }));

  it("a TCP socket in another state is not a listener line", () =>
    expect(parseListeners("tcp ESTAB 0 0 10.0.0.2:22 10.0.0.1:5555\n").ok).toBe(false));
});


describe("real CentOS 7 outputs from public sources (listeners/el7, each with a .source naming where it was published)", () => {
  const EL7 = "listeners/el7/ss-tunlp-iproute-4.11-centos-7.8";

  it("names its source", () => expect(fixtureSource(EL7)).toMatch(PUBLISHED_SOURCE));

  it("iproute 4.11 (CentOS 7.8) ss -tunlp: header skipped, * wildcard, UDP without process, trailing spaces", () => {
    const result = parseListeners(fixtureText(EL7));
    if (!result.ok) throw new Error(result.problem);
    expect(result.value).toHaveLength(16);
    expect(result.value.filter((l) => l.protocol === "udp")).toHaveLength(9);
    expect(result.value).toContainEqual({ protocol: "udp", address: "127.0.0.1", port: 323, process: "chronyd" });
    expect(result.value).toContainEqual({ protocol: "udp", address: "*", port: 2049, process: null });
    expect(result.value).toContainEqual({ protocol: "tcp", address: "*", port: 22, process: "sshd" });
    expect(result.value).toContainEqual({ protocol: "tcp", address: "127.0.0.1", port: 25, process: "master" });
    expect(result.value.at(-1)).toEqual({ protocol: "tcp", address: "*", port: 33279, process: null });
  });
});
