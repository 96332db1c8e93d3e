// The SSH host key a host presented to the runner in the audit's own handshake (no command runs on
// the host): stored as the section `ssh-host-key`, "<key type> SHA256:<base64>" as `ssh-keygen -l`
// prints the fingerprint. TOPO-01 tells two machines cloned from one template (same machine-id)
// from one machine reached under two names by it.
import type { CommandOutput } from "../../model.js";
import { type Parsed, parsed, unparsed } from "./result.js";

export const HOST_KEY_SECTION = "ssh-host-key";

export interface HostKey {
  /** The key type of the SSH wire format, e.g. "ssh-ed25519", "ssh-rsa", "ecdsa-sha2-nistp256". */
  type: string;
  fingerprint: string;
}

/** The evidence record of a handshake's host key, in the form of a section. */
export function hostKeySection(presented: string): CommandOutput {
  return { section: HOST_KEY_SECTION, command: "(the runner's SSH handshake: the host key presented)", exitCode: 0, stdout: `${presented}\n`, stderr: "", durationMs: 0 };
}

export function parseHostKey(stdout: string): Parsed<HostKey> {
  const match = /^(\S+) (SHA256:[A-Za-z0-9+/]{43})$/.exec(stdout.trim());
  return match ? parsed({ type: match[1] as string, fingerprint: match[2] as string }) : unparsed(`not "<key type> SHA256:<fingerprint>": ${JSON.stringify(stdout.slice(0, 80))}`);
}
