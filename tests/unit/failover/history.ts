// Hand-built request histories for the failover unit tests: one character per request at a fixed
// interval, "." answered, "x" an error status (503), "-" no response (refused).
import type { RequestRecord } from "../../../helpers/failover/traffic.js";

export const T0 = 1_700_000_000_000;

export function historyOf(pattern: string, intervalMs = 50, latencyMs = 10): RequestRecord[] {
  return [...pattern].map((c, seq) => {
    const startMs = T0 + seq * intervalMs;
    if (c === ".") return { seq, startMs, endMs: startMs + latencyMs, status: 200, ok: true, error: null };
    if (c === "x") return { seq, startMs, endMs: startMs + latencyMs, status: 503, ok: false, error: "HTTP 503" };
    if (c === "-") return { seq, startMs, endMs: startMs + 1, status: null, ok: false, error: "ECONNREFUSED" };
    throw new Error(`unknown history character ${c}`);
  });
}
