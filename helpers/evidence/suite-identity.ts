// Who and what produced a run: suite version and git commit, operator (user@hostname).
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { hostname, userInfo } from "node:os";
import { join } from "node:path";

export interface SuiteIdentity {
  version: string;
  /** Full git commit of the suite, with "+dirty" when the work tree has local changes; "unknown" outside git. */
  commit: string;
}

export function readSuiteIdentity(repoRoot: string): SuiteIdentity {
  const pkg = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { version?: string };
  return { version: pkg.version ?? "0.0.0", commit: gitCommit(repoRoot) };
}

function gitCommit(repoRoot: string): string {
  const git = (...args: string[]) => execFileSync("git", ["-C", repoRoot, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  try {
    const commit = git("rev-parse", "HEAD");
    // A report from uncommitted checks cannot be traced back to reviewed code: say so.
    const dirty = git("status", "--porcelain", "--untracked-files=no").length > 0;
    return dirty ? `${commit}+dirty` : commit;
  } catch {
    return process.env.GITHUB_SHA ?? "unknown";
  }
}

export function operatorName(): string {
  let user = process.env.USER ?? "unknown";
  try {
    user = userInfo().username;
  } catch {
    // No passwd entry (some containers): keep $USER.
  }
  return `${user}@${hostname()}`;
}
