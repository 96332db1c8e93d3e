// Loads and validates an environment file before any host is touched. Every problem is reported
// with the file, the key path and what was expected, so the operator can fix it in one go.
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { sha256Text } from "../evidence/manifest.js";
import type { z } from "zod";
import { labTopology } from "../../environments/lab/topology.js";
import { addressProblems, failoverTimingProblems, labPlaceholderProblems, placeholderProblems, urlProblems } from "./input-rules.js";
import { resolveHosts } from "./resolve-hosts.js";
import { knownKeysAt, nearestKey } from "./suggest.js";
import { parseYamlText, YamlTextError } from "./yaml-text.js";
import { environmentFileSchema, UNSAFE_IN_PATH, type Environment, type EnvironmentFile } from "./schema.js";

export const ENVIRONMENTS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "../../environments");

export interface EnvironmentProblem {
  keyPath: string;
  message: string;
}

/** Bad input: the CLI prints it and exits 3 before contacting anything. */
export class EnvironmentError extends Error {
  constructor(
    readonly file: string,
    readonly problems: EnvironmentProblem[],
  ) {
    super(
      `${file}: invalid environment\n` +
        problems.map((p) => `  - ${p.keyPath || "(top level)"}: ${p.message}`).join("\n"),
    );
    this.name = "EnvironmentError";
  }
}

export interface LoadedEnvironment {
  env: Environment;
  file: string;
  text: string;
  sha256: string;
  /** Settings of the user's ssh config or inventory that the suite ignores, said at the start of the run. */
  notices?: string[];
  /** host name → field → where a value came from when the ssh config or the inventory gave it. */
  origins?: Record<string, Record<string, string>>;
}

/** `lab` → environments/lab.yaml; anything with a slash or .yaml suffix is a path. */
export function environmentPath(nameOrPath: string): string {
  if (nameOrPath.includes("/") || /\.ya?ml$/.test(nameOrPath)) return resolve(nameOrPath);
  return join(ENVIRONMENTS_DIR, `${nameOrPath}.yaml`);
}

export function loadEnvironment(nameOrPath: string): LoadedEnvironment {
  const file = environmentPath(nameOrPath);
  if (!existsSync(file) || !statSync(file).isFile()) {
    throw new EnvironmentError(file, [
      { keyPath: "", message: `${existsSync(file) ? "not a file" : "file not found"}; give a name from environments/ (e.g. lab) or a path to a .yaml file` },
    ]);
  }
  const text = readFileSync(file, "utf8");
  const { env, notices, origins } = parseAndResolve(text, file);
  return { env, file, text, sha256: sha256Text(text), notices, origins };
}

/** The file as written, validated: pure, reads nothing else (hosts may still be left to an inventory). */
export function parseEnvironmentFile(text: string, file: string): { env: EnvironmentFile; raw: unknown } {
  let raw: unknown;
  try {
    raw = parseYamlText(text, { uniqueKeys: true });
  } catch (error) {
    if (!(error instanceof YamlTextError)) throw error;
    throw new EnvironmentError(file, error.problems.map((p) => ({ keyPath: `line ${p.line}`, message: p.message })));
  }
  if (raw === null || raw === undefined) {
    throw new EnvironmentError(file, [{ keyPath: "", message: "the file is empty (or only comments): start from environments/staging.example.yaml, which lists every key" }]);
  }
  if (typeof raw !== "object" || Array.isArray(raw)) {
    throw new EnvironmentError(file, [{ keyPath: "", message: `the file is ${Array.isArray(raw) ? "a list" : "a single value"}; it must be a mapping of keys (name:, hosts:, components:, ...): start from environments/staging.example.yaml` }]);
  }
  const parsed = environmentFileSchema.safeParse(raw);
  if (!parsed.success) throw new EnvironmentError(file, parsed.error.issues.map(describeIssue));
  const problems = fileCheck(parsed.data, raw);
  if (problems.length > 0) throw new EnvironmentError(file, problems);
  return { env: parsed.data, raw };
}

/** Validated, with the hosts resolved from the inventory and the ssh config (files relative to `file`). */
export function parseEnvironmentText(text: string, file: string): Environment {
  return parseAndResolve(text, file).env;
}

function parseAndResolve(text: string, file: string): Required<Pick<LoadedEnvironment, "env" | "notices" | "origins">> {
  const { env: parsed, raw } = parseEnvironmentFile(text, file);
  const { env, notices, origins, problems } = resolveHosts(parsed, raw, file);
  problems.push(...hostCheck(env));
  if (problems.length > 0) throw new EnvironmentError(file, problems);
  return { env, notices, origins };
}

function describeIssue(issue: z.core.$ZodIssue): EnvironmentProblem {
  const keyPath = issue.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("").replace(/^\./, "");
  if (issue.code === "unrecognized_keys") {
    const known = knownKeysAt(environmentFileSchema, issue.path);
    const named = issue.keys.map((k) => {
      const nearest = nearestKey(k, known);
      return nearest ? `"${k}" (did you mean "${nearest}"?)` : `"${k}"`;
    });
    return { keyPath, message: `unknown key(s) ${named.join(", ")}: remove or fix the spelling; known here: ${known.join(", ")}` };
  }
  return { keyPath, message: `${issue.message}` };
}

/** Rules of the file as written, which the schema cannot express alone. */
function fileCheck(env: EnvironmentFile, raw: unknown): EnvironmentProblem[] {
  const problems: EnvironmentProblem[] = [];
  if (env.hosts && env.inventory) {
    problems.push({ keyPath: "inventory", message: "give either hosts or inventory, not both: remove one of them" });
  } else if (!env.hosts && !env.inventory) {
    problems.push({ keyPath: "hosts", message: "required: list the hosts, or give inventory: { ansible: <path>, roles: { cp: <group>, dp: <group> } }" });
  }
  if (env.lab) {
    if (env.inventory) problems.push({ keyPath: "inventory", message: "a lab environment audits the embedded lab's own hosts: remove inventory" });
    if (env.ssh.config !== undefined) problems.push({ keyPath: "ssh.config", message: "a lab environment connects with the lab's own key: remove ssh.config" });
    problems.push(...labPlaceholderProblems(raw, labTopology(env.lab.variant).map((spec) => spec.name)));
  } else {
    problems.push(...placeholderProblems(raw));
  }
  if (env.prometheus.enabled && !env.prometheus.url) {
    problems.push({ keyPath: "prometheus.url", message: "required when prometheus.enabled is true (e.g. http://prometheus.example:9090)" });
  }
  for (const [name, component] of Object.entries(env.components)) {
    const hasDetector = component.detect.container !== undefined || component.detect.process !== undefined;
    if (!hasDetector) {
      problems.push({ keyPath: `components.${name}.detect`, message: "give detect.container or detect.process (how to recognise it running)" });
    }
    if ((component.stop === undefined) !== (component.start === undefined)) {
      problems.push({ keyPath: `components.${name}.${component.stop ? "start" : "stop"}`, message: "stop and start go together: give both argv lists or neither" });
    }
    if (!component.stop && !component.detect.container) {
      problems.push({ keyPath: `components.${name}.stop`, message: "without detect.container there is no default `docker stop`: give stop and start argv" });
    }
  }
  problems.push(...urlProblems(env), ...addressProblems(env), ...failoverTimingProblems(env));
  return problems;
}

/** Rules over the resolved hosts, wherever they came from. */
function hostCheck(env: Environment): EnvironmentProblem[] {
  const problems: EnvironmentProblem[] = [];
  const where = (i: number) => (env.inventory ? `inventory.ansible (host ${env.hosts[i]!.name})` : `hosts[${i}].name`);
  const seen = new Map<string, number>();
  env.hosts.forEach((host, i) => {
    // An inventory's host names are not checked by the schema: an IPv6 address is a fine name, a path is not.
    if (UNSAFE_IN_PATH.test(host.name)) problems.push({ keyPath: where(i), message: `host name "${host.name}": no '/', '\\', '..' or NUL, and no leading '-'; rename the host in the inventory` });
    const first = seen.get(host.name);
    if (first !== undefined) {
      problems.push({ keyPath: where(i), message: `duplicate host name "${host.name}" (also hosts[${first}]); names must be unique` });
    }
    seen.set(host.name, i);
  });
  for (const role of ["cp", "dp"] as const) {
    (env.failover.pairs?.[role] ?? []).forEach((name, i) => {
      const host = env.hosts.find((h) => h.name === name);
      if (!host || !host.roles.includes(role)) {
        problems.push({ keyPath: `failover.pairs.${role}[${i}]`, message: `"${name}" is not a host with role ${role}; list hosts of hosts[] that have roles [${role}]` });
      }
    });
  }
  return problems;
}

/** Lab environments name containers as {{name}}; replace them by the containers' addresses. */
export function resolvePlaceholders<T>(value: T, addresses: Record<string, string>): T {
  const replace = (s: string) =>
    s.replace(/\{\{([a-z0-9._-]+)\}\}/gi, (whole, name: string) => {
      const address = addresses[name];
      if (address === undefined) throw new Error(`placeholder ${whole} names no lab container (known: ${Object.keys(addresses).join(", ")})`);
      return address;
    });
  const walk = (v: unknown): unknown => {
    if (typeof v === "string") return replace(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(value) as T;
}
