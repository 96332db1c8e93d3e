// Operating system identity from os-release and, for the RHEL family, the release files that
// carry the minor version (CentOS 7's os-release says only VERSION_ID="7").
import type { OsFacts, OsFamily } from "../types.js";
import { type Parsed, parsed, unparsed } from "./result.js";

/** os-release is a shell-like KEY=value file; values may be double- or single-quoted. */
export function parseOsRelease(text: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!match) continue;
    fields[match[1] as string] = unquote(match[2] as string);
  }
  return fields;
}

function unquote(value: string): string {
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) {
    return value.slice(1, -1).replace(/\\(["\\`$])/g, "$1");
  }
  if (value.length >= 2 && value.startsWith("'") && value.endsWith("'")) return value.slice(1, -1);
  return value;
}

export interface ReleaseLine {
  text: string;
  major: number;
  minor: number | null;
}

/** "CentOS Linux release 7.9.2009 (Core)" → 7, 9; "Red Hat Enterprise Linux Server release 7.2 (Maipo)" → 7, 2. */
export function parseReleaseLine(content: string): ReleaseLine | null {
  const text = content.split("\n").map((l) => l.trim()).find((l) => l !== "");
  if (!text) return null;
  const match = /\brelease\s+(\d+)(?:\.(\d+))?/i.exec(text);
  if (!match) return null;
  return { text, major: Number(match[1]), minor: match[2] === undefined ? null : Number(match[2]) };
}

const RHEL_COMPATIBLE = new Set(["rhel", "rocky", "almalinux", "ol", "centos-stream", "eurolinux", "virtuozzo"]);

export function osFamily(id: string, idLike: string[]): OsFamily {
  if (id === "centos") return "centos";
  if (RHEL_COMPATIBLE.has(id) || idLike.includes("rhel")) return "rhel-compatible";
  return "other";
}

export interface OsInputs {
  osRelease: string | null;
  centosRelease: string | null;
  redhatRelease: string | null;
}

/**
 * Major/minor come from the release file when there is one (centos-release first, then
 * redhat-release), else from VERSION_ID ("9.4" → 9, 4; "12" → 12, null).
 */
export function parseOs(inputs: OsInputs): Parsed<OsFacts> {
  const fields = inputs.osRelease === null ? {} : parseOsRelease(inputs.osRelease);
  const releaseFile = [inputs.centosRelease, inputs.redhatRelease]
    .map((content) => (content === null ? null : parseReleaseLine(content)))
    .find((line) => line !== null);
  const id = (fields.ID ?? "").toLowerCase();
  if (id === "" && !releaseFile) {
    return unparsed(inputs.osRelease === null ? "no os-release and no release file" : "os-release has no ID=");
  }
  const idLike = (fields.ID_LIKE ?? "").toLowerCase().split(/\s+/).filter(Boolean);
  const resolvedId = id !== "" ? id : idFromReleaseLine(releaseFile?.text ?? "");
  const version = /^(\d+)(?:\.(\d+))?/.exec(fields.VERSION_ID ?? "");
  const major = releaseFile?.major ?? (version ? Number(version[1]) : null);
  const minor = releaseFile ? releaseFile.minor : version?.[2] !== undefined ? Number(version[2]) : null;
  return parsed({
    id: resolvedId,
    prettyName: fields.PRETTY_NAME ?? fields.NAME ?? releaseFile?.text ?? resolvedId,
    family: osFamily(resolvedId, idLike),
    major,
    minor,
    releaseLine: releaseFile?.text ?? null,
  });
}

// Only for hosts without os-release (CentOS 6 and older): name the distribution from its line.
function idFromReleaseLine(text: string): string {
  if (/^CentOS/i.test(text)) return "centos";
  if (/^Red Hat Enterprise Linux/i.test(text)) return "rhel";
  return "unknown";
}
