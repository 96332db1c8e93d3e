// One audit run, end to end: validate input → (start the lab) → collect → evaluate in the specs
// (vitest + Allure) → results.json, reports, manifest → summary and exit code.
import { existsSync, mkdirSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { loadCatalogue } from "../checks/catalogue.js";
import { formatWaiverError, isExpired, validateWaivers } from "../evidence/waivers.js";
import { collectSecrets, redactConsole, redactDeep } from "../evidence/redact.js";
import { EnvironmentError, resolvePlaceholders, type LoadedEnvironment } from "../environment/load.js";
import { preflight, refuseIndistinguishableSecrets } from "../environment/preflight.js";
import { PATH_SAFE_NAME, PATH_SAFE_RULE, type Environment } from "../environment/schema.js";
import { planTargets } from "../evaluate.js";
import { gatherPlan } from "../checks/gather.js";
import { disruptionAllowed } from "../failover/record.js";
import type { Timings } from "./collect.js";
import { finishBundle, recordTrustedHostKeys, writeEnvironmentCopies, type SigningKey } from "./bundle.js";
import { signingKeyCheck } from "../evidence/signature.js";
import { expandHome } from "../transport/paths.js";
import { readKnownHosts } from "../transport/known-hosts.js";
import { knownHostsPath } from "./targets.js";
import { exitCodeOf, readRecordedVerdicts, reconcile, summarize, type ResultsFile } from "./results.js";
import { runFiles } from "./context.js";
import { parseSelection, selectsRequirement, unmatchedSelection } from "./selection.js";
import { startSpecs, type SpecsRun } from "./spec-process.js";
import { startAllureGenerator, type AllureGenerator } from "../evidence/allure-extras.js";
import { printSummary, printWhereTheReportIs } from "./summary.js";
import { readSuiteIdentity } from "../evidence/suite-identity.js";
import type { LabSession } from "./lab-session.js";
import { runConsole } from "./run-console.js";
import { applyRetention } from "./retention.js";
import { type Baseline, previousRun, resolveBaseline } from "../drift/baseline.js";
import type { DriftInput } from "../drift/run-drift.js";
import type { RunScope } from "./history.js";
import { ownedTargets, SHARD_FILE, shardEnvironment, shardRecord, shardTestNamePattern, type ShardSpec } from "./shard.js";

/** Optional file (outside the run bundle) receiving the phase timings as JSON: used by `npm run bench`. */
export const TIMINGS_FILE_VARIABLE = "API7_AUDIT_TIMINGS_FILE";

/** Bad command-line input: exit 3, nothing contacted. */
export class BadInput extends Error {}

export interface AuditOptions {
  only?: string;
  dryRun: boolean;
  allowDisruption: boolean;
  strict: boolean;
  reportDir: string;
  keepLab: boolean;
  acceptNewHostKeys: boolean;
  fullPortSweep: boolean;
  /** --tcp-timeout <ms>: fixed per-attempt TCP probe timeout (default: derived from measured round trips). */
  tcpTimeout?: number;
  runId?: string;
  /** `--shard i/n`: audit only this shard's part of the inventory (helpers/run/shard.ts). */
  shard?: ShardSpec;
  /** --verbose: vitest's per-test output on the console instead of the run folder's log. */
  verbose?: boolean;
  /** --keep N: run folders of the environment kept (default: the environment's reports.keep). */
  keep?: number;
  /** --baseline <run-id or folder>: the run drift compares with (default: the previous run of the same environment and scope). */
  baseline?: string;
  /** `--sign <key>`: sign manifest.json with this SSH key (else evidence.signWith). */
  sign?: string;
}

export const REPO_ROOT = resolve(import.meta.dirname, "../..");

export async function auditRun(loaded: LoadedEnvironment, opts: AuditOptions): Promise<number> {
  const catalogue = loadCatalogue();
  if (opts.only !== undefined && parseSelection(opts.only) === null) {
    // An empty selection must not widen to everything (next to --allow-disruption in a script).
    throw new BadInput(`--only "${opts.only}": names no requirement; give IDs or prefixes such as HW-,SEC-04, or leave --only out to run everything`);
  }
  const only = parseSelection(opts.only);
  const unknown = unmatchedSelection(only, catalogue.map((r) => r.id));
  if (unknown.length > 0) throw new BadInput(`--only ${unknown.join(",")}: no requirement ID matches; IDs look like HW-03 or prefixes like HW-`);
  // A waiver is valid when the matcher could apply it: it names a target of its own requirement.
  const targetsOf = new Map(catalogue.map((r) => [r.id, planTargets(r, loaded.env).map((p) => p.target)]));
  const waiverProblems = validateWaivers(loaded.env.waivers, catalogue.map((r) => r.id), loaded.env.hosts.map((h) => h.name), loaded.file, targetsOf);
  if (waiverProblems.length > 0) throw new BadInput(`invalid waivers:\n${waiverProblems.map((p) => `  - ${formatWaiverError(p)}`).join("\n")}`);

  const selected = catalogue.filter((r) => selectsRequirement(only, r.id));
  const { allChecks } = await import("../../specs/checks/index.js");
  const wants = gatherPlan(selected.map((r) => allChecks[r.id]!.reads));
  const shard = opts.shard && opts.shard.count > 1 ? opts.shard : undefined;
  const allowDisruption = disruptionAllowed(loaded.env, { allowDisruption: opts.allowDisruption, sharded: shard !== undefined });
  if (shard && allowDisruption && wants.failover) {
    // Failover disturbs entrypoints every shard probes, and its pair members may sit in other shards.
    throw new BadInput("--shard cannot be combined with --allow-disruption: run the failover tests once, unsharded (--only HA- --allow-disruption)");
  }

  if (shard && shard.count > loaded.env.hosts.length) {
    // Some shard would own no host: refused in every shard alike, so a CI fan-out fails at once.
    throw new BadInput(`--shard ${shard.index}/${shard.count}: ${loaded.env.hosts.length} hosts make at most ${loaded.env.hosts.length} shards, so a shard would own no host; use n <= ${loaded.env.hosts.length}`);
  }
  preflight(loaded, { acceptNewHostKeys: opts.acceptNewHostKeys, needsDatabasePassword: wants.database && !opts.dryRun });
  redactConsole(refuseIndistinguishableSecrets(loaded));
  for (const notice of loaded.notices ?? []) console.log(`api7-ha-audit: note: ${notice}`);
  const reportProblem = reportDirProblem(opts);
  if (reportProblem) throw new BadInput(reportProblem);
  const chosenBaseline = opts.baseline === undefined ? undefined : resolveBaseline(opts.baseline, resolve(opts.reportDir));
  if (typeof chosenBaseline === "string") throw new BadInput(chosenBaseline);
  const signWith = await signingKey(loaded, opts.sign);

  if (opts.dryRun) {
    const { printDryRun } = await lateModules.dryRun();
    printDryRun(shard ? shardEnvironment(loaded.env, shard) : loaded.env, { shard, wants, allowDisruption, fullPortSweep: opts.fullPortSweep, origins: loaded.origins ?? {}, targetsOf, signWith, today: new Date().toISOString().slice(0, 10) });
    return 0;
  }

  const startedAt = new Date().toISOString();
  const runId = opts.runId ?? `${startedAt.replace(/[:.]/g, "-")}-${loaded.env.name}`;
  const reportRoot = resolve(opts.reportDir);
  const runDir = join(reportRoot, runId);
  mkdirSync(join(runDir, "evidence"), { recursive: true });
  const out = runConsole(runDir, opts.verbose ?? false);
  out.say(`api7-ha-audit: environment ${loaded.env.name} (${loaded.file}), run ${runId}`);

  let lab: LabSession | null = null;
  let specs: SpecsRun | undefined;
  let allure: AllureGenerator | undefined;
  const timings: Partial<Timings & { labMs: number; specsMs: number; driftMs: number; reportMs: number }> = {};
  try {
    let env: Environment = loaded.env;
    if (env.lab) {
      const t = Date.now();
      // Loaded only for the embedded lab: Testcontainers costs ~30 MB and a second of start-up CPU.
      const { startLabForRun } = await import("./lab-session.js");
      lab = await startLabForRun(env, runDir, out);
      timings.labMs = Date.now() - t;
      env = lab.env;
    } else if (JSON.stringify(env).includes("{{")) {
      env = resolvePlaceholders(env, {});
    }
    const secrets = collectSecrets(env, process.env);
    redactConsole(secrets);

    const shardInfo = shard ? shardRecord(env, shard, selected.map((r) => r.id), opts.only) : undefined;
    if (shardInfo) {
      out.say(`shard ${shard!.index}/${shard!.count}: ${shardInfo.hosts.join(", ") || "no hosts"}${shardInfo.hostFreeTargets ? " + host-free targets" : ""}${shardInfo.deferred.length > 0 ? `; ${shardInfo.deferred.join(", ")} left to npm run merge` : ""}`);
    }
    const collectEnv = shard ? shardEnvironment(env, shard) : env;
    const allTargets = selected.map((r) => ({ requirement: r, targets: planTargets(r, env) }));
    const hostFreeTargets = [...new Set(allTargets.flatMap((p) => p.targets).map((p) => p.target).filter((t) => t.startsWith("@")))];
    // Trust on first use is said and recorded: what known_hosts gains during the collection.
    const knownHostsBefore = opts.acceptNewHostKeys && !env.lab ? readKnownHosts(knownHostsPath(env)).entries : null;
    const { collectRun } = await lateModules.collect();
    // vitest starts now: its start-up and the spec modules' loading overlap the collection, and the
    // specs wait for collected.json (spec-warmup.ts), so a stale one from a reused run id goes first.
    rmSync(runFiles.collected(runDir), { force: true });
    rmSync(runFiles.verdicts(runDir), { force: true });
    specs = startSpecs(runDir, opts.only, shardInfo ? shardTestNamePattern(shardInfo, hostFreeTargets) : undefined, opts.verbose ? "console" : "log");
    allure = startAllureGenerator();
    out.say(`collecting from ${collectEnv.hosts.length} hosts`);
    const collected = await collectRun(collectEnv, {
      runId,
      startedAt,
      acceptNewHostKeys: opts.acceptNewHostKeys,
      fullPortSweep: opts.fullPortSweep,
      tcpTimeoutMs: opts.tcpTimeout,
      allowDisruption,
      strict: opts.strict,
      wants,
      log: out.say,
      detail: out.detail,
    });
    Object.assign(timings, collected.timings);
    if (knownHostsBefore) recordTrustedHostKeys(runDir, knownHostsPath(env), knownHostsBefore, out.say);

    writeEnvironmentCopies(runDir, loaded, env, secrets);
    if (shardInfo) writeFileSync(join(runDir, SHARD_FILE), `${JSON.stringify(shardInfo, null, 2)}\n`);
    // Last, and renamed into place: the waiting specs start on it and never see it half-written.
    const collectedFile = runFiles.collected(runDir);
    // Redacted once, as stored: drift and the matrix read this copy too.
    const storedRun = redactDeep(collected.run, secrets);
    writeFileSync(`${collectedFile}.partial`, JSON.stringify(storedRun, null, 2));
    renameSync(`${collectedFile}.partial`, collectedFile);

    out.say("evaluating specs");
    let t = Date.now();
    await specs.done;
    timings.specsMs = Date.now() - t;

    const planned = allTargets.flatMap(({ requirement, targets }) =>
      (shard ? ownedTargets(targets, shard, env) : targets).map((target) => ({ target, level: requirement.level })),
    );
    const results = reconcile(planned, readRecordedVerdicts(runFiles.verdicts(runDir)));
    const summary = summarize(results);
    const scope: RunScope = { only: opts.only ?? null, shard: shard ? `${shard.index}/${shard.count}` : null };
    const resultsFile: ResultsFile = {
      runId,
      environment: env.name,
      startedAt,
      finishedAt: new Date().toISOString(),
      suite: readSuiteIdentity(REPO_ROOT),
      scope,
      summary,
      expiredWaivers: env.waivers.filter((w) => isExpired(w, startedAt.slice(0, 10))),
      results,
    };
    t = Date.now();
    const driftLines = await compareWithBaseline(
      { runDir, results: redactDeep(resultsFile, secrets), collected: storedRun },
      chosenBaseline ?? previousRun(reportRoot, env.name, scope, runId, startedAt),
    );
    timings.driftMs = Date.now() - t;
    t = Date.now();
    out.closeLog();
    await finishBundle({ runDir, reportRoot, resultsFile, loaded, env, catalogue, secrets, collected: storedRun, allure, signWith });
    timings.reportMs = Date.now() - t;
    linkLatest(reportRoot, runId);

    printSummary(resultsFile, catalogue, collected.run.hosts.flatMap((h) => (h.error === null ? [] : [{ name: h.name, error: h.error }])));
    for (const line of ["", ...driftLines]) console.log(line);
    printWhereTheReportIs(runDir, timings, { specsLog: !opts.verbose });
    applyRetention(reportRoot, env.name, opts.keep ?? env.reports.keep, runId, (line) => console.log(line));
    const timingsFile = process.env[TIMINGS_FILE_VARIABLE];
    if (timingsFile) {
      // resourceUsage().maxRSS is this process's peak in KiB (the vitest child is measured by the caller).
      writeFileSync(timingsFile, JSON.stringify({ ...timings, maxRssBytes: process.resourceUsage().maxRSS * 1024, hosts: collectEnv.hosts.length }));
    }
    return exitCodeOf(results, opts.strict);
  } finally {
    specs?.stop();
    allure?.stop();
    if (lab) {
      if (opts.keepLab) lab.describeKept((line) => console.log(line));
      else await lab.stop();
    }
  }
}

/**
 * Modules loaded only by the runs that use them, once the input is valid: the collection's (SSH, the
 * probes with undici and pg, the failover suite: ~0.2-0.3 s of CPU) and the dry run's (the failover
 * suite's commands, with undici). Bad input (exit 3) is told without loading either.
 */
const lateModules = {
  collect: () => import("./collect.js"),
  dryRun: () => import("./dry-run.js"),
};

/**
 * drift.json, drift.md and the Allure drift attachments, before the report is generated; the console
 * lines. A baseline that cannot be read costs the comparison, not the run.
 */
async function compareWithBaseline(run: Omit<DriftInput, "baseline" | "readsOf">, baseline: Baseline | null): Promise<string[]> {
  try {
    // Loaded once the run has its verdicts: the checks' `reads` and the facts parsers.
    const [{ allChecks }, { writeDrift }, { driftConsoleLines }] = await Promise.all([import("../../specs/checks/index.js"), import("../drift/run-drift.js"), import("../drift/render.js")]);
    return driftConsoleLines(writeDrift({ ...run, baseline, readsOf: (id) => allChecks[id]?.reads }));
  } catch (error) {
    return [`drift: could not compare with ${baseline?.dir ?? "no baseline"}: ${(error as Error).message}`];
  }
}

/** --report-dir must be (or become) a directory and --run-id one folder name inside it. */
function reportDirProblem(opts: AuditOptions): string | null {
  if (opts.runId !== undefined && !PATH_SAFE_NAME.test(opts.runId)) {
    return `--run-id ${opts.runId}: a run id is one folder name: ${PATH_SAFE_RULE}`;
  }
  const dir = resolve(opts.reportDir);
  if (existsSync(dir) && !statSync(dir).isDirectory()) return `--report-dir ${opts.reportDir}: ${dir} exists and is not a directory; give a directory`;
  return null;
}

/** The key that will sign the manifest (--sign wins over evidence.signWith), checked to sign without a prompt. */
async function signingKey(loaded: LoadedEnvironment, option: string | undefined): Promise<SigningKey | undefined> {
  const given = option ?? loaded.env.evidence?.signWith;
  if (given === undefined) return undefined;
  const keyPath = resolve(expandHome(given));
  const check = await signingKeyCheck(keyPath);
  if ("signer" in check) return { keyPath, signer: check.signer };
  if (option !== undefined) throw new BadInput(`--sign ${option}: ${check.problem}`);
  throw new EnvironmentError(loaded.file, [{ keyPath: "evidence.signWith", message: check.problem }]);
}

/** The specs over a run folder that already holds collected.json: npm run merge. */
export { runSpecs } from "./spec-process.js";

function linkLatest(reportRoot: string, runId: string): void {
  const latest = join(reportRoot, "latest");
  rmSync(latest, { force: true, recursive: false });
  symlinkSync(runId, latest);
}
