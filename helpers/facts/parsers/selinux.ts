// SELinux: running mode (getenforce, else sestatus, else /sys/fs/selinux/enforce) and the
// persistent mode (SELINUX= in /etc/selinux/config).
import type { SelinuxMode } from "../types.js";
import { type Parsed, parsed, unparsed } from "./result.js";

function toMode(word: string): SelinuxMode | null {
  const mode = word.trim().toLowerCase();
  return mode === "enforcing" || mode === "permissive" || mode === "disabled" ? mode : null;
}

export function parseGetenforce(stdout: string): Parsed<SelinuxMode> {
  const mode = toMode(stdout);
  return mode ? parsed(mode) : unparsed(`unexpected getenforce output: ${JSON.stringify(stdout)}`);
}

/** `sestatus`: "SELinux status: disabled", else "Current mode: enforcing". */
export function parseSestatus(stdout: string): Parsed<SelinuxMode> {
  const status = /^SELinux status:\s+(\S+)/m.exec(stdout)?.[1];
  if (status === "disabled") return parsed("disabled");
  const mode = toMode(/^Current mode:\s+(\S+)/m.exec(stdout)?.[1] ?? "");
  return mode ? parsed(mode) : unparsed("no SELinux status or current mode in sestatus output");
}

/** /sys/fs/selinux/enforce: "1" enforcing, "0" permissive (the file exists only when enabled). */
export function parseSelinuxEnforce(stdout: string): Parsed<SelinuxMode> {
  const value = stdout.trim();
  if (value === "1") return parsed("enforcing");
  if (value === "0") return parsed("permissive");
  return unparsed(`unexpected /sys/fs/selinux/enforce content: ${JSON.stringify(stdout)}`);
}

/** The last uncommented SELINUX= line wins, as when the file is sourced. */
export function parseSelinuxConfig(text: string): Parsed<SelinuxMode> {
  let value: string | null = null;
  for (const line of text.split("\n")) {
    const match = /^\s*SELINUX\s*=\s*["']?([A-Za-z]+)["']?\s*(#.*)?$/.exec(line);
    if (match) value = match[1] as string;
  }
  if (value === null) return unparsed("no SELINUX= line");
  const mode = toMode(value);
  return mode ? parsed(mode) : unparsed(`unknown SELINUX= value: ${value}`);
}
