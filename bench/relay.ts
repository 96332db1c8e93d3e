// `npm run bench -- --peers --rtt-ms …`: a userspace TCP relay that gives a loopback path the round
// trip of a real network. It listens on 127.0.0.1 only and forwards to one target (a lab container's
// sshd). Every chunk is delivered half a round trip after the relay read it, in each direction, in
// order; timers schedule the deliveries, so the event loop never sleeps and other connections flow.
//
// The client's kernel completes its handshake with the relay at once, so the relay dials the target
// one and a half round trips later: when a real server would see the connection (SYN, SYN-ACK, ACK).
// The first bytes either side sees then arrive when they would over the real link.
import { createServer, Socket, type Server } from "node:net";

export const RELAY_HOST = "127.0.0.1";
/** SYN, SYN-ACK and the client's ACK: half a round trip each. */
const HANDSHAKE_ROUND_TRIPS = 1.5;

export interface RelayTarget {
  host: string;
  port: number;
}

export interface Relay {
  /** The relay's port on 127.0.0.1. */
  port: number;
  target: RelayTarget;
  close(): Promise<void>;
}

const END = Symbol("end");
type Delivery = { due: number; data: Buffer | typeof END };

/**
 * Moves what `from` sends to `to`, each chunk (and the end of the stream) delayMs after it was read.
 * Nothing is written before `isOpen()`: the target's side is dialled late (see the top of this file).
 */
class DelayedPipe {
  private readonly queue: Delivery[] = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly from: Socket,
    private readonly to: Socket,
    private readonly delayMs: number,
    private readonly isOpen: () => boolean,
  ) {
    from.on("data", (chunk: Buffer) => this.push(chunk));
    from.on("end", () => this.push(END));
  }

  private push(data: Delivery["data"]): void {
    this.queue.push({ due: performance.now() + this.delayMs, data });
    this.flush();
  }

  /** Writes every due delivery; called again by a timer for the next one, and when `to` opens. */
  flush(): void {
    if (this.timer !== null || !this.isOpen()) return;
    while (this.queue.length > 0) {
      const wait = this.queue[0]!.due - performance.now();
      if (wait > 0) {
        this.timer = setTimeout(() => {
          this.timer = null;
          this.flush();
        }, Math.ceil(wait));
        return;
      }
      const { data } = this.queue.shift()!;
      if (data === END) this.to.end();
      else if (!this.to.write(data) && !this.from.isPaused()) {
        // Back-pressure: stop reading while the writer's buffer is full.
        this.from.pause();
        this.to.once("drain", () => this.from.resume());
      }
    }
  }

  stop(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.queue.length = 0;
  }
}

function relayConnection(client: Socket, target: RelayTarget, rttMs: number, open: Set<() => void>): void {
  // allowHalfOpen: the client's end is delivered as an end, not as the close of both directions.
  const upstream = new Socket({ allowHalfOpen: true });
  let dialled = false;
  const toTarget = new DelayedPipe(client, upstream, rttMs / 2, () => dialled);
  const toClient = new DelayedPipe(upstream, client, rttMs / 2, () => true);
  const dial = setTimeout(() => upstream.connect({ host: target.host, port: target.port, noDelay: true }), HANDSHAKE_ROUND_TRIPS * rttMs);
  upstream.on("connect", () => {
    dialled = true;
    toTarget.flush();
  });
  // A reset, an error (a refused dial too) or the relay's close resets both sides at once: nothing
  // more is delivered, and the client sees a reset, not a clean end.
  let torn = false;
  const teardown = () => {
    if (torn) return;
    torn = true;
    clearTimeout(dial);
    toTarget.stop();
    toClient.stop();
    reset(client);
    reset(upstream);
    open.delete(teardown);
  };
  open.add(teardown);
  for (const socket of [client, upstream]) {
    socket.on("error", teardown);
    // A clean close needs nothing: what is still queued for the other side is delivered, then its end.
    socket.on("close", (hadError) => (hadError ? teardown() : client.destroyed && upstream.destroyed && open.delete(teardown)));
  }
}

function reset(socket: Socket): void {
  if (socket.destroyed) return;
  // resetAndDestroy() needs a connected handle; an undialled socket is simply dropped.
  if (socket.pending) socket.destroy();
  else socket.resetAndDestroy();
}

/** Starts a relay on 127.0.0.1 (an ephemeral port) that adds rttMs of round trip to `target`. */
export async function startRelay(target: RelayTarget, rttMs: number): Promise<Relay> {
  if (!Number.isFinite(rttMs) || rttMs < 0) throw new RangeError(`a round trip of ${rttMs} ms: give a number >= 0`);
  const open = new Set<() => void>();
  const server: Server = createServer({ allowHalfOpen: true, noDelay: true }, (client) => relayConnection(client, target, rttMs, open));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, RELAY_HOST, () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("the relay has no TCP port");
  return {
    port: address.port,
    target,
    close: () =>
      new Promise<void>((resolve) => {
        for (const teardown of open) teardown();
        server.close(() => resolve());
      }),
  };
}
