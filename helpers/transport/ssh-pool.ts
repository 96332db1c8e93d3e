// One SSH connection per audited host, opened in parallel, host keys checked against known_hosts,
// reused by every command. Failures are values (the host is "broken"), never exceptions that
// would stop the audit of the other hosts.
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import type { Readable } from "node:stream";
import ssh2, { Client, type ClientChannel, type ConnectConfig, type IdentityCallback, type ParsedKey } from "ssh2";
import { concurrencyLimit } from "../concurrency.js";
import type { CommandOutput } from "../model.js";
import {
  appendKnownHost,
  checkHostKey,
  fingerprintSha256,
  hostKeyAlgorithmOrder,
  knownHostsName,
  keyTypeOfBlob,
  readKnownHosts,
  trustedKeyTypes,
  type KnownHostEntry,
} from "./known-hosts.js";
import { runChannel, timedOutBeforeStart } from "./channel.js";
import { isEncryptedKey, publicKeyBlobOf, redactKeyMaterial } from "./key-files.js";
import { expandHome } from "./paths.js";
import { commandLine, sudoArgv } from "./quote.js";
import { sudoRefusalFix } from "./sudo.js";

export interface SshHop {
  address: string;
  port: number;
  user: string;
  identityFile?: string;
  useAgent?: boolean;
  /** ProxyJump: reach this hop through that host (a chain a,b,target nests: target → b → a). */
  jumpHost?: SshHop;
}

export interface SshTarget extends SshHop {
  /** Inventory name: the key of every result and of exec(). */
  name: string;
  /** Prefix commands with `sudo -n` unless exec() says otherwise. */
  sudo?: boolean;
}

export interface SshPoolOptions {
  knownHostsPath: string;
  /** Trust on first use: record an unknown key. A changed key is refused regardless. */
  acceptNewHostKeys: boolean;
  connectTimeoutMs: number;
  commandTimeoutMs: number;
  /** Disable Nagle on each connection's socket (default true: ~5 ms instead of ~48 ms per round trip). */
  noDelay?: boolean;
}

/** `hostKey`: the key the host presented in the handshake, as `<type> SHA256:<fingerprint>`. */
export type ConnectResult = { ok: true; handshakeMs: number; hostKey: string } | { ok: false; error: string };

export interface ExecOptions {
  stdin?: string;
  timeoutMs?: number;
  /** Overrides the target's `sudo`. */
  sudo?: boolean;
  /** Name recorded in CommandOutput.section; defaults to the first argv element. */
  section?: string;
  /** Sees stdout as it arrives (the facts script's first sections start the host's probes). */
  onStdout?: (chunk: Buffer) => void;
}

/**
 * exec()'s result. A command cut short keeps the output that arrived before: on a timeout
 * (`timedOut`) and when the connection dropped (`connectionLost`), stdout and stderr are partial.
 */
export interface ExecOutput extends CommandOutput {
  /** The connection dropped before the command finished, and why. */
  connectionLost?: string;
}

/** The host is not connected or the channel could not be opened: no command ran. */
export class SshTransportError extends Error {
  constructor(
    readonly host: string,
    message: string,
  ) {
    super(message);
    this.name = "SshTransportError";
  }
}

function errorText(error: unknown): string {
  return redactKeyMaterial(error instanceof Error ? error.message : String(error));
}

function hopLabel(hop: SshHop): string {
  return `${hop.user}@${knownHostsName(hop.address, hop.port)}`;
}

/** sshd allows 10 sessions per connection by default (MaxSessions); stay below it and queue the rest. */
const MAX_CHANNELS_PER_CONNECTION = 8;

interface Connection {
  client: Client;
  /** At most MAX_CHANNELS_PER_CONNECTION commands at once; the others wait in arrival order. */
  channels: <R>(work: () => Promise<R>) => Promise<R>;
  connected: boolean;
  /** Set when an established connection drops; exec() reports it. */
  lostReason: string | null;
}

export class SshPool {
  private readonly knownHostsPath: string;
  private readonly connections = new Map<string, Connection>();
  private readonly targets = new Map<string, SshTarget>();
  /** Jump connections, shared by every target behind the same bastion. */
  private readonly jumps = new Map<string, Promise<Client>>();
  private knownHosts: KnownHostEntry[] = [];
  /** The key each hop presented in its last handshake (TOPO-01 tells cloned machines apart by it). */
  private readonly presentedKeys = new WeakMap<SshHop, string>();

  constructor(private readonly opts: SshPoolOptions) {
    this.knownHostsPath = expandHome(opts.knownHostsPath);
  }

  /** Connect to every target in parallel. One result per target name; nothing is thrown. */
  async connectAll(targets: readonly SshTarget[]): Promise<Map<string, ConnectResult>> {
    this.knownHosts = readKnownHosts(this.knownHostsPath).entries;
    const results = await Promise.all(
      targets.map(async (target): Promise<[string, ConnectResult]> => [target.name, await this.connectOne(target)]),
    );
    return new Map(results);
  }

  isConnected(host: string): boolean {
    return this.connections.get(host)?.connected ?? false;
  }

  /**
   * Run one argv on a host. Returns the command's result whatever its exit status; a command that
   * exceeds its timeout is killed, its channel closed, and returned with timedOut=true, exitCode null;
   * one whose connection drops is returned with connectionLost. Both keep the output received so far.
   * Throws SshTransportError only when no command could be started (host not connected).
   */
  async exec(host: string, argv: readonly string[], opts: ExecOptions = {}): Promise<ExecOutput> {
    const connection = this.connections.get(host);
    if (!connection?.connected) {
      throw new SshTransportError(host, `${host}: not connected${connection?.lostReason ? ` (${connection.lostReason})` : ""}`);
    }
    const useSudo = opts.sudo ?? this.targets.get(host)?.sudo ?? false;
    const command = commandLine(sudoArgv(argv, useSudo));
    const section = opts.section ?? argv[0] ?? "exec";
    const timeoutMs = opts.timeoutMs ?? this.opts.commandTimeoutMs;
    return connection.channels(async () => {
      const started = performance.now();
      // Listeners go on in the exec callback itself: a fast command's exit status can arrive in the
      // same read as the channel confirmation, and an "exit" emitted before anyone listens is lost.
      const opening = new Promise<{ channel: ClientChannel; done: Promise<CommandOutput> }>((resolve, reject) => {
        const cannotStart = (err: unknown) => new SshTransportError(host, `${host}: cannot start a command: ${errorText(err)}`);
        try {
          connection.client.exec(command, (err, stream) => {
            if (err) return reject(cannotStart(err));
            const remainingMs = Math.max(1, timeoutMs - (performance.now() - started));
            resolve({ channel: stream, done: runChannel(stream, { command, section, timeoutMs: remainingMs, started, stdin: opts.stdin, onStdout: opts.onStdout }) });
          });
        } catch (error) {
          // ssh2 throws synchronously when the socket is already gone.
          reject(cannotStart(error));
        }
      });
      // The timeout covers opening the channel too: a host that stopped answering must not hang us.
      let openTimer: NodeJS.Timeout | undefined;
      const opened = await Promise.race([
        opening,
        new Promise<null>((resolve) => (openTimer = setTimeout(() => resolve(null), timeoutMs))),
      ]).finally(() => clearTimeout(openTimer));
      if (opened === null) {
        opening.then((late) => late.channel.close(), () => undefined);
        return timedOutBeforeStart(section, command, performance.now() - started);
      }
      const output: ExecOutput = await opened.done;
      const sudoFix = useSudo && output.exitCode !== 0 ? sudoRefusalFix(output.stderr, this.targets.get(host)?.user ?? "the audit user") : null;
      if (sudoFix) output.stderr += `${output.stderr.endsWith("\n") ? "" : "\n"}[${sudoFix}]\n`;
      // ssh2 marks the connection lost before it closes the connection's channels.
      if (output.exitCode === null && !output.timedOut && !connection.connected) {
        output.connectionLost = connection.lostReason ?? "connection closed";
        output.stderr += `${output.stderr && !output.stderr.endsWith("\n") ? "\n" : ""}[${output.connectionLost} before the command finished]\n`;
      }
      return output;
    });
  }

  /** Close every connection, jump hosts last. */
  async closeAll(): Promise<void> {
    const closing = [...this.connections.values()].map((c) => endClient(c.client));
    await Promise.all(closing);
    this.connections.clear();
    const jumps = await Promise.allSettled([...this.jumps.values()]);
    await Promise.all(jumps.flatMap((j) => (j.status === "fulfilled" ? [endClient(j.value)] : [])));
    this.jumps.clear();
  }

  private async connectOne(target: SshTarget): Promise<ConnectResult> {
    this.targets.set(target.name, target);
    const previous = this.connections.get(target.name);
    if (previous) {
      // Reconnecting a name replaces its connection; never leak the old one.
      this.connections.delete(target.name);
      await endClient(previous.client);
    }
    const started = performance.now();
    try {
      let sock: Readable | undefined;
      if (target.jumpHost) {
        const jump = await this.jumpClient(target.jumpHost);
        sock = await forwardTo(jump, target);
      }
      const client = await this.openClient(target, sock);
      const connection: Connection = { client, channels: concurrencyLimit(MAX_CHANNELS_PER_CONNECTION), connected: true, lostReason: null };
      const markLost = (reason: string) => {
        if (!connection.connected) return;
        connection.connected = false;
        connection.lostReason = reason;
      };
      client.on("error", (err) => markLost(`connection lost: ${errorText(err)}`));
      client.on("close", () => markLost("connection closed"));
      this.connections.set(target.name, connection);
      // ssh2 asks hostVerifier before every successful handshake, so the key is there.
      return { ok: true, handshakeMs: Math.round((performance.now() - started) * 10) / 10, hostKey: this.presentedKeys.get(target)! };
    } catch (error) {
      return { ok: false, error: errorText(error) };
    }
  }

  private jumpClient(hop: SshHop): Promise<Client> {
    const key = hop.jumpHost ? `${hopLabel(hop)} via ${hopLabel(hop.jumpHost)}` : hopLabel(hop);
    let jump = this.jumps.get(key);
    if (!jump) {
      jump = this.openHop(hop).catch((error: unknown) => {
        throw new Error(`jump host ${errorText(error)}`);
      });
      this.jumps.set(key, jump);
      // A jump that fails or drops later is forgotten, so the next connectAll() dials it again;
      // the targets behind it see their own connections close.
      const forget = () => {
        if (this.jumps.get(key) === jump) this.jumps.delete(key);
      };
      void jump.then(
        (client) => client.on("error", () => undefined).on("close", forget),
        forget,
      );
    }
    return jump;
  }

  /** A jump host that is itself reached through another one (ProxyJump chains). */
  private async openHop(hop: SshHop): Promise<Client> {
    const sock = hop.jumpHost ? await forwardTo(await this.jumpClient(hop.jumpHost), hop) : undefined;
    return this.openClient(hop, sock);
  }

  /** Handshake with one hop, checking its host key. Rejects with a message naming the hop. */
  private openClient(hop: SshHop, sock?: Readable): Promise<Client> {
    const label = hopLabel(hop);
    return new Promise<Client>((resolve, reject) => {
      const client = new Client();
      let hostKeyProblem: string | null = null;
      let settled = false;
      const fail = (reason: string) => {
        if (settled) return;
        settled = true;
        // destroy, not end: a peer that never answers would keep a half-closed socket open.
        client.destroy();
        reject(new Error(`${label}: ${hostKeyProblem ?? reason}`));
      };
      let config: ConnectConfig;
      try {
        config = {
          host: hop.address,
          port: hop.port,
          username: hop.user,
          readyTimeout: this.opts.connectTimeoutMs,
          keepaliveInterval: 15_000,
          keepaliveCountMax: 3,
          algorithms: { serverHostKey: hostKeyAlgorithmOrder(trustedKeyTypes(this.knownHosts, hop.address, hop.port)) },
          hostVerifier: (key: Buffer) => {
            this.presentedKeys.set(hop, `${keyTypeOfBlob(key)} ${fingerprintSha256(key)}`);
            hostKeyProblem = this.verifyHostKey(hop, key);
            return hostKeyProblem === null;
          },
          ...this.credentials(hop),
          ...(sock ? { sock } : {}),
        };
      } catch (error) {
        fail(errorText(error));
        return;
      }
      client.on("connect", () => {
        // Without this, Nagle + delayed ACK add ~40 ms to every request/response round trip.
        if (this.opts.noDelay ?? true) client.setNoDelay(true);
      });
      client.once("ready", () => {
        settled = true;
        resolve(client);
      });
      client.on("error", (err) => fail(errorText(err)));
      client.on("close", () => fail("connection closed during the handshake"));
      try {
        client.connect(config);
      } catch (error) {
        fail(errorText(error));
      }
    });
  }

  private credentials(hop: SshHop): Pick<ConnectConfig, "privateKey" | "agent"> {
    const credentials: Pick<ConnectConfig, "privateKey" | "agent"> = {};
    const agent = process.env.SSH_AUTH_SOCK;
    if (hop.useAgent && !agent) throw new Error("useAgent is set but SSH_AUTH_SOCK is not: no SSH agent to ask");
    if (hop.identityFile) {
      const path = expandHome(hop.identityFile);
      let data: Buffer;
      try {
        data = readFileSync(path);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? "unreadable";
        throw new Error(`cannot read identity file ${path} (${code})`);
      }
      if (hop.useAgent && isEncryptedKey(data)) {
        // As OpenSSH does: the file names which of the agent's keys to use, the agent signs.
        const blob = publicKeyBlobOf(path, data);
        if (!blob) throw new Error(`${path} is encrypted and its public half is unknown: put its public key beside it as ${path}.pub`);
        credentials.agent = new MatchingKeyAgent(agent!, blob, path);
        return credentials;
      }
      credentials.privateKey = data;
    }
    if (hop.useAgent) credentials.agent = agent;
    if (!credentials.privateKey && !credentials.agent) {
      throw new Error("no credentials: set identityFile or useAgent");
    }
    return credentials;
  }

  /** null when trusted; otherwise the message that says what is wrong and how to fix it. */
  private verifyHostKey(hop: SshHop, keyBlob: Buffer): string | null {
    const keyType = keyTypeOfBlob(keyBlob);
    const name = knownHostsName(hop.address, hop.port);
    const check = checkHostKey(this.knownHosts, hop.address, hop.port, keyType, keyBlob);
    switch (check.status) {
      case "match":
        return null;
      case "unknown":
        if (this.opts.acceptNewHostKeys) {
          try {
            appendKnownHost(this.knownHostsPath, hop.address, hop.port, keyType, keyBlob);
            this.knownHosts = readKnownHosts(this.knownHostsPath).entries;
            return null;
          } catch (error) {
            return `host key ${keyType} ${check.fingerprint} could not be recorded: ${errorText(error)}`;
          }
        }
        return (
          `host key unknown: ${name} presented ${keyType} ${check.fingerprint}, which is not in ${this.knownHostsPath}. ` +
          `Verify the fingerprint out of band, then add it (ssh-keyscan -p ${hop.port} -t ${keyType} ${hop.address} >> ${this.knownHostsPath}) ` +
          `or run with --accept-new-host-keys to record it on first use`
        );
      case "changed":
        return (
          `HOST KEY CHANGED for ${name}: presented ${keyType} ${check.fingerprint}, expected ${check.expectedFingerprints.join(" or ")} ` +
          `(${this.knownHostsPath}). Someone may be intercepting the connection, or the host was reinstalled. ` +
          `Never accepted automatically: after verifying the new key, remove the old one (ssh-keygen -R ${JSON.stringify(name)} -f ${this.knownHostsPath}) and add the new one`
        );
      case "revoked":
        return `host key REVOKED: ${name} presented ${keyType} ${check.fingerprint}, marked @revoked in ${this.knownHostsPath}`;
    }
  }
}

/** The agent, offering only the key whose public half is `blob` (the identity file's). */
class MatchingKeyAgent extends ssh2.OpenSSHAgent {
  constructor(
    socket: string,
    private readonly blob: Buffer,
    private readonly keyFile: string,
  ) {
    super(socket);
  }

  override getIdentities(cb: IdentityCallback<ParsedKey>): void {
    super.getIdentities((err, keys) => {
      if (err || !keys) return cb(err ?? new Error("the SSH agent listed no keys"));
      // OpenSSHAgent lists parsed keys (the entry form is for agents that attach options).
      const matching = keys.filter((k) => "getPublicSSH" in k && k.getPublicSSH().equals(this.blob));
      if (matching.length > 0) return cb(undefined, matching);
      cb(new Error(`the SSH agent holds no key matching ${this.keyFile} (${fingerprintSha256(this.blob)}): load it with ssh-add ${this.keyFile}`));
    });
  }
}

function forwardTo(jump: Client, target: SshHop): Promise<Readable> {
  return new Promise((resolve, reject) => {
    const cannotTunnel = (err: unknown) =>
      new Error(`${hopLabel(target)}: jump host could not open a tunnel: ${errorText(err)}`);
    try {
      jump.forwardOut("127.0.0.1", 0, target.address, target.port, (err, stream) =>
        err ? reject(cannotTunnel(err)) : resolve(stream),
      );
    } catch (error) {
      // ssh2 throws synchronously when the jump connection is already gone.
      reject(cannotTunnel(error));
    }
  });
}

function endClient(client: Client): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, 2_000);
    client.once("close", () => {
      clearTimeout(timer);
      resolve();
    });
    client.end();
  });
}
