// `npm run merge -- <shard run dirs...> [--out dir]`: the run folders of `--shard 1/n` … `n/n`
// become one run folder, as if one runner had audited everything:
//   collected.json  hosts from the shard that owns them, host-free probes and failover from shard 1;
//   verdicts        each shard's own targets, plus the requirements deferred to the merge (TOPO-01),
//                   evaluated here by the real specs on the merged collected.json;
//   Allure results  concatenated (+ the merge's own), reports regenerated; JUnit merged;
//   results.json    recomputed summary; matrix; manifest (sealed last, by finishBundle).
// The merged folder verifies offline like any run (`npm run verify`).
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { loadCatalogue, type Requirement } from "../checks/catalogue.js";
import { planTargets } from "../evaluate.js";
import type { Environment } from "../environment/schema.js";
import type { LoadedEnvironment } from "../environment/load.js";
import { manifestDigest, sha256Text } from "../evidence/manifest.js";
import { collectSecrets } from "../evidence/redact.js";
import { readSuiteIdentity } from "../evidence/suite-identity.js";
import { isExpired } from "../evidence/waivers.js";
import type { Verdict } from "../model.js";
import { REPO_ROOT, runSpecs } from "./audit-run.js";
import { finishBundle } from "./bundle.js";
import type { CollectedRun, HostCollection, ProbeRecord } from "./collected.js";
import { runFiles } from "./context.js";
import { readRecordedVerdicts, reconcile, summarize, type ResultsFile } from "./results.js";
import { parseSelection, selectsRequirement } from "./selection.js";
import { isHostFreeTarget, SHARD_FILE, shardSetProblems, testNamePattern, type ShardRecord } from "./shard.js";

/** A run folder that cannot be merged (exit 3). */
export class MergeInputError extends Error {}

export interface ShardRun {
  dir: string;
  shard: ShardRecord;
  results: ResultsFile;
  collected: CollectedRun;
  env: Environment;
  environmentText: string;
}

/** Written into the merged folder: where each part came from (run id, manifest digest). */
export const MERGE_SOURCES_FILE = "evidence/merged-from.json";

const readJson = <T>(file: string): T => JSON.parse(readFileSync(file, "utf8")) as T;

export function readShardRun(dir: string): ShardRun {
  const shardFile = join(dir, SHARD_FILE);
  if (!existsSync(shardFile)) throw new MergeInputError(`${dir}: no ${SHARD_FILE}; only runs made with --shard i/n can be merged`);
  for (const file of [runFiles.results(dir), runFiles.collected(dir), runFiles.resolvedEnvironment(dir), runFiles.environmentSource(dir)]) {
    if (!existsSync(file)) throw new MergeInputError(`${dir}: ${file} is missing (did the shard run finish?)`);
  }
  return {
    dir,
    shard: readJson<ShardRecord>(shardFile),
    results: readJson<ResultsFile>(runFiles.results(dir)),
    collected: readJson<CollectedRun>(runFiles.collected(dir)),
    env: readJson<Environment>(runFiles.resolvedEnvironment(dir)),
    environmentText: readFileSync(runFiles.environmentSource(dir), "utf8"),
  };
}

/** Shards must be one audit: complete set, same environment (file and resolved addresses), same options. */
export function mergeProblems(runs: readonly ShardRun[]): string[] {
  const problems = shardSetProblems(runs.map((r) => r.shard));
  const first = runs[0];
  if (!first) return problems;
  for (const run of runs.slice(1)) {
    const which = `shard ${run.shard.index} (${run.dir})`;
    if (run.environmentText !== first.environmentText) problems.push(`${which} audited another environment file than shard ${first.shard.index}`);
    else if (JSON.stringify(run.env) !== JSON.stringify(first.env)) problems.push(`${which} resolved the environment to other addresses than shard ${first.shard.index} (each shard started its own lab?)`);
    if (JSON.stringify(run.collected.options) !== JSON.stringify(first.collected.options)) problems.push(`${which} ran with other options (${JSON.stringify(run.collected.options)})`);
    if (run.results.suite.commit !== first.results.suite.commit) problems.push(`${which} ran suite commit ${run.results.suite.commit}, shard ${first.shard.index} ran ${first.results.suite.commit}`);
  }
  const audited = new Set(runs.flatMap((r) => r.shard.hosts));
  const missing = first.env.hosts.filter((h) => !audited.has(h.name)).map((h) => h.name);
  if (missing.length > 0) problems.push(`no shard audited ${missing.join(", ")}`);
  return problems;
}

/** collected.json of the whole audit: every host from its owner, host-free probes and failover from shard 1. */
export function mergeCollected(runs: readonly ShardRun[], runId: string): CollectedRun {
  const byIndex = [...runs].sort((a, b) => a.shard.index - b.shard.index);
  const first = byIndex[0]!;
  const hostsByName = new Map<string, HostCollection>();
  const probes: ProbeRecord[] = [];
  for (const run of byIndex) {
    const owned = new Set(run.shard.hosts);
    for (const host of run.collected.hosts) if (owned.has(host.name)) hostsByName.set(host.name, host);
    // Entrypoint, database and Prometheus probes (host null) every shard may have run: shard 1's count.
    probes.push(...run.collected.probes.filter((p) => (p.host === null ? run.shard.hostFreeTargets : owned.has(p.host))));
  }
  return {
    runId,
    environmentName: first.collected.environmentName,
    // Waivers are judged as of the earliest shard's start.
    startedAt: byIndex.map((r) => r.collected.startedAt).sort()[0]!,
    options: first.collected.options,
    hosts: first.env.hosts.flatMap((h) => hostsByName.get(h.name) ?? []),
    probes,
    failover: byIndex.flatMap((r) => (r.shard.hostFreeTargets ? r.collected.failover : [])),
  };
}

/** Requirements the shards selected (same --only everywhere, checked before). */
export function selectedRequirements(catalogue: readonly Requirement[], shard: ShardRecord): Requirement[] {
  const only = parseSelection(shard.only ?? undefined);
  return catalogue.filter((r) => selectsRequirement(only, r.id));
}

const unescapeXml = (text: string) =>
  text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, "&");

interface JunitSource {
  xml: string;
  /** Keeps the test cases this source owns (the others are the filter's skipped placeholders). */
  owns: RegExp;
}

/** One JUnit file from the shards' (and the merge's) files, each contributing only the tests it owns. */
export function mergeJunit(sources: readonly JunitSource[], suiteName = "api7-ha-audit"): string {
  const bySuite = new Map<string, string[]>();
  for (const source of sources) {
    for (const match of source.xml.matchAll(/<testcase classname="([^"]*)" name="([^"]*)"[^>]*?(?:\/>|>[\s\S]*?<\/testcase>)/g)) {
      const [block, classname, name] = match as unknown as [string, string, string];
      if (!source.owns.test(unescapeXml(name))) continue;
      (bySuite.get(classname) ?? bySuite.set(classname, []).get(classname)!).push(block);
    }
  }
  const count = (blocks: string[], tag: string) => blocks.filter((b) => b.includes(`<${tag}`)).length;
  const all = [...bySuite.values()].flat();
  const lines = [
    '<?xml version="1.0" encoding="UTF-8" ?>',
    `<testsuites name="${suiteName}" tests="${all.length}" failures="${count(all, "failure")}" errors="${count(all, "error")}">`,
  ];
  for (const [classname, blocks] of [...bySuite.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    lines.push(
      `    <testsuite name="${classname}" tests="${blocks.length}" failures="${count(blocks, "failure")}" errors="${count(blocks, "error")}" skipped="${count(blocks, "skipped")}">`,
      ...blocks.map((b) => `        ${b}`),
      "    </testsuite>",
    );
  }
  lines.push("</testsuites>", "");
  return lines.join("\n");
}

export interface MergeOptions {
  /** The merged run folder; default <reports root of the first shard>/<run id>. */
  outDir?: string;
  runId?: string;
  log?: (line: string) => void;
}

export interface MergeOutcome {
  runDir: string;
  results: ResultsFile;
  collected: CollectedRun;
}

const copyDir = (from: string, to: string, skip: (name: string) => boolean) => {
  if (!existsSync(from)) return;
  mkdirSync(to, { recursive: true });
  for (const name of readdirSync(from)) if (!skip(name)) copyFileSync(join(from, name), join(to, name));
};

export async function mergeShardRuns(dirs: readonly string[], options: MergeOptions = {}): Promise<MergeOutcome> {
  const log = options.log ?? (() => undefined);
  const runs = dirs.map((d) => readShardRun(resolve(d))).sort((a, b) => a.shard.index - b.shard.index);
  const problems = mergeProblems(runs);
  if (problems.length > 0) throw new MergeInputError(`cannot merge these runs:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  const first = runs[0]!;
  const env = first.env;
  const catalogue = loadCatalogue();
  const selected = selectedRequirements(catalogue, first.shard);
  const deferred = [...new Set(runs.flatMap((r) => r.shard.deferred))];

  const startedAt = new Date().toISOString();
  const runId = options.runId ?? `${startedAt.replace(/[:.]/g, "-")}-${env.name}-merged`;
  const runDir = resolve(options.outDir ?? join(dirname(first.dir), runId));
  if (existsSync(runDir) && readdirSync(runDir).length > 0) throw new MergeInputError(`${runDir} exists and is not empty`);
  mkdirSync(join(runDir, "evidence"), { recursive: true });
  log(`merging ${runs.length} shards of ${env.name} into ${runDir}`);

  const collected = mergeCollected(runs, runId);
  writeFileSync(runFiles.environmentSource(runDir), first.environmentText);
  writeFileSync(runFiles.resolvedEnvironment(runDir), JSON.stringify(env, null, 2));
  writeFileSync(runFiles.collected(runDir), JSON.stringify(collected, null, 2));
  const sources = await Promise.all(
    runs.map(async (r) => ({
      shard: `${r.shard.index}/${r.shard.count}`,
      runId: r.results.runId,
      hosts: r.shard.hosts,
      manifestSha256: existsSync(join(r.dir, "manifest.json")) ? await manifestDigest(r.dir) : null,
    })),
  );
  writeFileSync(join(runDir, MERGE_SOURCES_FILE), `${JSON.stringify({ deferredToMerge: deferred, shards: sources }, null, 2)}\n`);

  // The deferred requirements, by the real specs, on the merged data (appends verdicts + Allure results).
  const plannedTargets = selected.flatMap((r) => planTargets(r, env));
  const hostFreeTargets = [...new Set(plannedTargets.map((p) => p.target).filter(isHostFreeTarget))];
  const deferredPattern = new RegExp(testNamePattern(env.hosts.map((h) => h.name), [], deferred));
  if (deferred.length > 0) {
    log(`evaluating ${deferred.join(", ")} on the merged run`);
    await runSpecs(runDir, first.shard.only ?? undefined, deferredPattern.source);
  }
  const mergeJunitXml = existsSync(join(runDir, "junit.xml")) ? readFileSync(join(runDir, "junit.xml"), "utf8") : "";

  // Allure results: every shard's files (uuid-named, so no clashes); the extras are rewritten by finishBundle,
  // and a shard's global drift attachment compared the shard alone.
  for (const run of runs) copyDir(join(run.dir, "allure-results"), join(runDir, "allure-results"), (n) => n === "environment.properties" || n === "categories.json" || n.endsWith("-globals.json"));
  writeFileSync(
    join(runDir, "junit.xml"),
    mergeJunit([
      ...runs.map((r) => ({
        xml: existsSync(join(r.dir, "junit.xml")) ? readFileSync(join(r.dir, "junit.xml"), "utf8") : "",
        owns: new RegExp(testNamePattern([...r.shard.hosts, ...(r.shard.hostFreeTargets ? hostFreeTargets : [])], r.shard.deferred)),
      })),
      { xml: mergeJunitXml, owns: deferredPattern },
    ]),
  );

  const recorded: Verdict[] = [...runs.flatMap((r) => r.results.results), ...readRecordedVerdicts(runFiles.verdicts(runDir))];
  const planned = selected.flatMap((r) => planTargets(r, env).map((target) => ({ target, level: r.level })));
  const results = reconcile(planned, recorded);
  const resultsFile: ResultsFile = {
    runId,
    environment: env.name,
    startedAt: collected.startedAt,
    finishedAt: [...runs.map((r) => r.results.finishedAt)].sort().at(-1)!,
    suite: readSuiteIdentity(REPO_ROOT),
    // The shards together cover the whole inventory: the merged run is in the scope of its selection.
    scope: { only: first.shard.only, shard: null },
    summary: summarize(results),
    expiredWaivers: env.waivers.filter((w) => isExpired(w, collected.startedAt.slice(0, 10))),
    results,
  };
  // verdicts.jsonl of the merged folder holds every verdict, as in a single run's folder.
  writeFileSync(runFiles.verdicts(runDir), results.map((v) => `${JSON.stringify(v)}\n`).join(""));

  const loaded: LoadedEnvironment = {
    env,
    file: readManifestSource(first.dir) ?? basename(runFiles.environmentSource(first.dir)),
    text: first.environmentText,
    sha256: sha256Text(first.environmentText),
  };
  await finishBundle({
    runDir,
    reportRoot: dirname(runDir),
    resultsFile,
    loaded,
    env,
    catalogue,
    secrets: collectSecrets(env, process.env),
    collected,
  });
  return { runDir, results: resultsFile, collected };
}

function readManifestSource(dir: string): string | null {
  const file = join(dir, "manifest.json");
  if (!existsSync(file)) return null;
  return (readJson<{ environment?: { source?: string | null } }>(file).environment?.source ?? null) || null;
}
