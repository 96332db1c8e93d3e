// TCP listeners from `ss -Htlnp` (or `ss -tlnp`, whose header line is skipped).
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

export function parseListeners(stdout: string): Parsed<Listener[]> {
  const listeners: Listener[] = [];
  for (const line of stdout.split("\n")) {
    if (line.trim() === "" || /^State\s+Recv-Q/.test(line)) continue;
    const columns = line.trim().split(/\s+/);
    // State Recv-Q Send-Q Local Peer [Process]; `ss -t -l` lists only LISTEN sockets.
    if (columns.length < 5 || columns[0] !== "LISTEN") return unparsed(`unreadable ss line: ${JSON.stringify(line)}`);
    const local = splitLocalAddress(columns[3] as string);
    if (!local) return unparsed(`unreadable local address: ${columns[3]}`);
    const users = columns.slice(5).join(" ");
    const process = /users:\(\("((?:[^"\\]|\\.)*)"/.exec(users)?.[1] ?? null;
    listeners.push({ protocol: "tcp", address: local.address, port: local.port, process });
  }
  return parsed(listeners);
}
