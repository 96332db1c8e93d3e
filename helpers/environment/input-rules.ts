// Rules an environment must meet that the schema alone cannot express, checked before anything is
// contacted: URLs the probes can use, addresses that are addresses, no lab placeholders outside
// labs, and failover budgets that can both pass and fail.
import type { EnvironmentProblem } from "./load.js";
import type { EnvironmentFile } from "./schema.js";

/** Lab files name containers as {{name}}; for syntax checks any valid host name stands in. */
const PLACEHOLDER = /\{\{[^}]*\}\}/g;

function checkUrl(keyPath: string, text: string, allowed: string[]): EnvironmentProblem | null {
  const example = allowed.includes("tcp:") ? "http://gateway.example.com:9080/ or tcp://gateway.example.com:9080" : "http://prometheus.example.com:9090";
  const portInText = /^[a-z]+:\/\/(?:[^/@]*@)?(?:\[[^\]]*\]|[^/:?#]*):(\d*)/i.exec(text.replace(PLACEHOLDER, "lab-container"))?.[1];
  if (portInText !== undefined && portInText !== "" && (Number(portInText) < 1 || Number(portInText) > 65535)) {
    return { keyPath, message: `port ${portInText} is out of range (1-65535); fix the port, e.g. ${example}` };
  }
  let url: URL;
  try {
    url = new URL(text.replace(PLACEHOLDER, "lab-container"));
  } catch {
    return { keyPath, message: `"${text}" is not a valid URL; write it like ${example}` };
  }
  if (!allowed.includes(url.protocol)) return { keyPath, message: `scheme ${url.protocol} is not allowed here; use ${allowed.join(" or ")}//...` };
  if (url.hostname === "") return { keyPath, message: `"${text}" names no host; write it like ${example}` };
  if (url.protocol === "tcp:" && url.port === "") return { keyPath, message: `a tcp:// URL needs a port (there is no default port for tcp); write it like tcp://${url.hostname}:9080` };
  return null;
}

export function urlProblems(env: EnvironmentFile): EnvironmentProblem[] {
  const problems: EnvironmentProblem[] = [];
  for (const [name, entrypoint] of Object.entries(env.entrypoints)) {
    if (!entrypoint) continue;
    const problem = checkUrl(`entrypoints.${name}.url`, entrypoint.url, ["http:", "https:", "tcp:"]);
    if (problem) problems.push(problem);
  }
  if (env.prometheus.url) {
    const problem = checkUrl("prometheus.url", env.prometheus.url, ["http:", "https:"]);
    if (problem) problems.push(problem);
  }
  return problems;
}

/** What a user means by "host:port" or "user@host" belongs in other keys. */
function addressProblem(keyPath: string, address: string, portKey: string, userKey: string | null): EnvironmentProblem | null {
  if (/\s/.test(address)) return { keyPath, message: `"${address}" contains whitespace; give one DNS name or IP` };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(address)) return { keyPath, message: `"${address}" is a URL; give only the DNS name or IP` };
  if (address.includes("@")) return { keyPath, message: `"${address}" contains a user; give the user in ${userKey ?? "the user key"} and only the DNS name or IP here` };
  if (/[[\]]/.test(address)) {
    // Brackets belong to URLs; an address key takes the bare IP, and a port has its own key.
    return { keyPath, message: `"${address}" is bracketed: give an IPv6 address without brackets (e.g. 2001:db8::1)${/\]:\d/.test(address) ? ` and the port in ${portKey}` : ""}` };
  }
  if (/^[^:]+:\d*$/.test(address)) return { keyPath, message: `"${address}" contains a port; give the port in ${portKey} and only the DNS name or IP here` };
  return null;
}

export function addressProblems(env: EnvironmentFile): EnvironmentProblem[] {
  const problems: EnvironmentProblem[] = [];
  (env.hosts ?? []).forEach((host, i) => {
    const p = addressProblem(`hosts[${i}].address`, host.address, `hosts[${i}].port`, `hosts[${i}].user`);
    if (p) problems.push(p);
    let hop = host.jumpHost;
    let path = `hosts[${i}].jumpHost`;
    while (hop) {
      const q = addressProblem(`${path}.address`, hop.address, `${path}.port`, `${path}.user`);
      if (q) problems.push(q);
      hop = hop.jumpHost;
      path += ".jumpHost";
    }
  });
  const db = addressProblem("database.host", env.database.host, "database.port", "database.user");
  if (db) problems.push(db);
  return problems;
}

/** Every string of the file as parsed, with its key path. */
function eachString(raw: unknown, visit: (value: string, keyPath: string) => void): void {
  const walk = (value: unknown, path: string) => {
    if (typeof value === "string") visit(value, path);
    else if (Array.isArray(value)) value.forEach((v, i) => walk(v, `${path}[${i}]`));
    else if (value && typeof value === "object") for (const [k, v] of Object.entries(value)) walk(v, path ? `${path}.${k}` : k);
  };
  walk(raw, "");
}

/** Every string holding {{...}}, by key path: only lab environments have containers to fill them in. */
export function placeholderProblems(raw: unknown): EnvironmentProblem[] {
  const problems: EnvironmentProblem[] = [];
  eachString(raw, (value, keyPath) => {
    if (value.includes("{{")) {
      problems.push({ keyPath, message: `"${value}": {{...}} placeholders are only for lab environments (lab: {variant: ...}); give the real DNS name, IP or URL` });
    }
  });
  return problems;
}

/** In a lab environment every {{name}} must name one of the lab's containers, or the run would fail after starting it. */
export function labPlaceholderProblems(raw: unknown, containers: readonly string[]): EnvironmentProblem[] {
  const problems: EnvironmentProblem[] = [];
  eachString(raw, (value, keyPath) => {
    for (const [, name] of value.matchAll(/\{\{([^}]*)\}\}/g)) {
      if (!containers.includes(name!)) problems.push({ keyPath, message: `{{${name}}} names no container of this lab; use one of ${containers.map((c) => `{{${c}}}`).join(", ")}` });
    }
  });
  return problems;
}

/** Budgets that would make a failover experiment end early or a verdict unable to fail. */
export function failoverTimingProblems(env: EnvironmentFile): EnvironmentProblem[] {
  const f = env.failover;
  const problems: EnvironmentProblem[] = [];
  if (f.observationSeconds >= f.rollbackAfterSeconds) {
    problems.push({
      keyPath: "failover.observationSeconds",
      message: `${f.observationSeconds} s is not below failover.rollbackAfterSeconds (${f.rollbackAfterSeconds} s): the armed rollback would end the fault before the observation does; lower observationSeconds or raise rollbackAfterSeconds`,
    });
  }
  if (f.rtoSeconds >= f.observationSeconds) {
    problems.push({
      keyPath: "failover.rtoSeconds",
      message: `${f.rtoSeconds} s is not below failover.observationSeconds (${f.observationSeconds} s): an outage longer than the RTO could not be observed, so HA-* could never fail; lower rtoSeconds or raise observationSeconds`,
    });
  }
  const requests = Math.floor(f.requestsPerSecond * f.observationSeconds);
  if (f.errorBudget >= requests) {
    problems.push({
      keyPath: "failover.errorBudget",
      message: `${f.errorBudget} failed requests allowed, but only ${requests} are sent (requestsPerSecond × observationSeconds): HA-* could never fail; lower errorBudget`,
    });
  }
  for (const role of ["cp", "dp"] as const) {
    const members = f.pairs?.[role] ?? [];
    members.forEach((name, i) => {
      if (members.indexOf(name) !== i) problems.push({ keyPath: `failover.pairs.${role}[${i}]`, message: `"${name}" is listed twice; a pair needs two different hosts` });
    });
  }
  return problems;
}
