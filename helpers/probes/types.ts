// Typed results of the network probes. Every result is plain JSON (strings, numbers, booleans,
// arrays) because it is stored in collected.json and re-read by `npm run verify`.

export type TcpState = "open" | "closed" | "filtered";

export interface TcpProbeResult {
  state: TcpState;
  /** Time until the connection was accepted, refused or given up. */
  ms: number;
  /** Error code or message when the port was not open (ECONNREFUSED, timeout, EHOSTUNREACH...). */
  error?: string;
  /** The runner's own address on an accepted connection. */
  localAddress?: string;
  /** Audit port probes (tcpProbeWithRetry): connections made (2 = retried), the attempt timeout
   * at the decision and the slowest handshake measured to the address it derives from. */
  attempts?: number;
  timeoutMs?: number;
  rttMs?: number | null;
}

export interface TlsProbeResult {
  ok: boolean;
  /** Negotiated protocol, e.g. "TLSv1.3". */
  protocol: string | null;
  /** Distinguished names in "CN=..., O=..." form. */
  subject: string | null;
  issuer: string | null;
  subjectAltNames: string[];
  /** ISO timestamps of the certificate's validity window. */
  validFrom: string | null;
  validTo: string | null;
  /** Whole days from the handshake to validTo (negative once expired). */
  daysRemaining: number | null;
  /** The chain verifies against the runner's trust store and matches the server name. */
  authorized: boolean;
  authorizationError: string | null;
  error?: string;
}

export interface HttpProbeResult {
  /** An HTTP response arrived (any status). */
  ok: boolean;
  status: number | null;
  headers: Record<string, string>;
  /** The beginning of the body, cut at maxBodyBytes. */
  bodySnippet: string;
  ms: number;
  error?: string;
}

export interface PgProbeResult {
  /** An authenticated session was opened and the version queries answered. */
  ok: boolean;
  serverVersion: string | null;
  /** version() text, e.g. "PostgreSQL 15.18 (Debian 15.18-0+deb12u1) on x86_64...". */
  versionText: string | null;
  inRecovery: boolean | null;
  /** Rows of pg_stat_replication, or why they could not be read. */
  replication: { rows: Record<string, unknown>[] } | { error: string } | null;
  ms: number;
  error?: string;
}

export interface PrometheusTarget {
  job: string;
  instance: string;
  health: string;
  lastError: string;
}

export interface PrometheusProbeResult {
  healthy: boolean;
  healthBody: string;
  healthStatus: number | null;
  targets: PrometheusTarget[];
  ms: number;
  error?: string;
}

export interface SweepResult {
  address: string;
  /** Ports that accepted a connection, ascending. */
  open: number[];
  counts: { probed: number; open: number; closed: number; filtered: number };
  concurrency: number;
  timeoutMs: number;
  ms: number;
}
