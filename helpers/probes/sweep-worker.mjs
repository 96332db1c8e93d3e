// One worker of sweepPorts (sweep.ts): connect() to each port of its share with bounded
// concurrency and report the open ones. Plain JavaScript on purpose, so it runs in a worker
// thread whatever loader started the audit (node, tsx, vitest). Classification as tcpProbe
// (tcp.ts): accepted = open, ECONNREFUSED = closed, anything else or no answer = filtered.
import net from "node:net";
import { parentPort, workerData } from "node:worker_threads";

const { address, ports, concurrency, timeoutMs } = workerData;
const open = [];
const counts = { open: 0, closed: 0, filtered: 0 };
/** socket -> deadline; one shared timer instead of one per connection (the sweep is CPU-bound). */
const inFlight = new Map();
let next = 0;
let finished = 0;

const reaper = setInterval(() => {
  const now = performance.now();
  for (const [socket, deadline] of inFlight) if (deadline <= now) socket.destroy();
}, Math.max(10, Math.min(100, Math.floor(timeoutMs / 5))));

function probeNext() {
  if (next >= ports.length) return;
  const port = ports[next++];
  let state = "filtered";
  const socket = net.createConnection({ host: address, port });
  inFlight.set(socket, performance.now() + timeoutMs);
  socket.once("connect", () => {
    // On loopback a connect to a free ephemeral port can meet itself (TCP simultaneous open):
    // nobody listens there, so it is closed, not open.
    state = socket.localPort === socket.remotePort && socket.localAddress === socket.remoteAddress ? "closed" : "open";
    socket.destroy();
  });
  socket.once("error", (error) => {
    if (error.code === "ECONNREFUSED") state = "closed";
  });
  socket.once("close", () => {
    inFlight.delete(socket);
    counts[state]++;
    if (state === "open") open.push(port);
    finished++;
    if (finished === ports.length) report();
    else probeNext();
  });
}

function report() {
  clearInterval(reaper);
  parentPort.postMessage({ open, counts });
}

if (ports.length === 0) report();
for (let i = 0; i < Math.min(concurrency, ports.length); i++) probeNext();
