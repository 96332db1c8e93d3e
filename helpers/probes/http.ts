// HTTP(S) probe from the runner (PORT-01..04, entrypoints). Any response counts as an answer;
// the caller decides which statuses are acceptable. Never throws.
import { Agent, request } from "undici";
import type { HttpProbeResult } from "./types.js";

export interface HttpProbeOptions {
  /** Accept any certificate (lab self-signed certificates); the TLS probe records trust separately. */
  insecureTls: boolean;
  timeoutMs: number;
  maxBodyBytes: number;
}

export async function httpProbe(url: string, options: HttpProbeOptions): Promise<HttpProbeResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  // A dispatcher per probe: no connection reuse between probes, so each one really reaches the member.
  const agent = new Agent({
    connect: { rejectUnauthorized: !options.insecureTls, timeout: options.timeoutMs },
    headersTimeout: options.timeoutMs,
    bodyTimeout: options.timeoutMs,
    pipelining: 0,
  });
  try {
    const response = await request(url, {
      method: "GET",
      dispatcher: agent,
      signal: AbortSignal.timeout(options.timeoutMs),
      headers: { "user-agent": "api7-ha-audit", connection: "close" },
    });
    const bodySnippet = await readSnippet(response.body, options.maxBodyBytes);
    return { ok: true, status: response.statusCode, headers: flattenHeaders(response.headers), bodySnippet, ms: elapsed() };
  } catch (err) {
    return { ok: false, status: null, headers: {}, bodySnippet: "", ms: elapsed(), error: describeError(err) };
  } finally {
    await agent.destroy().catch(() => undefined);
  }
}

/** Reads at most maxBytes of the body, then drops the rest (a large page must not slow the audit). */
async function readSnippet(body: AsyncIterable<Buffer> & { destroy(): unknown }, maxBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body) {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= maxBytes) break;
    }
  } catch {
    // The status and headers already arrived: a body cut short is still an answer.
  } finally {
    body.destroy();
  }
  return Buffer.concat(chunks).subarray(0, maxBytes).toString("utf8");
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return flat;
}

/** undici wraps socket errors: report the innermost code (ECONNREFUSED, CERT_HAS_EXPIRED...). */
export function describeError(err: unknown): string {
  const parts: string[] = [];
  let current: unknown = err;
  for (let depth = 0; current instanceof Error && depth < 5; depth++) {
    const code = (current as NodeJS.ErrnoException).code;
    parts.push(code ? `${code}: ${current.message}` : current.message);
    current = (current as { cause?: unknown }).cause;
  }
  if (parts.length === 0) return String(err);
  return parts.join(" <- ");
}
