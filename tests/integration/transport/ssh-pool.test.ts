// SshPool against real sshd processes on loopback: host-key policy, exec semantics, sudo, jump
// host, failures isolated per host. Needs openssh-server, openssh-client and sudo installed.
import { execFileSync } from "node:child_process";
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { fingerprintSha256 } from "../../../helpers/transport/known-hosts.js";
import { commandLine } from "../../../helpers/transport/quote.js";
import { SshPool, SshTransportError, type SshPoolOptions, type SshTarget } from "../../../helpers/transport/ssh-pool.js";
import {
  currentUser,
  freePort,
  generateKeyPair,
  knownHostsLine,
  makeWorkDir,
  removeWorkDir,
  startSshd,
  withAgent,
  type KeyPair,
  type SshdInstance,
} from "./sshd-fixture.js";

let dir: string;
let clientKey: KeyPair;
let otherKey: KeyPair;
let direct: SshdInstance;
let bastion: SshdInstance;
let behind: SshdInstance;
let noForwarding: SshdInstance;
const pools: SshPool[] = [];

beforeAll(async () => {
  dir = makeWorkDir("ssh-pool-test-");
  clientKey = generateKeyPair(dir, "client_ed25519");
  otherKey = generateKeyPair(dir, "other_ed25519");
  [direct, bastion, behind, noForwarding] = await Promise.all([
    startSshd(dir, "direct", { authorizedKeys: [clientKey] }),
    startSshd(dir, "bastion", { authorizedKeys: [clientKey], logLevel: "DEBUG1" }),
    startSshd(dir, "behind", { authorizedKeys: [clientKey] }),
    startSshd(dir, "no-forwarding", { authorizedKeys: [clientKey], allowTcpForwarding: false }),
  ]);
});

afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.closeAll()));
});

afterAll(async () => {
  await Promise.all([direct, bastion, behind, noForwarding].map((s) => s?.stop()));
  removeWorkDir(dir);
});

let knownHostsCounter = 0;
function knownHostsFile(...lines: string[]): string {
  const path = join(dir, `known_hosts_${++knownHostsCounter}`);
  writeFileSync(path, lines.join(""));
  return path;
}

function pool(knownHostsPath: string, overrides: Partial<SshPoolOptions> = {}): SshPool {
  const created = new SshPool({
    knownHostsPath,
    acceptNewHostKeys: false,
    // Safety nets only (tests about timeouts set their own): generous for a loaded runner.
    connectTimeoutMs: 20_000,
    commandTimeoutMs: 60_000,
    ...overrides,
  });
  pools.push(created);
  return created;
}

function target(name: string, server: { port: number }, extra: Partial<SshTarget> = {}): SshTarget {
  return { name, address: "127.0.0.1", port: server.port, user: currentUser, identityFile: clientKey.privatePath, ...extra };
}

/** Processes whose command line contains `pattern` (pgrep -f never lists itself). */
function processIds(pattern: string): number[] {
  try {
    return execFileSync("pgrep", ["-f", pattern], { encoding: "utf8" }).split("\n").filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

function errorOf(result: unknown): string {
  const r = result as { ok: boolean; error?: string } | undefined;
  expect(r?.ok).toBe(false);
  return r?.error ?? "";
}

describe("with a known, matching host key", () => {
  it("runs commands: stdout, stderr, exit code, stdin", async () => {
    const p = pool(knownHostsFile(knownHostsLine(direct.port, direct.hostKey)));
    const results = await p.connectAll([target("h1", direct)]);
    // The key the handshake presented, fingerprinted as ssh-keygen -l prints it (TOPO-01's evidence).
    const keygen = execFileSync("ssh-keygen", ["-l", "-E", "sha256", "-f", `${direct.hostKey.privatePath}.pub`], { encoding: "utf8" }).split(" ")[1];
    expect(results.get("h1")).toMatchObject({ ok: true, hostKey: `ssh-ed25519 ${keygen}` });
    expect(p.isConnected("h1")).toBe(true);

    const echo = await p.exec("h1", ["sh", "-c", "echo out; echo err >&2; exit 3"], { section: "mixed" });
    expect(echo).toMatchObject({ section: "mixed", stdout: "out\n", stderr: "err\n", exitCode: 3 });
    expect(echo.command).toBe(commandLine(["sh", "-c", "echo out; echo err >&2; exit 3"]));
    expect(echo.timedOut).toBeUndefined();
    expect(echo.durationMs).toBeGreaterThan(0);

    const cat = await p.exec("h1", ["cat"], { stdin: "line 1\nü ✓\n" });
    expect(cat).toMatchObject({ stdout: "line 1\nü ✓\n", exitCode: 0, section: "cat" });

    // Without stdin the channel's input is closed at once: `cat` ends instead of hanging.
    expect((await p.exec("h1", ["cat"], { timeoutMs: 30_000 })).exitCode).toBe(0);
  });

  it("passes hostile arguments through the remote login shell unchanged", async () => {
    const p = pool(knownHostsFile(knownHostsLine(direct.port, direct.hostKey)));
    await p.connectAll([target("h1", direct)]);
    const hostile = ["it's", "$(id)", "`id`", "a;b", "two  spaces", "line\nbreak", "日本語 🚀", "", "*", "~", "\\"];
    const out = await p.exec("h1", ["printf", "%s\\0", ...hostile]);
    expect(out.stdout.split("\0").slice(0, -1)).toEqual(hostile);
  });

  // Nothing timed: on a loaded runner 25 commands 8 at a time have taken more than 60 s.
  it("reuses one connection for many concurrent commands, beyond sshd's MaxSessions of 10", { timeout: 300_000 }, async () => {
    const p = pool(knownHostsFile(knownHostsLine(direct.port, direct.hostKey)));
    await p.connectAll([target("h1", direct)]);
    const outputs = await Promise.all(
      Array.from({ length: 25 }, (_, i) => p.exec("h1", ["sh", "-c", 'sleep 0.1; echo "$0"', `run${i}`])),
    );
    outputs.forEach((o, i) => expect(o).toMatchObject({ stdout: `run${i}\n`, exitCode: 0 }));
    const sessions = execFileSync("sh", ["-c", `ss -tn state established '( dport = :${direct.port} )' | tail -n +2 | wc -l`], {
      encoding: "utf8",
    });
    expect(Number(sessions.trim())).toBe(1);
  });

  it("authenticates with a real ssh-agent when useAgent is set", async () => {
    await withAgent(join(dir, "agent-plain"), [clientKey.privatePath], async () => {
      const p = pool(knownHostsFile(knownHostsLine(direct.port, direct.hostKey)));
      const results = await p.connectAll([
        target("agent", direct, { identityFile: undefined, useAgent: true }),
      ]);
      expect(results.get("agent")).toMatchObject({ ok: true });
      expect((await p.exec("agent", ["echo", "via agent"])).stdout).toBe("via agent\n");
    });
  });

  it("an encrypted identity file with useAgent signs with the agent's key matching it, and names the file when the agent lacks it", async () => {
    // The client's key, encrypted, without a .pub: its public half comes from the file's own header.
    const encrypted = join(dir, "client_encrypted");
    copyFileSync(clientKey.privatePath, encrypted);
    execFileSync("ssh-keygen", ["-q", "-p", "-P", "", "-N", "a passphrase nobody types", "-f", encrypted]);
    const withEncryptedKey = target("encrypted", direct, { identityFile: encrypted, useAgent: true });
    const knownHosts = knownHostsFile(knownHostsLine(direct.port, direct.hostKey));
    await withAgent(join(dir, "agent-both"), [otherKey.privatePath, clientKey.privatePath], async () => {
      const p = pool(knownHosts);
      expect((await p.connectAll([withEncryptedKey])).get("encrypted")).toMatchObject({ ok: true });
    });
    await withAgent(join(dir, "agent-other-only"), [otherKey.privatePath], async () => {
      const error = errorOf((await pool(knownHosts).connectAll([withEncryptedKey])).get("encrypted"));
      expect(error).toContain(`the SSH agent holds no key matching ${encrypted} (${fingerprintSha256(clientKey.blob)}): load it with ssh-add ${encrypted}`);
    });
  });
});

describe("host key policy", () => {
  it("refuses an unknown key, naming its fingerprint and how to trust it", async () => {
    const p = pool(knownHostsFile());
    const results = await p.connectAll([target("h1", direct)]);
    const error = errorOf(results.get("h1"));
    expect(error).toContain(fingerprintSha256(direct.hostKey.blob));
    expect(error).toContain("unknown");
    expect(error).toContain("ssh-keyscan");
    expect(error).toContain("--accept-new-host-keys");
    expect(p.isConnected("h1")).toBe(false);
    await expect(p.exec("h1", ["true"])).rejects.toBeInstanceOf(SshTransportError);
  });

  it("refuses a changed key with the presented and expected fingerprints", async () => {
    const knownHosts = knownHostsFile(knownHostsLine(direct.port, otherKey));
    const p = pool(knownHosts, { acceptNewHostKeys: true });
    const error = errorOf((await p.connectAll([target("h1", direct)])).get("h1"));
    expect(error).toContain("HOST KEY CHANGED");
    expect(error).toContain(fingerprintSha256(direct.hostKey.blob));
    expect(error).toContain(`expected ssh-ed25519 ${fingerprintSha256(otherKey.blob)}`);
    // --accept-new-host-keys never rewrites a changed key.
    expect(readFileSync(knownHosts, "utf8")).toBe(knownHostsLine(direct.port, otherKey));
  });

  it("asks the server for the key type known_hosts has, as OpenSSH does", async () => {
    const twoKeys = await startSshd(dir, "two-keys", { authorizedKeys: [clientKey], hostKeyTypes: ["ed25519", "ecdsa"] });
    try {
      const ecdsa = twoKeys.hostKeys[1]!;
      expect(ecdsa.type).toBe("ecdsa-sha2-nistp256");
      // ssh2 alone would negotiate ed25519 first and see a key this file does not list.
      const p = pool(knownHostsFile(knownHostsLine(twoKeys.port, ecdsa)));
      expect((await p.connectAll([target("h", twoKeys)])).get("h")).toMatchObject({ ok: true });
    } finally {
      await twoKeys.stop();
    }
  });

  it("accept-new records an unknown key once, then a strict pool trusts it", async () => {
    const knownHosts = knownHostsFile();
    const first = pool(knownHosts, { acceptNewHostKeys: true });
    // Two inventory names reaching one machine: the key must be written once.
    const results = await first.connectAll([target("a", direct), target("b", direct)]);
    expect(results.get("a")).toMatchObject({ ok: true });
    expect(results.get("b")).toMatchObject({ ok: true });
    expect(readFileSync(knownHosts, "utf8")).toBe(knownHostsLine(direct.port, direct.hostKey));
    const found = execFileSync("ssh-keygen", ["-F", `[127.0.0.1]:${direct.port}`, "-f", knownHosts], { encoding: "utf8" });
    expect(found).toContain(direct.hostKey.blob.toString("base64"));

    const strict = pool(knownHosts);
    expect((await strict.connectAll([target("a", direct)])).get("a")).toMatchObject({ ok: true });
  });
});

describe("commands", () => {
  it("a command that exceeds its timeout is killed and reported, and the connection stays usable", async () => {
    const p = pool(knownHostsFile(knownHostsLine(direct.port, direct.hostKey)));
    await p.connectAll([target("h1", direct)]);
    // The clock covers opening the channel and starting bash: on a loaded runner that alone took
    // more than a fixed 400 ms, and "started" never came. So the timeout is sized from what a
    // first output costs right now on this runner, with a wide factor; the bounds are as generous.
    const firstOutput = await p.exec("h1", ["echo", "ready"], { timeoutMs: 60_000 });
    expect(firstOutput.stdout).toBe("ready\n");
    const timeoutMs = Math.max(1_000, Math.ceil(5 * firstOutput.durationMs));
    const marker = `sleep-marker-${process.pid}-${Date.now()}`;
    const started = Date.now();
    // A compound command: sleep is a child of the shell, named by `exec -a` so we can look for it.
    const out = await p.exec("h1", ["bash", "-c", `echo started; (exec -a ${marker} sleep 30); echo never`], { timeoutMs });
    expect(Date.now() - started).toBeLessThan(timeoutMs + 10_000);
    expect(out).toMatchObject({ exitCode: null, timedOut: true, stdout: "started\n" });
    expect(out.durationMs).toBeGreaterThanOrEqual(timeoutMs - 10);

    const again = await p.exec("h1", ["echo", "still here"], { timeoutMs: 30_000 });
    expect(again).toMatchObject({ stdout: "still here\n", exitCode: 0 });
    // The client asked sshd to KILL the command (sshd logs the request). OpenSSH refuses to signal
    // root sessions (no post-auth privilege separation) and predates signals before 7.9, so the
    // remote process may outlive the timeout there; this test logs in as root.
    const log = readFileSync(direct.logPath, "utf8");
    expect(log).toMatch(/session_signal_req/);
    const left = await p.exec("h1", ["pgrep", "-f", marker], { timeoutMs: 30_000 });
    const pids = left.stdout.split("\n").filter((pid) => /^\d+$/.test(pid));
    if (pids.length > 0) await p.exec("h1", ["kill", ...pids], { timeoutMs: 30_000 });
  });

  it("a host that stops answering times out at channel opening instead of hanging", async () => {
    const server = await startSshd(dir, "frozen", { authorizedKeys: [clientKey] });
    const sessions: number[] = [];
    try {
      const p = pool(knownHostsFile(knownHostsLine(server.port, server.hostKey)));
      await p.connectAll([target("h", server)]);
      // Freeze the per-connection sshd process: the TCP connection stays up, nothing answers.
      const children = execFileSync("pgrep", ["-P", String(server.process.pid)], { encoding: "utf8" });
      sessions.push(...children.split("\n").filter(Boolean).map(Number));
      expect(sessions.length).toBeGreaterThan(0);
      sessions.forEach((pid) => process.kill(pid, "SIGSTOP"));
      const started = Date.now();
      const out = await p.exec("h", ["true"], { timeoutMs: 500 });
      expect(Date.now() - started).toBeLessThan(500 + 5_000);
      expect(out).toMatchObject({ exitCode: null, timedOut: true, stdout: "" });
      expect(out.stderr).toContain("did not open a channel");
    } finally {
      sessions.forEach((pid) => process.kill(pid, "SIGCONT"));
      await server.stop();
    }
  });

  it("builds sudo -n argv from the target's setting, overridable per command", async () => {
    const p = pool(knownHostsFile(knownHostsLine(direct.port, direct.hostKey)));
    await p.connectAll([target("h1", direct, { sudo: true })]);
    const id = await p.exec("h1", ["id", "-u"]);
    expect(id.command).toBe("sudo -n id -u");
    expect(id).toMatchObject({ stdout: "0\n", exitCode: 0 });
    const quoted = await p.exec("h1", ["printf", "%s", "it's $(id)"]);
    expect(quoted.command).toBe("sudo -n printf %s 'it'\\''s $(id)'");
    expect(quoted.stdout).toBe("it's $(id)");
    expect((await p.exec("h1", ["id", "-u"], { sudo: false })).command).toBe("id -u");
  });

  it("sudo's refusal carries the fix: here sudo's own 'a password is required', from a user without a rule", async () => {
    const p = pool(knownHostsFile(knownHostsLine(direct.port, direct.hostKey)));
    await p.connectAll([target("h1", direct, { sudo: true })]);
    const refused = await p.exec("h1", ["runuser", "-u", "nobody", "--", "sudo", "-n", "true"]);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain("sudo: a password is required");
    expect(refused.stderr).toContain(`a NOPASSWD rule for ${currentUser} in /etc/sudoers.d/`);
  });
});

describe("jump host", () => {
  it("reaches a target through a bastion, verifying both host keys", async () => {
    const p = pool(knownHostsFile(knownHostsLine(bastion.port, bastion.hostKey), knownHostsLine(behind.port, behind.hostKey)));
    const jumpHost = { address: "127.0.0.1", port: bastion.port, user: currentUser, identityFile: clientKey.privatePath };
    const results = await p.connectAll([target("j1", behind, { jumpHost }), target("j2", behind, { jumpHost })]);
    // Each target's own key, not the bastion's.
    expect(results.get("j1")).toMatchObject({ ok: true, hostKey: `ssh-ed25519 ${fingerprintSha256(behind.hostKey.blob)}` });
    expect(results.get("j2")).toMatchObject({ ok: true });
    expect((await p.exec("j1", ["echo", "behind"])).stdout).toBe("behind\n");
    // The bastion's own log proves the connection was tunnelled through it.
    const log = readFileSync(bastion.logPath, "utf8");
    expect(log).toMatch(new RegExp(`server_request_direct_tcpip: .* target 127\\.0\\.0\\.1 port ${behind.port}\\b`));
  });

  it("follows a ProxyJump chain: each hop is reached through the one before it", async () => {
    const p = pool(knownHostsFile(knownHostsLine(bastion.port, bastion.hostKey), knownHostsLine(behind.port, behind.hostKey)));
    const first = { address: "127.0.0.1", port: bastion.port, user: currentUser, identityFile: clientKey.privatePath };
    // ProxyJump first,second: the second hop (the same bastion, as a second login) is reached through the first.
    const results = await p.connectAll([target("c1", behind, { jumpHost: { ...first, jumpHost: first } })]);
    expect(results.get("c1")).toMatchObject({ ok: true });
    expect((await p.exec("c1", ["echo", "chained"])).stdout).toBe("chained\n");
    const log = readFileSync(bastion.logPath, "utf8");
    expect(log).toMatch(new RegExp(`server_request_direct_tcpip: .* target 127\\.0\\.0\\.1 port ${bastion.port}\\b`));
  });

  it("fails the target when the bastion's key is unknown, naming the jump host", async () => {
    const p = pool(knownHostsFile(knownHostsLine(behind.port, behind.hostKey)));
    const jumpHost = { address: "127.0.0.1", port: bastion.port, user: currentUser, identityFile: clientKey.privatePath };
    const error = errorOf((await p.connectAll([target("j1", behind, { jumpHost })])).get("j1"));
    expect(error).toMatch(/^jump host /);
    expect(error).toContain(fingerprintSha256(bastion.hostKey.blob));
  });

  it("fails the target when the bastion refuses to forward", async () => {
    const p = pool(knownHostsFile(knownHostsLine(noForwarding.port, noForwarding.hostKey), knownHostsLine(behind.port, behind.hostKey)));
    const jumpHost = { address: "127.0.0.1", port: noForwarding.port, user: currentUser, identityFile: clientKey.privatePath };
    const error = errorOf((await p.connectAll([target("j1", behind, { jumpHost })])).get("j1"));
    expect(error).toContain("could not open a tunnel");
  });
});

describe("failures stay with their host", () => {
  let silent: Server;
  let silentPort: number;
  const silentSockets = new Set<Socket>();

  beforeAll(async () => {
    // A TCP listener that never speaks SSH: the handshake must time out, not hang the audit.
    silent = createServer((socket) => {
      silentSockets.add(socket);
      socket.once("close", () => silentSockets.delete(socket));
    });
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    silentPort = (silent.address() as { port: number }).port;
  });

  afterAll(async () => {
    for (const socket of silentSockets) socket.destroy();
    await new Promise((r) => silent.close(r));
  });

  it("one unreachable port, one silent server and one bad key do not stop the good host", async () => {
    const closedPort = await freePort();
    // 3 s: the good host's handshake must fit in it on a loaded runner; the silent one waits it out.
    const p = pool(knownHostsFile(knownHostsLine(direct.port, direct.hostKey)), { connectTimeoutMs: 3_000 });
    const started = Date.now();
    const results = await p.connectAll([
      target("good", direct),
      target("refused", { port: closedPort }),
      target("silent", { port: silentPort }),
      target("wrong-key", direct, { identityFile: otherKey.privatePath }),
      target("no-key-file", direct, { identityFile: join(dir, "missing_key") }),
    ]);
    expect(Date.now() - started).toBeLessThan(3_000 + 7_000);
    expect(results.get("good")).toMatchObject({ ok: true });
    expect(errorOf(results.get("refused"))).toContain("ECONNREFUSED");
    expect(errorOf(results.get("silent"))).toMatch(/timed out/i);
    expect(errorOf(results.get("wrong-key"))).toMatch(/authentication methods failed/);
    expect(errorOf(results.get("no-key-file"))).toMatch(/cannot read identity file .*missing_key \(ENOENT\)/);
    for (const result of results.values()) {
      if (!result.ok) expect(result.error).not.toMatch(/PRIVATE KEY|[A-Za-z0-9+/]{60,}/);
    }
    expect(p.isConnected("good")).toBe(true);
    expect(p.isConnected("refused")).toBe(false);
    expect((await p.exec("good", ["echo", "ok"])).stdout).toBe("ok\n");
  });

  it("a connection that drops later is reported by exec, not hung on", async () => {
    const server = await startSshd(dir, "short-lived", { authorizedKeys: [clientKey] });
    try {
      const p = pool(knownHostsFile(knownHostsLine(server.port, server.hostKey)));
      await p.connectAll([target("h", server)]);
      expect(p.isConnected("h")).toBe(true);
      // Killing the listener alone leaves the session; end the session process too.
      execFileSync("sh", ["-c", `pkill -P ${server.process.pid!} || true`]);
      await server.stop();
      const deadline = Date.now() + 5_000;
      while (p.isConnected("h") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(p.isConnected("h")).toBe(false);
      await expect(p.exec("h", ["true"])).rejects.toThrow(/not connected/);
    } finally {
      await server.stop();
    }
  });

  it("a connection that drops while a command runs hands back the output that arrived, with the reason", async () => {
    const server = await startSshd(dir, "drops-mid-command", { authorizedKeys: [clientKey] });
    const marker = `drop-marker-${process.pid}-${Date.now()}`;
    try {
      const p = pool(knownHostsFile(knownHostsLine(server.port, server.hostKey)));
      await p.connectAll([target("h", server)]);
      const running = p.exec("h", ["bash", "-c", `echo started; (exec -a ${marker} sleep 30)`], { timeoutMs: 60_000 });
      // Once the marked sleep runs (its command line starts with the marker; the shells' contain it),
      // "started" has been written; sshd forwards it at once, 3 s is a generous margin for a loaded runner.
      const sleeping = `^${marker}`;
      const deadline = Date.now() + 30_000;
      while (processIds(sleeping).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(processIds(sleeping).length).toBeGreaterThan(0);
      await new Promise((r) => setTimeout(r, 3_000));
      const started = Date.now();
      execFileSync("sh", ["-c", `pkill -KILL -P ${server.process.pid!} || true`]);
      const out = await running;
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(out).toMatchObject({ exitCode: null, stdout: "started\n", connectionLost: expect.stringMatching(/^connection (closed|lost)/) });
      expect(out.timedOut).toBeUndefined();
      expect(out.stderr).toMatch(/before the command finished\]\n$/);
    } finally {
      for (const pid of processIds(`^${marker}`)) process.kill(pid, "SIGKILL");
      await server.stop();
    }
  });
});

describe("latency with and without TCP_NODELAY", () => {
  // Reported, not asserted: the numbers depend on the machine (see the transport report). exec
  // includes sshd's session setup and the remote login shell's startup files.
  // 36 round trips: seconds on an idle runner; each exec has taken 4 s at load 40 on 2 cores.
  it("measures handshake and exec round trip", { timeout: 600_000 }, async () => {
    const knownHosts = knownHostsFile(knownHostsLine(direct.port, direct.hostKey));
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    const rows: Record<string, { handshakeMs: number; execMedianMs: number }> = {};
    for (const noDelay of [true, false]) {
      const handshakes: number[] = [];
      const execs: number[] = [];
      for (let round = 0; round < 3; round++) {
        const p = pool(knownHosts, { noDelay });
        const result = (await p.connectAll([target("h", direct)])).get("h");
        if (!result?.ok) throw new Error(`connect failed: ${JSON.stringify(result)}`);
        handshakes.push(result.handshakeMs);
        for (let i = 0; i < 5; i++) execs.push((await p.exec("h", ["true"])).durationMs);
        await p.closeAll();
      }
      rows[`noDelay=${noDelay}`] = {
        handshakeMs: median(handshakes),
        execMedianMs: median(execs),
      };
    }
    console.log(`ssh latency on loopback: ${JSON.stringify(rows)}`);
    for (const row of Object.values(rows)) {
      expect(row.handshakeMs).toBeGreaterThan(0);
      expect(row.execMedianMs).toBeGreaterThan(0);
    }
  });
});
