// The scale lab (npm run bench, the shard/merge e2e test): the compliant embedded lab (cp1, cp2, dp1,
// dp2, both load balancers, PostgreSQL, Prometheus) plus N-4 light hosts h005…: containers of the
// same lab image and init, each running only sshd, its nftables table and ONE stand-in (the gateway,
// as dp1 has), so the audit finds them compliant DP hosts. The audit reaches them through a
// generated environment file (addresses, key and known_hosts of this lab), not through `lab:`.
//
// Reuse, not copies: startLab() starts the base lab; the extra hosts take dp1's LabHostSpec and
// labEnvFile() from topology.ts. The only duplicated part is the host branch of lab.ts's private
// containerFor() (about 15 lines below); exporting containerFor from lab.ts would remove it.
import { appendFileSync, readFileSync, writeFileSync } from "node:fs";
import { GenericContainer, Wait, getContainerRuntimeClient, type StartedTestContainer } from "testcontainers";
import { stringify } from "yaml";
import { loadEnvironment, resolvePlaceholders } from "../../helpers/environment/load.js";
import type { Environment } from "../../helpers/environment/schema.js";
import { mapWithConcurrency } from "../../helpers/concurrency.js";
import { SUITE_LABEL, ensureImages } from "./images.js";
import { LAB_ID_LABEL, labHosts, startLab, type RunningLab } from "./lab.js";
import type { LabLog } from "./process.js";
import { labEnvFile, type LabHostSpec } from "./topology.js";

/** Containers started at once: each start runs ssh-keygen + openssl + nginx; the machine has 2 cores. */
export const CONTAINER_START_CONCURRENCY = 6;
const READY_LINE = "api7-lab-init: ready";
const BASE_HOSTS = 4;

export interface ScaleLab {
  lab: RunningLab;
  /** Every SSH host of the lab, in inventory order: cp1, cp2, dp1, dp2, h005, … */
  hosts: { name: string; roles: ("cp" | "dp")[] }[];
  /** Seconds to start the base lab and the extra hosts. */
  startSeconds: { base: number; extra: number };
  stop(): Promise<void>;
}

/** Names of the extra hosts of an N-host scale lab. */
export function extraHostNames(hostCount: number): string[] {
  return Array.from({ length: Math.max(0, hostCount - BASE_HOSTS) }, (_, i) => `h${String(i + BASE_HOSTS + 1).padStart(3, "0")}`);
}

/** The lab's network, id and Docker root, read from one of its running containers. */
async function labContext(lab: RunningLab): Promise<{ network: string; labId: string; dockerRoot: string }> {
  const client = await getContainerRuntimeClient();
  const docker = client.container.dockerode;
  const info = await docker.getContainer(lab.containers[0]!).inspect();
  const network = Object.keys(info.NetworkSettings.Networks).find((name) => name.startsWith("api7-lab-"));
  const labId = info.Config.Labels[LAB_ID_LABEL];
  if (!network || !labId) throw new Error(`${lab.containers[0]}: not a lab container (no lab network or ${LAB_ID_LABEL} label)`);
  return { network, labId, dockerRoot: (await docker.info()).DockerRootDir ?? "/var/lib/docker" };
}

function lightHost(template: LabHostSpec, name: string): LabHostSpec {
  return { ...template, name };
}

async function startLightHost(spec: LabHostSpec, ctx: { image: string; network: string; labId: string; dockerRoot: string; publicKey: string }): Promise<StartedTestContainer> {
  // Same labels as lab.ts: lab.stop() (removal by LAB_ID_LABEL) removes these containers too.
  return new GenericContainer(ctx.image)
    .withName(`api7-lab-${ctx.labId}-${spec.name}`)
    .withHostname(spec.name)
    .withLabels({ [SUITE_LABEL]: "1", [LAB_ID_LABEL]: ctx.labId, [`${SUITE_LABEL}.lab-container`]: spec.name, [`${SUITE_LABEL}.lab-variant`]: "scale" })
    .withNetworkMode(ctx.network)
    .withWaitStrategy(Wait.forLogMessage(READY_LINE))
    .withStartupTimeout(180_000)
    .withAddedCapabilities("NET_ADMIN")
    .withTmpFs({ [ctx.dockerRoot]: `rw,size=${spec.dockerDataRootSize},mode=0711` })
    .withBindMounts([{ source: "/var/run/docker.sock", target: "/var/run/docker.sock", mode: "rw" }])
    .withCopyContentToContainer([
      { content: labEnvFile(spec), target: "/etc/api7-lab/lab.env", mode: 0o644 },
      { content: `${ctx.publicKey}\n`, target: "/root/.ssh/authorized_keys", mode: 0o600 },
    ])
    .start();
}

async function hostKeyLine(container: StartedTestContainer, address: string): Promise<string> {
  const result = await container.exec(["cat", "/etc/ssh/ssh_host_ed25519_key.pub"]);
  const [type, key] = result.stdout.trim().split(/\s+/);
  if (result.exitCode !== 0 || type !== "ssh-ed25519" || !key) throw new Error(`no SSH host key from ${container.getName()}`);
  return `${address} ${type} ${key}`;
}

/** Starts the compliant lab plus hostCount-4 light DP hosts (hostCount >= 4). */
export async function startScaleLab(hostCount: number, opts: { log: LabLog; workDir: string }): Promise<ScaleLab> {
  if (hostCount < BASE_HOSTS) throw new RangeError(`a scale lab has at least ${BASE_HOSTS} hosts, got ${hostCount}`);
  let t = Date.now();
  const lab = await startLab("compliant", opts);
  const base = (Date.now() - t) / 1000;
  const baseHosts = labHosts("compliant");
  const hosts = baseHosts.map((h) => ({ name: h.name, roles: [h.role] }));
  t = Date.now();
  try {
    const names = extraHostNames(hostCount);
    if (names.length > 0) {
      const ctx = { ...(await labContext(lab)), image: (await ensureImages(opts.log)).lab, publicKey: readFileSync(`${lab.identityFile}.pub`, "utf8").trim() };
      const template = baseHosts.find((h) => h.role === "dp")!;
      opts.log(`scale lab: starting ${names.length} light hosts, ${CONTAINER_START_CONCURRENCY} at a time`);
      const started = await mapWithConcurrency(names, CONTAINER_START_CONCURRENCY, async (name) => {
        const container = await startLightHost(lightHost(template, name), ctx);
        const address = container.getIpAddress(ctx.network);
        return { name, address, keyLine: await hostKeyLine(container, address) };
      });
      for (const host of started) {
        lab.addresses[host.name] = host.address;
        lab.containers.push(`api7-lab-${ctx.labId}-${host.name}`);
        hosts.push({ name: host.name, roles: ["dp"] });
      }
      appendFileSync(lab.knownHostsPath, `${started.map((h) => h.keyLine).join("\n")}\n`);
    }
  } catch (error) {
    await lab.stop().catch(() => undefined);
    throw error;
  }
  return { lab, hosts, startSeconds: { base, extra: (Date.now() - t) / 1000 }, stop: () => lab.stop() };
}

/**
 * An environment file for a running (scale) lab: environments/lab.yaml with every host of the lab,
 * placeholders replaced by container addresses, the lab's key and known_hosts, and no `lab:` key (the
 * audit must not start another lab). Returns the file's path; the caller sets the database password
 * variable (env.database.passwordEnv) to lab.dbPassword in the audit's environment.
 */
export function writeLabEnvironment(scale: Pick<ScaleLab, "lab" | "hosts">, file: string, name = `lab-scale-${scale.hosts.length}`): { file: string; env: Environment } {
  const { env: template } = loadEnvironment("lab");
  const { lab: _lab, ...rest } = template;
  const env = resolvePlaceholders(
    {
      ...rest,
      name,
      description: `Scale lab: the compliant lab plus ${scale.hosts.length - BASE_HOSTS} light DP hosts (generated by environments/lab/scale.ts)`,
      hosts: scale.hosts.map((h) => ({ name: h.name, address: `{{${h.name}}}`, roles: h.roles })),
      ssh: { ...rest.ssh, identityFile: scale.lab.identityFile, knownHosts: scale.lab.knownHostsPath },
      // Failover members stay the load balancers' members, not every DP host.
      failover: { ...rest.failover, pairs: { cp: ["cp1", "cp2"], dp: ["dp1", "dp2"] } },
    },
    scale.lab.addresses,
  );
  writeFileSync(file, `# Generated by environments/lab/scale.ts for a running lab; not committed.\n${stringify(env)}`);
  return { file, env };
}
