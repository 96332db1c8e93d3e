// Focused tests for SEC-04's port table in specs/checks/ports.ts on the captured compliant lab run
// (tests/fixtures/runs/lab): dp2, whose NAT rules forward ports, every row in port order with its
// IPv4 row before its IPv6 row, and a forwarding rule named only where no process listens; and the
// UDP allow-list SEC-05 reads from the declared extra ports.
import { expect, it } from "vitest";
import { requirementById } from "../../../helpers/checks/catalogue.js";
import { parseAllFacts, verdictFor } from "../../../helpers/evaluate.js";
import { environmentSchema } from "../../../helpers/environment/schema.js";
import { allChecks } from "../../../specs/checks/index.js";
import { allowedPorts } from "../../../specs/checks/ports.js";
import { labEnv, labRun } from "../../support/lab-run.js";

it("SEC-04 on the lab's dp2: the whole table, IPv4 and IPv6 rows of a port together", () => {
  const v = verdictFor(requirementById("SEC-04"), "dp2", allChecks, { env: labEnv, run: labRun, allFacts: parseAllFacts(labRun) });
  expect(v.status).toBe("passed");
  expect(v.actual).toBe(
    [
      "8 ports probed: every listening port, every port the host's NAT rules forward, the table's ports and SEC-02's witness ports, and 8 at the host's IPv6 address",
      "Ports of dp2 probed from the audit runner",
      "| port         | from runner | listener     | verdict                         |",
      "|--------------|-------------|--------------|---------------------------------|",
      "| 4            | filtered    | -            | ok (not reachable)              |",
      "| 4 (IPv6)     | filtered    | -            | ok (not reachable)              |",
      "| 6            | filtered    | -            | ok (not reachable)              |",
      "| 6 (IPv6)     | filtered    | -            | ok (not reachable)              |",
      "| 8            | filtered    | -            | ok (not reachable)              |",
      "| 8 (IPv6)     | filtered    | -            | ok (not reachable)              |",
      "| 22           | open        | sshd         | allowed: management port (S5.3) |",
      "| 22 (IPv6)    | open        | sshd         | allowed: management port (S5.3) |",
      "| 9080         | open        | docker-proxy | allowed: API7 Gateway (S5.2)    |",
      "| 9080 (IPv6)  | closed      | docker-proxy | ok (not reachable)              |",
      "| 9090         | filtered    | -            | ok (not reachable)              |",
      "| 9090 (IPv6)  | filtered    | -            | ok (not reachable)              |",
      "| 9443         | open        | docker-proxy | allowed: API7 Gateway (S5.2)    |",
      "| 9443 (IPv6)  | closed      | docker-proxy | ok (not reachable)              |",
      "| 36885        | filtered    | ?            | ok (not reachable)              |",
      "| 36885 (IPv6) | filtered    | ?            | ok (not reachable)              |",
    ].join("\n"),
  );
});

it("allowedPorts over UDP: only the declared UDP extra ports of the host's roles or of all", () => {
  const input = structuredClone(labEnv) as unknown as Record<string, any>;
  input.policy.extraPorts = [
    { role: "all", port: "123/udp", reason: "NTP" },
    { role: "cp", port: "8125/udp", reason: "statsd" },
    { role: "dp", port: "514/udp", reason: "syslog" },
    { role: "all", port: 9100, reason: "node exporter" },
  ];
  const env = environmentSchema.parse(input);
  const cp1 = env.hosts.find((h) => h.name === "cp1")!;
  expect(allowedPorts(env, cp1, "udp")).toEqual([
    { port: 123, reason: "declared extra port: NTP" },
    { port: 8125, reason: "declared extra port: statsd" },
  ]);
});

it("SEC-04 with a planned probe missing: a port open outside the allow-list is still a finding, and only it is cited", () => {
  // cp1's probe of port 45703 dropped from the lab run, and its witness port 4 given the captured
  // result of its open port 22 (a port nobody should reach, answering).
  const open22 = labRun.probes.find((p) => p.key === "tcp:cp1:22")!.result;
  const run = {
    ...labRun,
    probes: labRun.probes.filter((p) => p.key !== "tcp:cp1:45703").map((p) => (p.key === "tcp:cp1:4" ? { ...p, result: open22 } : p)),
  };
  const v = verdictFor(requirementById("SEC-04"), "cp1", allChecks, { env: labEnv, run, allFacts: parseAllFacts(run) });
  expect(v.status).toBe("failed");
  expect(v.message).toMatch(/^cp1: 4 open from the runner but not in the page's table, the management ports or the declared extra ports \(other probes could not be measured: /);
  expect(v.evidence).toEqual(["tcp:cp1:4"]);
});
