// Throwaway OpenSSH servers for the transport tests: real sshd processes on 127.0.0.1, each with
// its own host key, config and authorized_keys in a temporary folder. Nothing here is mocked.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, connect } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";

export interface KeyPair {
  privatePath: string;
  publicLine: string;
  type: string;
  blob: Buffer;
}

export interface SshdInstance {
  port: number;
  /** The first of `hostKeys`. */
  hostKey: KeyPair;
  hostKeys: KeyPair[];
  logPath: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

export const currentUser = userInfo().username;

export function makeWorkDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function removeWorkDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

export function generateKeyPair(dir: string, name: string, type: "ed25519" | "ecdsa" = "ed25519"): KeyPair {
  const privatePath = join(dir, name);
  execFileSync("ssh-keygen", ["-q", "-t", type, "-N", "", "-C", name, "-f", privatePath]);
  const publicLine = readFileSync(`${privatePath}.pub`, "utf8").trim();
  const [keyType, base64] = publicLine.split(" ");
  return { privatePath, publicLine, type: keyType!, blob: Buffer.from(base64!, "base64") };
}

export function knownHostsLine(port: number, key: KeyPair): string {
  return `[127.0.0.1]:${port} ${key.type} ${key.blob.toString("base64")}\n`;
}

/** A port nobody listens on right now (bound then released by the kernel's own choice). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

function sshdPath(): string {
  // sshd re-executes itself and therefore insists on an absolute path.
  return execFileSync("sh", ["-c", "command -v sshd"], { encoding: "utf8" }).trim();
}

/** sshd names the privilege-separation directory it needs; create exactly that one if missing. */
function ensurePrivsepDir(binary: string, configPath: string): void {
  try {
    execFileSync(binary, ["-t", "-f", configPath], { stdio: "pipe" });
  } catch (error) {
    const stderr = String((error as { stderr?: Buffer }).stderr ?? "");
    const missing = /Missing privilege separation directory: (\S+)/.exec(stderr);
    if (!missing) throw new Error(`sshd rejected its test config: ${stderr}`);
    mkdirSync(missing[1]!, { recursive: true, mode: 0o755 });
  }
}

async function waitForBanner(port: number, deadlineMs: number): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, "127.0.0.1");
      socket.once("data", (data) => {
        socket.destroy();
        resolve(data.toString("latin1").startsWith("SSH-"));
      });
      socket.once("error", () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`sshd on port ${port} did not answer`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface SshdOptions {
  authorizedKeys: KeyPair[];
  allowTcpForwarding?: boolean;
  /** Host key types the server offers, default ["ed25519"]. */
  hostKeyTypes?: ("ed25519" | "ecdsa")[];
  logLevel?: "ERROR" | "INFO" | "VERBOSE" | "DEBUG1";
  /** Environment of every session (sshd's SetEnv), e.g. DOCKER_HOST to make this "host" see another dockerd. */
  setEnv?: Record<string, string>;
}

export async function startSshd(dir: string, name: string, opts: SshdOptions): Promise<SshdInstance> {
  const home = join(dir, name);
  mkdirSync(home, { recursive: true });
  const hostKeys = (opts.hostKeyTypes ?? ["ed25519"]).map((type) => generateKeyPair(home, `host_${type}`, type));
  const authorizedKeysPath = join(home, "authorized_keys");
  writeFileSync(authorizedKeysPath, opts.authorizedKeys.map((k) => `${k.publicLine}\n`).join(""), { mode: 0o600 });
  const port = await freePort();
  const logPath = join(home, "sshd.log");
  const configPath = join(home, "sshd_config");
  writeFileSync(
    configPath,
    [
      `Port ${port}`,
      "ListenAddress 127.0.0.1",
      ...hostKeys.map((key) => `HostKey ${key.privatePath}`),
      `PidFile ${join(home, "sshd.pid")}`,
      `AuthorizedKeysFile ${authorizedKeysPath}`,
      "PermitRootLogin prohibit-password",
      "PubkeyAuthentication yes",
      "PasswordAuthentication no",
      "KbdInteractiveAuthentication no",
      "UsePAM no",
      // The temporary folder is world-traversable; StrictModes would refuse it.
      "StrictModes no",
      `AllowTcpForwarding ${opts.allowTcpForwarding === false ? "no" : "yes"}`,
      `LogLevel ${opts.logLevel ?? "ERROR"}`,
      ...Object.entries(opts.setEnv ?? {}).map(([name, value]) => `SetEnv ${name}=${value}`),
      "",
    ].join("\n"),
  );
  const binary = sshdPath();
  ensurePrivsepDir(binary, configPath);
  const child = spawn(binary, ["-D", "-f", configPath, "-E", logPath], { stdio: "ignore" });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  await waitForBanner(port, 5_000);
  return {
    port,
    hostKey: hostKeys[0]!,
    hostKeys,
    logPath,
    process: child,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}

/** A real ssh-agent holding the given keys, on its own socket. */
export async function startAgent(dir: string, keys: Pick<KeyPair, "privatePath">[]): Promise<{ socket: string; stop(): Promise<void> }> {
  const socket = join(dir, "agent.sock");
  const child = spawn("ssh-agent", ["-D", "-a", socket], { stdio: "ignore" });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const deadline = Date.now() + 5_000;
  for (;;) {
    try {
      for (const key of keys) {
        execFileSync("ssh-add", ["-q", key.privatePath], { env: { ...process.env, SSH_AUTH_SOCK: socket }, stdio: "pipe" });
      }
      break;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return {
    socket,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}

/** Runs `body` with SSH_AUTH_SOCK pointing at a real agent (in its own folder `dir`) holding the keys. */
export async function withAgent(dir: string, keyFiles: string[], body: () => Promise<void>): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const agent = await startAgent(dir, keyFiles.map((privatePath) => ({ privatePath })));
  const saved = process.env.SSH_AUTH_SOCK;
  process.env.SSH_AUTH_SOCK = agent.socket;
  try {
    await body();
  } finally {
    if (saved === undefined) delete process.env.SSH_AUTH_SOCK;
    else process.env.SSH_AUTH_SOCK = saved;
    await agent.stop();
  }
}
