// Runs inside the delayed-SYN-ACK test's network namespace (`ip netns exec`, since a Node process
// cannot switch namespaces): listens on the ports it is given, probes them as an audit does, and
// prints the results as one JSON line. argv: fastPort delayedPort... -- controlPort controlTimeoutMs
import net from "node:net";
import { RoundTrips, tcpProbe, tcpProbeWithRetry } from "../../../helpers/probes/tcp.js";

const LOOPBACK = "127.0.0.1";
const args = process.argv.slice(2);
const split = args.indexOf("--");
const [fastPort, ...probedPorts] = args.slice(0, split).map(Number);
const [controlPort, controlTimeoutMs] = args.slice(split + 1).map(Number);

const servers = await Promise.all(
  [fastPort!, ...probedPorts].map(
    (port) => new Promise<net.Server>((resolve) => { const server = net.createServer((s) => s.destroy()); server.listen(port, LOOPBACK, () => resolve(server)); }),
  ),
);
const roundTrips = new RoundTrips();
// The fast port first, as in an audit where sshd and the untouched listeners answer at once.
const fast = await tcpProbeWithRetry(LOOPBACK, fastPort!, roundTrips);
const probed = await Promise.all(probedPorts.map((port) => tcpProbeWithRetry(LOOPBACK, port, roundTrips)));
const control = await tcpProbe(LOOPBACK, controlPort!, controlTimeoutMs!);
console.log(JSON.stringify({ fast, probed: Object.fromEntries(probedPorts.map((port, i) => [port, probed[i]])), control }));
for (const server of servers) server.close();
