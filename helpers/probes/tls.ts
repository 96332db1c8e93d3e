// TLS handshake probe from the runner (PORT-02): records the certificate whatever its trust, so
// the report can show a self-signed or expired certificate instead of just "handshake failed".
import net from "node:net";
import tls from "node:tls";
import type { TlsProbeResult } from "./types.js";

export interface TlsProbeOptions {
  /** SNI and the name the certificate is verified against; ignored for IP addresses (RFC 6066). */
  servername?: string;
  timeoutMs: number;
}

const DAY_MS = 86_400_000;

export function tlsProbe(address: string, port: number, options: TlsProbeOptions): Promise<TlsProbeResult> {
  const servername = options.servername && net.isIP(options.servername) === 0 ? options.servername : undefined;
  return new Promise((resolve) => {
    let settled = false;
    const socket = tls.connect({
      host: address,
      port,
      servername,
      // Trust is recorded (authorized/authorizationError), not enforced: the probe must see the certificate.
      rejectUnauthorized: false,
    });
    const finish = (result: TlsProbeResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => finish(failed("timeout")), options.timeoutMs);
    socket.once("secureConnect", () => {
      const cert = socket.getPeerCertificate();
      const validTo = parseCertDate(cert.valid_to);
      finish({
        ok: true,
        protocol: socket.getProtocol() ?? null,
        subject: formatName(cert.subject),
        issuer: formatName(cert.issuer),
        subjectAltNames: splitAltNames(cert.subjectaltname),
        validFrom: parseCertDate(cert.valid_from),
        validTo,
        daysRemaining: validTo === null ? null : Math.floor((Date.parse(validTo) - Date.now()) / DAY_MS),
        authorized: socket.authorized,
        authorizationError: socket.authorizationError ? String(socket.authorizationError) : null,
      });
    });
    socket.once("error", (err: NodeJS.ErrnoException) => finish(failed(err.code ?? err.message)));
  });
}

function failed(error: string): TlsProbeResult {
  return {
    ok: false,
    protocol: null,
    subject: null,
    issuer: null,
    subjectAltNames: [],
    validFrom: null,
    validTo: null,
    daysRemaining: null,
    authorized: false,
    authorizationError: null,
    error,
  };
}

/** "CN=gateway, O=Example" from node's { CN: "gateway", O: "Example" } (values may be arrays). */
export function formatName(name: object | undefined): string | null {
  if (!name) return null;
  const parts = Object.entries(name).flatMap(([key, value]: [string, unknown]) =>
    (Array.isArray(value) ? value : [value])
      .filter((v) => v !== undefined && v !== null)
      .map((v) => `${key}=${String(v)}`),
  );
  return parts.length > 0 ? parts.join(", ") : null;
}

/** "DNS:a, IP Address:127.0.0.1" -> ["DNS:a", "IP Address:127.0.0.1"]. */
export function splitAltNames(altNames: string | undefined): string[] {
  if (!altNames) return [];
  return altNames.split(/,\s*/).filter((part) => part.length > 0);
}

function parseCertDate(text: string | undefined): string | null {
  if (!text) return null;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}
