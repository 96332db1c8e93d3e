// Probes run ON a host over SSH (DB-01: the CP host reaches the database). They return argv,
// never a command string: the transport quotes every argument, and the inventory values travel
// as positional parameters of a fixed script, so no value is ever parsed as shell code.

/**
 * Opens a TCP connection with bash's /dev/tcp inside coreutils `timeout`: both exist on a
 * minimal CentOS, unlike nc or curl. Exit 0: connected; 124: timed out; 1: refused or no route.
 */
export function dbReachArgv(host: string, port: number, timeoutSeconds: number): string[] {
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new RangeError(`not a TCP port: ${port}`);
  if (!(timeoutSeconds > 0)) throw new RangeError(`timeout must be positive: ${timeoutSeconds}`);
  return ["timeout", String(timeoutSeconds), "bash", "-c", 'exec 3<>"/dev/tcp/$1/$2"', "_", host, String(port)];
}

/** What a db-reach exit code means, in the report's words. */
export function describeDbReachExit(exitCode: number | null, timedOut = false): string {
  if (timedOut || exitCode === 124) return "timed out (no answer: dropped by a firewall or no route)";
  if (exitCode === 0) return "connected";
  if (exitCode === null) return "did not finish";
  if (exitCode === 127) return "bash or timeout is missing on the host";
  return `failed with exit code ${exitCode} (connection refused, unknown host or no route)`;
}
