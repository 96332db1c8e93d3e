// Docker engine state from `docker version --format '{{json .}}'`: it prints the Client part
// and exits non-zero when the daemon does not answer; exit 127 means the CLI is not installed.
import type { CommandOutput } from "../../model.js";
import type { DockerFacts } from "../types.js";
import { type Parsed, firstLine, lines, parsed, unparsed } from "./result.js";

type DockerVersion = Omit<DockerFacts, "rootDir">;

export function parseDockerVersion(section: CommandOutput): Parsed<DockerVersion> {
  if (section.exitCode === 127 || /command not found/.test(section.stderr)) {
    return parsed({ state: "not-installed", clientVersion: null, serverVersion: null });
  }
  const json = readJson(section.stdout);
  const client = versionOf(json, "Client");
  const server = versionOf(json, "Server");
  if (section.exitCode === 0 && server) return parsed({ state: "running", clientVersion: client, serverVersion: server });
  if (client || section.exitCode !== 0) {
    // The daemon's refusal stays visible in the evidence (stderr); the facts say it is down.
    return parsed({ state: "daemon-down", clientVersion: client, serverVersion: null });
  }
  return unparsed(`no version in docker output: ${firstLine(section.stdout) || firstLine(section.stderr)}`);
}

function readJson(stdout: string): unknown {
  try {
    return JSON.parse(stdout.trim());
  } catch {
    return null;
  }
}

function versionOf(json: unknown, part: "Client" | "Server"): string | null {
  if (typeof json !== "object" || json === null) return null;
  const section = (json as Record<string, unknown>)[part];
  if (typeof section !== "object" || section === null) return null;
  const version = (section as Record<string, unknown>).Version;
  return typeof version === "string" && version !== "" ? version : null;
}

export function parseDockerRoot(stdout: string): Parsed<string> {
  const root = stdout.trim();
  return root.startsWith("/") ? parsed(root) : unparsed(`not a path: ${JSON.stringify(stdout)}`);
}

export function parseContainerNames(stdout: string): string[] {
  return lines(stdout).map((line) => line.trim());
}

/** `data-root` (or the old `graph`) of /etc/docker/daemon.json; null when it sets neither. */
export function parseDaemonJsonDataRoot(text: string): Parsed<string | null> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return unparsed(`not JSON, as dockerd would refuse it: ${(error as Error).message}`);
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) return unparsed("not a JSON object");
  const { "data-root": dataRoot, graph } = json as Record<string, unknown>;
  const root = dataRoot ?? graph ?? null;
  return root === null || (typeof root === "string" && root.startsWith("/")) ? parsed(root as string | null) : unparsed(`data-root is not an absolute path: ${JSON.stringify(root)}`);
}
