// A two-pair lab made of real processes on loopback addresses: four "hosts" (cp1, cp2, dp1, dp2 on
// 127.0.0.11/12/21/22) running stand-in components, and haproxy (Debian package) in front of each
// pair, with or without health checks. Stop/start commands really kill and restart processes.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { environmentSchema, type ComponentName, type Environment, type EnvironmentInput } from "../../../helpers/environment/schema.js";
import { requestOnce } from "../../../helpers/failover/traffic.js";
import { localExec } from "./local-exec.js";

const here = dirname(fileURLToPath(import.meta.url));
export const componentCtl = join(here, "component-ctl.mjs");

const HOSTS = [
  { name: "cp1", address: "127.0.0.11", roles: ["cp"] as const, components: ["dashboard", "dpManager"] as const },
  { name: "cp2", address: "127.0.0.12", roles: ["cp"] as const, components: ["dashboard", "dpManager"] as const },
  { name: "dp1", address: "127.0.0.21", roles: ["dp"] as const, components: ["gateway"] as const },
  { name: "dp2", address: "127.0.0.22", roles: ["dp"] as const, components: ["gateway"] as const },
];

export interface LoopbackLab {
  env: Environment;
  stateDir: string;
  ports: Record<ComponentName, number>;
  /** Makes the next start of a component on a host fail once. */
  failNextStart(host: string, component: ComponentName): void;
  /** The next stop of a component on a host exits 1 ("fails") or 0 ("ignored"), leaving it running. */
  breakNextStop(host: string, component: ComponentName, how: "fails" | "ignored"): void;
  close(): Promise<void>;
}

export interface LoopbackLabOptions {
  /** haproxy health checks and redispatch in front of every pair. */
  healthChecks: boolean;
  failover: NonNullable<EnvironmentInput["failover"]>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function haproxyConfig(healthChecks: boolean, frontends: Record<ComponentName, number>, ports: Record<ComponentName, number>): string {
  const pools: Record<ComponentName, string[]> = { gateway: ["dp1", "dp2"], dashboard: ["cp1", "cp2"], dpManager: ["cp1", "cp2"] };
  const lines = ["defaults", "  mode http", "  timeout connect 1s", "  timeout client 5s", "  timeout server 5s", "  retries 2"];
  if (healthChecks) lines.push("  option redispatch");
  for (const component of Object.keys(pools) as ComponentName[]) {
    lines.push(`frontend ${component}`, `  bind 127.0.0.1:${frontends[component]}`, `  default_backend ${component}-pool`);
    lines.push(`backend ${component}-pool`, "  balance roundrobin");
    if (healthChecks) lines.push("  option httpchk GET /");
    for (const hostName of pools[component]) {
      const host = HOSTS.find((h) => h.name === hostName)!;
      lines.push(`  server ${hostName} ${host.address}:${ports[component]}${healthChecks ? " check inter 100ms fall 1 rise 1" : ""}`);
    }
  }
  return `${lines.join("\n")}\n`;
}

async function waitFor(what: string, probe: () => Promise<boolean>, withinMs = 10_000): Promise<void> {
  const deadline = Date.now() + withinMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`${what}: not ready within ${withinMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export async function startLoopbackLab(options: LoopbackLabOptions): Promise<LoopbackLab> {
  const stateDir = mkdtempSync(join(tmpdir(), "api7-failover-lab-"));
  const ports: Record<ComponentName, number> = { gateway: await freePort(), dashboard: await freePort(), dpManager: await freePort() };
  const frontends: Record<ComponentName, number> = { gateway: await freePort(), dashboard: await freePort(), dpManager: await freePort() };
  const ctl = (action: "start" | "stop", component: ComponentName) => [process.execPath, componentCtl, action, stateDir, component];
  const component = (name: ComponentName, role: "cp" | "dp") => ({ role, ports: [ports[name]], detect: { process: `backend.mjs ${name}` }, stop: ctl("stop", name), start: ctl("start", name) });

  let haproxy: ChildProcess | undefined;
  const close = async () => {
    haproxy?.kill("SIGKILL");
    for (const host of HOSTS) for (const name of host.components) await localExec(host.name, ctl("stop", name));
    // A process left by a failed test (e.g. started by an armed rollback after the stop above).
    for (const file of readdirSync(stateDir).filter((f) => f.endsWith(".pid"))) {
      try {
        process.kill(Number(readFileSync(join(stateDir, file), "utf8")), "SIGKILL");
      } catch {
        // already gone
      }
    }
    rmSync(stateDir, { recursive: true, force: true });
  };

  try {
    for (const host of HOSTS) {
      for (const name of host.components) {
        writeFileSync(join(stateDir, `${host.name}-${name}.json`), JSON.stringify({ address: host.address, port: ports[name] }));
        const started = await localExec(host.name, ctl("start", name));
        if (started.exitCode !== 0) throw new Error(`start of ${host.name} ${name}: ${started.stderr}`);
      }
    }
    const configPath = join(stateDir, "haproxy.cfg");
    writeFileSync(configPath, haproxyConfig(options.healthChecks, frontends, ports));
    haproxy = spawn("haproxy", ["-db", "-f", configPath], { stdio: ["ignore", "ignore", "pipe"] });
    haproxy.stderr?.on("data", () => undefined);
    const env = environmentSchema.parse({
      name: `loopback-${options.healthChecks ? "checked" : "unchecked"}`,
      hosts: HOSTS.map(({ name, address, roles }) => ({ name, address, roles: [...roles] })),
      components: { dashboard: component("dashboard", "cp"), dpManager: component("dpManager", "cp"), gateway: component("gateway", "dp") },
      entrypoints: {
        gateway: { url: `http://127.0.0.1:${frontends.gateway}/` },
        dashboard: { url: `http://127.0.0.1:${frontends.dashboard}/` },
        dpManager: { url: `http://127.0.0.1:${frontends.dpManager}/` },
      },
      database: { host: "127.0.0.1", database: "api7ee", user: "api7ee", passwordEnv: "API7_AUDIT_PG_PASSWORD" },
      prometheus: { enabled: false },
      failover: options.failover,
    } satisfies EnvironmentInput);
    for (const name of Object.keys(frontends) as ComponentName[]) {
      await waitFor(`haproxy frontend ${name}`, async () => (await requestOnce({ url: env.entrypoints[name].url }, 500)).ok);
    }
    return {
      env,
      stateDir,
      ports,
      failNextStart: (host, name) => writeFileSync(join(stateDir, `${host}-${name}.fail-next-start`), ""),
      breakNextStop: (host, name, how) => writeFileSync(join(stateDir, `${host}-${name}.${how === "fails" ? "fail" : "ignore"}-next-stop`), ""),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

