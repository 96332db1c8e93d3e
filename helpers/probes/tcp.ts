// TCP connect probe from the runner (SEC-03, SEC-04). Never throws: a network error is a result.
import net from "node:net";
import type { TcpProbeResult } from "./types.js";

export function tcpProbe(address: string, port: number, timeoutMs: number): Promise<TcpProbeResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  return new Promise((resolve) => {
    let settled = false;
    const socket = net.connect({ host: address, port });
    const finish = (result: TcpProbeResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    // A dropped SYN gets no answer at all: give up after the timeout and call it filtered (as nmap does).
    const timer = setTimeout(() => finish({ state: "filtered", ms: elapsed(), error: "timeout" }), timeoutMs);
    socket.once("connect", () => {
      // On loopback a connect to a free ephemeral port can meet itself (TCP simultaneous open):
      // nobody listens there, so the port is closed.
      const selfConnect = socket.localPort === socket.remotePort && socket.localAddress === socket.remoteAddress;
      finish(selfConnect ? { state: "closed", ms: elapsed(), error: "self-connect" } : { state: "open", ms: elapsed() });
    });
    socket.once("error", (err: NodeJS.ErrnoException) => {
      const code = err.code ?? err.message;
      // Only a refusal proves the port closed; unreachable hosts, DNS failures and the like leave it
      // untested, which nmap also calls filtered. The error code says which.
      finish({ state: code === "ECONNREFUSED" ? "closed" : "filtered", ms: elapsed(), error: code });
    });
  });
}
