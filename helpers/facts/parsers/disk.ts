// Filesystems under Docker's data root and "/" from `df -B1 --output=file,source,fstype,size,avail,target`.
import type { FilesystemFacts } from "../types.js";
import { type Parsed, parsed, unparsed } from "./result.js";

// File (may contain spaces), then source and type (no spaces), two byte counts, then the
// mount point (the rest of the line).
const ROW = /^(\S.*?)\s+(\S+)\s+(\S+)\s+(\d+)\s+(\d+)\s+(\S.*)$/;

export function parseDf(text: string): Parsed<FilesystemFacts[]> {
  const rows = text.split("\n").filter((line) => line.trim() !== "");
  const header = rows.shift();
  if (!header || !/^File\s+Filesystem\s+Type\s+1B-blocks\s+Avail\s+Mounted on/.test(header)) {
    return unparsed(`unexpected df header: ${JSON.stringify(header ?? "")}`);
  }
  const filesystems: FilesystemFacts[] = [];
  for (const row of rows) {
    const match = ROW.exec(row);
    if (!match) return unparsed(`unreadable df line: ${JSON.stringify(row)}`);
    const [, path, source, fstype, size, avail, mountpoint] = match as unknown as string[];
    filesystems.push({
      path: path as string,
      source: source as string,
      fstype: fstype as string,
      mountpoint: mountpoint as string,
      sizeBytes: Number(size),
      availBytes: Number(avail),
    });
  }
  if (filesystems.length === 0) return unparsed("df printed no filesystem");
  return parsed(filesystems);
}
