// bench/relay.ts, the latency of `npm run bench -- --peers --rtt-ms`: a real loopback echo server
// behind the relay. Only lower bounds on time are asserted (the relay may be slower on a loaded
// machine, never faster than the round trip it adds).
import { createHash, randomBytes } from "node:crypto";
import net, { type AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { RELAY_HOST, startRelay, type Relay } from "../../../bench/relay.js";
import { freePort } from "../probes/servers.js";

const RTT_MS = 100;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** An echo server on loopback that ends its side when the client ends its own (half-close). */
async function echoServer(): Promise<number> {
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    socket.on("data", (chunk) => socket.write(chunk));
    socket.on("end", () => socket.end());
    socket.on("error", () => socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanups.push(() => new Promise((resolve) => server.close(() => resolve())));
  return (server.address() as AddressInfo).port;
}

async function relayTo(port: number, rttMs: number): Promise<Relay> {
  const relay = await startRelay({ host: "127.0.0.1", port }, rttMs);
  cleanups.push(() => relay.close());
  return relay;
}

function connectTo(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: RELAY_HOST, port, allowHalfOpen: true }, () => resolve(socket));
    socket.once("error", reject);
    cleanups.push(async () => void socket.destroy());
  });
}

/** Writes `request` and resolves with the milliseconds until as many bytes came back. */
function roundTrip(socket: net.Socket, request: Buffer): Promise<number> {
  const started = performance.now();
  return new Promise((resolve) => {
    let received = 0;
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received < request.length) return;
      socket.off("data", onData);
      resolve(performance.now() - started);
    };
    socket.on("data", onData);
    socket.write(request);
  });
}

describe("the latency relay", () => {
  it("listens on loopback and makes every request/response round trip last at least the RTT", async () => {
    const relay = await relayTo(await echoServer(), RTT_MS);
    const socket = await connectTo(relay.port);
    expect((socket.address() as AddressInfo).address).toBe(RELAY_HOST);
    // The first exchange also pays the handshake the target sees late: 1.5 RTT, then half a round trip back.
    expect(await roundTrip(socket, Buffer.from("first"))).toBeGreaterThanOrEqual(2 * RTT_MS);
    for (let i = 0; i < 3; i++) expect(await roundTrip(socket, Buffer.from(`ping ${i}`))).toBeGreaterThanOrEqual(RTT_MS);
  });

  it("delivers every byte in order, and the end of each direction after the data", async () => {
    const relay = await relayTo(await echoServer(), 10);
    const socket = await connectTo(relay.port);
    const sent = randomBytes(2 * 1024 * 1024);
    const received: Buffer[] = [];
    socket.on("data", (chunk: Buffer) => received.push(chunk));
    const ended = new Promise<void>((resolve) => socket.once("end", () => resolve()));
    // Many writes of uneven size: chunks arrive at the relay at different moments.
    for (let offset = 0; offset < sent.length; ) {
      const size = 1 + ((offset * 7919) % 65_536);
      socket.write(sent.subarray(offset, offset + size));
      offset += size;
    }
    socket.end();
    await ended;
    const digest = (b: Buffer) => createHash("sha256").update(b).digest("hex");
    expect(digest(Buffer.concat(received))).toBe(digest(sent));
  });

  it("relays at 0 ms too (the baseline of a sweep)", async () => {
    const relay = await relayTo(await echoServer(), 0);
    const socket = await connectTo(relay.port);
    const echoed = new Promise<string>((resolve) => socket.once("data", (chunk: Buffer) => resolve(chunk.toString())));
    socket.write("zero");
    expect(await echoed).toBe("zero");
  });

  it("resets the client's connection when the target refuses", async () => {
    const relay = await relayTo(await freePort(), 1);
    const socket = await connectTo(relay.port);
    const error = await new Promise<NodeJS.ErrnoException>((resolve) => socket.once("error", resolve));
    expect(error.code).toBe("ECONNRESET");
  });

  it("refuses a negative round trip", async () => {
    await expect(startRelay({ host: "127.0.0.1", port: 1 }, -1)).rejects.toThrow(/>= 0/);
  });
});
