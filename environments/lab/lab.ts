// The embedded lab: every container of a variant started in parallel on its own Docker network
// with Testcontainers, from the locally built image. Hosts run real sshd, nftables and component
// stand-ins; see README.md for what is real and what is simulated.
import { randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { connect as tcpConnect } from "node:net";
import { join, resolve } from "node:path";
import { connect as tlsConnect } from "node:tls";
import { newEd25519KeyPair } from "../../helpers/transport/key-files.js";
import { GenericContainer, StartedNetwork, Wait, getContainerRuntimeClient, type StartedTestContainer } from "testcontainers";
import type { ContainerRuntimeClient } from "testcontainers";
import { ensureDocker } from "./docker-engine.js";
import { SUITE_LABEL, ensureImages } from "./images.js";
import { sleep, type LabLog } from "./process.js";
import {
  haproxyConfig,
  labEnvFile,
  labTopology,
  prometheusConfig,
  type LabContainerSpec,
  type LabFrontend,
  type LabHostSpec,
  type LabVariant,
} from "./topology.js";

export { labHosts, labTopology, type LabHostSpec, type LabVariant } from "./topology.js";

/** Label carrying the lab id on every container and network of a lab (crash cleanup). */
export const LAB_ID_LABEL = `${SUITE_LABEL}.lab`;
const READY_LINE = "api7-lab-init: ready";
const STARTUP_TIMEOUT_MS = 180_000;

export interface RunningLab {
  variant: LabVariant;
  /** Container name (as in the environment file's {{placeholders}}) -> container IP. */
  addresses: Record<string, string>;
  /** Private key (OpenSSH format) authorised for root on every host. */
  identityFile: string;
  /** Host keys of every SSH host keyed by container IP, read out of band. */
  knownHostsPath: string;
  /** Password of the database user (random per lab). */
  dbPassword: string;
  /** Docker names of the lab's containers. */
  containers: string[];
  /** Removes every container and the network; idempotent, safe to call twice or concurrently. */
  stop(): Promise<void>;
}

export interface StartLabOptions {
  log: LabLog;
  /** Receives the SSH key pair and known_hosts (created if missing). */
  workDir: string;
}

/** Testcontainers defaults the lab needs here: no reaper image to pull, no gateway probe container. */
function setTestcontainersDefaults(): void {
  process.env.TESTCONTAINERS_RYUK_DISABLED ??= "true";
  process.env.TESTCONTAINERS_HOST_OVERRIDE ??= "localhost";
}

/** The machine's Docker socket, mounted into hosts so their `docker version` answers. */
function dockerSocketPath(): string {
  const dockerHost = process.env.DOCKER_HOST;
  return dockerHost?.startsWith("unix://") ? dockerHost.slice("unix://".length) : "/var/run/docker.sock";
}

/** GenericContainer plus the one host setting Testcontainers has no builder for. */
class LabContainer extends GenericContainer {
  withCpuset(cpus: string): this {
    this.hostConfig.CpusetCpus = cpus;
    return this;
  }

  withSysctls(sysctls: Record<string, string>): this {
    this.hostConfig.Sysctls = sysctls;
    return this;
  }
}

interface ClientKey {
  identityFile: string;
  publicKey: string;
}

function writeClientKey(workDir: string): ClientKey {
  const keys = newEd25519KeyPair("api7-ha-audit-lab");
  const identityFile = join(workDir, "id_ed25519");
  writeFileSync(identityFile, keys.private, { mode: 0o600 });
  chmodSync(identityFile, 0o600);
  writeFileSync(`${identityFile}.pub`, `${keys.public}\n`, { mode: 0o644 });
  return { identityFile, publicKey: keys.public };
}

function forwardInitLines(name: string, log: LabLog) {
  return (stream: NodeJS.ReadableStream) => {
    let partial = "";
    stream.on("data", (chunk: Buffer | string) => {
      const lines = (partial + chunk.toString()).split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) if (line.startsWith("api7-lab-init:")) log(`[${name}] ${line}`);
    });
  };
}

function containerFor(
  spec: LabContainerSpec,
  ctx: { image: string; labId: string; variant: LabVariant; network: StartedNetwork; publicKey: string; dbPassword: string; dockerRoot: string; log: LabLog },
): LabContainer {
  const container = new LabContainer(ctx.image)
    .withName(`api7-lab-${ctx.labId}-${spec.name}`)
    .withHostname(spec.name)
    .withLabels({ [SUITE_LABEL]: "1", [LAB_ID_LABEL]: ctx.labId, [`${SUITE_LABEL}.lab-container`]: spec.name, [`${SUITE_LABEL}.lab-variant`]: ctx.variant })
    .withNetwork(ctx.network)
    .withNetworkAliases(spec.name)
    .withWaitStrategy(Wait.forLogMessage(READY_LINE))
    .withStartupTimeout(STARTUP_TIMEOUT_MS)
    .withLogConsumer(forwardInitLines(spec.name, ctx.log));
  const files = [{ content: labEnvFile(spec), target: "/etc/api7-lab/lab.env", mode: 0o644 }];
  switch (spec.kind) {
    case "host":
      files.push({ content: `${ctx.publicKey}\n`, target: "/root/.ssh/authorized_keys", mode: 0o600 });
      container
        .withAddedCapabilities("NET_ADMIN")
        .withTmpFs({ [ctx.dockerRoot]: `rw,size=${spec.dockerDataRootSize},mode=0711` });
      if (spec.dockerSocket) container.withBindMounts([{ source: dockerSocketPath(), target: "/var/run/docker.sock", mode: "rw" }]);
      if (spec.cpuset !== null) container.withCpuset(spec.cpuset);
      if (spec.memoryLimitBytes !== null) container.withResourcesQuota({ memory: spec.memoryLimitBytes / 1024 ** 3 });
      // The components' own network namespace (unshare, nsenter) and forwarding to it, as Docker's.
      if (spec.dockerPublished) container.withAddedCapabilities("SYS_ADMIN").withSysctls({ "net.ipv4.ip_forward": "1" });
      break;
    case "lb":
      files.push({ content: haproxyConfig(spec), target: "/etc/api7-lab/haproxy.cfg", mode: 0o644 });
      break;
    case "postgres":
      files.push({ content: `${ctx.dbPassword}\n`, target: "/etc/api7-lab/db-password", mode: 0o600 });
      break;
    case "prometheus":
      files.push({ content: prometheusConfig(spec), target: "/etc/api7-lab/prometheus.yml", mode: 0o644 });
      break;
  }
  return container.withCopyContentToContainer(files);
}

/**
 * A unique-local IPv6 /64 per lab (from its random id), so hosts have an IPv6 address the audit can
 * probe and their firewalls must cover. Docker leaves IPv4 to its default address pools.
 */
function labIpv6Subnet(labId: string): string {
  return `fd7a:${labId.slice(0, 4)}:${labId.slice(4, 8)}:1::/64`;
}

async function createNetwork(client: ContainerRuntimeClient, labId: string, variant: LabVariant): Promise<StartedNetwork> {
  const name = `api7-lab-${labId}`;
  const network = await client.network.create({
    Name: name,
    Driver: "bridge",
    CheckDuplicate: true,
    EnableIPv6: true,
    IPAM: { Driver: "default", Config: [{ Subnet: labIpv6Subnet(labId) }] },
    Labels: { [SUITE_LABEL]: "1", [LAB_ID_LABEL]: labId, [`${SUITE_LABEL}.lab-variant`]: variant },
  });
  return new StartedNetwork(client, name, network);
}

async function readHostKey(container: StartedTestContainer): Promise<string> {
  const result = await container.exec(["cat", "/etc/ssh/ssh_host_ed25519_key.pub"]);
  const [type, key] = result.stdout.trim().split(/\s+/);
  if (result.exitCode !== 0 || type !== "ssh-ed25519" || !key) {
    throw new Error(`could not read the SSH host key of ${container.getName()}: ${result.output.trim()}`);
  }
  return `${type} ${key}`;
}

/** `to` gets `from`'s /etc/machine-id, as a VM cloned from an unsealed template has its template's. */
async function copyMachineId(from: StartedTestContainer, to: StartedTestContainer): Promise<void> {
  const read = await from.exec(["cat", "/etc/machine-id"]);
  const id = read.stdout.trim();
  if (read.exitCode !== 0 || !/^[0-9a-f]{32}$/.test(id)) throw new Error(`could not read the machine-id of ${from.getName()}: ${read.output.trim()}`);
  const write = await to.exec(["sh", "-c", 'printf "%s\n" "$1" >/etc/machine-id', "sh", id]);
  if (write.exitCode !== 0) throw new Error(`could not write the machine-id of ${to.getName()}: ${write.output.trim()}`);
}

/** One exchange through a load balancer frontend: an HTTP status line, or a finished TLS handshake. */
function frontendAnswers(address: string, frontend: LabFrontend, timeoutMs = 2_000): Promise<boolean> {
  return new Promise((done) => {
    const finish = (ok: boolean) => {
      socket.destroy();
      done(ok);
    };
    const socket =
      frontend.protocol === "tls"
        ? // Lab certificates are self-signed: only the handshake matters here.
          tlsConnect({ host: address, port: frontend.port, rejectUnauthorized: false }, () => finish(true))
        : tcpConnect({ host: address, port: frontend.port }, () => socket.write("GET / HTTP/1.0\r\n\r\n"));
    let received = "";
    socket.on("data", (chunk: Buffer) => {
      received += chunk.toString("latin1");
      if (received.startsWith("HTTP/")) finish(true);
    });
    socket.on("error", () => finish(false));
    socket.on("close", () => done(received.startsWith("HTTP/")));
    socket.setTimeout(timeoutMs, () => finish(false));
  });
}

/** Consecutive answers through every frontend, so each backend member has been reached at least once. */
async function waitForFrontends(address: string, name: string, frontends: LabFrontend[], log: LabLog): Promise<void> {
  for (const frontend of frontends) {
    const needed = frontend.servers.length * 2;
    const deadline = Date.now() + 60_000;
    let streak = 0;
    while (streak < needed) {
      if (Date.now() > deadline) throw new Error(`${name}:${frontend.port} did not answer ${needed} times in a row within 60 s`);
      streak = (await frontendAnswers(address, frontend)) ? streak + 1 : 0;
      if (streak === 0) await sleep(250);
    }
  }
  log(`[${name}] relays ${frontends.map((f) => f.port).join(", ")}`);
}

/** 404: already gone; 409: someone else's removal of it is in progress. Both end where we want. */
function ignoreGoneOrGoing(error: { statusCode?: number }): void {
  if (error.statusCode !== 404 && error.statusCode !== 409) throw error;
}

/** Removes lab containers and networks by label: one lab (labId) or every lab on this engine. */
export async function removeLabContainers(labId?: string): Promise<number> {
  setTestcontainersDefaults();
  const client = await getContainerRuntimeClient();
  const docker = client.container.dockerode;
  const filters = { label: [labId === undefined ? LAB_ID_LABEL : `${LAB_ID_LABEL}=${labId}`] };
  const containers = await docker.listContainers({ all: true, filters });
  // Removing containers while the engine still tears their endpoints down can leave a stale
  // endpoint in Docker 20.10 (the network then refuses removal for good): detach each container
  // from the lab's networks first, one at a time, then remove them.
  for (const info of containers) {
    for (const networkId of Object.values(info.NetworkSettings?.Networks ?? {}).map((n) => n.NetworkID)) {
      if (!networkId) continue;
      await docker.getNetwork(networkId).disconnect({ Container: info.Id, Force: true }).catch(() => undefined);
    }
  }
  await Promise.all(containers.map((info) => docker.getContainer(info.Id).remove({ force: true, v: true }).catch(ignoreGoneOrGoing)));
  // A removal started by someone else may still be running: wait until the engine lists none.
  const deadline = Date.now() + 30_000;
  while ((await docker.listContainers({ all: true, filters })).length > 0) {
    if (Date.now() > deadline) throw new Error(`lab containers (${filters.label[0]}) still present 30 s after removal`);
    await sleep(250);
  }
  for (const info of await docker.listNetworks({ filters })) await removeNetwork(docker.getNetwork(info.Id), info.Name);
  return containers.length;
}

/** Endpoints are released asynchronously after their containers are gone: retry a little. */
async function removeNetwork(network: { remove(): Promise<unknown> }, name: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      await network.remove();
      return;
    } catch (error) {
      const statusCode = (error as { statusCode?: number }).statusCode;
      if (statusCode === 404) return;
      if (statusCode !== 403 || Date.now() > deadline) {
        throw new Error(`could not remove lab network ${name}: ${String((error as Error).message)}`);
      }
      await sleep(500);
    }
  }
}

export async function startLab(variant: LabVariant, opts: StartLabOptions): Promise<RunningLab> {
  const { log } = opts;
  const started = Date.now();
  setTestcontainersDefaults();
  await ensureDocker(log);
  const images = await ensureImages(log);

  const workDir = resolve(opts.workDir);
  mkdirSync(workDir, { recursive: true });
  const clientKey = writeClientKey(workDir);
  const knownHostsPath = join(workDir, "known_hosts");
  const dbPassword = randomBytes(18).toString("base64url");
  const labId = randomBytes(4).toString("hex");

  const client = await getContainerRuntimeClient();
  const dockerRoot = (await client.container.dockerode.info()).DockerRootDir ?? "/var/lib/docker";
  const network = await createNetwork(client, labId, variant);

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      log(`lab ${labId}: removing containers and network`);
      await removeLabContainers(labId);
      log(`lab ${labId}: stopped`);
    })().catch((error: unknown) => {
      stopping = undefined; // let the next call try again
      throw error;
    }));

  try {
    const specs = labTopology(variant);
    log(`lab ${labId}: starting ${specs.length} containers (${variant}) from ${images.lab}`);
    const ctx = { image: images.lab, labId, variant, network, publicKey: clientKey.publicKey, dbPassword, dockerRoot, log };
    const results = await Promise.allSettled(specs.map((spec) => containerFor(spec, ctx).start()));
    const failures = results.flatMap((r, i) => (r.status === "rejected" ? [`${specs[i]?.name}: ${String(r.reason)}`] : []));
    if (failures.length > 0) throw new Error(`lab containers failed to start:\n  ${failures.join("\n  ")}`);
    const containers = results.map((r) => (r as PromiseFulfilledResult<StartedTestContainer>).value);

    const addresses: Record<string, string> = {};
    specs.forEach((spec, i) => (addresses[spec.name] = containers[i]!.getIpAddress(network.getName())));

    const hostIndexes = specs.flatMap((spec, i) => (spec.kind === "host" ? [i] : []));
    for (const i of hostIndexes) {
      const source = (specs[i] as LabHostSpec).machineIdOf;
      if (source !== null) await copyMachineId(containers[specs.findIndex((spec) => spec.name === source)]!, containers[i]!);
    }
    const hostKeys = new Map(await Promise.all(hostIndexes.map(async (i) => [specs[i]!.name, await readHostKey(containers[i]!)] as const)));
    const knownHosts = hostIndexes.map((i) => {
      const spec = specs[i] as LabHostSpec;
      return `${addresses[spec.name]} ${hostKeys.get(spec.knownHostKeyOf ?? spec.name)}`;
    });
    writeFileSync(knownHostsPath, `${knownHosts.join("\n")}\n`, { mode: 0o644 });

    await Promise.all(
      specs.map((spec) => (spec.kind === "lb" ? waitForFrontends(addresses[spec.name]!, spec.name, spec.frontends, log) : undefined)),
    );
    log(`lab ${labId}: ${variant} lab ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return {
      variant,
      addresses,
      identityFile: clientKey.identityFile,
      knownHostsPath,
      dbPassword,
      containers: containers.map((c) => c.getName().replace(/^\//, "")),
      stop,
    };
  } catch (error) {
    await stop().catch((cleanupError: unknown) => log(`lab ${labId}: cleanup failed: ${String(cleanupError)}`));
    throw error;
  }
}
