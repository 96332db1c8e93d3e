// A small collected run and its verdicts, shared by the matrix and verify tests.
import type { Verdict } from "../../../helpers/model.js";
import type { CollectedRun } from "../../../helpers/run/collected.js";
import type { MatrixRequirement } from "../../../helpers/evidence/matrix.js";

export const catalogue: MatrixRequirement[] = [
  {
    id: "HW-01",
    source: ["S3.1"],
    level: "MUST",
    title: "CPU architecture is x86_64",
    remediation: "Use x86_64 machines.",
    sentence: { zh: "CPU 架构：x86_64", en: "CPU architecture: x86_64" },
  },
  {
    id: "SEC-04",
    source: ["S5.3"],
    level: "MUST",
    title: "Other ports are closed",
    remediation: "Close <everything> else.",
    sentence: { zh: "其他端口应关闭", en: "Other ports should be closed" },
  },
  { id: "DB-02", source: ["S2.2"], level: "INFO", title: "Database HA, recorded", sentence: { zh: "数据库高可用", en: "Database HA" } },
];

export const collected: CollectedRun = {
  runId: "2026-03-10T01-00-00-000Z-unit",
  environmentName: "unit",
  startedAt: "2026-03-10T01:00:00.000Z",
  options: { fullPortSweep: false, allowDisruption: false, strict: false },
  hosts: [
    {
      name: "cp1",
      address: "10.0.0.1",
      roles: ["cp"],
      error: null,
      sections: [{ section: "arch", command: "uname -m", exitCode: 0, stdout: "x86_64\n", stderr: "", durationMs: 3 }],
      hostProbes: [],
    },
    {
      name: "dp1",
      address: "10.0.0.2",
      roles: ["dp"],
      error: null,
      sections: [{ section: "arch", command: "uname -m", exitCode: 0, stdout: "aarch64\n", stderr: "", durationMs: 4 }],
      hostProbes: [],
    },
  ],
  probes: [
    { key: "tcp:dp1:8081", kind: "tcp", host: "dp1", target: "10.0.0.2:8081", startedAt: "2026-03-10T01:00:01.000Z", durationMs: 2, result: { open: true } },
    { key: "pg:database", kind: "pg", host: null, target: "db:5432", startedAt: "2026-03-10T01:00:02.000Z", durationMs: 9, result: { inRecovery: false } },
  ],
  failover: [],
};

export const verdicts: Verdict[] = [
  { requirement: "HW-01", host: "cp1", target: "cp1", level: "MUST", status: "passed", message: "x86_64", expected: "x86_64", actual: "x86_64", evidence: ["arch"] },
  { requirement: "HW-01", host: "dp1", target: "dp1", level: "MUST", status: "failed", message: "architecture is aarch64", expected: "x86_64", actual: "aarch64", evidence: ["arch"] },
  {
    requirement: "SEC-04",
    host: "dp1",
    target: "dp1",
    level: "MUST",
    status: "waived",
    message: "port 8081 answers <from the runner>",
    evidence: ["tcp:dp1:8081"],
    waiver: { justification: "debug port until the next release", approver: "ops lead", expires: "2026-04-01" },
  },
  { requirement: "SEC-04", host: "cp1", target: "cp1", level: "MUST", status: "broken", message: "sweep timed out", evidence: ["sweep:cp1"] },
  { requirement: "DB-02", host: null, target: "@database", level: "INFO", status: "passed", message: "primary, not in recovery", evidence: ["pg:database"] },
];
