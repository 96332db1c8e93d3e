// The TCP probe's timeout policy (helpers/probes/tcp.ts): derived from the slowest handshake measured
// to an address, bounded by a floor and a ceiling, or fixed by --tcp-timeout.
import { describe, expect, it } from "vitest";
import { RoundTrips, TCP_TIMEOUT_POLICY } from "../../../helpers/probes/tcp.js";

describe("RoundTrips", () => {
  it("uses the initial timeout until a handshake to the address is measured", () => {
    const trips = new RoundTrips();
    trips.record("10.0.0.2", 5);
    expect(trips.attemptTimeoutMs("10.0.0.1")).toBe(TCP_TIMEOUT_POLICY.initialMs);
    expect(trips.rttMs("10.0.0.1")).toBeNull();
  });

  it("never goes below the floor for a LAN round trip", () => {
    const trips = new RoundTrips();
    trips.record("10.0.0.1", 0);
    expect(trips.attemptTimeoutMs("10.0.0.1")).toBe(TCP_TIMEOUT_POLICY.floorMs);
  });

  it("follows the slowest handshake, times the factor, up to the ceiling", () => {
    const trips = new RoundTrips();
    trips.record("10.0.0.1", 80);
    trips.record("10.0.0.1", 40);
    expect(trips.rttMs("10.0.0.1")).toBe(80);
    expect(trips.attemptTimeoutMs("10.0.0.1")).toBe(80 * TCP_TIMEOUT_POLICY.factor);
    trips.record("10.0.0.1", 10_000);
    expect(trips.attemptTimeoutMs("10.0.0.1")).toBe(TCP_TIMEOUT_POLICY.ceilingMs);
  });

  it("a fixed timeout (--tcp-timeout) ignores the round trips", () => {
    const trips = new RoundTrips(2500);
    expect(trips.attemptTimeoutMs("10.0.0.1")).toBe(2500);
    trips.record("10.0.0.1", 1);
    expect(trips.attemptTimeoutMs("10.0.0.1")).toBe(2500);
  });

  it("tells the watchers of an address when its slowest handshake grows, and stops after unwatching", () => {
    const trips = new RoundTrips();
    const seen: string[] = [];
    const unwatch = trips.watch("10.0.0.1", () => seen.push("a"));
    trips.watch("10.0.0.2", () => seen.push("b"));
    trips.record("10.0.0.1", 3);
    trips.record("10.0.0.1", 2);
    unwatch();
    trips.record("10.0.0.1", 9);
    expect(seen).toEqual(["a"]);
  });
});
