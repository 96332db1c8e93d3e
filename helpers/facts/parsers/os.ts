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

const RHEL_COMPATIBLE = new Set(["rhel", "rocky", "almalinux", "ol", "eurolinux", "virtuozzo"]);

/**
 * "centos" is CentOS Linux, the page's OS. CentOS Stream says ID="centos" too, but it is another
 * product (RHEL's upstream, no minor releases): its NAME tells it apart.
 */
export function osFamily(id: string, idLike: string[], name = ""): OsFamily {
  if (id === "centos") return /\bStream\b/i.test(name) ? "rhel-compatible" : "centos";
  if (RHEL_COMPATIBLE.has(id) || idLike.includes("rhel")) return "rhel-compatible";
  return "other";
}

export interface OsInputs {
  osRelease: string | null;
  centosRelease: string | null;
  redhatRelease: string | null;
}

/**
 * Major/minor come from os-release's VERSION_ID when it carries the minor ("7.9" on RHEL and
 * Oracle Linux 7, "9.4"), else from the release file (centos-release first, then redhat-release):
 * CentOS 7's VERSION_ID says only "7". The release line is kept only when it gave the version, so
 * Oracle Linux is not labelled by the "Red Hat Enterprise Linux Server release 7.9" of its
 * /etc/redhat-release.
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
  const line = version?.[2] !== undefined ? null : (releaseFile ?? null);
  const major = line?.major ?? (version ? Number(version[1]) : null);
  const minor = line ? line.minor : version?.[2] !== undefined ? Number(version[2]) : null;
  return parsed({
    id: resolvedId,
    prettyName: fields.PRETTY_NAME ?? fields.NAME ?? releaseFile?.text ?? resolvedId,
    family: osFamily(resolvedId, idLike, fields.NAME ?? fields.PRETTY_NAME ?? releaseFile?.text),
    major,
    minor,
    releaseLine: line?.text ?? null,
  });
}

// Only for hosts without os-release (CentOS 6 and older): name the distribution from its line.
function idFromReleaseLine(text: string): string {
  if (/^CentOS/i.test(text)) return "centos";
  if (/^Red Hat Enterprise Linux/i.test(text)) return "rhel";
  return "unknown";
}
