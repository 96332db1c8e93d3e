// Prometheus probe from the runner (PORT-05): the health endpoint and the state of every active
// scrape target, through the same HTTP probe as the other components.
import { httpProbe } from "./http.js";
import type { PrometheusProbeResult, PrometheusTarget } from "./types.js";

export interface PrometheusProbeOptions {
  timeoutMs: number;
  insecureTls: boolean;
  /** The targets document of a large Prometheus can be big; read at most this much. */
  maxTargetsBytes: number;
}

const DEFAULTS: PrometheusProbeOptions = { timeoutMs: 5_000, insecureTls: false, maxTargetsBytes: 4 * 1024 * 1024 };

export async function prometheusProbe(
  baseUrl: string,
  options: Partial<PrometheusProbeOptions> = {},
): Promise<PrometheusProbeResult> {
  const opts = { ...DEFAULTS, ...options };
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const base = baseUrl.endsWith("/") ? baseUrl : `${baseUrl}/`;
  const http = { insecureTls: opts.insecureTls, timeoutMs: opts.timeoutMs };

  const health = await httpProbe(new URL("-/healthy", base).href, { ...http, maxBodyBytes: 1024 });
  const healthy = health.ok && health.status === 200;
  const targetsAnswer = await httpProbe(new URL("api/v1/targets?state=active", base).href, {
    ...http,
    maxBodyBytes: opts.maxTargetsBytes,
  });
  const parsed = targetsAnswer.ok
    ? parseTargets(targetsAnswer.bodySnippet)
    : { targets: [], error: `targets: ${targetsAnswer.error ?? "no answer"}` };
  const errors = [health.ok ? null : `health: ${health.error ?? "no answer"}`, parsed.error].filter(
    (e): e is string => e !== null && e !== undefined,
  );
  return {
    healthy,
    healthBody: health.bodySnippet.trim(),
    healthStatus: health.status,
    targets: parsed.targets,
    ms: elapsed(),
    ...(errors.length > 0 ? { error: errors.join("; ") } : {}),
  };
}

/** Pure: the active targets of a /api/v1/targets answer. */
export function parseTargets(body: string): { targets: PrometheusTarget[]; error?: string } {
  let document: unknown;
  try {
    document = JSON.parse(body);
  } catch {
    return { targets: [], error: "targets: the answer is not JSON" };
  }
  const data = (document as { status?: unknown; data?: { activeTargets?: unknown } } | null) ?? {};
  if (data.status !== "success" || !Array.isArray(data.data?.activeTargets)) {
    return { targets: [], error: `targets: unexpected answer (status ${String(data.status)})` };
  }
  const targets = (data.data.activeTargets as Record<string, unknown>[]).map((t) => {
    const labels = (t.labels ?? {}) as Record<string, unknown>;
    return {
      job: String(labels.job ?? t.scrapePool ?? ""),
      instance: String(labels.instance ?? t.scrapeUrl ?? ""),
      health: String(t.health ?? "unknown"),
      lastError: String(t.lastError ?? ""),
    };
  });
  return { targets };
}
