// Local commands of the lab (docker CLI, mmdebstrap, apt-get), always as argv: no shell ever sees
// a value, so nothing needs quoting.
import { spawn } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";

export interface LocalResult {
  exitCode: number | null;
  stdout: string;
  stderr: string;
}

export type LabLog = (line: string) => void;

export function runLocal(argv: readonly string[], opts: { env?: NodeJS.ProcessEnv; input?: string } = {}): Promise<LocalResult> {
  const [file, ...args] = argv;
  if (!file) throw new Error("an empty argv is not a command");
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { env: opts.env ?? process.env, stdio: ["pipe", "pipe", "pipe"] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    child.on("error", reject);
    child.on("close", (exitCode) =>
      resolve({ exitCode, stdout: Buffer.concat(stdout).toString("utf8"), stderr: Buffer.concat(stderr).toString("utf8") }),
    );
    child.stdin.end(opts.input ?? "");
  });
}

/** Runs argv and returns its stdout; a non-zero exit becomes an Error carrying the command's stderr. */
export async function runLocalOrThrow(argv: readonly string[], opts: { env?: NodeJS.ProcessEnv; input?: string } = {}): Promise<string> {
  const result = await runLocal(argv, opts);
  if (result.exitCode !== 0) {
    throw new Error(`\`${argv.join(" ")}\` exited with ${result.exitCode}: ${lastLines(result.stderr || result.stdout, 15)}`);
  }
  return result.stdout;
}

/** `apt-get install -y`, refreshing the package lists first when the install cannot find a package (a fresh machine). */
export async function aptInstall(packages: readonly string[], log: LabLog): Promise<void> {
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  log(`running apt-get install -y ${packages.join(" ")}`);
  const first = await runLocal(["apt-get", "install", "-y", ...packages], { env });
  if (first.exitCode === 0) return;
  log("apt-get install failed; running apt-get update and trying again");
  await runLocalOrThrow(["apt-get", "update"], { env });
  await runLocalOrThrow(["apt-get", "install", "-y", ...packages], { env });
}

/** `producer | consumer` without a shell; fails if either side fails. */
export function pipeLocal(producer: readonly string[], consumer: readonly string[]): Promise<string> {
  const [pFile, ...pArgs] = producer;
  const [cFile, ...cArgs] = consumer;
  if (!pFile || !cFile) throw new Error("an empty argv is not a command");
  return new Promise((resolve, reject) => {
    const source = spawn(pFile, pArgs, { stdio: ["ignore", "pipe", "pipe"] });
    const sink = spawn(cFile, cArgs, { stdio: ["pipe", "pipe", "pipe"] });
    const sourceErr: Buffer[] = [];
    const sinkOut: Buffer[] = [];
    const sinkErr: Buffer[] = [];
    source.stderr.on("data", (chunk: Buffer) => sourceErr.push(chunk));
    sink.stdout.on("data", (chunk: Buffer) => sinkOut.push(chunk));
    sink.stderr.on("data", (chunk: Buffer) => sinkErr.push(chunk));
    source.stdout.pipe(sink.stdin);
    // The consumer may exit first (e.g. it failed): keep EPIPE from crashing the runner.
    sink.stdin.on("error", () => undefined);
    let sourceCode: number | null | undefined;
    let sinkCode: number | null | undefined;
    const settle = () => {
      if (sourceCode === undefined || sinkCode === undefined) return;
      if (sourceCode !== 0) {
        reject(new Error(`\`${producer.join(" ")}\` exited with ${sourceCode}: ${lastLines(Buffer.concat(sourceErr).toString("utf8"), 15)}`));
      } else if (sinkCode !== 0) {
        reject(new Error(`\`${consumer.join(" ")}\` exited with ${sinkCode}: ${lastLines(Buffer.concat(sinkErr).toString("utf8"), 15)}`));
      } else {
        resolve(Buffer.concat(sinkOut).toString("utf8"));
      }
    };
    source.on("error", reject);
    sink.on("error", reject);
    source.on("close", (code) => {
      sourceCode = code;
      settle();
    });
    sink.on("close", (code) => {
      sinkCode = code;
      settle();
    });
  });
}

/** Absolute path of an executable found on PATH, or null. */
export function findExecutable(name: string, path = process.env.PATH ?? ""): string | null {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return null;
}

export function lastLines(text: string, count: number): string {
  return text.trimEnd().split("\n").slice(-count).join("\n");
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
