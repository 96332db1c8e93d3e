// Stable keys of probe records (ProbeRecord.key). Plan and checks share them, so a renamed key
// cannot silently make a check look for a probe that was never stored. Endpoints use an "@"
// prefix, which inventory host names cannot contain.

export const DATABASE_TARGET = "@database";
export const PROMETHEUS_TARGET = "@prometheus";

export const probeKeys = {
  tcp: (hostOrEndpoint: string, port: number) => `tcp:${hostOrEndpoint}:${port}`,
  /** The same port probed at the host's IPv6 address from its facts (SEC-04); a tcp probe ("@" is in no host name). */
  tcp6: (host: string, port: number) => `tcp:${host}@ipv6:${port}`,
  /** What every tcp6 key of the host starts with: its port follows. */
  tcp6Prefix: (host: string) => `tcp:${host}@ipv6:`,
  tls: (host: string, port: number) => `tls:${host}:${port}`,
  http: (host: string, port: number) => `http:${host}:${port}`,
  entrypointHttp: (name: string) => `http:entrypoint:${name}`,
  entrypointTls: (name: string) => `tls:entrypoint:${name}`,
  entrypointTcp: (name: string) => `tcp:entrypoint:${name}`,
  pg: () => "pg:database",
  prometheus: () => "prometheus",
  sweep: (host: string) => `sweep:${host}`,
} as const;

/** Section name of the probe run ON each CP host: can it open a TCP connection to the database? */
export const DB_REACH_SECTION = "db-reach";
/** A probe run on a host over SSH, by the section name its output is stored under. */
export type HostProbeSection = typeof DB_REACH_SECTION;

/** The ports of the page's table [S5.1]. Component ports come from the environment; these name the page's own. */
export const PAGE_PORTS = {
  gatewayHttp: 9080,
  gatewayHttps: 9443,
  dashboard: 7080,
  dpManager: 7900,
  prometheus: 9090,
  postgres: 5432,
} as const;
