// The runner's probes against real servers on loopback: node http/https servers with openssl
// certificates (valid, expiring soon, expired), a closed port, a port whose accept queue is full.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { httpProbe } from "../../../helpers/probes/http.js";
import { sweepPorts } from "../../../helpers/probes/sweep.js";
import { tcpProbe } from "../../../helpers/probes/tcp.js";
import { tlsProbe } from "../../../helpers/probes/tls.js";
import { commandExists, inCi, freePort, makeCertificates, tempDir, type TestCertificates } from "./servers.js";

const LOOPBACK = "127.0.0.1";
const hasPython = await commandExists("python3");

function listen(server: net.Server, host = LOOPBACK): Promise<number> {
  return new Promise((resolve) => server.listen(0, host, () => resolve((server.address() as net.AddressInfo).port)));
}
function close(server: net.Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

const gatewayAnswer = (_req: http.IncomingMessage, res: http.ServerResponse) => {
  res.writeHead(404, { "content-type": "application/json", server: "APISIX/3.x" });
  res.end(JSON.stringify({ error_msg: "404 Route Not Found" }) + "x".repeat(10_000));
};

describe("probes against real loopback servers", () => {
  const folder = tempDir("certs");
  let certs: TestCertificates;
  const servers: net.Server[] = [];
  const silentSockets: net.Socket[] = [];
  let httpPort: number;
  let closedPort: number;
  let silentPort: number;
  const tlsPorts: Record<"valid" | "expired" | "soon", number> = { valid: 0, expired: 0, soon: 0 };

  beforeAll(async () => {
    certs = await makeCertificates(folder.path);
    const plain = http.createServer(gatewayAnswer);
    servers.push(plain);
    httpPort = await listen(plain);
    for (const [name, pair] of [["valid", certs.valid], ["expired", certs.expired], ["soon", certs.expiringSoon]] as const) {
      const server = https.createServer({ key: readFileSync(pair.key), cert: readFileSync(pair.cert) }, gatewayAnswer);
      servers.push(server);
      tlsPorts[name] = await listen(server);
    }
    // Accepts the TCP connection but never answers HTTP: the HTTP probe must give up on its own.
    const silent = net.createServer((socket) => silentSockets.push(socket));
    servers.push(silent);
    silentPort = await listen(silent);
    closedPort = await freePort();
  });

  afterAll(async () => {
    for (const socket of silentSockets) socket.destroy();
    for (const server of servers) {
      (server as http.Server).closeAllConnections?.();
      await close(server);
    }
    folder.remove();
  });

  describe("tcpProbe", () => {
    it("reports a listening port as open", async () => {
      const result = await tcpProbe(LOOPBACK, httpPort, 2000);
      expect(result.state).toBe("open");
      expect(result.error).toBeUndefined();
    });

    it("reports a refused port as closed", async () => {
      const result = await tcpProbe(LOOPBACK, closedPort, 2000);
      expect(result).toMatchObject({ state: "closed", error: "ECONNREFUSED" });
    });

    it.runIf(inCi || hasPython)("reports a port that never completes the handshake as filtered after the timeout", async () => {
      const { port, release } = await saturatedListener();
      try {
        const result = await tcpProbe(LOOPBACK, port, 400);
        expect(result.state).toBe("filtered");
        expect(result.error).toBe("timeout");
        expect(result.ms).toBeGreaterThanOrEqual(390);
      } finally {
        release();
      }
    });
  });

  describe("tlsProbe", () => {
    it("records subject, issuer, SANs, validity and trust of a valid certificate", async () => {
      const result = await tlsProbe(LOOPBACK, tlsPorts.valid, { servername: "valid.gateway.test", timeoutMs: 3000 });
      expect(result.ok).toBe(true);
      expect(result.protocol).toMatch(/^TLSv1\.[23]$/);
      expect(result.subject).toBe("O=api7-ha-audit, CN=valid.gateway.test");
      expect(result.issuer).toBe("CN=api7-ha-audit test CA");
      expect(result.subjectAltNames).toEqual(["DNS:valid.gateway.test", "IP Address:127.0.0.1"]);
      expect(result.daysRemaining).toBeGreaterThanOrEqual(363);
      // Signed by a CA the runner does not trust: recorded, not fatal.
      expect(result.authorized).toBe(false);
      expect(result.authorizationError).toBe("UNABLE_TO_VERIFY_LEAF_SIGNATURE");
    });

    it("still reads an expired certificate", async () => {
      const result = await tlsProbe(LOOPBACK, tlsPorts.expired, { timeoutMs: 3000 });
      expect(result.ok).toBe(true);
      expect(result.validFrom).toBe("2020-01-01T00:00:00.000Z");
      expect(result.validTo).toBe("2021-01-01T00:00:00.000Z");
      expect(result.daysRemaining).toBeLessThan(0);
      expect(result.authorized).toBe(false);
    });

    it("counts the days of a certificate expiring soon", async () => {
      const result = await tlsProbe(LOOPBACK, tlsPorts.soon, { servername: LOOPBACK, timeoutMs: 3000 });
      expect(result.ok).toBe(true);
      expect(result.daysRemaining).toBeGreaterThanOrEqual(9);
      expect(result.daysRemaining).toBeLessThanOrEqual(10);
    });

    it("fails with the reason when the port does not speak TLS", async () => {
      const result = await tlsProbe(LOOPBACK, httpPort, { timeoutMs: 3000 });
      expect(result.ok).toBe(false);
      expect(result.error).toBeTruthy();
      expect(result.subject).toBeNull();
    });

    it("fails on a closed port", async () => {
      expect(await tlsProbe(LOOPBACK, closedPort, { timeoutMs: 3000 })).toMatchObject({ ok: false, error: "ECONNREFUSED" });
    });
  });

  describe("httpProbe", () => {
    const options = { insecureTls: false, timeoutMs: 3000, maxBodyBytes: 64 };

    it("counts a 404 as an answer and keeps status, headers and the start of the body", async () => {
      const result = await httpProbe(`http://${LOOPBACK}:${httpPort}/`, options);
      expect(result.ok).toBe(true);
      expect(result.status).toBe(404);
      expect(result.headers.server).toBe("APISIX/3.x");
      expect(result.bodySnippet).toBe(`{"error_msg":"404 Route Not Found"}${"x".repeat(64 - 35)}`);
    });

    it("rejects an untrusted certificate unless insecureTls is set", async () => {
      const url = `https://${LOOPBACK}:${tlsPorts.valid}/`;
      const strict = await httpProbe(url, options);
      expect(strict.ok).toBe(false);
      expect(strict.error).toMatch(/UNABLE_TO_VERIFY_LEAF_SIGNATURE/);
      const insecure = await httpProbe(url, { ...options, insecureTls: true });
      expect(insecure).toMatchObject({ ok: true, status: 404 });
    });

    it("reports a refused connection", async () => {
      const result = await httpProbe(`http://${LOOPBACK}:${closedPort}/`, options);
      expect(result.ok).toBe(false);
      expect(result.error).toMatch(/ECONNREFUSED/);
    });

    it("gives up on a server that never answers", async () => {
      const result = await httpProbe(`http://${LOOPBACK}:${silentPort}/`, { ...options, timeoutMs: 500 });
      expect(result.ok).toBe(false);
      expect(result.ms).toBeLessThan(2500);
    });
  });

  describe("sweepPorts", () => {
    it("finds exactly the listening ports of a range, in and out of worker threads", async () => {
      const ports = [httpPort, closedPort, tlsPorts.valid, silentPort, ...range(closedPort + 1, 200)];
      const expectedOpen = [httpPort, tlsPorts.valid, silentPort].sort((a, b) => a - b);
      for (const workers of [1, 2]) {
        const result = await sweepPorts(LOOPBACK, ports, { concurrency: 50, timeoutMs: 500, workers });
        // Other processes of the machine may listen inside the range: only ours are asserted on.
        expect(result.open.filter((p) => expectedOpen.includes(p))).toEqual(expectedOpen);
        expect(result.open).not.toContain(closedPort);
        expect(result.counts.probed).toBe(new Set(ports).size);
        expect(result.counts.open + result.counts.closed + result.counts.filtered).toBe(result.counts.probed);
      }
    });
  });
});

function range(start: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => start + i).filter((p) => p <= 65535);
}

/**
 * A listener with backlog 0 that never accepts (python's listen(2); node accepts by itself),
 * filled until the kernel drops further SYNs, as a DROP rule would.
 */
async function saturatedListener(): Promise<{ port: number; release: () => void }> {
  const child = spawn("python3", [
    "-c",
    "import socket,time\ns=socket.socket()\ns.bind(('127.0.0.1',0))\ns.listen(0)\nprint(s.getsockname()[1],flush=True)\ntime.sleep(60)",
  ]);
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.once("data", (data: Buffer) => resolve(Number(data.toString().trim())));
    child.once("error", reject);
  });
  const fillers: net.Socket[] = [];
  for (let i = 0; i < 4; i++) fillers.push(net.connect(port, LOOPBACK).on("error", () => undefined));
  await new Promise((resolve) => setTimeout(resolve, 300));
  return {
    port,
    release: () => {
      for (const socket of fillers) socket.destroy();
      child.kill();
    },
  };
}
