// /etc/machine-id: 32 lowercase hex digits identifying the installation (TOPO-01).
import { type Parsed, parsed, unparsed } from "./result.js";

export function parseMachineId(stdout: string): Parsed<string> {
  const id = stdout.trim();
  if (/^[0-9a-f]{32}$/.test(id)) return parsed(id);
  if (id === "" || id === "uninitialized") return unparsed("machine-id is empty or uninitialized");
  return unparsed(`not a machine-id: ${JSON.stringify(id.slice(0, 64))}`);
}
