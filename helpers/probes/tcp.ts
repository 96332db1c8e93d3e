// TCP connect probes from the runner (SEC-03, SEC-04). Never throw: a network error is a result.
import net from "node:net";
import type { TcpProbeResult, TcpState } from "./types.js";

/**
 * How long a port probe waits for the handshake, nmap-like. A SYN-ACK comes from the peer's kernel,
 * not from the application, so it takes one network round trip: the per-attempt timeout is `factor`
 * times the slowest handshake measured to the same address in this run (open or refused ports),
 * never below `floorMs`. A measured handshake also contains the runner's event-loop delay (about
 * 200 ms per handshake at load 20 on the 2-core runner), so it overstates the round trip, never
 * understates it; a factor of 4 keeps that from multiplying into seconds. Until one is measured it is `initialMs` (nmap's initial RTT timeout). A port
 * that has not answered after one attempt timeout gets a second connection (a lost SYN) with twice
 * the timeout, while the first stays open (a late SYN-ACK still counts): "filtered" after 3x the
 * timeout. The floor, not the LAN round trip (well under 1 ms), decides on a LAN: 300 ms per attempt,
 * filtered after 900 ms, where a fixed 3 s timeout was used before.
 */
export const TCP_TIMEOUT_POLICY = { initialMs: 1000, floorMs: 300, factor: 4, ceilingMs: 3000 } as const;

/** The slowest handshake per address, and the attempt timeout it implies (or a fixed one). */
export class RoundTrips {
  private readonly slowest = new Map<string, number>();
  private readonly watchers = new Map<string, Set<() => void>>();

  /** fixedTimeoutMs: the --tcp-timeout override; null derives the timeout from measured round trips. */
  constructor(readonly fixedTimeoutMs: number | null = null) {}

  record(address: string, ms: number): void {
    if (ms <= (this.slowest.get(address) ?? -1)) return;
    this.slowest.set(address, ms);
    for (const watcher of this.watchers.get(address) ?? []) watcher();
  }

  rttMs(address: string): number | null {
    return this.slowest.get(address) ?? null;
  }

  attemptTimeoutMs(address: string): number {
    if (this.fixedTimeoutMs !== null) return this.fixedTimeoutMs;
    const rtt = this.rttMs(address);
    if (rtt === null) return TCP_TIMEOUT_POLICY.initialMs;
    return Math.min(TCP_TIMEOUT_POLICY.ceilingMs, Math.max(TCP_TIMEOUT_POLICY.floorMs, Math.ceil(TCP_TIMEOUT_POLICY.factor * rtt)));
  }

  /** Calls `onChange` when the address's timeout may have changed; returns the unsubscribe function. */
  watch(address: string, onChange: () => void): () => void {
    const set = this.watchers.get(address) ?? new Set();
    this.watchers.set(address, set.add(onChange));
    return () => set.delete(onChange);
  }
}

interface Answer {
  state: TcpState;
  localAddress?: string;
  /** Handshake time of this connection. */
  ms: number;
  error?: string;
}

/** One connect(): resolves when the peer answers (accept, refusal, ICMP error); never on silence. */
function connectOnce(address: string, port: number): { answer: Promise<Answer>; destroy: () => void } {
  const started = performance.now();
  const socket = net.connect({ host: address, port });
  const answer = new Promise<Answer>((resolve) => {
    const ms = () => Math.round(performance.now() - started);
    socket.once("connect", () => {
      // On loopback a connect to a free ephemeral port can meet itself (TCP simultaneous open):
      // nobody listens there, so the port is closed.
      const selfConnect = socket.localPort === socket.remotePort && socket.localAddress === socket.remoteAddress;
      // The runner's address as the host sees it (before any NAT): SEC-02 asks whether it lies in a trusted network.
      resolve(selfConnect ? { state: "closed", ms: ms(), error: "self-connect" } : { state: "open", ms: ms(), ...(socket.localAddress ? { localAddress: socket.localAddress } : {}) });
      socket.destroy();
    });
    socket.once("error", (err: NodeJS.ErrnoException) => {
      const code = err.code ?? err.message;
      // Only a refusal proves the port closed; unreachable hosts, DNS failures and the like leave it
      // untested, which nmap also calls filtered. The error code says which.
      resolve({ state: code === "ECONNREFUSED" ? "closed" : "filtered", ms: ms(), error: code });
    });
  });
  return { answer, destroy: () => socket.destroy() };
}

/** One attempt with a fixed timeout (the full port sweep): no answer in time = filtered. */
export function tcpProbe(address: string, port: number, timeoutMs: number): Promise<TcpProbeResult> {
  const connection = connectOnce(address, port);
  let timer: NodeJS.Timeout | undefined;
  const silence = new Promise<Answer>((resolve) => {
    timer = setTimeout(() => resolve({ state: "filtered", ms: timeoutMs, error: "timeout" }), timeoutMs);
  });
  return Promise.race([connection.answer, silence]).then((answer) => {
    clearTimeout(timer);
    connection.destroy();
    return answer;
  });
}

/**
 * The port probe of an audit: attempt timeout from `roundTrips` (re-read whenever a handshake to the
 * same address is measured), one retry, and each answered handshake recorded as a round trip.
 */
export function tcpProbeWithRetry(address: string, port: number, roundTrips: RoundTrips): Promise<TcpProbeResult> {
  const started = performance.now();
  const connections = [connectOnce(address, port)];
  return new Promise((resolve) => {
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (answer: Answer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      unwatch();
      for (const connection of connections) connection.destroy();
      resolve({
        ...answer,
        ms: Math.round(performance.now() - started),
        attempts: connections.length,
        timeoutMs: roundTrips.attemptTimeoutMs(address),
        rttMs: roundTrips.rttMs(address),
      });
    };
    const listen = (connection: (typeof connections)[number]) =>
      void connection.answer.then((answer) => {
        if (answer.state !== "filtered") roundTrips.record(address, answer.ms);
        finish(answer);
      });
    // Re-armed whenever the timeout changes: retry at 1x the attempt timeout, give up at 3x.
    const arm = () => {
      if (settled) return;
      const timeout = roundTrips.attemptTimeoutMs(address);
      const due = started + (connections.length === 1 ? timeout : 3 * timeout);
      clearTimeout(timer);
      timer = setTimeout(onDue, Math.max(0, due - performance.now()));
    };
    // Timers run before I/O in Node's event loop: after a stall both may be due at once, and the
    // answer that already arrived must win. setImmediate runs after the pending I/O callbacks.
    const onDue = () =>
      setImmediate(() => {
        if (settled) return;
        if (connections.length > 1) return finish({ state: "filtered", ms: 0, error: "timeout" });
        const retry = connectOnce(address, port);
        connections.push(retry);
        listen(retry);
        arm();
      });
    const unwatch = roundTrips.watch(address, arm);
    listen(connections[0]!);
    arm();
  });
}
