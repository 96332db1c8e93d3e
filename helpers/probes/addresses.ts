// Where things run, from the environment's addresses: shared by the port checks and the
// topology checks (a listener on loopback serves nobody on the network).
import type { Environment, HostEntry } from "../environment/schema.js";

export function isLoopbackAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, "").replace(/%.*$/, "").toLowerCase();
  return bare === "::1" || bare === "localhost" || /^127\./.test(bare) || /^::ffff:127\./.test(bare);
}

/** A host named by a URL or database host: matched on the inventory address or name. */
export function runsOn(host: HostEntry, endpointHost: string | undefined): boolean {
  if (!endpointHost) return false;
  const bare = endpointHost.replace(/^\[|\]$/g, "").toLowerCase();
  return bare === host.address.toLowerCase() || bare === host.name.toLowerCase();
}

/** Prometheus's host and port when it is enabled with a URL. */
export function prometheusHostPort(env: Environment): { host: string; port: number } | null {
  if (!env.prometheus.enabled || !env.prometheus.url) return null;
  const url = new URL(env.prometheus.url);
  return { host: url.hostname, port: url.port ? Number(url.port) : url.protocol === "https:" ? 443 : 80 };
}
