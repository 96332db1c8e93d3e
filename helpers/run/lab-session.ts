// The embedded lab for one run: start it, point the environment at its containers, and make sure
// it is removed again, also on Ctrl-C. The lab's private key stays out of the report folder.
import { mkdirSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { ensureDocker } from "../../environments/lab/docker-engine.js";
import { ensureImages } from "../../environments/lab/images.js";
import { startLab, type RunningLab } from "../../environments/lab/lab.js";
import { resolvePlaceholders } from "../environment/load.js";
import type { Environment } from "../environment/schema.js";
import type { RunConsole } from "./run-console.js";

export interface LabSession {
  env: Environment;
  lab: RunningLab;
  stop(): Promise<void>;
  /** Prints how to reach the lab that --keep-lab leaves running. */
  describeKept(print: (line: string) => void): void;
}

const REPO_ROOT = resolve(import.meta.dirname, "../..");

/** The lab's own progress (its id, images, start, removal) for the console; each container's start-up for the log. */
const LAB_PROGRESS = /^(lab [0-9a-f]+|images):/;

export async function startLabForRun(env: Environment, runDir: string, output: Pick<RunConsole, "say" | "detail">): Promise<LabSession> {
  const log = (line: string) => (LAB_PROGRESS.test(line) ? output.say : output.detail)(`  lab: ${line}`);
  const variant = env.lab!.variant;
  const workDir = join(REPO_ROOT, ".lab", runDir.split("/").pop()!);
  mkdirSync(workDir, { recursive: true });
  await ensureDocker(log);
  await ensureImages(log);
  const started = Date.now();
  const lab = await startLab(variant, { log, workDir });
  log(`${variant} lab up in ${((Date.now() - started) / 1000).toFixed(1)} s: ${Object.keys(lab.addresses).length} containers`);

  // One removal, however many callers: the signal handler and the run's `finally` may both ask.
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      await lab.stop();
      rmSync(workDir, { recursive: true, force: true });
      output.say("  lab: lab removed");
    })());
  // Ctrl-C during a run must not leave containers behind; the run's own error paths wait for the
  // same removal, and the process exits 130 once it is done.
  const onSignal = (signal: NodeJS.Signals) => {
    output.say(`  lab: ${signal}: removing the lab before exiting`);
    void stop().finally(() => process.exit(130));
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);

  process.env[env.database.passwordEnv] = lab.dbPassword;
  const resolved = resolvePlaceholders(env, lab.addresses);
  return {
    lab,
    env: { ...resolved, ssh: { ...resolved.ssh, identityFile: lab.identityFile, knownHosts: lab.knownHostsPath } },
    stop,
    describeKept(print) {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      print("--keep-lab: the lab stays up. Reach a host with:");
      for (const host of resolved.hosts) {
        print(`  ssh -i ${lab.identityFile} -o UserKnownHostsFile=${lab.knownHostsPath} root@${host.address}   # ${host.name}`);
      }
      print(`  containers: ${lab.containers.join(", ")}`);
      print("  remove it with: npm run lab -- down");
    },
  };
}
