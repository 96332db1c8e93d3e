// Offline verification of a run bundle: every file matches the manifest, and every verdict of
// results.json follows from the stored evidence when recomputed with the same parsers and checks.
// Needs no host access: an auditor runs it on a copied bundle.
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { parseEnvironmentFile } from "../environment/load.js";
import type { Environment, EnvironmentFile } from "../environment/schema.js";
import type { Verdict } from "../model.js";
import type { CollectedRun } from "../run/collected.js";
import { summarize, type ResultsFile } from "../run/results.js";
import { manifestDigest, verifyManifest, type ManifestProblem } from "./manifest.js";

export const BUNDLE_FILES = {
  results: "results.json",
  collected: "evidence/collected.json",
  environmentSource: "evidence/environment.yaml",
  resolvedEnvironment: "evidence/environment.resolved.json",
} as const;

/** The verdict engine, bound to the catalogue and checks of this suite version. */
export type Recompute = (env: Environment, run: CollectedRun, requirementIds: ReadonlySet<string>) => Verdict[];

const COMPARED_FIELDS = ["host", "level", "status", "message", "expected", "actual", "evidence", "waiver"] as const;

export interface FieldDifference {
  field: (typeof COMPARED_FIELDS)[number];
  recorded: unknown;
  recomputed: unknown;
}

export interface VerdictProblem {
  requirement: string;
  target: string;
  /** missing: recomputed but absent from results.json; unexpected: in results.json, not recomputed. */
  problem: "missing" | "unexpected" | "differs" | "duplicate";
  differences?: FieldDifference[];
}

export interface BundleVerification {
  manifestProblems: ManifestProblem[];
  /** Bundle-level inconsistencies (unreadable files, run id / environment / summary mismatches). */
  bundleProblems: string[];
  verdictProblems: VerdictProblem[];
  verdictsChecked: number;
  results: ResultsFile | null;
  manifestSha256: string | null;
}

export function isIntact(v: BundleVerification): boolean {
  return v.manifestProblems.length === 0 && v.bundleProblems.length === 0 && v.verdictProblems.length === 0;
}

const key = (v: Pick<Verdict, "requirement" | "target">) => `${v.requirement} ${v.target}`;

/** Canonical JSON of a field: undefined and absent are the same; arrays keep their order. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : v,
  ) ?? "undefined";
}

export function compareVerdicts(recorded: readonly Verdict[], recomputed: readonly Verdict[]): VerdictProblem[] {
  const problems: VerdictProblem[] = [];
  const recomputedByKey = new Map(recomputed.map((v) => [key(v), v]));
  const seen = new Set<string>();
  for (const r of recorded) {
    const k = key(r);
    if (seen.has(k)) {
      problems.push({ requirement: r.requirement, target: r.target, problem: "duplicate" });
      continue;
    }
    seen.add(k);
    const expected = recomputedByKey.get(k);
    if (!expected) {
      problems.push({ requirement: r.requirement, target: r.target, problem: "unexpected" });
      continue;
    }
    const differences = COMPARED_FIELDS.filter((f) => canonical(r[f]) !== canonical(expected[f])).map(
      (field): FieldDifference => ({ field, recorded: r[field], recomputed: expected[field] }),
    );
    if (differences.length > 0) problems.push({ requirement: r.requirement, target: r.target, problem: "differs", differences });
  }
  for (const v of recomputed) {
    if (!seen.has(key(v))) problems.push({ requirement: v.requirement, target: v.target, problem: "missing" });
  }
  return problems;
}

/**
 * Lab files name container addresses as {{name}}; the resolved copy must equal the source with each
 * placeholder replaced by one consistent value, and nothing else changed.
 */
/** Keys a lab run sets from the started lab (its generated key pair and known_hosts), not from the file. */
const LAB_RUN_OVERRIDES = new Set(["ssh.identityFile", "ssh.knownHosts"]);

/** Keys resolved from the operator's Ansible inventory or ssh config, which the bundle does not hold. */
const INVENTORY_DERIVED = new Set(["hosts", "ssh.knownHosts"]);

export function resolvedFollowsSource(source: unknown, resolved: unknown): string[] {
  const bindings = new Map<string, string>();
  const problems: string[] = [];
  const isLab = typeof source === "object" && source !== null && "lab" in source;
  const s0 = source as { inventory?: unknown; ssh?: { config?: unknown } } | null;
  const fromInventories = s0?.inventory !== undefined || (s0?.ssh?.config ?? false) !== false;
  const walk = (s: unknown, r: unknown, path: string): void => {
    if (isLab && LAB_RUN_OVERRIDES.has(path)) return;
    if (fromInventories && INVENTORY_DERIVED.has(path)) return;
    if (typeof s === "string" && s.includes("{{")) {
      const names: string[] = [];
      const pattern = s.split(/(\{\{[a-z0-9._-]+\}\})/i).map((part) => {
        const m = /^\{\{([a-z0-9._-]+)\}\}$/i.exec(part);
        if (!m) return part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
        names.push(m[1]!);
        return "(.+?)";
      });
      const match = typeof r === "string" ? new RegExp(`^${pattern.join("")}$`).exec(r) : null;
      if (!match) return void problems.push(`${path}: "${String(r)}" is not "${s}" with its placeholders filled in`);
      names.forEach((name, i) => {
        const value = match[i + 1]!;
        const bound = bindings.get(name);
        if (bound !== undefined && bound !== value) problems.push(`${path}: {{${name}}} is "${value}" here but "${bound}" elsewhere`);
        bindings.set(name, value);
      });
      return;
    }
    if (Array.isArray(s) && Array.isArray(r)) {
      if (s.length !== r.length) return void problems.push(`${path}: ${r.length} items, the source has ${s.length}`);
      s.forEach((x, i) => walk(x, r[i], `${path}[${i}]`));
      return;
    }
    if (s && typeof s === "object" && r && typeof r === "object" && !Array.isArray(s) && !Array.isArray(r)) {
      const keys = new Set([...Object.keys(s), ...Object.keys(r)]);
      for (const k of keys) walk((s as Record<string, unknown>)[k], (r as Record<string, unknown>)[k], path ? `${path}.${k}` : k);
      return;
    }
    if (canonical(s) !== canonical(r)) problems.push(`${path}: ${canonical(r)} differs from the source's ${canonical(s)}`);
  };
  walk(source, resolved, "");
  return problems;
}

async function readJson<T>(runDir: string, file: string, problems: string[]): Promise<T | null> {
  try {
    return JSON.parse(await readFile(join(runDir, file), "utf8")) as T;
  } catch (error) {
    problems.push(`${file}: cannot be read: ${(error as Error).message}`);
    return null;
  }
}

/** Loads the environment the specs evaluated: the resolved copy, checked against the file as given. */
async function loadBundleEnvironment(runDir: string, problems: string[]): Promise<Environment | null> {
  let source: EnvironmentFile;
  try {
    // The file as written: its inventory and ssh config were read on the runner, the resolved copy records the result.
    source = parseEnvironmentFile(await readFile(join(runDir, BUNDLE_FILES.environmentSource), "utf8"), BUNDLE_FILES.environmentSource).env;
  } catch (error) {
    problems.push(`${BUNDLE_FILES.environmentSource}: ${(error as Error).message}`);
    return null;
  }
  if (!existsSync(join(runDir, BUNDLE_FILES.resolvedEnvironment))) {
    if (source.hosts && source.ssh.config === undefined) return { ...source, hosts: source.hosts };
    problems.push(`${BUNDLE_FILES.resolvedEnvironment}: missing, and the hosts come from an inventory or ssh config outside the bundle`);
    return null;
  }
  const resolved = await readJson<Environment>(runDir, BUNDLE_FILES.resolvedEnvironment, problems);
  if (!resolved) return null;
  for (const p of resolvedFollowsSource(source, resolved)) problems.push(`${BUNDLE_FILES.resolvedEnvironment}: ${p}`);
  return resolved;
}

export async function verifyBundle(runDir: string, recompute: Recompute): Promise<BundleVerification> {
  const manifestProblems = await verifyManifest(runDir);
  const manifestSha256 = existsSync(join(runDir, "manifest.json")) ? await manifestDigest(runDir) : null;
  const bundleProblems: string[] = [];
  const results = await readJson<ResultsFile>(runDir, BUNDLE_FILES.results, bundleProblems);
  const run = await readJson<CollectedRun>(runDir, BUNDLE_FILES.collected, bundleProblems);
  const env = await loadBundleEnvironment(runDir, bundleProblems);
  if (!results || !run || !env) {
    return { manifestProblems, bundleProblems, verdictProblems: [], verdictsChecked: 0, results, manifestSha256 };
  }
  if (results.runId !== run.runId) bundleProblems.push(`results.json run ${results.runId} but collected.json run ${run.runId}`);
  if (results.environment !== env.name) bundleProblems.push(`results.json environment "${results.environment}" but the environment file is "${env.name}"`);
  if (canonical(summarize(results.results)) !== canonical(results.summary)) {
    bundleProblems.push(`results.json summary ${canonical(results.summary)} does not count its own results ${canonical(summarize(results.results))}`);
  }
  // A run limited with --only records a subset of requirements: recompute exactly those.
  const ids = new Set(results.results.map((v) => v.requirement));
  let recomputed: Verdict[];
  try {
    recomputed = recompute(env, run, ids).filter((v) => ids.has(v.requirement));
  } catch (error) {
    bundleProblems.push(`recomputing the verdicts failed: ${(error as Error).message}`);
    return { manifestProblems, bundleProblems, verdictProblems: [], verdictsChecked: 0, results, manifestSha256 };
  }
  const verdictProblems = compareVerdicts(results.results, recomputed);
  return { manifestProblems, bundleProblems, verdictProblems, verdictsChecked: results.results.length, results, manifestSha256 };
}

export function describeVerification(v: BundleVerification): string[] {
  const lines: string[] = [];
  for (const p of v.manifestProblems) lines.push(`FILE ${p.problem.toUpperCase()}: ${p.file}${p.detail ? ` (${p.detail})` : ""}`);
  for (const p of v.bundleProblems) lines.push(`BUNDLE: ${p}`);
  for (const p of v.verdictProblems) {
    const what =
      p.problem === "missing"
        ? "follows from the evidence but is absent from results.json"
        : p.problem === "unexpected"
          ? "is in results.json but does not follow from the evidence (no such target)"
          : p.problem === "duplicate"
            ? "appears more than once in results.json"
            : `does not follow from its evidence: ${(p.differences ?? []).map((d) => `${d.field} recorded ${canonical(d.recorded)}, recomputed ${canonical(d.recomputed)}`).join("; ")}`;
    lines.push(`VERDICT ${p.requirement} ${p.target} ${what}`);
  }
  return lines;
}
