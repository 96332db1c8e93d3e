// What a recorded history says about a failover (HA-*): pure arithmetic over request records.
// Requests are placed in time by their start: a request that started during the fault is
// counted in the fault window even if its answer came after the rollback.
import type { RequestRecord } from "./traffic.js";

/** Moments of an experiment, epoch milliseconds like the history. */
export interface ExperimentMarks {
  faultMs?: number | null;
  rollbackMs?: number | null;
}

export interface OutageSpan {
  /** Start of the first failed request of the run of failures. */
  startMs: number;
  /** Start of the next successful request, or the end of the last request when none came. */
  endMs: number;
  durationMs: number;
  failedRequests: number;
  /** True when no request succeeded after it: the outage lasted at least until recording stopped. */
  open: boolean;
}

export interface LatencySummary {
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export interface TrafficAnalysis {
  total: number;
  ok: number;
  errors: number;
  errorsBeforeFault: number;
  /** Failed requests started between the fault and the rollback (or the end when never rolled back). */
  errorsDuringFault: number;
  errorsAfterRollback: number;
  /** Longest outage, first failure to next success; null when no request failed. */
  longestOutage: OutageSpan | null;
  longestOutageMs: number;
  outages: OutageSpan[];
  /** Latency of every request, answered or not (a timeout counts with its full wait). */
  latencyMs: LatencySummary | null;
  /**
   * From the rollback to the start of the first request after which every request succeeded;
   * 0 when nothing failed after the rollback, null when the history ends in failure or there
   * was no rollback.
   */
  recoveryAfterRollbackMs: number | null;
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sortedAscending: readonly number[], p: number): number {
  if (sortedAscending.length === 0) throw new Error("percentile of an empty list");
  const rank = Math.ceil((p / 100) * sortedAscending.length);
  const index = Math.min(sortedAscending.length - 1, Math.max(0, rank - 1));
  return sortedAscending[index]!;
}

function byStart(history: readonly RequestRecord[]): RequestRecord[] {
  return [...history].sort((a, b) => a.startMs - b.startMs || a.seq - b.seq);
}

export function findOutages(history: readonly RequestRecord[]): OutageSpan[] {
  const ordered = byStart(history);
  const outages: OutageSpan[] = [];
  let first: RequestRecord | null = null;
  let failed = 0;
  let lastEnd = 0;
  for (const record of ordered) {
    if (!record.ok) {
      first ??= record;
      failed += 1;
      lastEnd = Math.max(lastEnd, record.endMs);
    } else if (first) {
      outages.push({ startMs: first.startMs, endMs: record.startMs, durationMs: record.startMs - first.startMs, failedRequests: failed, open: false });
      first = null;
      failed = 0;
    }
  }
  if (first) {
    outages.push({ startMs: first.startMs, endMs: lastEnd, durationMs: lastEnd - first.startMs, failedRequests: failed, open: true });
  }
  return outages;
}

function summariseLatency(history: readonly RequestRecord[]): LatencySummary | null {
  if (history.length === 0) return null;
  const latencies = history.map((record) => record.endMs - record.startMs).sort((a, b) => a - b);
  return {
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    max: latencies[latencies.length - 1]!,
  };
}

function recoveryAfter(ordered: readonly RequestRecord[], rollbackMs: number): number | null {
  const after = ordered.filter((record) => record.startMs >= rollbackMs);
  let lastFailure = -1;
  after.forEach((record, index) => {
    if (!record.ok) lastFailure = index;
  });
  if (lastFailure === -1) return 0;
  const firstSuccess = after[lastFailure + 1];
  return firstSuccess ? firstSuccess.startMs - rollbackMs : null;
}

export function analyseTraffic(history: readonly RequestRecord[], marks: ExperimentMarks = {}): TrafficAnalysis {
  const ordered = byStart(history);
  const faultMs = marks.faultMs ?? null;
  const rollbackMs = marks.rollbackMs ?? null;
  const failures = ordered.filter((record) => !record.ok);
  const outages = findOutages(ordered);
  const longestOutage = outages.reduce<OutageSpan | null>(
    (longest, span) => (longest === null || span.durationMs > longest.durationMs ? span : longest),
    null,
  );
  return {
    total: ordered.length,
    ok: ordered.length - failures.length,
    errors: failures.length,
    errorsBeforeFault: faultMs === null ? 0 : failures.filter((r) => r.startMs < faultMs).length,
    errorsDuringFault:
      faultMs === null ? 0 : failures.filter((r) => r.startMs >= faultMs && (rollbackMs === null || r.startMs < rollbackMs)).length,
    errorsAfterRollback: rollbackMs === null ? 0 : failures.filter((r) => r.startMs >= rollbackMs).length,
    longestOutage,
    longestOutageMs: longestOutage?.durationMs ?? 0,
    outages,
    latencyMs: summariseLatency(ordered),
    recoveryAfterRollbackMs: rollbackMs === null ? null : recoveryAfter(ordered, rollbackMs),
  };
}
