// An environment whose every address is one loopback socket that records the connections made to
// it: for the CLI tests that must show nothing was contacted (or what a run writes when nothing answers).
import { createServer, type Server } from "node:net";
import type { LocalCredentials } from "../fixtures/environments/local-credentials.js";

/** A loopback listener that counts the connections made to it and drops each at once. */
export async function connectionRecorder(): Promise<{ port: number; connections: () => number; close: () => Promise<void> }> {
  let count = 0;
  const server: Server = createServer((socket) => {
    count++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  return { port, connections: () => count, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

export interface RowContext {
  dir: string;
  port: number;
  credentials: LocalCredentials;
  /** Writes a file next to the environment file and returns its path. */
  file(name: string, text: string): string;
}

export type Env = Record<string, any>;

/** A valid environment whose every address is the row's recorder. */
export function baseEnvironment(ctx: RowContext, passwordVariable: string): Env {
  const at = `127.0.0.1:${ctx.port}`;
  return {
    name: "bad-input",
    ssh: { user: "audit", port: ctx.port, identityFile: ctx.credentials.identityFile, knownHosts: ctx.credentials.knownHosts, connectTimeoutMs: 5000 },
    hosts: [
      { name: "cp1", address: "127.0.0.1", roles: ["cp"] },
      { name: "cp2", address: "127.0.0.1", roles: ["cp"] },
      { name: "dp1", address: "127.0.0.1", roles: ["dp"] },
      { name: "dp2", address: "127.0.0.1", roles: ["dp"] },
    ],
    components: {
      dashboard: { role: "cp", ports: [7080], detect: { container: "api7-ee-dashboard" } },
      dpManager: { role: "cp", ports: [7900], detect: { container: "api7-ee-dp-manager" } },
      gateway: { role: "dp", ports: [9080, 9443], detect: { container: "api7-ee-gateway" } },
    },
    entrypoints: {
      gateway: { url: `http://${at}/` },
      dashboard: { url: `http://${at}/` },
      dpManager: { url: `tcp://${at}` },
    },
    database: { host: "127.0.0.1", port: ctx.port, database: "api7", user: "api7", passwordEnv: passwordVariable },
    prometheus: { enabled: true, url: `http://${at}` },
  };
}

