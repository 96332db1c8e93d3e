// The parsers' edges, table-driven. Every well-formed input is a saved capture
// (tests/fixtures/facts) or a capture with one explicit edit, written beside it; the malformed
// ones are plainly not command output. Values and ok/not-ok are asserted, not problem wording.
import { describe, expect, it } from "vitest";
import { parseArch, parseCpuList, parseNproc } from "../../../helpers/facts/parsers/cpu.js";
import { parseDf } from "../../../helpers/facts/parsers/disk.js";
import { parseContainerNames, parseDockerRoot, parseDockerVersion } from "../../../helpers/facts/parsers/docker.js";
import { parseMachineId } from "../../../helpers/facts/parsers/machine-id.js";
import { CGROUP_UNLIMITED_BYTES, parseCgroupMemory, parseLsmemOnline, parseMemoryBlocks, parseMeminfo } from "../../../helpers/facts/parsers/memory.js";
import { osFamily, parseOs, parseOsRelease, parseReleaseLine } from "../../../helpers/facts/parsers/os.js";
import { firstLine, lines, sectionProblem } from "../../../helpers/facts/parsers/result.js";
import { parseGetenforce, parseSelinuxConfig, parseSelinuxEnforce, parseSestatus } from "../../../helpers/facts/parsers/selinux.js";
import type { CommandOutput } from "../../../helpers/model.js";
import { fixture, fixtureText } from "./fixtures.js";

const valueOf = <T>(result: { ok: true; value: T } | { ok: false; problem: string }): T | "not ok" => (result.ok ? result.value : "not ok");

describe("cpu", () => {
  const nproc2 = fixtureText("cpu/nproc-2");
  it.each<[string, string, number | "not ok"]>([
    ["captured", nproc2, 2],
    ["one CPU (captured)", fixtureText("cpu/nproc-1-cpuset"), 1],
    ["two digits", nproc2.replace("2", "12"), 12],
    ["zero", nproc2.replace("2", "0"), "not ok"],
    ["a word before", nproc2.replace("2", "x2"), "not ok"],
    ["a word after", nproc2.replace("2", "2x"), "not ok"],
    ["empty", "", "not ok"],
  ])("nproc %s", (_name, stdout, value) => expect(valueOf(parseNproc(stdout))).toBe(value));

  const online = fixtureText("cpu/cpu-online-0-1");
  it.each<[string, string, number | "not ok"]>([
    ["captured 0-1", online, 2],
    ["one CPU", online.replace("0-1", "0"), 1],
    ["a range not from 0", online.replace("0-1", "2-3"), 2],
    ["ranges and singles", online.replace("0-1", "0-3,5,7-8"), 7],
    ["a list of singles", online.replace("0-1", "0,2,4"), 3],
    ["two-digit ends", online.replace("0-1", "0-11"), 12],
    ["two-digit starts", online.replace("0-1", "10-11"), 2],
    ["two-digit items", online.replace("0-1", "0,10-11,12"), 4],
    ["an open range", online.replace("0-1", "0-"), "not ok"],
    ["an empty item", online.replace("0-1", "0,,1"), "not ok"],
    ["a word before", online.replace("0-1", "x0-1"), "not ok"],
    ["a word after", online.replace("0-1", "0-1x"), "not ok"],
    ["a trailing range without start", online.replace("0-1", "0-1,-3"), "not ok"],
  ])("online list %s", (_name, stdout, value) => expect(valueOf(parseCpuList(stdout))).toBe(value));

  it.each<[string, string | "not ok"]>([
    ["x86_64\n", "x86_64"],
    ["aarch64\n", "aarch64"],
    ["", "not ok"],
    ["x86 64\n", "not ok"],
    ["#x86_64\n", "not ok"],
    ["x86_64#\n", "not ok"],
  ])("arch %j", (stdout, value) => expect(valueOf(parseArch(stdout))).toBe(value));
});

describe("df", () => {
  const df = fixtureText("disk/df-docker-root-same-fs");
  const paths = (text: string) => {
    const result = parseDf(text);
    return result.ok ? result.value.map((fs) => `${fs.path}|${fs.mountpoint}|${fs.availBytes}`) : "not ok";
  };
  it.each<[string, string, string[] | "not ok"]>([
    ["captured", df, ["/var/lib/docker|/var/lib/docker|84457201664", "/|/|84457201664"]],
    ["wider header spacing", df.replace("Avail Mounted", "Avail   Mounted"), ["/var/lib/docker|/var/lib/docker|84457201664", "/|/|84457201664"]],
    ["blank lines", `\n${df}   \n\n`, ["/var/lib/docker|/var/lib/docker|84457201664", "/|/|84457201664"]],
    ["a path with a space", df.replace("/var/lib/docker /dev/vda", "/srv/my data /dev/vda"), ["/srv/my data|/var/lib/docker|84457201664", "/|/|84457201664"]],
    ["the header only", df.split("\n")[0]!, "not ok"],
    ["no header", df.split("\n").slice(1).join("\n"), "not ok"],
    ["a header not at the start", `x ${df}`, "not ok"],
    ["nothing", "", "not ok"],
    ["a row with a word for a size", df.replace("84457201664 /\n", "lots /\n"), "not ok"],
  ])("%s", (_name, text, value) => expect(paths(text)).toEqual(value));
});

describe("docker version", () => {
  const running = fixture("docker/version-running", "docker-version");
  const down = fixture("docker/version-daemon-down", "docker-version");
  const notInstalled = fixture("docker/version-not-installed", "docker-version");
  const json = JSON.parse(running.stdout) as { Client: Record<string, unknown>; Server: Record<string, unknown> };
  const withJson = (section: CommandOutput, value: unknown): CommandOutput => ({ ...section, stdout: `${JSON.stringify(value)}\n` });
  const stateOf = (section: CommandOutput) => {
    const result = parseDockerVersion(section);
    return result.ok ? `${result.value.state} ${result.value.clientVersion} ${result.value.serverVersion}` : "not ok";
  };

  it.each<[string, CommandOutput, string]>([
    ["running (captured)", running, "running 28.2.2 20.10.24+dfsg1"],
    ["running output with a failed exit", { ...running, exitCode: 1 }, "daemon-down 28.2.2 null"],
    ["daemon down (captured)", down, "daemon-down 28.2.2 null"],
    ["daemon-down output with exit 0", { ...down, exitCode: 0 }, "daemon-down 28.2.2 null"],
    ["not installed (captured)", notInstalled, "not-installed null null"],
    ["'command not found' with another exit code", { ...notInstalled, exitCode: 1 }, "not-installed null null"],
    ["exit 127 with other words", { ...notInstalled, stderr: "" }, "not-installed null null"],
    ["exit 0 without server", withJson(running, { Client: json.Client, Server: null }), "daemon-down 28.2.2 null"],
    ["exit 0 with an empty server version", withJson(running, { ...json, Server: { ...json.Server, Version: "" } }), "daemon-down 28.2.2 null"],
    ["exit 0 with a server that is not an object", withJson(running, { ...json, Server: "20.10" }), "daemon-down 28.2.2 null"],
    ["exit 0 with a numeric version", withJson(running, { ...json, Server: { ...json.Server, Version: 20 } }), "daemon-down 28.2.2 null"],
    ["exit 0, neither part", withJson(running, { Other: {} }), "not ok"],
    ["exit 0, JSON null", withJson(running, null), "not ok"],
    ["exit 0, not JSON", { ...running, stdout: "Docker version 20.10.24\n" }, "not ok"],
    ["exit 1, not JSON", { ...down, stdout: "" }, "daemon-down null null"],
  ])("%s", (_name, section, state) => expect(stateOf(section)).toBe(state));

  const root = fixtureText("docker/root-default");
  it.each<[string, string | "not ok"]>([
    [root, "/var/lib/docker"],
    [` ${root}`, "/var/lib/docker"],
    [root.replace("/", ""), "not ok"],
    ["", "not ok"],
  ])("data root %j", (stdout, value) => expect(valueOf(parseDockerRoot(stdout))).toBe(value));

  it("container names: trimmed, blank lines dropped", () => expect(parseContainerNames("  a \n\n b\n")).toEqual(["a", "b"]));
});

describe("machine-id", () => {
  const id = fixtureText("machine-id/debian12");
  it.each<[string, string, string | "not ok"]>([
    ["captured", id, id.trim()],
    ["a character before", `x${id}`, "not ok"],
    ["a character after", id.replace("\n", "x\n"), "not ok"],
    ["upper case", id.toUpperCase(), "not ok"],
    ["empty", fixtureText("machine-id/empty"), "not ok"],
    ["uninitialized", "uninitialized\n", "not ok"],
  ])("%s", (_name, stdout, value) => expect(valueOf(parseMachineId(stdout))).toBe(value));
});

describe("memory", () => {
  const meminfo = fixtureText("memory/meminfo-debian12-24gib");
  it("meminfo: kB lines in bytes, count lines as counts, other lines skipped", () => {
    const edited = `not a meminfo line\n${meminfo.replace(/^HugePages_Total:\s+0$/m, "HugePages_Total:       3")}`;
    const values = valueOf(parseMeminfo(edited));
    expect(values).toMatchObject({ MemTotal: 24684092 * 1024, HugePages_Total: 3, Hugepagesize: 2048 * 1024 });
  });
  it("meminfo lines with wider spacing or trailing blanks still read", () => {
    const edited = meminfo.replace(/^MemTotal:\s+(\d+) kB$/m, "MemTotal: $1  kB  ");
    expect(valueOf(parseMeminfo(edited))).toMatchObject({ MemTotal: 24684092 * 1024 });
  });
  it("meminfo without MemTotal is not ok", () => expect(parseMeminfo(meminfo.replace(/^MemTotal:.*\n/m, "")).ok).toBe(false));
  it("a MemTotal line with trailing words is not read", () => expect(parseMeminfo(meminfo.replace(/^(MemTotal:.*kB)$/m, "$1 x")).ok).toBe(false));

  const lsmem = fixtureText("memory/lsmem-summary-24gib");
  it.each<[string, string, number | "not ok"]>([
    ["captured", lsmem, 25769803776],
    ["in units (lsmem without -b)", lsmem.replace("25769803776", "24G"), "not ok"],
    ["trailing words", lsmem.replace("25769803776", "25769803776 bytes"), "not ok"],
    ["indented", lsmem.replace("Total online", " Total online"), "not ok"],
  ])("lsmem %s", (_name, text, value) => expect(valueOf(parseLsmemOnline(text))).toBe(value));

  const blocks = fixtureText("memory/memory-blocks-24gib");
  const online = (text: string) => {
    const result = parseMemoryBlocks(text);
    return result.ok ? result.value.onlineBytes : "not ok";
  };
  it.each<[string, string, number | "not ok"]>([
    ["captured", blocks, 192 * 0x8000000],
    ["block size with 0x", blocks.replace("block_size_bytes ", "block_size_bytes 0x"), 192 * 0x8000000],
    ["block size with 0X", blocks.replace("block_size_bytes ", "block_size_bytes 0X"), 192 * 0x8000000],
    ["half online", blocks.replace("blocks_online 192", "blocks_online 96"), 96 * 0x8000000],
    ["none online", blocks.replace("blocks_online 192", "blocks_online 0"), "not ok"],
    ["no block size", blocks.replace(/^block_size_bytes.*\n/m, ""), "not ok"],
    ["a block size that is not hex", blocks.replace("block_size_bytes 8000000", "block_size_bytes 8000000z"), "not ok"],
    ["a block size with a word before", blocks.replace("block_size_bytes 8000000", "block_size_bytes z8000000"), "not ok"],
    ["no total", blocks.replace(/^blocks_total.*\n/m, ""), "not ok"],
    ["no online count", blocks.replace(/^blocks_online.*\n?/m, ""), "not ok"],
  ])("memory blocks %s", (_name, text, value) => expect(online(text)).toBe(value));

  it("memory blocks keep the total", () => expect(valueOf(parseMemoryBlocks(blocks))).toMatchObject({ blocksTotal: 192, blocksOnline: 192, blockSizeBytes: 0x8000000 }));

  const cgroup = fixtureText("memory/cgroup-v1-container-3g");
  const line = cgroup.trim().split(" ")[0]!;
  it.each<[string, string, number | null | "not ok"]>([
    ["captured", cgroup, 3 * 1024 ** 3],
    ["the smallest of two levels", `${cgroup}${line} 4294967296\n`, 3 * 1024 ** 3],
    ["the smallest, listed second", `${line} 4294967296\n${cgroup}`, 3 * 1024 ** 3],
    ["exactly the no-limit value", `${line} ${CGROUP_UNLIMITED_BYTES}\n`, null],
    ["just below it", `${line} ${CGROUP_UNLIMITED_BYTES - 1024}\n`, CGROUP_UNLIMITED_BYTES - 1024],
    ["max (v2)", `${line} max\n`, null],
    ["indented", ` ${cgroup}`, 3 * 1024 ** 3],
    ["not a number", `${line} lots\n`, "not ok"],
    ["a number with a word after", `${line} 12x\n`, "not ok"],
    ["a number with a word before", `${line} x12\n`, "not ok"],
    ["wider spacing", `${line}   2147483648\n`, 2 * 1024 ** 3],
    ["a line of three fields is not a limit", `${line} 1024 extra\n${cgroup}`, 3 * 1024 ** 3],
    ["nothing", "", "not ok"],
    ["a line without a value", `${line}\n`, "not ok"],
  ])("cgroup %s", (_name, text, value) => expect(valueOf(parseCgroupMemory(text))).toBe(value));
});

describe("os", () => {
  const debian = fixtureText("os/debian-12/os-release");
  it("os-release: quotes, escapes, comments and junk lines", () => {
    const fields = parseOsRelease(`# comment\n\n  not a field\n1X=y\n${debian}A="x \\" \\$ \\\\"\nB='y'\nC="\nD=\nE=plain\nF=""\n`);
    expect(fields).toMatchObject({ ID: "debian", VERSION_ID: "12", A: 'x " $ \\', B: "y", C: '"', D: "", E: "plain", F: "" });
    expect(fields["1X"]).toBeUndefined();
  });

  it.each<[string, object | null]>([
    ["CentOS Linux release 7.9.2009 (Core)", { major: 7, minor: 9 }],
    ["\n\nCentOS release 6.10 (Final)\nsecond line release 9.9", { major: 6, minor: 10, text: "CentOS release 6.10 (Final)" }],
    ["Foo RELEASE 8", { major: 8, minor: null }],
    ["Foo prerelease 8.1", null],
    ["no version here", null],
    ["", null],
  ])("release line %j", (content, expected) => {
    const line = parseReleaseLine(content);
    if (expected === null) expect(line).toBeNull();
    else expect(line).toMatchObject(expected);
  });

  it.each<[string, string[], string]>([
    ["centos", [], "centos"],
    ["rhel", [], "rhel-compatible"],
    ["rocky", [], "rhel-compatible"],
    ["almalinux", [], "rhel-compatible"],
    ["ol", [], "rhel-compatible"],
    ["eurolinux", [], "rhel-compatible"],
    ["virtuozzo", [], "rhel-compatible"],
    ["someclone", ["fedora", "rhel"], "rhel-compatible"],
    ["fedora", ["fedora"], "other"],
    ["debian", [], "other"],
  ])("family of %s like %j", (id, idLike, family) => expect(osFamily(id, idLike)).toBe(family));
  it.each<[string, string, string]>([
    ["CentOS Linux", "CentOS Linux", "centos"],
    ["CentOS Stream (its ID is centos too)", "CentOS Stream", "rhel-compatible"],
    ["a name without the word", "CentOS Streamline", "centos"],
  ])("family of centos named %s", (_case, name, family) => expect(osFamily("centos", ["rhel", "fedora"], name)).toBe(family));

  const centos79 = { centosRelease: fixtureText("os/centos-7.9/centos-release"), redhatRelease: fixtureText("os/centos-7.9/redhat-release") };
  it.each<[string, Parameters<typeof parseOs>[0], object | "not ok"]>([
    ["os-release only, VERSION_ID 12", { osRelease: debian, centosRelease: null, redhatRelease: null }, { id: "debian", major: 12, minor: null, releaseLine: null }],
    ["VERSION_ID with a minor", { osRelease: debian.replace('VERSION_ID="12"', 'VERSION_ID="12.5"'), centosRelease: null, redhatRelease: null }, { major: 12, minor: 5 }],
    ["no VERSION_ID", { osRelease: debian.replace(/^VERSION_ID=.*\n/m, ""), centosRelease: null, redhatRelease: null }, { major: null, minor: null }],
    ["no PRETTY_NAME: NAME", { osRelease: debian.replace(/^PRETTY_NAME=.*\n/m, ""), centosRelease: null, redhatRelease: null }, { prettyName: "Debian GNU/Linux" }],
    ["no names: the ID", { osRelease: debian.replace(/^(PRETTY_)?NAME=.*\n/gm, ""), centosRelease: null, redhatRelease: null }, { prettyName: "debian" }],
    ["upper-case ID", { osRelease: debian.replace("ID=debian", "ID=Debian"), centosRelease: null, redhatRelease: null }, { id: "debian" }],
    ["ID_LIKE rhel", { osRelease: debian.replace("ID=debian", "ID=clone\nID_LIKE=\"Fedora  RHEL\""), centosRelease: null, redhatRelease: null }, { id: "clone", family: "rhel-compatible" }],
    ["release file gives the minor VERSION_ID lacks", { osRelease: fixtureText("os/centos-7.9/os-release"), ...centos79 }, { major: 7, minor: 9, releaseLine: "CentOS Linux release 7.9.2009 (Core)" }],
    ["VERSION_ID with a minor wins over the release file", { osRelease: fixtureText("os/oracle-7.9/os-release"), centosRelease: null, redhatRelease: "Red Hat Enterprise Linux Server release 7.8 (Maipo)\n" }, { major: 7, minor: 9, releaseLine: null }],
    ["centos-release before redhat-release", { osRelease: null, centosRelease: centos79.centosRelease, redhatRelease: "Red Hat Enterprise Linux Server release 6.2 (Santiago)\n" }, { id: "centos", major: 7, minor: 9 }],
    ["redhat-release when centos-release is not one", { osRelease: null, centosRelease: "junk\n", redhatRelease: centos79.redhatRelease }, { id: "centos", major: 7, minor: 9 }],
    ["a release line without a minor", { osRelease: debian, centosRelease: null, redhatRelease: "Foo Linux release 12\n" }, { id: "debian", major: 12, minor: null, releaseLine: "Foo Linux release 12", prettyName: "Debian GNU/Linux 12 (bookworm)" }],
    ["RHEL without os-release", { osRelease: null, centosRelease: null, redhatRelease: "Red Hat Enterprise Linux Server release 7.2 (Maipo)\n" }, { id: "rhel", prettyName: "Red Hat Enterprise Linux Server release 7.2 (Maipo)" }],
    ["an unknown distribution without os-release", { osRelease: null, centosRelease: null, redhatRelease: "Scientific Linux release 7.9 (Nitrogen)\n" }, { id: "unknown", family: "other" }],
    ["os-release without ID and no release file", { osRelease: debian.replace(/^ID=.*\n/m, ""), centosRelease: null, redhatRelease: null }, "not ok"],
    ["nothing", { osRelease: null, centosRelease: null, redhatRelease: null }, "not ok"],
  ])("%s", (_name, inputs, expected) => {
    const result = parseOs(inputs);
    if (expected === "not ok") expect(result.ok).toBe(false);
    else expect(valueOf(result)).toMatchObject(expected);
  });
});

describe("sections and lines", () => {
  const ok = fixture("kernel/6.1.0-18-amd64", "uname-r", "uname -r");
  it.each<[string, CommandOutput | undefined, RegExp | null]>([
    ["clean", ok, null],
    ["missing", undefined, /./],
    ["not run", { ...ok, notRun: "budget used up" }, /budget used up/],
    ["timed out", { ...ok, timedOut: true, exitCode: 124 }, /./],
    ["cut off", { ...ok, exitCode: null }, /./],
    ["not installed, with stderr", { ...ok, exitCode: 127, stderr: "\n  bash: uname: command not found\n" }, /^exit 127.*bash: uname: command not found$/],
    ["not installed, silent", { ...ok, exitCode: 127 }, /^exit 127.*uname -r$/],
    ["failed, with stderr", { ...ok, exitCode: 2, stderr: "uname: boom\nsecond\n" }, /^exit 2: uname: boom$/],
    ["failed, silent", { ...ok, exitCode: 1 }, /^exit 1: /],
  ])("%s", (_name, section, problem) => {
    const found = sectionProblem(section);
    if (problem === null) expect(found).toBeNull();
    else expect(found).toMatch(problem);
  });

  it("firstLine skips blank lines and trims; lines drops blank ones and trailing spaces", () => {
    expect(firstLine("\n  \n  a b  \nc\n")).toBe("a b");
    expect(firstLine("\n\n")).toBe("");
    expect(lines("a  \n\n  b\n \n")).toEqual(["a", "  b"]);
  });
});

describe("selinux", () => {
  it.each<[string, string | "not ok"]>([
    [fixtureText("selinux/getenforce-enforcing"), "enforcing"],
    ["  Permissive \n", "permissive"],
    ["Enabled\n", "not ok"],
    ["", "not ok"],
  ])("getenforce %j", (stdout, value) => expect(valueOf(parseGetenforce(stdout))).toBe(value));

  const sestatus = fixtureText("selinux/sestatus-enforcing-rhel9");
  it.each<[string, string, string | "not ok"]>([
    ["captured", sestatus, "enforcing"],
    ["status disabled wins", sestatus.replace(/^SELinux status:\s+enabled/m, "SELinux status:                 disabled"), "disabled"],
    ["no current mode", sestatus.replace(/^Current mode:.*\n/m, ""), "not ok"],
    ["an unknown mode", sestatus.replace(/^Current mode:\s+enforcing/m, "Current mode:                   strict"), "not ok"],
    ["an indented status is not the status line", sestatus.replace(/^SELinux status:\s+enabled/m, " SELinux status: disabled"), "enforcing"],
  ])("sestatus %s", (_name, stdout, value) => expect(valueOf(parseSestatus(stdout))).toBe(value));

  it.each<[string, string | "not ok"]>([
    [fixtureText("selinux/enforce-1"), "enforcing"],
    [fixtureText("selinux/enforce-0"), "permissive"],
    ["2", "not ok"],
    ["", "not ok"],
  ])("/sys/fs/selinux/enforce %j", (stdout, value) => expect(valueOf(parseSelinuxEnforce(stdout))).toBe(value));

  const config = fixtureText("selinux/config-rhel8-enforcing");
  it.each<[string, string, string | "not ok"]>([
    ["captured", config, "enforcing"],
    ["the last line wins", `${config}SELINUX=permissive\n`, "permissive"],
    ["quoted", config.replace(/^SELINUX=enforcing$/m, 'SELINUX="disabled"'), "disabled"],
    ["single-quoted, spaced, commented", config.replace(/^SELINUX=enforcing$/m, "  SELINUX = 'permissive'  # for now"), "permissive"],
    ["upper case value", config.replace(/^SELINUX=enforcing$/m, "SELINUX=Disabled"), "disabled"],
    ["an unknown value", config.replace(/^SELINUX=enforcing$/m, "SELINUX=strict"), "not ok"],
    ["text after the value", config.replace(/^SELINUX=enforcing$/m, "SELINUX=enforcing now"), "not ok"],
    ["no SELINUX= line", config.replace(/^SELINUX=enforcing$/m, ""), "not ok"],
  ])("config %s", (_name, text, value) => expect(valueOf(parseSelinuxConfig(text))).toBe(value));
});
