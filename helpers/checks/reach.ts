// The runner's reach is not the host's fault. A probe from the runner that finds nothing counts
// against its target only when the runner demonstrably reached that address: an SSH connection to
// it answered, or one of its ports answered (accepted, refused, or spoke its protocol). Otherwise
// the runner's own network is in question (no route, DNS, a filter on the runner's side), and the
// verdict is broken: "the runner cannot reach <address>: <error>".
import type { CheckOutcome } from "../model.js";
import type { CollectedRun } from "../run/collected.js";

/** Errors that are silence from the address: nothing there answered the runner. */
const NO_ANSWER = /EHOSTUNREACH|ENETUNREACH|EHOSTDOWN|ENETDOWN|EADDRNOTAVAIL|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|time[ds]? ?out/i;

/** The address of a probe's target: "10.0.0.5:5432/api7", "fd00::5:22" (IPv6, port last), "http://db:9090/",
 * a sweep's "10.0.0.5:1-65535". */
export function targetAddress(target: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(target)) return new URL(target).hostname.replace(/^\[|\]$/g, "");
  const hostPort = target.split("/")[0] ?? target;
  const bracketed = /^\[([^\]]+)\]/.exec(hostPort);
  return bracketed ? bracketed[1]! : hostPort.replace(/:\d+(-\d+)?$/, "");
}

/** Whether a probe's result shows that something at its address answered. */
function answered(result: unknown): boolean {
  if (typeof result !== "object" || result === null) return false;
  const r = result as { state?: string; ok?: boolean; status?: number | null; healthStatus?: number | null; error?: string; counts?: { open: number; closed: number } };
  if (r.state !== undefined) return r.state === "open" || r.state === "closed";
  if (r.counts !== undefined) return r.counts.open + r.counts.closed > 0;
  if (r.ok === true || (r.status ?? null) !== null || (r.healthStatus ?? null) !== null) return true;
  return typeof r.error === "string" && !NO_ANSWER.test(r.error);
}

export type Reach = { reached: true; by: string } | { reached: false; errors: string[] };

/** What shows that the runner reached `address`, or the errors of every attempt that did not. */
export function runnerReach(run: CollectedRun, address: string): Reach {
  const bare = address.replace(/^\[|\]$/g, "").toLowerCase();
  const errors: string[] = [];
  // A database or Prometheus URL may name an inventory host by its address or its name.
  for (const host of run.hosts.filter((h) => h.address.toLowerCase() === bare || h.name.toLowerCase() === bare)) {
    // Sections came back, or the error is the SSH server's own answer (a host key, a login refused).
    if (host.error === null || host.sections.length > 0 || !NO_ANSWER.test(host.error)) return { reached: true, by: `the SSH connection to ${host.name}` };
    errors.push(`ssh ${host.name}: ${host.error}`);
  }
  const probes = run.probes.filter((p) => targetAddress(p.target).toLowerCase() === bare);
  const answering = probes.find((p) => answered(p.result));
  if (answering) return { reached: true, by: `probe ${answering.key}` };
  for (const p of probes) {
    const error = (p.result as { error?: unknown } | null)?.error;
    errors.push(`${p.key}: ${typeof error === "string" ? error : "no answer"}`);
  }
  return { reached: false, errors };
}

/**
 * A failed (or warned) outcome of probes at `address` stands when the runner reached that address;
 * otherwise it becomes broken, naming the address and the errors seen.
 */
export function unlessUnreached(run: CollectedRun, address: string, outcome: CheckOutcome): CheckOutcome {
  if (outcome.status !== "failed" && outcome.status !== "warning") return outcome;
  const reach = runnerReach(run, address);
  if (reach.reached) return outcome;
  const seen = reach.errors.length > 0 ? reach.errors.join("; ") : "nothing answered";
  return { ...outcome, status: "broken", message: `the runner cannot reach ${address}: ${seen}; so this says nothing about the deployment (${outcome.message})` };
}
