import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { parseEnvironmentText } from "../../../helpers/environment/load.js";
import { writeManifest } from "../../../helpers/evidence/manifest.js";
import { compareVerdicts, describeVerification, isIntact, resolvedFollowsSource, verifyBundle, type Recompute } from "../../../helpers/evidence/reverify.js";
import type { Verdict } from "../../../helpers/model.js";
import type { CollectedRun } from "../../../helpers/run/collected.js";
import { summarize, type ResultsFile } from "../../../helpers/run/results.js";
import { collected } from "./matrix-fixture.js";

const ENV_YAML = `name: unit
lab: { variant: compliant }
hosts:
  - { name: cp1, address: "{{cp1}}", roles: [cp] }
  - { name: dp1, address: "{{dp1}}", roles: [dp] }
components:
  dashboard: { role: cp, ports: [7080], detect: { container: dashboard } }
  dpManager: { role: cp, ports: [7900], detect: { container: dp-manager } }
  gateway: { role: dp, ports: [9080], detect: { container: gateway } }
entrypoints:
  gateway: { url: "http://{{lb-dp}}:9080/" }
  dashboard: { url: "http://{{lb-cp}}:7080/" }
  dpManager: { url: "http://{{lb-cp}}:7900/" }
database: { host: "{{postgres}}", database: api7, user: api7, passwordEnv: API7_AUDIT_PG_PASSWORD }
prometheus: { enabled: false }
waivers:
  - { requirement: HW-01, host: dp1, justification: "ARM pilot host approved for the trial", approver: ops, expires: "2026-03-10" }
`;

/**
 * The engine for these tests: HW-01 decided from the "arch" section of each host, with the waivers of
 * the environment applied as of the run's start date (what helpers/evaluate.ts does for every check).
 */
const recompute: Recompute = (env, run) => {
  const raw: Verdict[] = run.hosts.map((h) => {
    const arch = h.sections.find((s) => s.section === "arch")?.stdout.trim() ?? "";
    const ok = arch === "x86_64";
    return { requirement: "HW-01", host: h.name, target: h.name, level: "MUST", status: ok ? "passed" : "failed", message: `architecture is ${arch}`, expected: "x86_64", actual: arch, evidence: ["arch"] };
  });
  const today = run.startedAt.slice(0, 10);
  return raw.map((v) => {
    const w = env.waivers.find((x) => x.requirement === v.requirement && (x.host === "*" || x.host === v.target) && x.expires >= today);
    return v.status === "failed" && w ? { ...v, status: "waived", waiver: { justification: w.justification, approver: w.approver, expires: w.expires } } : v;
  });
};

const dirs: string[] = [];
afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

let runDir: string;
let results: ResultsFile;

async function seal(): Promise<void> {
  await writeManifest(runDir, { runId: collected.runId, environmentName: "unit", suite: results.suite, hosts: ["cp1", "dp1"], startedAt: results.startedAt, finishedAt: results.finishedAt }, []);
}

async function editJson<T>(file: string, edit: (value: T) => void): Promise<void> {
  const value = JSON.parse(await readFile(join(runDir, file), "utf8")) as T;
  edit(value);
  await writeFile(join(runDir, file), JSON.stringify(value, null, 2));
}

beforeEach(async () => {
  runDir = await mkdtemp(join(tmpdir(), "reverify-"));
  dirs.push(runDir);
  await mkdir(join(runDir, "evidence"));
  const resolved = JSON.parse(JSON.stringify(parseEnvironmentText(ENV_YAML, "unit.yaml")));
  const addresses: Record<string, string> = { "{{cp1}}": "172.18.0.2", "{{dp1}}": "172.18.0.3", "{{lb-dp}}": "172.18.0.4", "{{lb-cp}}": "172.18.0.5", "{{postgres}}": "172.18.0.6" };
  const filled = JSON.parse(JSON.stringify(resolved).replace(/\{\{[a-z0-9-]+\}\}/g, (m) => addresses[m]!));
  const verdicts = recompute(filled, collected, new Set(["HW-01"]));
  results = {
    runId: collected.runId,
    environment: "unit",
    startedAt: collected.startedAt,
    finishedAt: "2026-03-10T01:02:00.000Z",
    suite: { version: "0.1.0", commit: "abc123" },
    summary: summarize(verdicts),
    expiredWaivers: [],
    results: verdicts,
  };
  await writeFile(join(runDir, "evidence", "environment.yaml"), ENV_YAML);
  await writeFile(join(runDir, "evidence", "environment.resolved.json"), JSON.stringify(filled, null, 2));
  await writeFile(join(runDir, "evidence", "collected.json"), JSON.stringify(collected, null, 2));
  await writeFile(join(runDir, "results.json"), JSON.stringify(results, null, 2));
  await seal();
});

describe("verifyBundle", () => {
  it("an untouched bundle verifies: hashes match and every verdict follows from its evidence", async () => {
    const v = await verifyBundle(runDir, recompute);
    expect(describeVerification(v)).toEqual([]);
    expect(isIntact(v)).toBe(true);
    expect(v.verdictsChecked).toBe(2);
    expect(results.results.map((r) => r.status)).toEqual(["passed", "waived"]);
    expect(v.manifestSha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it("names an edited file", async () => {
    await editJson<ResultsFile>("results.json", (r) => void (r.finishedAt = "2026-03-10T02:00:00.000Z"));
    const v = await verifyBundle(runDir, recompute);
    expect(v.manifestProblems.map((p) => `${p.file} ${p.problem}`)).toEqual(["results.json changed"]);
    expect(isIntact(v)).toBe(false);
  });

  it("a re-sealed bundle whose verdict was flipped still fails: the verdict does not follow from its evidence", async () => {
    await editJson<ResultsFile>("results.json", (r) => {
      r.results[1] = { ...r.results[1]!, status: "passed", waiver: undefined };
      r.summary = summarize(r.results);
    });
    await seal();
    const v = await verifyBundle(runDir, recompute);
    expect(v.manifestProblems).toEqual([]);
    expect(describeVerification(v)).toEqual([
      'VERDICT HW-01 dp1 does not follow from its evidence: status recorded "passed", recomputed "waived"; waiver recorded undefined, recomputed {"approver":"ops","expires":"2026-03-10","justification":"ARM pilot host approved for the trial"}',
    ]);
  });

  it("re-sealed evidence that no longer supports the recorded verdict fails", async () => {
    await editJson<CollectedRun>("evidence/collected.json", (c) => void (c.hosts[0]!.sections[0]!.stdout = "ppc64le\n"));
    await seal();
    const v = await verifyBundle(runDir, recompute);
    expect(v.verdictProblems).toHaveLength(1);
    expect(v.verdictProblems[0]).toMatchObject({ requirement: "HW-01", target: "cp1", problem: "differs" });
  });

  it("a summary that does not count the results is a bundle problem", async () => {
    await editJson<ResultsFile>("results.json", (r) => void (r.summary.failed = 3));
    await seal();
    expect((await verifyBundle(runDir, recompute)).bundleProblems[0]).toMatch(/summary .* does not count its own results/);
  });

  it("a resolved environment that is not the source with placeholders filled in is a bundle problem", async () => {
    await editJson<Record<string, unknown>>("evidence/environment.resolved.json", (e) => void ((e.waivers as { expires: string }[])[0]!.expires = "2099-01-01"));
    await seal();
    expect((await verifyBundle(runDir, recompute)).bundleProblems).toEqual([
      'evidence/environment.resolved.json: waivers[0].expires: "2099-01-01" differs from the source\'s "2026-03-10"',
    ]);
  });
});

describe("compareVerdicts", () => {
  const base: Verdict = { requirement: "HW-02", host: "cp1", target: "cp1", level: "MUST", status: "passed", message: "4 CPUs", evidence: ["cpu"] };
  it("reports missing, unexpected and duplicate verdicts", () => {
    const other = { ...base, target: "cp2", host: "cp2" };
    expect(compareVerdicts([base, base], [base, other]).map((p) => `${p.target} ${p.problem}`)).toEqual(["cp1 duplicate", "cp2 missing"]);
    expect(compareVerdicts([other], [base]).map((p) => `${p.target} ${p.problem}`)).toEqual(["cp2 unexpected", "cp1 missing"]);
  });
  it("treats an absent field and undefined alike", () => {
    expect(compareVerdicts([{ ...base, expected: undefined }], [base])).toEqual([]);
  });
});

describe("resolvedFollowsSource", () => {
  it("requires one consistent value per placeholder", () => {
    const source = { a: "http://{{lb}}:80/", b: "{{lb}}", c: ["{{db}}"] };
    expect(resolvedFollowsSource(source, { a: "http://10.0.0.1:80/", b: "10.0.0.1", c: ["10.0.0.9"] })).toEqual([]);
    expect(resolvedFollowsSource(source, { a: "http://10.0.0.1:80/", b: "10.0.0.2", c: ["10.0.0.9"] })).toEqual(['b: {{lb}} is "10.0.0.2" here but "10.0.0.1" elsewhere']);
  });

  it("lets a lab run set only its key pair and known_hosts", () => {
    const resolved = { ssh: { user: "root", identityFile: "/lab/id", knownHosts: "/lab/known_hosts" } };
    expect(resolvedFollowsSource({ lab: { variant: "compliant" }, ssh: { user: "root" } }, { lab: { variant: "compliant" }, ...resolved })).toEqual([]);
    expect(resolvedFollowsSource({ ssh: { user: "root" } }, resolved)).toHaveLength(2);
    expect(resolvedFollowsSource({ lab: { variant: "compliant" }, ssh: { user: "root" } }, { lab: { variant: "compliant" }, ssh: { user: "admin" } })).toHaveLength(1);
  });
});
