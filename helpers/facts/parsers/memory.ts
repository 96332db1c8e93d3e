// Memory: MemTotal (what the kernel manages, below the installed size), online memory from
// lsmem or /sys memory blocks (close to the installed size), and the cgroup limit.
import { type Parsed, parsed, unparsed } from "./result.js";

/** /proc/meminfo in bytes ("kB" lines are KiB); lines without a unit (HugePages_*) are counts. */
export function parseMeminfo(text: string): Parsed<Record<string, number>> {
  const values: Record<string, number> = {};
  for (const line of text.split("\n")) {
    const match = /^([^:]+):\s+(\d+)(?:\s+(kB))?\s*$/.exec(line);
    if (!match) continue;
    values[match[1] as string] = Number(match[2]) * (match[3] ? 1024 : 1);
  }
  if (values.MemTotal === undefined) return unparsed("no MemTotal line");
  return parsed(values);
}

/** `lsmem -b` summary: "Total online memory:  4294967296". */
export function parseLsmemOnline(text: string): Parsed<number> {
  const match = /^Total online memory:\s+(\d+)\s*$/m.exec(text);
  if (!match) return unparsed('no "Total online memory:" line (lsmem without -b prints units)');
  return parsed(Number(match[1]));
}

export interface MemoryBlocks {
  blockSizeBytes: number;
  blocksTotal: number;
  blocksOnline: number;
  onlineBytes: number;
}

/** The collection script's summary of /sys/devices/system/memory (block size is hexadecimal). */
export function parseMemoryBlocks(text: string): Parsed<MemoryBlocks> {
  const value = (key: string) => new RegExp(`^${key} (\\S+)$`, "m").exec(text)?.[1];
  const size = value("block_size_bytes");
  const total = value("blocks_total");
  const online = value("blocks_online");
  if (!size || !/^(0x)?[0-9a-f]+$/i.test(size) || !total || !online) return unparsed("incomplete memory block summary");
  const blockSizeBytes = Number.parseInt(size.replace(/^0x/i, ""), 16);
  const blocksOnline = Number(online);
  if (blocksOnline === 0) return unparsed("no memory block is online (sysfs not showing this machine's memory)");
  return parsed({ blockSizeBytes, blocksTotal: Number(total), blocksOnline, onlineBytes: blockSizeBytes * blocksOnline });
}

/** Limits at or above 2^60 bytes mean "no limit" (cgroup v1 reports 9223372036854771712). */
export const CGROUP_UNLIMITED_BYTES = 2 ** 60;

/**
 * Lines "<file> <value>" from the session's cgroup up to the root; the effective limit is the
 * smallest. null when every level is "max" (v2) or the v1 no-limit value.
 */
export function parseCgroupMemory(text: string): Parsed<number | null> {
  const limits: number[] = [];
  let seen = 0;
  for (const line of text.split("\n")) {
    const match = /^(\S+)\s+(\S+)$/.exec(line.trim());
    if (!match) continue;
    seen++;
    const value = match[2] as string;
    if (value === "max") continue;
    if (!/^\d+$/.test(value)) return unparsed(`not a memory limit: ${line}`);
    const bytes = Number(value);
    if (bytes < CGROUP_UNLIMITED_BYTES) limits.push(bytes);
  }
  if (seen === 0) return unparsed("no cgroup memory limit line");
  return parsed(limits.length === 0 ? null : Math.min(...limits));
}
