// Focused test for how helpers/checks/network-witness.ts words each witness probe, on probe results
// of the captured compliant lab run (tests/fixtures/runs/lab): a timeout (cp2), an ICMP error and an
// accepted connection (cp1 over IPv4), a reset (cp1 over IPv6).
import { expect, it } from "vitest";
import { readWitness } from "../../../helpers/checks/network-witness.js";
import type { FamilyFirewall } from "../../../helpers/facts/types.js";
import type { TcpProbeResult } from "../../../helpers/probes/types.js";
import { labRun } from "../../support/lab-run.js";

const result = (key: string) => labRun.probes.find((p) => p.key === key)!.result as TcpProbeResult;
const denying: FamilyFirewall = { tool: "nftables", defaultDenyInbound: true, persistentMatchesRuntime: true, detail: "policy drop", openings: [], denyAnswer: "silence" };

it("each witness probe in words: dropped, rejected, accepted, reset", () => {
  const reading = readWitness({
    family: "ipv4",
    address: "192.0.2.1",
    config: denying,
    probes: [
      { port: 4, tcp: result("tcp:cp2:4") },
      { port: 6, tcp: result("tcp:cp1:6") },
      { port: 8, tcp: result("tcp:cp1:22") },
      { port: 10, tcp: result("tcp:cp1@ipv6:7080") },
    ],
    others: [result("tcp:cp1:22")],
    trustedSources: [],
  });
  expect(reading.text).toBe(
    "192.0.2.1:4 no answer (dropped) in 1007 ms, 192.0.2.1:6 EHOSTUNREACH (rejected) in 81 ms, 192.0.2.1:8 connection accepted in 81 ms, 192.0.2.1:10 reset (ECONNREFUSED) in 102 ms",
  );
  expect(reading).toMatchObject({ outcome: "contradicts", answeredPort: 8 });
});
