// npm run bench -- --peers: the measurement from outside (GNU time around a real process), the
// Ansible inventory it writes (read back by the real ansible-inventory), the relays' known_hosts
// (read back by the real ssh-keygen), and the tables and rtt lines it prints.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { measureProcess, median, type ProcessSample } from "../../../bench/measure.js";
import { ansibleInventory, relayKnownHosts, renderComparison, renderRttLine, spread, type Comparison } from "../../../bench/peers.js";

const work = mkdtempSync(join(tmpdir(), "api7-bench-test-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("measureProcess", () => {
  it("times a real process from outside and reads its CPU and peak RSS from GNU time", async () => {
    const sample = await measureProcess([process.execPath, "-e", "Buffer.alloc(64 * 1024 * 1024, 1); console.log('done')"], {
      cwd: work,
      env: process.env,
      timeFile: join(work, "node.time"),
    });
    expect(sample.exitCode).toBe(0);
    expect(sample.output.trim()).toBe("done");
    expect(sample.wallMs).toBeGreaterThan(0);
    expect(sample.cpuSeconds).toBeGreaterThan(0);
    // The 64 MiB buffer is touched, so the peak resident set is at least that.
    expect(sample.maxRssBytes).toBeGreaterThanOrEqual(64 * 1024 * 1024);
  });

  it("keeps a failing process's exit code", async () => {
    const sample = await measureProcess(["false"], { cwd: work, env: process.env, timeFile: join(work, "false.time") });
    expect(sample.exitCode).toBe(1);
  });
});

describe("ansibleInventory", () => {
  it("is read by ansible-inventory as the lab's hosts with the lab's key and strict known_hosts", () => {
    const file = join(work, "inventory.ini");
    writeFileSync(file, ansibleInventory([{ address: "10.9.0.2" }, { address: "10.9.0.3" }], "/keys/id_ed25519", "/keys/known_hosts"));
    const listed = JSON.parse(execFileSync("ansible-inventory", ["-i", file, "--list"], { encoding: "utf8" })) as {
      lab: { hosts: string[] };
      _meta: { hostvars: Record<string, Record<string, string>> };
    };
    expect(listed.lab.hosts).toEqual(["10.9.0.2", "10.9.0.3"]);
    expect(listed._meta.hostvars["10.9.0.3"]).toMatchObject({
      ansible_user: "root",
      ansible_ssh_private_key_file: "/keys/id_ed25519",
      ansible_ssh_common_args: "-o UserKnownHostsFile=/keys/known_hosts -o StrictHostKeyChecking=yes",
    });
  });
});

describe("relayKnownHosts", () => {
  const key = (seed: string) => Buffer.concat([Buffer.from([0, 0, 0, 11]), Buffer.from("ssh-ed25519"), Buffer.from([0, 0, 0, 32]), Buffer.alloc(32, seed)]).toString("base64");
  const lab = `10.9.0.2 ssh-ed25519 ${key("a")}\n10.9.0.3 ssh-ed25519 ${key("b")}\n`;

  it("names each relayed host's key [127.0.0.1]:<relay port>, where ssh-keygen finds it", () => {
    const file = join(work, "known_hosts.relay");
    writeFileSync(file, relayKnownHosts(lab, [{ target: { host: "10.9.0.3" }, port: 40_003 }, { target: { host: "10.9.0.2" }, port: 40_002 }]));
    const found = execFileSync("ssh-keygen", ["-F", "[127.0.0.1]:40003", "-f", file], { encoding: "utf8" });
    expect(found).toContain(`[127.0.0.1]:40003 ssh-ed25519 ${key("b")}`);
    expect(found).not.toContain(key("a"));
  });

  it("refuses a relay whose host has no key in the lab's known_hosts", () => {
    expect(() => relayKnownHosts(lab, [{ target: { host: "10.9.0.9" }, port: 40_009 }])).toThrow(/no host key of 10\.9\.0\.9/);
  });
});

describe("the printed tables", () => {
  const sample = (wallMs: number, cpuSeconds: number | null, rssMb: number): ProcessSample => ({
    wallMs,
    exitCode: 0,
    cpuSeconds,
    maxRssBytes: rssMb * 1024 ** 2,
    output: "",
  });
  const comparison: Comparison = {
    hosts: 4,
    peer: "Testinfra",
    peerCommand: "py.test",
    pairs: [
      { auditFirst: true, audit: { ...sample(3000, 2, 120), phases: null }, peer: sample(4000, 1, 40) },
      { auditFirst: false, audit: { ...sample(5000, 4, 140), phases: null }, peer: sample(4000, 1, 40) },
      { auditFirst: true, audit: { ...sample(2000, 3, 130), phases: null }, peer: sample(5000, null, 40) },
    ],
  };

  it("shows each pair's ratio and which side ran first", () => {
    const text = renderComparison(comparison);
    expect(text).toContain("| 1 | audit | 3.00 | 4.00 | 0.75 |");
    expect(text).toContain("| 2 | Testinfra | 5.00 | 4.00 | 1.25 |");
    expect(text).toContain("| 3 | audit | 2.00 | 5.00 | 0.40 |");
  });

  it("summarises median (min–max) per side and of the pairwise ratios, skipping unknown values", () => {
    const text = renderComparison(comparison);
    expect(text).toContain("| wall s | 3.00 (2.00–5.00) | 4.00 (4.00–5.00) | 0.75 (0.40–1.25) |");
    expect(text).toContain("| CPU s (user + sys, whole tree) | 3.00 (2.00–4.00) | 1.00 (1.00–1.00) | 3.00 (2.00–4.00) |");
    expect(text).toContain("| runner CPU per host s (whole tree / hosts) | 0.750 (0.500–1.000) | 0.250 (0.250–0.250) | 3.00 (2.00–4.00) |");
    expect(spread([null, null], String)).toBe("-");
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it("prints one rtt line: the median walls and the median of the pairs' ratios, and the relay's conditions in the caption", () => {
    expect(renderRttLine({ rttMs: 20, comparison })).toBe("rtt 20 ms: audit 3.00 s, Testinfra 4.00 s, ratio 0.75");
    expect(renderComparison({ ...comparison, conditions: "through a relay" })).toContain("3 alternating pairs; through a relay)");
  });
});
