// One command on an SSH channel: its output, exit status and timeout, and the signal that stops it
// (with ssh2's channel internals where ssh2 has no API: docs/upgrading.md).
import { performance } from "node:perf_hooks";
import type { ClientChannel } from "ssh2";
import type { CommandOutput } from "../model.js";

export function timedOutBeforeStart(section: string, command: string, elapsedMs: number): CommandOutput {
  return {
    section,
    command,
    exitCode: null,
    stdout: "",
    stderr: "[the host did not open a channel before the timeout]\n",
    durationMs: Math.round(elapsedMs * 10) / 10,
    timedOut: true,
  };
}

interface ChannelInternals {
  outgoing?: { id?: number; state?: string };
  _client?: { _protocol?: { signal?: (channelId: number, signalName: string) => void } };
}

/**
 * Ask sshd to signal the command. sshd (OpenSSH >= 7.9) delivers it with killpg, so a shell's
 * children die too; it refuses for root logins (no post-auth privilege separation), and older
 * servers (CentOS 7: 7.4) ignore it, so there the command may outlive its timeout. ssh2's Channel.signal() silently drops the request once stdin has been ended
 * (it checks `writable`), and stdin is always ended (state "eof"); so the request goes through the channel's
 * protocol object, which ssh2 1.17 (pinned) exposes as below. Falls back to the public method.
 */
function sendSignal(channel: ClientChannel, signalName: string): void {
  const internals = channel as unknown as ChannelInternals;
  const channelId = internals.outgoing?.id;
  const protocol = internals._client?._protocol;
  try {
    if (typeof channelId === "number" && (internals.outgoing?.state === "open" || internals.outgoing?.state === "eof") && typeof protocol?.signal === "function") {
      protocol.signal(channelId, signalName);
    } else {
      channel.signal(signalName);
    }
  } catch {
    // The channel is already closing: nothing left to signal.
  }
}

export interface RunSpec {
  command: string;
  section: string;
  timeoutMs: number;
  started: number;
  stdin: string | undefined;
  onStdout: ((chunk: Buffer) => void) | undefined;
}

export function runChannel(channel: ClientChannel, spec: RunSpec): Promise<CommandOutput> {
  return new Promise((resolve) => {
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let exitCode: number | null = null;
    let exitSignal: string | null = null;
    let done = false;
    const finish = (timedOut: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      let stderrText = Buffer.concat(stderr).toString("utf8");
      if (exitSignal) stderrText += `${stderrText && !stderrText.endsWith("\n") ? "\n" : ""}[terminated by signal ${exitSignal}]\n`;
      resolve({
        section: spec.section,
        command: spec.command,
        exitCode: timedOut ? null : exitCode,
        stdout: Buffer.concat(stdout).toString("utf8"),
        stderr: stderrText,
        durationMs: Math.round((performance.now() - spec.started) * 10) / 10,
        ...(timedOut ? { timedOut: true } : {}),
      });
    };
    const timer = setTimeout(() => {
      // Ask sshd to kill the process, then drop the channel; do not wait for a host that may hang.
      sendSignal(channel, "KILL");
      channel.close();
      finish(true);
    }, spec.timeoutMs);
    channel.on("data", (chunk: Buffer) => {
      stdout.push(chunk);
      spec.onStdout?.(chunk);
    });
    channel.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    channel.on("exit", (code: number | null, signal?: string) => {
      exitCode = code;
      exitSignal = code === null && signal ? signal : null;
    });
    // ssh2 repeats the exit status on "close": the fallback if "exit" was emitted before we listened.
    channel.on("close", (code?: number | null, signal?: string) => {
      if (exitCode === null && typeof code === "number") exitCode = code;
      if (exitCode === null && exitSignal === null && signal) exitSignal = signal;
      finish(false);
    });
    channel.on("error", (error: Error) => {
      // Keep the reason: a channel that fails without an exit status must not look like a silent exit.
      stderr.push(Buffer.from(`[ssh channel error: ${error.message}]\n`));
      finish(false);
    });
    // Always end stdin: a command that reads it must see EOF, not wait for the timeout.
    channel.end(spec.stdin ?? undefined);
  });
}
