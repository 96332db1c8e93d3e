// CPU counts: `nproc` (affinity-aware, what workloads can use) and the kernel's online list.
import { type Parsed, parsed, unparsed } from "./result.js";

export function parseArch(stdout: string): Parsed<string> {
  const arch = stdout.trim();
  return /^[A-Za-z0-9_]+$/.test(arch) ? parsed(arch) : unparsed(`not an architecture: ${JSON.stringify(stdout)}`);
}

export function parseNproc(stdout: string): Parsed<number> {
  const text = stdout.trim();
  if (!/^\d+$/.test(text) || Number(text) < 1) return unparsed(`not a CPU count: ${JSON.stringify(stdout)}`);
  return parsed(Number(text));
}

/** Kernel CPU list syntax: "0-3,5,7-8" → 7. */
export function parseCpuList(stdout: string): Parsed<number> {
  const text = stdout.trim();
  if (!/^\d+(-\d+)?(,\d+(-\d+)?)*$/.test(text)) return unparsed(`not a CPU list: ${JSON.stringify(stdout)}`);
  let count = 0;
  for (const range of text.split(",")) {
    const [from, to] = range.split("-").map(Number) as [number, number | undefined];
    count += to === undefined ? 1 : to - from + 1;
  }
  return parsed(count);
}
