// What a run is comparable with: runs of the same environment and the same scope. The Allure trends
// are kept per environment, and a run narrowed by --only or --shard keeps its own history, so a
// partial run never feeds (nor reads) the full run's trends. Drift compares the same way.
import { join } from "node:path";
import { parseSelection } from "./selection.js";

/** The scope of a run, as results.json records it. */
export interface RunScope {
  /** --only as given, or null for every requirement. */
  only: string | null;
  /** "i/n" of --shard, or null for the whole inventory. */
  shard: string | null;
}

export const FULL_SCOPE: RunScope = { only: null, shard: null };

/** "full", or the selection and the shard, e.g. "only-HW-,SEC-04" or "shard-1-of-3". */
export function scopeKey(scope: RunScope | undefined): string {
  const only = parseSelection(scope?.only ?? undefined);
  const parts = [
    ...(only ? [`only-${[...only].sort().join(",")}`] : []),
    ...(scope?.shard ? [`shard-${scope.shard.replace("/", "-of-")}`] : []),
  ];
  return parts.length > 0 ? parts.join("+") : "full";
}

/** A name from an environment file or a selection, as one folder name (never "." or ".."). */
const folderName = (name: string) => name.replace(/[^\w.,+-]/g, "_").replace(/^\.+$/, (dots) => "_".repeat(dots.length));

/** reports/.history/<environment>/ for full runs; a subfolder per narrower scope. */
export function historyDir(reportRoot: string, environment: string, scope: RunScope | undefined): string {
  const key = scopeKey(scope);
  const envDir = join(reportRoot, ".history", folderName(environment));
  return key === "full" ? envDir : join(envDir, folderName(key));
}
