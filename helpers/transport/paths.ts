// Paths as OpenSSH users write them: "~" is the home directory.
import { homedir } from "node:os";
import { resolve } from "node:path";

/** "~/x" under the home directory, anything else resolved against the working directory. */
export function expandHome(path: string): string {
  return path === "~" || path.startsWith("~/") ? resolve(homedir(), path.slice(2)) : resolve(path);
}
