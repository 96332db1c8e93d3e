// The facts script against real sshd when a daemon hangs or the connection drops mid-script: what
// was collected is kept, and every requirement that does not need the failing part is still decided.
// The hung dockerd is the real docker CLI pointed (DOCKER_HOST) at a unix socket that accepts and
// never answers. firewalld is not installed on the runner (installing it would start a daemon that
// rewrites this machine's firewall), so a two-line `firewall-cmd` that never returns stands in for
// one whose D-Bus call hangs (busctl, asked first by the firewalld-state section, finds no system
// bus on this machine, so the section goes on to that firewall-cmd).
import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { environmentSchema, type Environment } from "../../../helpers/environment/schema.js";
import { evaluateRun } from "../../../helpers/evaluate.js";
import { buildHostFacts } from "../../../helpers/facts/build.js";
import { sectionProblem } from "../../../helpers/facts/parsers/result.js";
import { DAEMON_ANSWER_SECONDS, KILL_GRACE_SECONDS, PROBE_INPUT_SECTIONS, SECTION_TIMEOUT_SECONDS, SCRIPT_SECTIONS } from "../../../helpers/facts/script.js";
import type { CommandOutput, Verdict } from "../../../helpers/model.js";
import { collectHostFacts, type HostFactsCollection } from "../../../helpers/run/host-facts.js";
import type { CollectedRun } from "../../../helpers/run/collected.js";
import { SshPool } from "../../../helpers/transport/ssh-pool.js";
import { loadCatalogue } from "../../../helpers/checks/catalogue.js";
import { allChecks } from "../../../specs/checks/index.js";
import { currentUser, generateKeyPair, knownHostsLine, makeWorkDir, removeWorkDir, startSshd, type KeyPair, type SshdInstance } from "./sshd-fixture.js";

const COMMAND_TIMEOUT_MS = 30_000;
/** Generous: the runner is a loaded 2-core machine. */
const MARGIN_MS = 5_000;
const STANDARD_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
/** Requirements whose evidence does not need an answer from dockerd or firewalld. (HW-04 takes
 * Docker's data root from the daemon's configuration when the daemon cannot be asked.) */
const INDEPENDENT = ["HW-01", "HW-02", "HW-03", "HW-04", "SW-01", "SW-02", "SW-03", "SW-04", "SEC-01"];

let dir: string;
let clientKey: KeyPair;
const servers: SshdInstance[] = [];
const silentDaemons: Server[] = [];
const pools: SshPool[] = [];

/** A unix socket that accepts connections and never answers; `onConnection` fires for each. */
async function silentDaemon(path: string, onConnection: (socket: Socket) => void = () => {}): Promise<void> {
  const server = createServer((socket) => {
    socket.on("data", () => undefined).on("error", () => undefined);
    onConnection(socket);
  });
  await new Promise<void>((resolve) => server.listen(path, resolve));
  silentDaemons.push(server);
}

async function connectedPool(name: string, setEnv: Record<string, string> = {}): Promise<{ pool: SshPool; sshd: SshdInstance }> {
  const sshd = await startSshd(dir, name, { authorizedKeys: [clientKey], setEnv });
  servers.push(sshd);
  const knownHosts = join(dir, `known_hosts_${name}`);
  writeFileSync(knownHosts, knownHostsLine(sshd.port, sshd.hostKey));
  const pool = new SshPool({ knownHostsPath: knownHosts, acceptNewHostKeys: false, connectTimeoutMs: 10_000, commandTimeoutMs: COMMAND_TIMEOUT_MS });
  pools.push(pool);
  const connected = (await pool.connectAll([{ name, address: "127.0.0.1", port: sshd.port, user: currentUser, identityFile: clientKey.privatePath }])).get(name);
  if (!connected?.ok) throw new Error(`cannot connect to the test sshd: ${JSON.stringify(connected)}`);
  return { pool, sshd };
}

interface Scenario {
  facts: HostFactsCollection;
  wallMs: number;
  verdicts: Map<string, Verdict>;
  /** When the probe-input sections were handed over, and which (null: not handed over). */
  early: { atMs: number; sections: CommandOutput[] | null } | null;
}

async function factsOf(pool: SshPool, host: string): Promise<Scenario> {
  const started = Date.now();
  let early: Scenario["early"] = null;
  const arrived = (sections: CommandOutput[] | null) => {
    expect(early, "handed over twice").toBeNull();
    early = { atMs: Date.now() - started, sections };
  };
  const facts = await collectHostFacts(pool, host, { sections: SCRIPT_SECTIONS, sudo: false, commandTimeoutMs: COMMAND_TIMEOUT_MS, early: { sections: PROBE_INPUT_SECTIONS, arrived } });
  const wallMs = Date.now() - started;
  const durations = facts.sections.map((s) => `${s.section} ${s.notRun ? "not run" : `${s.durationMs}`}`).join(", ");
  console.log(`${host}: facts wall ${wallMs} ms${facts.cutShort ? `, cut short: ${facts.cutShort}` : ""}; sections (ms): ${durations}`);
  return { facts, wallMs, verdicts: verdictsOf(host, facts), early };
}

/** The host's verdicts from the suite's own engine and checks, keyed by requirement. */
function verdictsOf(host: string, collected: HostFactsCollection): Map<string, Verdict> {
  // The smallest valid environment, with this one host as its inventory.
  const minimal = parseYaml(readFileSync(join(import.meta.dirname, "../../fixtures/environments/valid-minimal.yaml"), "utf8"));
  const env: Environment = environmentSchema.parse({ ...minimal, hosts: [{ name: host, address: "127.0.0.1", roles: ["cp"] }] });
  const run: CollectedRun = {
    runId: "facts-cut-short",
    environmentName: env.name,
    startedAt: new Date().toISOString(),
    options: { fullPortSweep: false, allowDisruption: false, strict: false },
    hosts: [{ name: host, address: "127.0.0.1", roles: ["cp"], error: collected.error, sections: collected.sections, hostProbes: [] }],
    probes: [],
    failover: [],
  };
  const verdicts = evaluateRun(env, run, loadCatalogue(), allChecks).filter((v) => v.target === host);
  return new Map(verdicts.map((v) => [v.requirement, v]));
}

function section(collected: HostFactsCollection, name: string) {
  const found = collected.sections.find((s) => s.section === name);
  expect(found, name).toBeDefined();
  return found!;
}

/** Each requirement has the same verdict as on the healthy host, decided from its own evidence. */
function expectVerdictsKept(verdicts: Map<string, Verdict>, ids: readonly string[]): void {
  for (const id of ids) {
    const verdict = verdicts.get(id);
    expect(verdict?.status, `${id}: ${verdict?.message}`).toBe(healthy.verdicts.get(id)?.status);
    expect(verdict?.status, `${id}: ${verdict?.message}`).not.toBe("broken");
  }
}

/** "Within one section timeout plus a margin" of the healthy host, measured at the same time. */
function expectWallWithinOneSectionTimeout(scenario: Scenario): void {
  expect(scenario.wallMs).toBeLessThan(healthy.wallMs + SECTION_TIMEOUT_SECONDS * 1000 + MARGIN_MS);
}

async function dockerHungHost(): Promise<Scenario> {
  const socket = join(dir, "hung-dockerd.sock");
  await silentDaemon(socket);
  const { pool } = await connectedPool("docker-hung", { DOCKER_HOST: `unix://${socket}` });
  return factsOf(pool, "docker-hung");
}

async function firewalldHungHost(): Promise<Scenario> {
  const shims = join(dir, "firewall-cmd-hangs");
  mkdirSync(shims);
  writeFileSync(join(shims, "firewall-cmd"), "#!/bin/sh\nexec sleep 600\n");
  chmodSync(join(shims, "firewall-cmd"), 0o755);
  // The script puts the standard directories first; firewall-cmd is in none of them here.
  const { pool } = await connectedPool("firewalld-hung", { PATH: `${STANDARD_PATH}:${shims}` });
  return factsOf(pool, "firewalld-hung");
}

/** Drops the connection while docker-version runs: 2 s after the docker CLI reaches the socket (a
 * generous margin for sshd to forward the sections before it), the connection's sshd process (the
 * listener's child) is killed. The docker CLI would wait 5 s. */
async function droppingHost(): Promise<Scenario> {
  const socket = join(dir, "dropping-dockerd.sock");
  let sshd: SshdInstance | undefined;
  let dropped = false;
  await silentDaemon(socket, () => {
    if (dropped) return;
    dropped = true;
    setTimeout(() => {
      const children = execFileSync("pgrep", ["-P", String(sshd!.process.pid)], { encoding: "utf8" });
      for (const pid of children.split("\n").filter(Boolean)) process.kill(Number(pid), "SIGKILL");
    }, 2_000);
  });
  const connected = await connectedPool("dropping", { DOCKER_HOST: `unix://${socket}` });
  sshd = connected.sshd;
  return factsOf(connected.pool, "dropping");
}

let healthy: Scenario;
let dockerHung: Scenario;
let firewalldHung: Scenario;
let dropping: Scenario;

beforeAll(async () => {
  dir = makeWorkDir("facts-cut-short-");
  clientKey = generateKeyPair(dir, "client_ed25519");
  // All at once, so the healthy host (the same machine through a healthy sshd) is measured under
  // the same load as the broken ones.
  const healthyHost = async () => factsOf((await connectedPool("healthy")).pool, "healthy");
  [healthy, dockerHung, firewalldHung, dropping] = await Promise.all([healthyHost(), dockerHungHost(), firewalldHungHost(), droppingHost()]);
}, 120_000);

afterAll(async () => {
  await Promise.all(pools.map((p) => p.closeAll()));
  await Promise.all(servers.map((s) => s.stop()));
  await Promise.all(silentDaemons.map((s) => new Promise((resolve) => s.close(resolve))));
  removeWorkDir(dir);
});

describe("the healthy host", () => {
  it("decides every independent requirement on this machine, so the cases below can fail", () => {
    expect(healthy.facts).toMatchObject({ error: null, cutShort: null });
    expect(healthy.facts.sections.map((s) => s.section)).toEqual(SCRIPT_SECTIONS.map((s) => s.name));
    for (const id of [...INDEPENDENT, "SW-05"]) {
      expect(healthy.verdicts.get(id)?.status, `${id}: ${healthy.verdicts.get(id)?.message}`).not.toBe("broken");
    }
  });
});

describe("the sections the network probes need", () => {
  it("are handed over once, whole, as the collection ends with them", () => {
    expect(healthy.early?.sections?.map((s) => s.section)).toEqual([...PROBE_INPUT_SECTIONS]);
    for (const early of healthy.early!.sections!) expect(early).toEqual(section(healthy.facts, early.section));
    for (const scenario of [healthy, dockerHung, firewalldHung, dropping]) expect(scenario.early).not.toBeNull();
  });
  it("are handed over while the script still runs: before a hung dockerd's wait, not after it", () => {
    expect(dockerHung.early).not.toBeNull();
    expect(dockerHung.early!.atMs).toBeLessThanOrEqual(dockerHung.wallMs - DAEMON_ANSWER_SECONDS * 1000);
  });
});

describe("a host whose dockerd hangs", () => {
  it("costs one daemon wait, and the script ends inside the SSH command timeout", () => {
    expect(dockerHung.facts).toMatchObject({ error: null, cutShort: null });
    const version = section(dockerHung.facts, "docker-version");
    expect(version).toMatchObject({ timedOut: true, exitCode: 124 });
    expect(version.durationMs).toBeLessThan((DAEMON_ANSWER_SECONDS + KILL_GRACE_SECONDS) * 1000 + MARGIN_MS);
    expectWallWithinOneSectionTimeout(dockerHung);
  });

  it("records the daemon's other sections as not run, with the reason", () => {
    for (const name of ["docker-root", "docker-ps"]) {
      expect(sectionProblem(section(dockerHung.facts, name))).toBe(`not run: dockerd did not answer within ${DAEMON_ANSWER_SECONDS} s`);
    }
  });

  it("keeps every other section intact, and their facts parse as on the healthy host", () => {
    for (const { name } of SCRIPT_SECTIONS.filter((s) => s.daemon !== "docker")) {
      const got = section(dockerHung.facts, name);
      expect(got.notRun, name).toBeUndefined();
      expect({ name, exitCode: got.exitCode }).toEqual({ name, exitCode: section(healthy.facts, name).exitCode });
    }
    const parsed = buildHostFacts("docker-hung", dockerHung.facts.sections);
    const expected = buildHostFacts("healthy", healthy.facts.sections);
    expect(parsed).toMatchObject({ arch: expected.arch, cpu: expected.cpu, os: expected.os, kernelRelease: expected.kernelRelease, selinux: expected.selinux });
    expect(parsed.memory?.memTotalBytes).toBe(expected.memory?.memTotalBytes);
  });

  it("decides HW-*, SW-01..04 and SEC-01 as on the healthy host; SW-05 is broken and says why", () => {
    expectVerdictsKept(dockerHung.verdicts, INDEPENDENT);
    expect(dockerHung.verdicts.get("SW-05")?.status).toBe("broken");
    expect(dockerHung.verdicts.get("SW-05")?.message).toMatch(/docker-version: timed out|dockerd did not answer/);
  });
});

describe("a host whose firewall-cmd hangs", () => {
  it("costs one daemon wait; the other firewalld sections are not run, with the reason", () => {
    expect(firewalldHung.facts).toMatchObject({ error: null, cutShort: null });
    expect(section(firewalldHung.facts, "firewalld-state")).toMatchObject({ timedOut: true, exitCode: 124 });
    const others = SCRIPT_SECTIONS.filter((s) => s.daemon === "firewalld" && s.name !== "firewalld-state");
    expect(others.length).toBeGreaterThan(0);
    for (const { name } of others) {
      expect(sectionProblem(section(firewalldHung.facts, name))).toBe(`not run: firewalld did not answer within ${DAEMON_ANSWER_SECONDS} s`);
    }
    expectWallWithinOneSectionTimeout(firewalldHung);
  });

  it("SEC-02 is broken and says why", () => {
    expect(firewalldHung.verdicts.get("SEC-02")?.status).toBe("broken");
    // The firewall fact gives the firewall parser's own reason, which names the command.
    expect(firewalldHung.verdicts.get("SEC-02")?.message).toMatch(/firewalld-state: timed out|firewalld did not answer/);
  });

  it("keeps every other section; the independent requirements, HW-04 and SW-05 keep their verdicts", () => {
    for (const { name } of SCRIPT_SECTIONS.filter((s) => s.daemon !== "firewalld")) expect(section(firewalldHung.facts, name).notRun, name).toBeUndefined();
    expectVerdictsKept(firewalldHung.verdicts, [...INDEPENDENT, "SW-05"]);
  });
});

describe("a connection that drops in the middle of the facts script", () => {
  it("keeps the sections that finished, the running one as cut off, the rest as not run with the reason", () => {
    expect(dropping.facts.error).toBeNull();
    expect(dropping.facts.cutShort).toMatch(/^the connection dropped \(connection (closed|lost)/);
    const running = SCRIPT_SECTIONS.findIndex((s) => s.name === "docker-version");
    for (const [index, { name }] of SCRIPT_SECTIONS.entries()) {
      const problem = sectionProblem(section(dropping.facts, name));
      if (index < running) expect(problem, name).toBe(sectionProblem(section(healthy.facts, name)));
      else if (index === running) expect(problem).toBe("output cut off before the section ended");
      else expect(problem, name).toMatch(/^not run: the connection dropped \(.*\) before this section started$/);
    }
    expectWallWithinOneSectionTimeout(dropping);
  });

  it("decides the requirements whose sections finished; those whose sections never ran are broken", () => {
    expectVerdictsKept(dropping.verdicts, ["HW-01", "HW-02", "HW-03"]);
    for (const id of ["HW-04", "SW-01", "SW-03", "SEC-01"]) {
      expect(dropping.verdicts.get(id)?.status, id).toBe("broken");
      expect(dropping.verdicts.get(id)?.message, id).toMatch(/not run: the connection dropped/);
    }
    expect(dropping.verdicts.get("SW-05")?.status).toBe("broken");
    expect(dropping.verdicts.get("SW-05")?.message).toMatch(/docker-version: output cut off/);
  });
});
