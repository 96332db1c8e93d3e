// Loads and validates an environment file before any host is touched. Every problem is reported
// with the file, the key path and what was expected, so the operator can fix it in one go.
import { existsSync, readFileSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseDocument } from "yaml";
import { sha256Text } from "../evidence/manifest.js";
import type { z } from "zod";
import { environmentSchema, type Environment } from "./schema.js";

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
}

/** `lab` → environments/lab.yaml; anything with a slash or .yaml suffix is a path. */
export function environmentPath(nameOrPath: string): string {
  if (nameOrPath.includes("/") || /\.ya?ml$/.test(nameOrPath)) return resolve(nameOrPath);
  return join(ENVIRONMENTS_DIR, `${nameOrPath}.yaml`);
}

export function loadEnvironment(nameOrPath: string): LoadedEnvironment {
  const file = environmentPath(nameOrPath);
  if (!existsSync(file)) {
    throw new EnvironmentError(file, [
      { keyPath: "", message: `file not found; give a name from environments/ (e.g. lab) or a path to a .yaml file` },
    ]);
  }
  const text = readFileSync(file, "utf8");
  const env = parseEnvironmentText(text, file);
  return { env, file, text, sha256: sha256Text(text) };
}

export function parseEnvironmentText(text: string, file: string): Environment {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new EnvironmentError(
      file,
      doc.errors.map((e) => ({ keyPath: `line ${e.linePos?.[0]?.line ?? "?"}`, message: `YAML: ${e.message.split("\n")[0]}` })),
    );
  }
  const parsed = environmentSchema.safeParse(doc.toJS());
  if (!parsed.success) throw new EnvironmentError(file, parsed.error.issues.map(describeIssue));
  const problems = crossCheck(parsed.data);
  if (problems.length > 0) throw new EnvironmentError(file, problems);
  return parsed.data;
}

function describeIssue(issue: z.core.$ZodIssue): EnvironmentProblem {
  const keyPath = issue.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("").replace(/^\./, "");
  if (issue.code === "unrecognized_keys") {
    return { keyPath, message: `unknown key(s) ${issue.keys.map((k) => `"${k}"`).join(", ")}: remove or fix the spelling` };
  }
  return { keyPath, message: `${issue.message}` };
}

/** Rules that span keys, which the schema cannot express alone. */
function crossCheck(env: Environment): EnvironmentProblem[] {
  const problems: EnvironmentProblem[] = [];
  const seen = new Map<string, number>();
  env.hosts.forEach((host, i) => {
    const first = seen.get(host.name);
    if (first !== undefined) {
      problems.push({ keyPath: `hosts[${i}].name`, message: `duplicate host name "${host.name}" (also hosts[${first}]); names must be unique` });
    }
    seen.set(host.name, i);
  });
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
  for (const role of ["cp", "dp"] as const) {
    (env.failover.pairs?.[role] ?? []).forEach((name, i) => {
      const host = env.hosts.find((h) => h.name === name);
      if (!host || !host.roles.includes(role)) {
        problems.push({ keyPath: `failover.pairs.${role}[${i}]`, message: `"${name}" is not a host with role ${role}; list hosts of hosts[] that have roles [${role}]` });
      }
    });
  }
  if (!env.lab) {
    env.hosts.forEach((host, i) => {
      if (host.address.includes("{{")) {
        problems.push({ keyPath: `hosts[${i}].address`, message: "{{...}} placeholders are only for lab environments (lab: {variant: ...}); give a DNS name or IP" });
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
