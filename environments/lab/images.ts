// The lab's images, built offline from Debian packages (no container registry is reachable) and
// tagged by a hash of their inputs, so they are rebuilt only when an input changed.
//   base: mmdebstrap of Debian bookworm with sshd and networking tools, `docker import`ed;
//   lab:  FROM base, every other package and the lab's scripts (image/Dockerfile, image/rootfs).
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { aptInstall, findExecutable, pipeLocal, runLocal, runLocalOrThrow, sleep, type LabLog } from "./process.js";

export const BASE_REPOSITORY = "api7-audit-base";
export const LAB_REPOSITORY = "api7-audit-lab";
/** Every image and container of the suite carries it (cleanup by label). */
export const SUITE_LABEL = "api7-ha-audit";

const IMAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), "image");
const SUITE = "bookworm";
const BASE_PACKAGES = ["openssh-server", "iproute2", "procps", "nftables", "curl", "ca-certificates"];
/** The machine's own apt sources: mmdebstrap then uses the mirror this machine is configured for. */
const APT_SOURCE_CANDIDATES = ["/etc/apt/sources.list.d/debian.sources", "/etc/apt/sources.list"];

/** Only a Debian machine's sources serve bookworm; elsewhere mmdebstrap uses its default mirror. */
function debianAptSources(): string | undefined {
  const osRelease = existsSync("/etc/os-release") ? readFileSync("/etc/os-release", "utf8") : "";
  if (!/^ID="?debian"?$/m.test(osRelease)) return undefined;
  return APT_SOURCE_CANDIDATES.find((path) => existsSync(path));
}

export interface LabImages {
  base: string;
  lab: string;
}

function mmdebstrapArgs(): string[] {
  return ["--variant=apt", `--include=${BASE_PACKAGES.join(",")}`, SUITE];
}

function shortHash(hash: ReturnType<typeof createHash>): string {
  return hash.digest("hex").slice(0, 16);
}

/** Base image reference: depends only on the mmdebstrap recipe (not on which mirror served it). */
export function baseImageRef(): string {
  return `${BASE_REPOSITORY}:${shortHash(createHash("sha256").update(JSON.stringify(["mmdebstrap", ...mmdebstrapArgs()])))}`;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => {
      const path = join(dir, entry.name);
      return entry.isDirectory() ? filesUnder(path) : [path];
    })
    .sort();
}

/** Lab image reference: the base reference plus every file of the build context (path, mode, content). */
export function labImageRef(base = baseImageRef()): string {
  const hash = createHash("sha256").update(base);
  for (const file of filesUnder(IMAGE_DIR)) {
    const executable = (statSync(file).mode & 0o111) !== 0;
    hash.update(`\0${relative(IMAGE_DIR, file)}\0${executable ? "x" : "-"}\0`).update(readFileSync(file));
  }
  return `${LAB_REPOSITORY}:${shortHash(hash)}`;
}

async function imageExists(ref: string): Promise<boolean> {
  const result = await runLocal(["docker", "image", "inspect", "--format", "{{.Id}}", ref]);
  return result.exitCode === 0;
}

async function ensureMmdebstrap(log: LabLog): Promise<void> {
  if (findExecutable("mmdebstrap")) return;
  if (process.getuid?.() !== 0 || !existsSync("/etc/debian_version")) {
    throw new Error("Building the lab's base image needs mmdebstrap (Debian package mmdebstrap), run as root on Debian");
  }
  log("images: mmdebstrap missing");
  await aptInstall(["mmdebstrap"], (line) => log(`images: ${line}`));
}

async function buildBase(ref: string, log: LabLog): Promise<void> {
  await ensureMmdebstrap(log);
  const sources = debianAptSources();
  const started = Date.now();
  log(`images: building ${ref} with mmdebstrap (${SUITE}, ${BASE_PACKAGES.join(", ")})`);
  await pipeLocal(
    ["mmdebstrap", "--quiet", ...mmdebstrapArgs(), "-", ...(sources ? [sources] : [])],
    ["docker", "import", "--change", `LABEL ${SUITE_LABEL}=1`, "-", ref],
  );
  log(`images: ${ref} built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

async function buildLab(ref: string, base: string, log: LabLog): Promise<void> {
  const started = Date.now();
  log(`images: building ${ref} FROM ${base} (legacy builder)`);
  await runLocalOrThrow(
    ["docker", "build", "--quiet", "--label", `${SUITE_LABEL}=1`, "--build-arg", `BASE_IMAGE=${base}`, "--tag", ref, IMAGE_DIR],
    { env: { ...process.env, DOCKER_BUILDKIT: "0" } },
  );
  log(`images: ${ref} built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/** Test files run in parallel workers: one of them builds, the others wait for its result. */
const BUILD_LOCK = join(tmpdir(), "api7-lab-images.lock");
/** A lock older than any build is left over from a killed process. */
const STALE_LOCK_MS = 20 * 60_000;

async function withBuildLock<T>(log: LabLog, work: () => Promise<T>): Promise<T> {
  let announced = false;
  for (;;) {
    try {
      mkdirSync(BUILD_LOCK);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const age = Date.now() - (statSync(BUILD_LOCK, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > STALE_LOCK_MS) {
        rmSync(BUILD_LOCK, { recursive: true, force: true });
        continue;
      }
      if (!announced) log(`images: another process is building (lock ${BUILD_LOCK}); waiting`);
      announced = true;
      await sleep(1_000);
    }
  }
  try {
    return await work();
  } finally {
    rmSync(BUILD_LOCK, { recursive: true, force: true });
  }
}

let pending: Promise<LabImages> | undefined;

/**
 * Builds whichever of the two images is missing. Concurrent callers share one build (in one process
 * through a promise, across processes through a lock directory); a failed build is not remembered,
 * so the next call tries again.
 */
export function ensureImages(log: LabLog): Promise<LabImages> {
  pending ??= (async () => {
    const base = baseImageRef();
    const lab = labImageRef(base);
    if (await imageExists(lab)) {
      log(`images: ${lab} present`);
      return { base, lab };
    }
    return withBuildLock(log, async () => {
      // Whoever held the lock may have built them meanwhile.
      if (await imageExists(lab)) {
        log(`images: ${lab} present`);
        return { base, lab };
      }
      if (await imageExists(base)) log(`images: ${base} present`);
      else await buildBase(base, log);
      await buildLab(lab, base, log);
      return { base, lab };
    });
  })().catch((error: unknown) => {
    pending = undefined;
    throw error;
  });
  return pending;
}
