// Experiment records for the failover unit tests, built like runFaultExperiment builds them.
import { analyseTraffic } from "../../../helpers/failover/analysis.js";
import type { FailoverExperiment, HaRequirement } from "../../../helpers/failover/record.js";
import { environmentSchema, type Environment, type EnvironmentInput } from "../../../helpers/environment/schema.js";
import { historyOf, T0 } from "./history.js";

export function experimentOf(
  requirement: HaRequirement,
  member: string,
  pattern: string,
  overrides: Partial<FailoverExperiment> = {},
): FailoverExperiment {
  const history = historyOf(pattern);
  const faultAt = T0 + 500;
  const rollbackAt = T0 + 500 + 50 * Math.max(0, pattern.length - 20);
  const [pair, components] = requirement.startsWith("HA-DP-01")
    ? (["dp", ["gateway"]] as const)
    : requirement === "HA-CP-01"
      ? (["cp", ["dashboard"]] as const)
      : requirement === "HA-CP-02"
        ? (["cp", ["dpManager"]] as const)
        : (["cp", ["dashboard", "dpManager"]] as const);
  return {
    kind: "failover-experiment",
    id: `${requirement}/${member}/${components.join("+")}`,
    requirement,
    pair,
    pairMembers: pair === "dp" ? ["dp1", "dp2"] : ["cp1", "cp2"],
    member,
    component: components.join("+"),
    components: [...components],
    entrypoint: { name: requirement === "HA-CP-01" ? "dashboard" : requirement === "HA-CP-02" ? "dpManager" : "gateway", url: "http://127.0.0.1:9080/" },
    faultKind: "stop",
    startedAt: new Date(T0).toISOString(),
    faultAt,
    faultError: null,
    confirmation: {
      withinSeconds: 3,
      commandsEndedAt: faultAt + 80,
      downAt: faultAt + 120,
      checks: [{ target: `${member}:${components[0]}:9080`, ok: false, detail: "ECONNREFUSED" }],
      heldUntilRollback: true,
      heldChecks: [{ target: `${member}:${components[0]}:9080`, ok: false, detail: "ECONNREFUSED" }],
    },
    rollbackAt,
    recoveredAt: rollbackAt + 300,
    finishedAt: new Date(T0 + 50 * pattern.length).toISOString(),
    history,
    // One request per 50 ms slot: exactly the 20/s the budgets below ask for.
    traffic: { ratePerSecond: 20, startMs: T0, endMs: T0 + 50 * pattern.length, sent: pattern.length },
    analysis: analyseTraffic(history, { faultMs: faultAt, rollbackMs: rollbackAt }),
    budgets: { errorBudget: 5, rtoSeconds: 5, recoverySeconds: 30, rollbackAfterSeconds: 60, observationSeconds: 8, requestsPerSecond: 20 },
    armedRollbacks: [{ kind: "nohup", component: components[0], pid: 4242 }],
    disarmed: true,
    steadyBefore: { ok: true, at: new Date(T0).toISOString(), checks: [] },
    steadyAfter: { ok: true, at: new Date(T0 + 50 * pattern.length).toISOString(), checks: [] },
    restored: true,
    commands: [],
    ...overrides,
  };
}

export function labEnvironment(overrides: Partial<EnvironmentInput> = {}): Environment {
  const input: EnvironmentInput = {
    name: "unit",
    hosts: [
      { name: "cp1", address: "127.0.0.11", roles: ["cp"] },
      { name: "cp2", address: "127.0.0.12", roles: ["cp"] },
      { name: "dp1", address: "127.0.0.21", roles: ["dp"] },
      { name: "dp2", address: "127.0.0.22", roles: ["dp"] },
    ],
    components: {
      dashboard: { role: "cp", ports: [7080], detect: { container: "api7-ee-dashboard" } },
      dpManager: { role: "cp", ports: [7900], detect: { container: "api7-ee-dp-manager" } },
      gateway: { role: "dp", ports: [9080, 9443], detect: { container: "api7-ee-gateway" } },
    },
    entrypoints: {
      gateway: { url: "http://127.0.0.1:9080/" },
      dashboard: { url: "http://127.0.0.1:7080/" },
      dpManager: { url: "tcp://127.0.0.1:7900" },
    },
    database: { host: "127.0.0.1", database: "api7ee", user: "api7ee", passwordEnv: "API7_AUDIT_PG_PASSWORD" },
    prometheus: { enabled: false },
    failover: { allowDisruption: true },
    ...overrides,
  };
  return environmentSchema.parse(input);
}
