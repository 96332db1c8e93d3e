// Waivers: an accepted, time-boxed deviation for (requirement, host or "*"). Pure functions, so the
// live run and `npm run verify` judge them identically (as of the run's start date, not "now").
import type { Waiver } from "../environment/schema.js";
import type { Verdict } from "../model.js";

export interface AppliedWaiver {
  waiver: Waiver;
  requirement: string;
  target: string;
}

export interface WaiverApplication {
  verdicts: Verdict[];
  /** One entry per verdict a waiver turned into "waived". */
  applied: AppliedWaiver[];
  /** Waivers whose expiry date lies before `today`: they cover nothing any more. */
  expired: Waiver[];
  /** Valid waivers that matched no failed/warning verdict: candidates for removal. */
  unused: Waiver[];
}

export interface WaiverError {
  file: string;
  /** Key path inside the environment file, e.g. "waivers[2].host". */
  keyPath: string;
  message: string;
  fix: string;
}

const WAIVABLE: ReadonlySet<Verdict["status"]> = new Set(["failed", "warning"]);

/** ISO dates (YYYY-MM-DD) compare correctly as strings; the expiry day itself is still covered. */
export function isExpired(waiver: Pick<Waiver, "expires">, today: string): boolean {
  return waiver.expires < today;
}

export function waiverMatches(waiver: Pick<Waiver, "requirement" | "host">, verdict: Pick<Verdict, "requirement" | "host" | "target">): boolean {
  if (waiver.requirement !== verdict.requirement) return false;
  return waiver.host === "*" || waiver.host === verdict.host || waiver.host === verdict.target;
}

/** `today` is an ISO date (YYYY-MM-DD): the run's start date, so a later verify agrees. */
export function applyWaivers(verdicts: readonly Verdict[], waivers: readonly Waiver[], today: string): WaiverApplication {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(today)) throw new Error(`applyWaivers: "${today}" is not an ISO date (YYYY-MM-DD)`);
  const expired = waivers.filter((w) => isExpired(w, today));
  const valid = waivers.filter((w) => !isExpired(w, today));
  const applied: AppliedWaiver[] = [];
  const used = new Set<Waiver>();

  const result = verdicts.map((verdict): Verdict => {
    if (!WAIVABLE.has(verdict.status)) return verdict;
    // A host-specific waiver is more precise than "*": prefer it when both match.
    const candidates = valid.filter((w) => waiverMatches(w, verdict));
    const waiver = candidates.find((w) => w.host !== "*") ?? candidates[0];
    if (!waiver) return verdict;
    used.add(waiver);
    applied.push({ waiver, requirement: verdict.requirement, target: verdict.target });
    return {
      ...verdict,
      status: "waived",
      waiver: { justification: waiver.justification, approver: waiver.approver, expires: waiver.expires },
    };
  });

  return { verdicts: result, applied, expired, unused: valid.filter((w) => !used.has(w)) };
}

/**
 * Waivers must name real requirement IDs and inventory hosts: a typo would otherwise silently waive
 * nothing (or the auditor would believe something is waived that is not). Reported as bad input.
 * With `targetsOf` (requirement → its planned targets, host names and "@database"-like targets alike)
 * the rule is the matcher's own: a waiver must name a target its requirement is evaluated on.
 */
export function validateWaivers(
  waivers: readonly Pick<Waiver, "requirement" | "host">[],
  catalogueIds: readonly string[],
  hostNames: readonly string[],
  file: string,
  targetsOf?: ReadonlyMap<string, readonly string[]>,
): WaiverError[] {
  const ids = new Set(catalogueIds);
  const hosts = new Set(hostNames);
  const errors: WaiverError[] = [];
  const seen = new Map<string, number>();

  waivers.forEach((waiver, i) => {
    const at = `waivers[${i}]`;
    if (!ids.has(waiver.requirement)) {
      errors.push({
        file,
        keyPath: `${at}.requirement`,
        message: `"${waiver.requirement}" is not a requirement ID of the catalogue`,
        fix: `use an ID from the catalogue (${nearest(waiver.requirement, catalogueIds)}) or remove this waiver`,
      });
    }
    const targets = targetsOf?.get(waiver.requirement);
    if (targets && waiver.host !== "*" && !targets.includes(waiver.host)) {
      errors.push({
        file,
        keyPath: `${at}.host`,
        message: `"${waiver.host}" is not a target of ${waiver.requirement}, so the waiver would cover nothing`,
        fix: `use one of ${targets.map((t) => `"${t}"`).join(", ")} or "*" for every target`,
      });
    } else if (!targets && waiver.host !== "*" && !hosts.has(waiver.host)) {
      errors.push({
        file,
        keyPath: `${at}.host`,
        message: `"${waiver.host}" is not a host of the inventory`,
        fix: `use one of ${[...hostNames].map((h) => `"${h}"`).join(", ")} or "*" for every host`,
      });
    }
    const key = `${waiver.requirement}\u0000${waiver.host}`;
    const first = seen.get(key);
    if (first !== undefined) {
      errors.push({
        file,
        keyPath: `${at}`,
        message: `duplicates waivers[${first}] (${waiver.requirement} on ${waiver.host})`,
        fix: "keep one waiver per (requirement, host): merge the justifications and keep the intended expiry",
      });
    } else {
      seen.set(key, i);
    }
  });
  return errors;
}

export function formatWaiverError(error: WaiverError): string {
  return `${error.file}: ${error.keyPath}: ${error.message}; fix: ${error.fix}`;
}

/** A few catalogue IDs sharing the prefix of a mistyped one, so the fix message is actionable. */
function nearest(id: string, catalogueIds: readonly string[]): string {
  const prefix = id.replace(/-?\d+$/, "");
  const sameFamily = catalogueIds.filter((c) => c.startsWith(prefix));
  const shown = (sameFamily.length > 0 ? sameFamily : catalogueIds).slice(0, 8);
  return shown.join(", ") + (shown.length < catalogueIds.length && sameFamily.length === 0 ? ", ..." : "");
}
