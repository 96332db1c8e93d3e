// Secret redaction for everything that leaves the runner (reports, evidence bundle, matrix).
// Two layers: the known secret values of this run (and the encoded forms they take inside URLs,
// JSON and HTML), then patterns for secrets we cannot know in advance (PEM private keys,
// passwords in connection strings, bearer tokens).
import type { Environment } from "../environment/schema.js";
import { escapeHtml } from "./html.js";

export const REDACTED = "[REDACTED]";

/** One secret the environment carries, and the key that names it (for the messages that refuse it). */
export interface SecretSource {
  keyPath: string;
  value: string;
}

/**
 * Every secret value of the environment: the value of each variable it names as a secret
 * (`database.passwordEnv` and any other key ending in "Env", the schema's convention for "read this
 * secret from a variable") and the password of every URL's userinfo (raw and percent-decoded).
 * Identity files are paths only: their contents are never read into the report.
 */
export function secretSources(env: Environment, processEnv: Record<string, string | undefined>): SecretSource[] {
  const sources: SecretSource[] = [];
  eachString(env, "", (value, keyPath) => {
    if (/Env$/.test(keyPath) && /^[A-Z_][A-Z0-9_]*$/.test(value)) {
      const secret = processEnv[value];
      if (secret) sources.push({ keyPath: `${keyPath} ($${value})`, value: secret });
    }
    const password = URL_USERINFO.exec(value)?.[2];
    // A copy from a run folder (npm run merge) already reads REDACTED there: nothing left to hide.
    if (password && password !== REDACTED_IN_CONFIG) {
      sources.push({ keyPath: `${keyPath} (the password in the URL)`, value: password });
      const decoded = percentDecoded(password);
      if (decoded !== password) sources.push({ keyPath: `${keyPath} (the password in the URL)`, value: decoded });
    }
  });
  return sources;
}

export function collectSecrets(env: Environment, processEnv: Record<string, string | undefined>): string[] {
  return [...new Set(secretSources(env, processEnv).map((s) => s.value))];
}

/** Shortest secret the suite accepts: a shorter one cannot be told apart from ordinary output. */
export const MIN_SECRET_LENGTH = 8;

/**
 * Secrets that redaction could not handle, as problems naming their key: too short to be told apart
 * from ordinary output, or present in the environment's own non-secret text (a name, an address),
 * which redaction would blank too and the final leak check would find anyway.
 */
export function secretProblems(sources: readonly SecretSource[], nonSecretText: string): { keyPath: string; message: string }[] {
  const problems: { keyPath: string; message: string }[] = [];
  const text = redact(nonSecretText, []);
  for (const { keyPath, value } of sources) {
    if (value.length < MIN_SECRET_LENGTH) {
      problems.push({
        keyPath,
        message: `the secret is ${value.length} characters long; the suite redacts every secret from its outputs and needs at least ${MIN_SECRET_LENGTH} to tell it apart from ordinary text: use a longer secret`,
      });
    } else if (text.includes(value)) {
      problems.push({
        keyPath,
        message: "the secret also occurs in the environment's own text (a name, an address, a URL), so it cannot be redacted without blanking that text: use a secret that occurs nowhere else",
      });
    }
  }
  return problems.filter((p, i) => problems.findIndex((q) => q.keyPath === p.keyPath && q.message === p.message) === i);
}

function eachString(value: unknown, path: string, visit: (value: string, keyPath: string) => void): void {
  if (typeof value === "string") visit(value, path);
  else if (Array.isArray(value)) value.forEach((v, i) => eachString(v, `${path}[${i}]`, visit));
  else if (value && typeof value === "object") for (const [k, v] of Object.entries(value)) eachString(v, path ? `${path}.${k}` : k, visit);
}

function percentDecoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** The spellings a secret takes in our outputs: raw, URL-encoded, JSON-escaped, HTML-escaped. */
export function secretForms(secret: string): string[] {
  const forms = [secret, encodeURIComponent(secret), encodeURI(secret), JSON.stringify(secret).slice(1, -1), escapeHtml(secret)];
  return [...new Set(forms)].filter((f) => f.length > 0);
}

const PEM_PRIVATE_KEY = /-----BEGIN ([A-Z0-9 ]*?)PRIVATE KEY-----[\s\S]*?-----END \1PRIVATE KEY-----/g;
/** key=value pairs of libpq DSNs, env assignments (PGPASSWORD=...) and query strings. */
const PASSWORD_ASSIGNMENT = /\b([A-Za-z_]*(?:password|passwd|pwd)[A-Za-z_]*)=("[^"]*"|'[^']*'|[^\s&;,"']+)/gi;
/** scheme://user:password@host: [1] user, [2] password. */
const URL_USERINFO = /^[a-z][a-z0-9+.-]*:\/\/([^\s:/?#@]*):([^\s/?#@]+)@/i;
/** scheme://user:password@host */
const URL_USERINFO_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]+):([^\s@/]+)@/gi;
const AUTH_TOKEN = /\b(Bearer|Basic)\s+[A-Za-z0-9\-._~+/]+=*/g;

/**
 * `marker` replaces each secret: the environment's copies use a bare word (REDACTED_IN_CONFIG), which
 * stays a valid YAML plain scalar and URL userinfo, so the redacted file still parses.
 */
export function redact(text: string, secrets: readonly string[], marker = REDACTED): string {
  return redactor(secrets, marker)(text);
}

/**
 * redact() with the secrets' forms worked out once, for the thousands of strings of one run (a
 * 50-host collected.json has tens of thousands). A form is replaced only where it occurs, and the
 * PEM pattern runs only on text holding its fixed part: the same result, without the copies.
 */
export function redactor(secrets: readonly string[], marker = REDACTED): (text: string) => string {
  // Longest first, so a secret containing another is replaced whole.
  const forms = [...new Set(secrets.flatMap(secretForms))].sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text;
    for (const form of forms) if (out.includes(form)) out = out.split(form).join(marker);
    if (out.includes("PRIVATE KEY-----")) out = out.replace(PEM_PRIVATE_KEY, (_m, kind: string) => `-----BEGIN ${kind}PRIVATE KEY-----${marker}-----END ${kind}PRIVATE KEY-----`);
    out = out.replace(PASSWORD_ASSIGNMENT, (_m, key: string) => `${key}=${marker}`);
    out = out.replace(URL_USERINFO_PASSWORD, (_m, prefix: string) => `${prefix}:${marker}@`);
    out = out.replace(AUTH_TOKEN, (_m, scheme: string) => `${scheme} ${marker}`);
    return out;
  };
}

/** The marker of the environment's copies in the run folder (see redact). */
export const REDACTED_IN_CONFIG = "REDACTED";

/** Redacts every string (values and keys) of a JSON-like value; returns a new value. */
export function redactDeep<T>(value: T, secrets: readonly string[], marker = REDACTED): T {
  const clean = redactor(secrets, marker);
  // Keys repeat on every record ("section", "stdout", ...): each is redacted once.
  const keys = new Map<string, string>();
  const key = (k: string) => keys.get(k) ?? keys.set(k, clean(k)).get(k)!;
  const walk = (v: unknown): unknown => {
    if (typeof v === "string") return clean(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [key(k), walk(x)]));
    return v;
  };
  return walk(value) as T;
}

export type SecretKind = "secret" | "pem-private-key";

export interface SecretFinding {
  /** Path relative to the run folder, "/"-separated. */
  file: string;
  /** Which spelling was found; never the secret itself. */
  kind: SecretKind;
}

/**
 * What one file's bytes still hold: a known secret (in any form) and/or a PEM private key. The forms
 * are computed once for all files. The bytes are searched as they are, without decoding: a string is
 * in a file's UTF-8 text exactly when its UTF-8 bytes are in the file (an ASCII or lead byte starts a
 * new character for the decoder, even after bytes that are not UTF-8); only a file that holds
 * "PRIVATE KEY-----" is decoded, for the PEM pattern.
 */
export function secretScanner(secrets: readonly string[]): (content: Buffer) => SecretKind[] {
  const forms = [...new Set(secrets.flatMap(secretForms))].map((f) => Buffer.from(f, "utf8"));
  const pem = new RegExp(PEM_PRIVATE_KEY.source);
  return (content) => {
    const kinds: SecretKind[] = [];
    if (forms.some((f) => content.includes(f))) kinds.push("secret");
    if (content.includes("PRIVATE KEY-----") && pem.test(content.toString("utf8"))) kinds.push("pem-private-key");
    return kinds;
  };
}

/** Secrets this process's stdout and stderr redact (grows when a lab sets its database password). */
const consoleSecrets = new Set<string>();
let consoleRedacted = false;
let consoleRedactorOf: { size: number; redact: (text: string) => string } | undefined;
/** The console's redactor, worked out again only when a secret was added. */
function consoleRedactor(): (text: string) => string {
  if (consoleRedactorOf?.size !== consoleSecrets.size) consoleRedactorOf = { size: consoleSecrets.size, redact: redactor([...consoleSecrets]) };
  return consoleRedactorOf.redact;
}

/**
 * Redact every later write of this process to stdout and stderr: whatever prints a URL, an error or a
 * summary line, the console never shows a secret. (Child processes read only redacted files.)
 */
export function redactConsole(secrets: readonly string[]): void {
  for (const s of secrets) consoleSecrets.add(s);
  if (consoleRedacted) return;
  consoleRedacted = true;
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean;
    stream.write = ((chunk: unknown, ...rest: unknown[]) =>
      write(typeof chunk === "string" ? consoleRedactor()(chunk) : Buffer.isBuffer(chunk) ? consoleRedactor()(chunk.toString("utf8")) : chunk, ...rest)) as typeof stream.write;
  }
}
