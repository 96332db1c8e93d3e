// Secret redaction for everything that leaves the runner (reports, evidence bundle, matrix).
// Two layers: the known secret values of this run (and the encoded forms they take inside URLs,
// JSON and HTML), then patterns for secrets we cannot know in advance (PEM private keys,
// passwords in connection strings, bearer tokens).
import type { Environment } from "../environment/schema.js";
import { escapeHtml } from "./html.js";

export const REDACTED = "[REDACTED]";

/**
 * Values of every environment variable the environment names as a secret: `database.passwordEnv`
 * and any other key ending in "Env" (the schema's convention for "read this secret from a variable").
 * Identity files are paths only: their contents are never read into the report.
 */
export function collectSecrets(env: Environment, processEnv: Record<string, string | undefined>): string[] {
  const names = new Set<string>([env.database.passwordEnv, ...secretVariableNames(env)]);
  const values = [...names].map((name) => processEnv[name]).filter((v): v is string => typeof v === "string" && v.length > 0);
  return [...new Set(values)];
}

function secretVariableNames(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(secretVariableNames);
  if (!value || typeof value !== "object") return [];
  return Object.entries(value).flatMap(([key, v]) =>
    /Env$/.test(key) && typeof v === "string" && /^[A-Z_][A-Z0-9_]*$/.test(v) ? [v] : secretVariableNames(v),
  );
}

/** The spellings a secret takes in our outputs: raw, URL-encoded, JSON-escaped, HTML-escaped. */
export function secretForms(secret: string): string[] {
  const forms = [secret, encodeURIComponent(secret), encodeURI(secret), JSON.stringify(secret).slice(1, -1), escapeHtml(secret)];
  return [...new Set(forms)].filter((f) => f.length > 0);
}

const PEM_PRIVATE_KEY = /-----BEGIN ([A-Z0-9 ]*?)PRIVATE KEY-----[\s\S]*?-----END \1PRIVATE KEY-----/g;
/** key=value pairs of libpq DSNs, env assignments (PGPASSWORD=...) and query strings. */
const PASSWORD_ASSIGNMENT = /\b([A-Za-z_]*(?:password|passwd|pwd)[A-Za-z_]*)=("[^"]*"|'[^']*'|[^\s&;,"']+)/gi;
/** scheme://user:password@host */
const URL_USERINFO_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]+):([^\s@/]+)@/gi;
const AUTH_TOKEN = /\b(Bearer|Basic)\s+[A-Za-z0-9\-._~+/]+=*/g;

export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  // Longest first, so a secret containing another is replaced whole.
  const forms = [...new Set(secrets.flatMap(secretForms))].sort((a, b) => b.length - a.length);
  for (const form of forms) out = out.split(form).join(REDACTED);
  out = out.replace(PEM_PRIVATE_KEY, (_m, kind: string) => `-----BEGIN ${kind}PRIVATE KEY-----${REDACTED}-----END ${kind}PRIVATE KEY-----`);
  out = out.replace(PASSWORD_ASSIGNMENT, (_m, key: string) => `${key}=${REDACTED}`);
  out = out.replace(URL_USERINFO_PASSWORD, (_m, prefix: string) => `${prefix}:${REDACTED}@`);
  out = out.replace(AUTH_TOKEN, (_m, scheme: string) => `${scheme} ${REDACTED}`);
  return out;
}

/** Redacts every string (values and keys) of a JSON-like value; returns a new value. */
export function redactDeep<T>(value: T, secrets: readonly string[]): T {
  const walk = (v: unknown): unknown => {
    if (typeof v === "string") return redact(v, secrets);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [redact(k, secrets), walk(x)]));
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
