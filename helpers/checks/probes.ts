// Probe records as Facts. A probe that did not run, or whose result is an error instead of a
// measurement, is missing. For TCP, silence (no answer within the timeout, or an ICMP "host
// prohibited" reject) IS the measurement of a filtered port; a DNS failure or a local error is not.
import type {
  HttpProbeResult,
  PgProbeResult,
  PrometheusProbeResult,
  SweepResult,
  TcpProbeResult,
  TlsProbeResult,
} from "../probes/types.js";
import { type CollectedRun, type ProbeRecord, probeByKey } from "../run/collected.js";
import { type Fact, missing, observed } from "./evidence.js";

interface ProbeShapes {
  tcp: TcpProbeResult;
  tls: TlsProbeResult;
  http: HttpProbeResult;
  pg: PgProbeResult;
  prometheus: PrometheusProbeResult;
  sweep: SweepResult;
}
export type ProbeKind = keyof ProbeShapes;
export type ProbeValue<K extends ProbeKind> = ProbeShapes[K] & { startedAt: string; target: string };

/** A field every result of the kind has: a result without it is the probe's own failure. */
const SHAPE_FIELD: { [K in ProbeKind]: keyof ProbeShapes[K] & string } = {
  tcp: "state",
  tls: "ok",
  http: "ok",
  pg: "ok",
  prometheus: "healthy",
  sweep: "open",
};

/**
 * TCP errors that are the network's answer (a port firewalled), not a failure to ask: silence, or a
 * firewall's ICMP reject ("host prohibited" reads EHOSTUNREACH over IPv4, firewalld's IPv6
 * "adm-prohibited" reads EACCES).
 */
const FILTERED_BY_NETWORK = /^(timeout|EHOSTUNREACH|EACCES)/;

export function probeKindOf(key: string): ProbeKind | null {
  const kind = key === "prometheus" ? "prometheus" : key.slice(0, key.indexOf(":"));
  return kind in SHAPE_FIELD ? (kind as ProbeKind) : null;
}

export function probeFact<K extends ProbeKind>(run: CollectedRun, kind: K, key: string): Fact<ProbeValue<K>> {
  const record = probeByKey(run, key);
  return record ? recordFact(record, kind) : missing(`probe ${key} did not run`, [key]);
}

export function recordFact<K extends ProbeKind>(record: ProbeRecord, kind: K): Fact<ProbeValue<K>> {
  const result = record.result;
  if (typeof result !== "object" || result === null || !(SHAPE_FIELD[kind] in result)) {
    const error = typeof result === "object" && result !== null && "error" in result ? String((result as { error: unknown }).error) : "no result";
    return missing(`probe ${record.key} failed: ${error}`, [record.key]);
  }
  if (kind === "tcp") {
    const tcp = result as TcpProbeResult;
    if (tcp.state === "filtered" && !FILTERED_BY_NETWORK.test(tcp.error ?? "timeout")) {
      return missing(`probe ${record.key} could not test the port: ${tcp.error}`, [record.key]);
    }
  }
  return observed({ ...(result as ProbeShapes[K]), startedAt: record.startedAt, target: record.target }, [record.key]);
}
