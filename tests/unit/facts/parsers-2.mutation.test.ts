// More parser edges, each found by a mutant that the first table (parsers.mutation.test.ts) let
// live. Inputs are saved captures (tests/fixtures/facts) or a capture with one edit, named in the
// test; the problems are compared with what they must name (the input, another problem), not
// with their wording.
import { describe, expect, it } from "vitest";
import { parseDaemonJsonDataRoot, parseDockerVersion } from "../../../helpers/facts/parsers/docker.js";
import { parseMachineId } from "../../../helpers/facts/parsers/machine-id.js";
import { parseCgroupMemory, parseMemoryBlocks, parseMeminfo } from "../../../helpers/facts/parsers/memory.js";
import { parseOs, parseOsRelease, parseReleaseLine } from "../../../helpers/facts/parsers/os.js";
import { parseProcesses } from "../../../helpers/facts/parsers/processes.js";
import { firstLine } from "../../../helpers/facts/parsers/result.js";
import type { CommandOutput } from "../../../helpers/model.js";
import { fixture, fixtureText } from "./fixtures.js";

const problemOf = (result: { ok: true } | { ok: false; problem: string }): string => (result.ok ? "(ok)" : result.problem);
const valueOf = <T>(result: { ok: true; value: T } | { ok: false; problem: string }): T | "not ok" => (result.ok ? result.value : "not ok");

describe("docker version: what an unreadable output is reported with", () => {
  const running = fixture("docker/version-running", "docker-version");
  const down = fixture("docker/version-daemon-down", "docker-version");

  it("the first line of stdout when there is one", () => {
    // Edit: the plain `docker version` text in place of the JSON, with exit 0.
    const section: CommandOutput = { ...running, stdout: "\nDocker version 20.10.24, build 297e128\nmore\n" };
    expect(problemOf(parseDockerVersion(section))).toContain("Docker version 20.10.24, build 297e128");
  });

  it("else the first line of stderr", () => {
    // Edit: the daemon-down capture with its stdout empty and exit 0.
    const section: CommandOutput = { ...down, stdout: "", exitCode: 0 };
    expect(problemOf(parseDockerVersion(section))).toContain(firstLine(down.stderr));
  });

  it("an empty client version is no version", () => {
    // Edit: the daemon-down capture with Client.Version "".
    const json = JSON.parse(down.stdout) as { Client: Record<string, unknown> };
    const section: CommandOutput = { ...down, stdout: `${JSON.stringify({ ...json, Client: { ...json.Client, Version: "" } })}\n` };
    expect(valueOf(parseDockerVersion(section))).toEqual({ state: "daemon-down", clientVersion: null, serverVersion: null });
  });

  it("output with blanks around the JSON still reads", () =>
    expect(valueOf(parseDockerVersion({ ...running, stdout: `\n  ${running.stdout.trim()}  \r\n` }))).toMatchObject({ state: "running" }));
});

describe("/etc/docker/daemon.json: JSON that is not an object of paths", () => {
  it.each<[string, string]>([
    ["JSON null", "null\n"],
    ["a JSON string", '"/var/lib/docker"\n'],
    ["a JSON number", "5\n"],
    ["data-root a number", '{ "data-root": 5 }\n'],
    ["graph an object", '{ "graph": { "path": "/srv/docker" } }\n'],
  ])("%s is refused", (_name, text) => expect(parseDaemonJsonDataRoot(text).ok).toBe(false));

  it("a syntax error is reported with the parser's own message", () => {
    const text = '{ "data-root": "/data/docker", }\n';
    let message = "";
    try {
      JSON.parse(text);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).not.toBe("");
    expect(problemOf(parseDaemonJsonDataRoot(text))).toContain(message);
  });
});

describe("machine-id problems", () => {
  const id = fixtureText("machine-id/debian12").trim();
  it("an id that is not one is quoted in the problem", () => {
    // Edit: the captured id with a character that is not a hex digit.
    const bad = `${id.slice(0, 31)}g`;
    expect(problemOf(parseMachineId(`${bad}\n`))).toContain(JSON.stringify(bad));
  });
  it("a long line is quoted up to 64 characters", () => {
    // Edit: the captured id three times on one line (96 characters).
    const long = id.repeat(3);
    const problem = problemOf(parseMachineId(`${long}\n`));
    expect(problem).toContain(JSON.stringify(long.slice(0, 64)));
    expect(problem).not.toContain(long.slice(0, 65));
  });
  it("uninitialized (systemd's first-boot marker) is the same problem as an empty file", () => {
    const empty = problemOf(parseMachineId(fixtureText("machine-id/empty")));
    expect(empty).not.toBe("(ok)");
    expect(problemOf(parseMachineId("uninitialized\n"))).toBe(empty);
    expect(problemOf(parseMachineId(`${id.slice(0, 31)}g\n`))).not.toBe(empty);
  });
});

describe("memory", () => {
  const meminfo = fixtureText("memory/meminfo-debian12-24gib");
  it("a meminfo line with a colon inside its key is not read as the key after it", () => {
    // Edit: "x:" put before the MemTotal line.
    expect(parseMeminfo(meminfo.replace(/^MemTotal:/m, "x:MemTotal:")).ok).toBe(false);
  });

  const blocks = fixtureText("memory/memory-blocks-24gib");
  it.each<[string, string, number | "not ok"]>([
    ["captured (hex without 0x)", blocks, 0x8000000],
    ["0x prefix", blocks.replace("block_size_bytes ", "block_size_bytes 0x"), 0x8000000],
    ["0X prefix", blocks.replace("block_size_bytes ", "block_size_bytes 0X"), 0x8000000],
    ["hex letters", blocks.replace("block_size_bytes 8000000", "block_size_bytes 0x1a"), 0x1a],
    ["an x inside", blocks.replace("block_size_bytes 8000000", "block_size_bytes 80x0000"), "not ok"],
  ])("block size %s", (_name, text, size) => {
    const result = parseMemoryBlocks(text);
    expect(result.ok ? result.value.blockSizeBytes : "not ok").toBe(size);
  });

  const cgroup = fixtureText("memory/cgroup-v1-container-3g");
  it.each<[string, string, number | null | "not ok"]>([
    ["one line", cgroup, 3 * 1024 ** 3],
    ["one unlimited line", fixtureText("memory/cgroup-v1-container-unlimited"), null],
    ["blank lines only", "\n\n", "not ok"],
  ])("cgroup %s", (_name, text, value) => expect(valueOf(parseCgroupMemory(text))).toBe(value));
});

describe("os-release", () => {
  const debian = fixtureText("os/debian-12/os-release");
  it("CRLF line ends (a file saved on Windows) and indented lines still read", () => {
    const fields = parseOsRelease(debian.replace(/\n/g, "\r\n").replace("VERSION_ID=", "  VERSION_ID="));
    expect(fields).toMatchObject({ ID: "debian", VERSION_ID: "12", PRETTY_NAME: "Debian GNU/Linux 12 (bookworm)" });
  });
  it("a key must start its line: comments and lines with a word before are not fields", () => {
    // Edits of the captured file: ID commented out, a word before a key, a value ending in "#".
    const edited = debian.replace("ID=debian", "#ID=debian").replace("VERSION_ID=", "1VERSION_ID=").replace("=bookworm", "=bookworm#");
    const fields = parseOsRelease(edited);
    expect(fields.ID).toBeUndefined();
    expect(fields.VERSION_ID).toBeUndefined();
    expect(fields.NAME).toBe("Debian GNU/Linux");
    expect(fields.VERSION_CODENAME).toBe("bookworm#");
  });
  it("quotes come off only in pairs", () => {
    const fields = parseOsRelease(`${debian}A="ab\nB=ab"\nC='ab\nD=ab'\nE='\nF=''\nG="\nH=""\n`);
    expect(fields).toMatchObject({ A: '"ab', B: 'ab"', C: "'ab", D: "ab'", E: "'", F: "", G: '"', H: "" });
  });

  it.each<[string, string, object | null]>([
    ["two blanks before the number", "CentOS Linux release  7.9.2009 (Core)", { major: 7, minor: 9 }],
    ["blank lines only", "\n \n", null],
    ["the captured line, indented", `  ${fixtureText("os/centos-7.9/centos-release")}`, { text: "CentOS Linux release 7.9.2009 (Core)", major: 7 }],
  ])("release line: %s", (_name, content, expected) => {
    const line = parseReleaseLine(content);
    if (expected === null) expect(line).toBeNull();
    else expect(line).toMatchObject(expected);
  });

  it("VERSION_ID must start with its number", () => {
    // Edit: a letter before the number.
    const result = parseOs({ osRelease: debian.replace('VERSION_ID="12"', 'VERSION_ID="r12.5"'), centosRelease: null, redhatRelease: null });
    expect(valueOf(result)).toMatchObject({ major: null, minor: null });
  });

  it("without os-release the distribution is named from the start of the release line", () => {
    const centos = fixtureText("os/centos-7.9/centos-release");
    const rhel = fixtureText("os/rhel-8.7/redhat-release");
    const idOf = (line: string) => valueOf(parseOs({ osRelease: null, centosRelease: null, redhatRelease: line }));
    expect(idOf(centos)).toMatchObject({ id: "centos" });
    expect(idOf(rhel)).toMatchObject({ id: "rhel" });
    // Edits: another distribution whose line only mentions the name further on.
    expect(idOf(`Derived from ${centos}`)).toMatchObject({ id: "unknown" });
    expect(idOf(`Derived from ${rhel}`)).toMatchObject({ id: "unknown" });
  });

  it("the problem says which input is missing: os-release, or its ID=", () => {
    const noId = problemOf(parseOs({ osRelease: debian.replace(/^ID=.*\n/m, ""), centosRelease: null, redhatRelease: null }));
    const nothing = problemOf(parseOs({ osRelease: null, centosRelease: null, redhatRelease: null }));
    expect(noId).not.toBe("(ok)");
    expect(nothing).not.toBe("(ok)");
    expect(noId).not.toBe(nothing);
  });
});

describe("processes", () => {
  it("indented command lines are trimmed, and the collector's own are still dropped", () => {
    // Edit: every line of the capture indented by two blanks.
    const indented = fixtureText("processes/pidns-haproxy").replace(/^/gm, "  ");
    expect(parseProcesses(indented)).toEqual([
      "sh -c haproxy -f haproxy.cfg -D -p haproxy.pid; sleep 0.5; ps -eo args=; kill $(cat haproxy.pid)",
      "haproxy -f haproxy.cfg -D -p haproxy.pid",
    ]);
  });
});
