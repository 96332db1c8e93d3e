// The lab needs a Docker engine. On a Debian machine where we are root (CI runners, the dev
// container) a missing engine is installed and started; anywhere else we say what is missing.
import { spawn } from "node:child_process";
import { existsSync, openSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { aptInstall, findExecutable, lastLines, runLocal, sleep, type LabLog } from "./process.js";

/** Where a dockerd started by the lab writes its log (outside the repository, not committed). */
const DOCKERD_LOG = join(tmpdir(), "api7-lab-dockerd.log");
/** dockerd and friends live in sbin, which a non-login PATH may lack. */
const SEARCH_PATH = [process.env.PATH ?? "", "/usr/local/sbin", "/usr/sbin", "/sbin"].join(":");

async function dockerAnswers(): Promise<{ ok: boolean; detail: string }> {
  if (!findExecutable("docker", SEARCH_PATH)) return { ok: false, detail: "the docker CLI is not installed" };
  const info = await runLocal(["docker", "info", "--format", "{{.ServerVersion}}"]);
  if (info.exitCode === 0 && info.stdout.trim() !== "") return { ok: true, detail: `engine ${info.stdout.trim()}` };
  return { ok: false, detail: `the Docker daemon does not answer (docker info: ${lastLines(info.stderr, 2).trim()})` };
}

function isRootOnDebian(): boolean {
  return process.getuid?.() === 0 && existsSync("/etc/debian_version");
}

/** Makes sure `docker info` answers; installs docker.io and starts dockerd when allowed to. */
export async function ensureDocker(log: LabLog): Promise<void> {
  const first = await dockerAnswers();
  if (first.ok) {
    log(`docker: ${first.detail}`);
    return;
  }
  const dockerHost = process.env.DOCKER_HOST;
  if (dockerHost && dockerHost !== "unix:///var/run/docker.sock") {
    // A local dockerd would not be the engine DOCKER_HOST names.
    throw new Error(`The lab needs a running Docker engine: ${first.detail}, and DOCKER_HOST=${dockerHost} names an engine this machine cannot start.`);
  }
  if (!isRootOnDebian()) {
    throw new Error(
      `The lab needs a running Docker engine: ${first.detail}. ` +
        `Automatic setup only happens as root on Debian; here, install Docker (CLI and engine), start the daemon, ` +
        `or point DOCKER_HOST at a running engine.`,
    );
  }
  if (!findExecutable("docker", SEARCH_PATH) || !findExecutable("dockerd", SEARCH_PATH)) {
    log("docker: not installed");
    await aptInstall(["docker.io"], (line) => log(`docker: ${line}`));
  }
  const dockerd = findExecutable("dockerd", SEARCH_PATH);
  if (!dockerd) throw new Error("docker.io was installed but no dockerd executable was found on PATH or in sbin");
  log(`docker: ${first.detail}; starting ${dockerd} in the background (log: ${DOCKERD_LOG})`);
  const logFd = openSync(DOCKERD_LOG, "a");
  const daemon = spawn(dockerd, [], { detached: true, stdio: ["ignore", logFd, logFd] });
  daemon.unref();
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const now = await dockerAnswers();
    if (now.ok) {
      log(`docker: dockerd started (pid ${daemon.pid}), ${now.detail}`);
      return;
    }
    if (daemon.exitCode !== null) break;
    await sleep(500);
  }
  throw new Error(`dockerd did not answer within 60 s (exit code ${daemon.exitCode ?? "none yet"}); see ${DOCKERD_LOG}`);
}
