// Kernel release from `uname -r`.
import { type Parsed, parsed, unparsed } from "./result.js";

export function parseKernelRelease(stdout: string): Parsed<string> {
  const release = stdout.trim();
  if (release === "" || /\s/.test(release)) return unparsed(`not a kernel release: ${JSON.stringify(stdout)}`);
  return parsed(release);
}
