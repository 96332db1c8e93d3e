// Starts the compliant lab for real (Docker, images, Testcontainers), checks what the audit will see
// over real SSH sessions and from the runner, then stops it and checks nothing of it is left.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { connect as tlsConnect, type PeerCertificate } from "node:tls";
import { promisify } from "node:util";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLab, type RunningLab } from "../../../environments/lab/lab.js";
import { COMPLIANT_KERNEL_RELEASE, labHosts } from "../../../environments/lab/topology.js";

const run = promisify(execFile);
const HOSTS = labHosts("compliant").map((h) => h.name);
const NOT_FOUND = { error_msg: "404 Route Not Found" };

let lab: RunningLab;
let workDir: string;
let startSeconds: number;

/** A real OpenSSH session with strict host-key checking against the lab's known_hosts. */
async function ssh(host: string, command: string, knownHosts = lab.knownHostsPath): Promise<string> {
  const { stdout } = await run(
    "ssh",
    [
      "-o", "StrictHostKeyChecking=yes",
      "-o", `UserKnownHostsFile=${knownHosts}`,
      "-o", "GlobalKnownHostsFile=/dev/null",
      "-o", "BatchMode=yes",
      "-o", "IdentitiesOnly=yes",
      "-o", "ConnectTimeout=10",
      "-i", lab.identityFile,
      "-l", "root",
      lab.addresses[host]!,
      command,
    ],
    { timeout: 30_000 },
  );
  return stdout.trim();
}

function address(name: string): string {
  const ip = lab.addresses[name];
  if (!ip) throw new Error(`no lab container named ${name}`);
  return ip;
}

async function labContainerNames(): Promise<string[]> {
  const { stdout } = await run("docker", ["ps", "-a", "--filter", "label=api7-ha-audit=1", "--format", "{{.Names}}"]);
  return stdout.split("\n").filter((name) => lab.containers.includes(name));
}

function peerCertificate(host: string, port: number): Promise<PeerCertificate> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host, port, rejectUnauthorized: false, servername: undefined }, () => {
      resolve(socket.getPeerCertificate());
      socket.end();
    });
    socket.on("error", reject);
  });
}

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), "api7-lab-test-"));
  const started = performance.now();
  lab = await startLab("compliant", { workDir, log: (line) => console.log(line) });
  startSeconds = (performance.now() - started) / 1000;
  console.log(`compliant lab started in ${startSeconds.toFixed(1)} s`);
});

afterAll(async () => {
  await lab?.stop();
  rmSync(workDir, { recursive: true, force: true });
});

describe("compliant lab", () => {
  it("gives every container an address", () => {
    expect(Object.keys(lab.addresses).sort()).toEqual([...HOSTS, "lb-cp", "lb-dp", "postgres", "prometheus"].sort());
    expect(lab.containers).toHaveLength(8);
    expect(lab.dbPassword.length).toBeGreaterThanOrEqual(20);
  });

  it.each(HOSTS)("%s answers the facts as designed over strict SSH", async (host) => {
    const [kernel, arch, selinux, nproc, release] = (
      await ssh(host, "uname -r; uname -m; getenforce; nproc; cat /etc/centos-release")
    ).split("\n");
    expect(kernel).toBe(COMPLIANT_KERNEL_RELEASE);
    expect(arch).toBe("x86_64");
    expect(selinux).toBe("Enforcing");
    // No cpuset on compliant hosts: every CPU of the machine is usable.
    expect(Number(nproc)).toBe(cpus().length);
    expect(release).toBe("CentOS Linux release 7.9.2009 (Core)");
  });

  // The compliant hosts use the three firewall kinds (environments/lab/README.md): cp1 and dp2
  // firewalld, cp2 iptables-services, dp1 nftables.
  it.each(["cp1", "dp2"])("%s runs firewalld", async (host) => {
    expect((await ssh(host, "firewall-cmd --state")).trim()).toBe("running");
  });

  it("cp2 drops inbound by default with iptables, loaded from /etc/sysconfig/iptables", async () => {
    expect(await ssh("cp2", "iptables -S INPUT")).toContain("-P INPUT DROP");
    expect(await ssh("cp2", "cat /etc/sysconfig/iptables")).toContain(":INPUT DROP");
  });

  it.each(["dp1"])("%s has its own default-drop nftables table, saved as the persistent config", async (host) => {
    const ruleset = await ssh(host, "nft list ruleset");
    const ports = host.startsWith("cp") ? "22, 7080, 7900" : "22, 9080, 9443";
    expect(ruleset).toContain("table inet api7_lab {");
    expect(ruleset).toContain("type filter hook input priority filter; policy drop;");
    expect(ruleset).toContain(`tcp dport { ${ports} } accept`);
    // Docker's DNS rules survive: the lab never flushes the whole ruleset.
    expect(ruleset).toContain("DOCKER_OUTPUT");
    const saved = await ssh(host, "nft list table inet api7_lab; echo ===; tail -n +2 /etc/nftables.conf");
    const [running, persistent] = saved.split("\n===\n");
    expect(persistent).toBe(running);
  });

  it("has a distinct machine-id on every host", async () => {
    const ids = await Promise.all(HOSTS.map((host) => ssh(host, "cat /etc/machine-id")));
    expect(new Set(ids).size).toBe(HOSTS.length);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{32}$/);
  });

  it("rejects a host whose key is not in known_hosts", async () => {
    const wrong = join(workDir, "wrong_known_hosts");
    const cp1Key = (await ssh("cp1", "cat /etc/ssh/ssh_host_ed25519_key.pub")).split(" ").slice(0, 2).join(" ");
    writeFileSync(wrong, `${address("dp1")} ${cp1Key}\n`);
    await expect(ssh("dp1", "true", wrong)).rejects.toThrow(/REMOTE HOST IDENTIFICATION HAS CHANGED|Host key verification failed/);
  });

  it("answers docker version through the machine's engine, with a sized data root", async () => {
    const output = await ssh("dp1", "docker version --format '{{.Server.Version}}'; df -B1 --output=avail \"$(docker info --format '{{.DockerRootDir}}')\" | tail -1");
    const [serverVersion, avail] = output.split("\n");
    expect(serverVersion).toMatch(/^\d+\.\d+/);
    expect(Number(avail)).toBeGreaterThanOrEqual(80e9);
  });

  it("serves the gateway's 404 JSON on dp1:9080 and TLS on 9443", async () => {
    const response = await fetch(`http://${address("dp1")}:9080/x`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual(NOT_FOUND);
    const certificate = await peerCertificate(address("dp1"), 9443);
    expect(certificate.subject.CN).toBe("dp1");
    expect(new Date(certificate.valid_to).getTime()).toBeGreaterThan(Date.now());
  });

  it("relays the gateway through lb-dp and the control plane through lb-cp", async () => {
    const gateway = await fetch(`http://${address("lb-dp")}:9080/`);
    expect(gateway.status).toBe(404);
    expect(await gateway.json()).toEqual(NOT_FOUND);
    const dashboard = await fetch(`http://${address("lb-cp")}:7080/`);
    expect(dashboard.status).toBe(200);
    expect(await dashboard.text()).toContain("API7 Dashboard");
    expect((await fetch(`http://${address("lb-cp")}:7900/`)).status).toBe(200);
  });

  it("keeps the firewall closed to ports it does not allow", async () => {
    // The dashboard port is not a DP port: dropped, so the connection attempt times out.
    const attempt = fetch(`http://${address("dp1")}:7080/`, { signal: AbortSignal.timeout(1_500) });
    await expect(attempt).rejects.toThrow();
  });

  it("runs PostgreSQL with the lab's random password, reachable from CP hosts", async () => {
    const client = new pg.Client({ host: address("postgres"), user: "api7", database: "api7", password: lab.dbPassword });
    await client.connect();
    try {
      const { rows } = await client.query<{ version: string }>("select version()");
      expect(rows[0]?.version).toMatch(/^PostgreSQL 15/);
    } finally {
      await client.end();
    }
    await expect(ssh("cp1", `timeout 3 bash -c 'exec 3<>/dev/tcp/${address("postgres")}/5432' && echo reachable`)).resolves.toBe("reachable");
  });

  it("runs Prometheus with its target up", async () => {
    expect((await fetch(`http://${address("prometheus")}:9090/-/healthy`)).status).toBe(200);
    const targets = (await (await fetch(`http://${address("prometheus")}:9090/api/v1/targets`)).json()) as {
      data: { activeTargets: { health: string }[] };
    };
    expect(targets.data.activeTargets.map((t) => t.health)).toEqual(["up"]);
  });

  it("really stops and starts a gateway with api7-lab-ctl while lb-dp keeps answering", async () => {
    expect(await ssh("dp1", "/usr/local/bin/api7-lab-ctl stop gateway; /usr/local/bin/api7-lab-ctl status gateway || echo exit=$?")).toBe(
      "gateway stopped\ngateway stopped\nexit=3",
    );
    await expect(fetch(`http://${address("dp1")}:9080/`)).rejects.toThrow();
    for (let i = 0; i < 6; i++) expect((await fetch(`http://${address("lb-dp")}:9080/`)).status).toBe(404);
    await ssh("dp1", "/usr/local/bin/api7-lab-ctl start gateway");
    expect((await fetch(`http://${address("dp1")}:9080/`)).status).toBe(404);
    expect(await ssh("dp1", "ps -eo args= | grep -c '[a]pi7-gateway.conf'")).toBe("1");
  });

  it("started within budget, and stop() removes every container, also when called twice", async () => {
    expect(startSeconds).toBeLessThan(600);
    expect(await labContainerNames()).toHaveLength(8);
    await Promise.all([lab.stop(), lab.stop()]);
    await lab.stop();
    expect(await labContainerNames()).toEqual([]);
  });
});
