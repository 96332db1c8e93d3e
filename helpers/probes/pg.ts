// PostgreSQL probe from the runner (DB-01, DB-02, SEC-03): an authenticated session, the server
// version, and what is visible of the database's own HA. The password never leaves this module:
// it is not in the result and is scrubbed from any error text.
import pg from "pg";
import type { PgProbeResult } from "./types.js";

export interface PgProbeOptions {
  host: string;
  port: number;
  database: string;
  user: string;
  password: string | undefined;
  /** TLS with certificate verification (the password must not go to an unverified server). */
  ssl: boolean;
  timeoutMs: number;
}

export async function pgProbe(options: PgProbeOptions): Promise<PgProbeResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const scrub = (text: string) => redact(text, options.password);
  const client = new pg.Client({
    host: options.host,
    port: options.port,
    database: options.database,
    user: options.user,
    password: options.password,
    ssl: options.ssl ? { rejectUnauthorized: true, servername: options.host } : false,
    connectionTimeoutMillis: options.timeoutMs,
    query_timeout: options.timeoutMs,
    statement_timeout: options.timeoutMs,
    application_name: "api7-ha-audit",
  });
  // A server that drops the session later emits 'error' on the client: without a listener it would crash the run.
  client.on("error", () => undefined);
  try {
    await client.connect();
    const info = await client.query<{ server_version: string; version: string; in_recovery: boolean }>(
      "select current_setting('server_version') as server_version, version() as version, pg_is_in_recovery() as in_recovery",
    );
    const row = info.rows[0];
    const replication = await client
      .query<Record<string, unknown>>("select * from pg_stat_replication")
      .then((r) => ({ rows: r.rows.map(jsonSafeRow) }))
      .catch((err: unknown) => ({ error: scrub(errorText(err)) }));
    return {
      ok: true,
      serverVersion: row?.server_version ?? null,
      versionText: row?.version ?? null,
      inRecovery: row?.in_recovery ?? null,
      replication,
      ms: elapsed(),
    };
  } catch (err) {
    return {
      ok: false,
      serverVersion: null,
      versionText: null,
      inRecovery: null,
      replication: null,
      ms: elapsed(),
      error: scrub(errorText(err)),
    };
  } finally {
    await client.end().catch(() => undefined);
  }
}

function errorText(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return typeof code === "string" && code.length > 0 ? `${code}: ${err.message}` : err.message;
  }
  return String(err);
}

/** Replaces every occurrence of the secret; a secret shorter than 1 character cannot leak. */
export function redact(text: string, secret: string | undefined): string {
  if (!secret) return text;
  return text.split(secret).join("***");
}

/** Dates and buffers become strings so that the row survives JSON (collected.json). */
function jsonSafeRow(row: Record<string, unknown>): Record<string, unknown> {
  const safe: Record<string, unknown> = {};
  for (const [column, value] of Object.entries(row)) {
    if (value instanceof Date) safe[column] = value.toISOString();
    else if (Buffer.isBuffer(value)) safe[column] = value.toString("hex");
    else if (typeof value === "bigint") safe[column] = value.toString();
    else if (value !== null && typeof value === "object") safe[column] = JSON.parse(JSON.stringify(value));
    else safe[column] = value;
  }
  return safe;
}
