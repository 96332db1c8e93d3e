// TCP and UDP listeners from `ss -Htulnp` (or `ss -tulnp`, whose header line is skipped). Older
// captures of `ss -Htlnp` (TCP only, no Netid column) read the same way.
import type { Listener } from "../types.js";
import { type Parsed, parsed, unparsed } from "./result.js";

/**
 * Local address forms: "0.0.0.0:22", "[::]:22", "*:80", "127.0.0.53%lo:53", "[fe80::1]%eth0:80",
 * and old iproute2's unbracketed ":::22". The address keeps a "%interface" scope, loses brackets.
 */
export function splitLocalAddress(local: string): { address: string; port: number } | null {
  const match = /^(.*):(\d+|\*)$/.exec(local);
  if (!match || match[2] === "*") return null;
  let address = match[1] as string;
  const bracketed = /^\[([^\]]+)\](%\S+)?$/.exec(address);
  if (bracketed) address = `${bracketed[1]}${bracketed[2] ?? ""}`;
  return { address, port: Number(match[2]) };
}

/** `ss -l` lists TCP sockets in LISTEN and UDP sockets in UNCONN (bound, not connected). */
const LISTENING_STATE: Record<Listener["protocol"], string> = { tcp: "LISTEN", udp: "UNCONN" };

export function parseListeners(stdout: string): Parsed<Listener[]> {
  const listeners: Listener[] = [];
  for (const line of stdout.split("\n")) {
    if (line.trim() === "" || /^(Netid\s+)?State\s+Recv-Q/.test(line)) continue;
    let columns = line.trim().split(/\s+/);
    // [Netid] State Recv-Q Send-Q Local Peer [Process]; without Netid (`ss -t`) every socket is TCP.
    let protocol: Listener["protocol"] = "tcp";
    if (columns[0] === "tcp" || columns[0] === "udp") {
      protocol = columns[0];
      columns = columns.slice(1);
    }
    if (columns.length < 5 || columns[0] !== LISTENING_STATE[protocol]) return unparsed(`unreadable ss line: ${JSON.stringify(line)}`);
    const local = splitLocalAddress(columns[3] as string);
    if (!local) return unparsed(`unreadable local address: ${columns[3]}`);
    const users = columns.slice(5).join(" ");
    const process = /users:\(\("((?:[^"\\]|\\.)*)"/.exec(users)?.[1] ?? null;
    listeners.push({ protocol, address: local.address, port: local.port, process });
  }
  return parsed(listeners);
}

/**
 * Global IPv6 addresses from `ip -6 -o addr show scope global` ("2: eth0    inet6 fd7a::2/64 scope
 * global nodad ..."), without the ones that cannot be reached (tentative, dadfailed, deprecated):
 * SEC-04 probes a host's listeners over IPv6 too when it has one.
 */
export function parseGlobalIpv6Addresses(stdout: string): Parsed<string[]> {
  const addresses: string[] = [];
  for (const line of stdout.split("\n")) {
    if (line.trim() === "") continue;
    const match = /^\d+:\s+\S+\s+inet6\s+([0-9a-fA-F:]+)\/\d+\s+scope global\b(.*)$/.exec(line.trim());
    if (!match) return unparsed(`unreadable ip -6 addr line: ${JSON.stringify(line)}`);
    if (!/\b(tentative|dadfailed|deprecated)\b/.test(match[2] as string)) addresses.push(match[1] as string);
  }
  return parsed(addresses);
}
