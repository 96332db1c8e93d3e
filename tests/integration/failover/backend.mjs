// A stand-in component for the failover integration tests: a real HTTP server on one loopback
// address, answering every request with 200 and its own name. Usage: backend.mjs <name> <address> <port>
import http from "node:http";

const [name, address, port] = process.argv.slice(2);
const server = http.createServer((_request, response) => {
  response.writeHead(200, { "content-type": "text/plain" });
  response.end(`${name}\n`);
});
server.listen(Number(port), address);
process.on("SIGTERM", () => server.close(() => process.exit(0)));
