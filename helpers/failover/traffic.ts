// Recorded traffic through an entrypoint (HA-*): an open-loop request stream at a fixed rate,
// so a slow or hanging request never delays the next one (no coordinated omission), bounded in
// request count and duration, every request with its own timeout. A runner too busy to send on
// time skips the slots it missed instead of sending them in a burst later: the history then
// shows the gap, and the volume check of the experiment (sent vs rate × window) catches it.
import net from "node:net";
import { Agent, request } from "undici";

/** One request of a recorded history. Times are epoch milliseconds (sub-millisecond precision). */
export interface RequestRecord {
  seq: number;
  startMs: number;
  endMs: number;
  /** HTTP status, or null when no response arrived (refused, reset, timeout) or for tcp:// targets. */
  status: number | null;
  ok: boolean;
  error: string | null;
}

export interface TrafficTarget {
  /** http(s):// is requested with GET; tcp:// counts a completed TCP connect as a success. */
  url: string;
  /** Statuses that count as answering; when unset any status below 500 does. */
  okStatuses?: readonly number[];
  insecureTls?: boolean;
}

export interface TrafficOptions {
  ratePerSecond?: number;
  /** Hard bounds: the recorder stops by itself at whichever comes first. */
  maxRequests?: number;
  maxDurationMs?: number;
  requestTimeoutMs?: number;
}

export interface TrafficRecorder {
  /** Requests completed so far, in completion order. */
  readonly history: readonly RequestRecord[];
  /** When sending started and stopped (epoch ms; endMs null while sending), and how many requests were sent. */
  volume(): { startMs: number; endMs: number | null; sent: number };
  /** Stops sending, waits for requests in flight, returns the history sorted by seq. */
  stop(): Promise<RequestRecord[]>;
  /** Settles when the recorder stopped by itself or through stop(). */
  readonly done: Promise<RequestRecord[]>;
}

export const DEFAULT_RATE_PER_SECOND = 20;
const DEFAULT_MAX_REQUESTS = 20_000;
const DEFAULT_MAX_DURATION_MS = 10 * 60_000;
const DEFAULT_REQUEST_TIMEOUT_MS = 2_000;
/**
 * A slot this late is skipped, not sent: a burst after a long stall would hide the stall. Shorter
 * delays (a busy runner's timers firing late) are caught up, so a loaded runner still sends its rate.
 */
const LATE_SLOT_MS = 1_000;

/** Wall clock with sub-millisecond resolution, comparable with Date.now(). */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

export function isOkStatus(status: number, okStatuses?: readonly number[]): boolean {
  return okStatuses && okStatuses.length > 0 ? okStatuses.includes(status) : status < 500;
}

function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    const cause = (error as { cause?: unknown }).cause;
    const causeCode = cause instanceof Error ? (cause as { code?: unknown }).code : undefined;
    return [typeof code === "string" ? code : typeof causeCode === "string" ? causeCode : error.name, error.message]
      .filter(Boolean)
      .join(": ");
  }
  return String(error);
}

type Probe = (seq: number) => Promise<RequestRecord>;

function httpProbe(target: TrafficTarget, agent: Agent, timeoutMs: number): Probe {
  return async (seq) => {
    const startMs = nowMs();
    try {
      const response = await request(target.url, {
        method: "GET",
        dispatcher: agent,
        // A new connection per request, as many independent clients arrive at a load balancer: one
        // kept-alive connection would stay pinned to the surviving member (TCP-mode balancing) and
        // hide an outage that real clients see.
        reset: true,
        signal: AbortSignal.timeout(timeoutMs),
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
      await response.body.dump();
      const ok = isOkStatus(response.statusCode, target.okStatuses);
      return { seq, startMs, endMs: nowMs(), status: response.statusCode, ok, error: ok ? null : `HTTP ${response.statusCode}` };
    } catch (error) {
      return { seq, startMs, endMs: nowMs(), status: null, ok: false, error: describeError(error) };
    }
  };
}

function tcpProbe(url: URL, timeoutMs: number): Probe {
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const port = Number(url.port);
  return (seq) =>
    new Promise((resolve) => {
      const startMs = nowMs();
      const socket = net.connect({ host, port });
      const finish = (error: string | null) => {
        socket.destroy();
        resolve({ seq, startMs, endMs: nowMs(), status: null, ok: error === null, error });
      };
      socket.setTimeout(timeoutMs, () => finish(`ETIMEDOUT: no TCP connect within ${timeoutMs} ms`));
      socket.once("connect", () => finish(null));
      socket.once("error", (error) => finish(describeError(error)));
    });
}

/** A single request through the target: the steady-state check of an entrypoint. */
export async function requestOnce(target: TrafficTarget, timeoutMs = DEFAULT_REQUEST_TIMEOUT_MS): Promise<RequestRecord> {
  const recorder = startTraffic(target, { maxRequests: 1, requestTimeoutMs: timeoutMs });
  const [record] = await recorder.done;
  if (!record) throw new Error("the recorder sent no request");
  return record;
}

export function startTraffic(target: TrafficTarget, options: TrafficOptions = {}): TrafficRecorder {
  const rate = options.ratePerSecond ?? DEFAULT_RATE_PER_SECOND;
  if (!(rate > 0)) throw new Error(`request rate must be positive, got ${rate}`);
  const intervalMs = 1000 / rate;
  const maxRequests = options.maxRequests ?? DEFAULT_MAX_REQUESTS;
  const maxDurationMs = options.maxDurationMs ?? DEFAULT_MAX_DURATION_MS;
  const timeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;

  const url = new URL(target.url);
  // One agent per recorder, closed when recording ends.
  const agent = new Agent({ connect: { rejectUnauthorized: !target.insecureTls, timeout: timeoutMs } });
  const probe = url.protocol === "tcp:" ? tcpProbe(url, timeoutMs) : httpProbe(target, agent, timeoutMs);

  const history: RequestRecord[] = [];
  const inFlight = new Set<Promise<void>>();
  const startedAt = nowMs();
  let stoppedAt: number | null = null;
  let sent = 0;
  /** Index of the next slot (slot k is due at startedAt + k × interval); ahead of `sent` after skips. */
  let slot = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let resolveDone!: (records: RequestRecord[]) => void;
  const done = new Promise<RequestRecord[]>((resolve) => (resolveDone = resolve));

  const finish = async () => {
    stopped = true;
    stoppedAt ??= nowMs();
    if (timer) clearTimeout(timer);
    while (inFlight.size > 0) await Promise.all([...inFlight]);
    await agent.close().catch(() => undefined);
    resolveDone([...history].sort((a, b) => a.seq - b.seq));
  };

  const tick = () => {
    if (stopped) return;
    const elapsed = nowMs() - startedAt;
    if (sent >= maxRequests || elapsed >= maxDurationMs) {
      void finish();
      return;
    }
    slot = Math.max(slot, Math.ceil((elapsed - LATE_SLOT_MS) / intervalMs));
    const pending = probe(sent).then((record) => {
      history.push(record);
    });
    sent += 1;
    slot += 1;
    inFlight.add(pending);
    void pending.finally(() => inFlight.delete(pending));
    // Scheduled against the start time, not the previous tick, so the rate does not drift.
    timer = setTimeout(tick, Math.max(0, startedAt + slot * intervalMs - nowMs()));
  };
  tick();

  return {
    history,
    volume: () => ({ startMs: startedAt, endMs: stoppedAt, sent }),
    done,
    stop: async () => {
      if (!stopped) await finish();
      return done;
    },
  };
}
