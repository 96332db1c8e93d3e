// SEC-04 tells "filtered" from "open" by waiting for a SYN-ACK, and the wait is derived from measured
// round trips (helpers/probes/tcp.ts). Here a SYN-ACK held back far longer than the round trip
// (150 ms and 600 ms against well under 1 ms on loopback) must still read as open, and a port the
// firewall drops must still read as filtered.
//
// The delay: `tc qdisc ... netem delay` is the usual tool, but this runner's kernel has no sch_netem
// (CONFIG_NET_SCH_NETEM is not set in /proc/config.gz, and it has no loadable modules). So an iptables
// NFQUEUE rule hands each SYN-ACK of a port to synack-delayer.py, which lets the kernel send it after
// the delay: a real handshake, delayed in the kernel. Everything happens in a network namespace made
// for the test (loopback only), and the probes run there too (netns-probe-child.ts).
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TCP_TIMEOUT_POLICY } from "../../../helpers/probes/tcp.js";
import type { TcpProbeResult } from "../../../helpers/probes/types.js";
import { commandExists, inCi } from "./servers.js";

const HERE = import.meta.dirname;
const NAMESPACE = `api7-synack-${process.pid}`;
// A fresh namespace has no other listener: fixed ports cannot collide.
const FAST_PORT = 7000;
const DELAYED = { short: { port: 7150, delayMs: 150, queue: 1 }, long: { port: 7600, delayMs: 600, queue: 2 } };
const DROPPED_PORT = 7999;

const canRun =
  process.getuid?.() === 0 && (await commandExists("ip")) && (await commandExists("iptables")) && (await commandExists("python3"));

interface ChildOutput {
  fast: TcpProbeResult;
  probed: Record<string, TcpProbeResult>;
  control: TcpProbeResult;
}

const inNamespace = (argv: string[]) => ["ip", "netns", "exec", NAMESPACE, ...argv];
const run = (argv: string[]) => execFileSync(argv[0]!, argv.slice(1), { stdio: ["ignore", "pipe", "pipe"] });

describe.runIf(inCi || canRun)("a SYN-ACK delayed far beyond the measured round trip", () => {
  let delayer: ChildProcess | undefined;
  let output: ChildOutput;

  beforeAll(async () => {
    run(["ip", "netns", "add", NAMESPACE]);
    run(inNamespace(["ip", "link", "set", "lo", "up"]));
    for (const { port, queue } of Object.values(DELAYED)) {
      run(inNamespace(["iptables", "-A", "OUTPUT", "-p", "tcp", "--sport", String(port), "--tcp-flags", "SYN,ACK", "SYN,ACK", "-j", "NFQUEUE", "--queue-num", String(queue)]));
    }
    run(inNamespace(["iptables", "-A", "INPUT", "-p", "tcp", "--dport", String(DROPPED_PORT), "-j", "DROP"]));

    const queues = Object.values(DELAYED).map(({ queue, delayMs }) => `${queue}:${delayMs}`);
    const [command, ...args] = inNamespace(["python3", join(HERE, "synack-delayer.py"), ...queues]);
    const started = spawn(command!, args, { stdio: ["pipe", "pipe", "pipe"] });
    delayer = started;
    await new Promise<void>((resolve, reject) => {
      let text = "";
      started.stdout.on("data", (d: Buffer) => (text += d.toString()).includes("ready") && resolve());
      started.stderr.on("data", (d: Buffer) => (text += d.toString()));
      started.on("exit", (code) => reject(new Error(`synack-delayer.py exited ${code}: ${text}`)));
    });

    const probedPorts = [DELAYED.short.port, DELAYED.long.port, DROPPED_PORT].map(String);
    // The control: one attempt that waits the policy's floor, without the retry window.
    const control = [String(DELAYED.long.port), String(TCP_TIMEOUT_POLICY.floorMs)];
    const child = run(inNamespace([process.execPath, "--import", "tsx", join(HERE, "netns-probe-child.ts"), String(FAST_PORT), ...probedPorts, "--", ...control]));
    output = JSON.parse(child.toString()) as ChildOutput;
  });

  afterAll(() => {
    delayer?.stdin?.end();
    delayer?.kill();
    run(["ip", "netns", "del", NAMESPACE]);
  });

  it("measures the round trip on an undelayed port, far below the injected delays", () => {
    expect(output.fast.state).toBe("open");
    expect(output.fast.rttMs).toBeLessThan(DELAYED.short.delayMs);
    expect(output.fast.timeoutMs).toBeLessThan(DELAYED.long.delayMs);
  });

  it("sees a port whose SYN-ACK comes 150 ms late as open, on the first attempt", () => {
    expect(output.probed[DELAYED.short.port]).toMatchObject({ state: "open", attempts: 1 });
    expect(output.probed[DELAYED.short.port]!.ms).toBeGreaterThanOrEqual(DELAYED.short.delayMs - 5);
  });

  it("sees a port whose SYN-ACK comes 600 ms late, past the attempt timeout, as open", () => {
    expect(output.probed[DELAYED.long.port]!.state).toBe("open");
    expect(output.probed[DELAYED.long.port]!.ms).toBeGreaterThanOrEqual(DELAYED.long.delayMs - 5);
  });

  it("the 600 ms delay is real: one attempt of the floor's length alone calls that port filtered", () => {
    expect(output.control).toMatchObject({ state: "filtered", error: "timeout" });
  });

  it("still calls a port the firewall drops filtered, after a retry and three attempt timeouts", () => {
    expect(output.probed[DROPPED_PORT]).toMatchObject({ state: "filtered", error: "timeout", attempts: 2 });
    expect(output.probed[DROPPED_PORT]!.ms).toBeGreaterThanOrEqual(3 * TCP_TIMEOUT_POLICY.floorMs - 5);
  });
});
