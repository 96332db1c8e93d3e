// The timeline picture of one failover experiment (HA-*): every request as a dot at its start
// time and latency, coloured by outcome; the fault window, each outage and the fault, rollback
// and recovery moments marked; the numbers in the title. Self-contained SVG: generic font
// family, no scripts, no external references, so it renders inside a report opened from disk.
import { isFailoverExperiment, type FailoverExperiment } from "./record.js";

const WIDTH = 960;
const HEIGHT = 340;
const HEIGHT_TOP = 80;
const PLOT = { left: 64, right: WIDTH - 24, top: HEIGHT_TOP, bottom: HEIGHT - 64 };
const COLOURS = {
  ok: "#2e7d32",
  httpError: "#ef6c00",
  noResponse: "#c62828",
  faultWindow: "#eceff1",
  outage: "#ffcdd2",
  fault: "#c62828",
  confirmed: "#6a1b9a",
  rollback: "#1565c0",
  recovered: "#2e7d32",
  axis: "#455a64",
  text: "#212121",
};

export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" })[c]!);
}

const seconds = (ms: number, digits = 1) => `${(ms / 1000).toFixed(digits)} s`;

/** A round step for axis ticks, about `count` of them over `span`. */
function niceStep(span: number, count: number): number {
  const raw = span / Math.max(1, count);
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((candidate) => candidate >= raw);
  return step ?? 10 * magnitude;
}

const FAULT_DONE: Record<FailoverExperiment["faultKind"], string> = { stop: "stopped", "black-hole": "black-holed" };
const FAULT_MARK: Record<FailoverExperiment["faultKind"], string> = { stop: "stop", "black-hole": "black-hole" };

function confirmedDownAt(experiment: FailoverExperiment): number | null {
  return experiment.confirmation?.downAt ?? null;
}

/** Headline of the picture: what was stopped, then the numbers the verdict is decided from. */
export function timelineHeadline(experiment: FailoverExperiment): [string, string] {
  const { analysis, budgets } = experiment;
  const outcome =
    experiment.faultAt === null ? "no fault injected" : experiment.restored ? "member restored" : "member NOT restored";
  const confirmation =
    experiment.faultAt === null ? "" : confirmedDownAt(experiment) === null ? ", fault NOT confirmed" : `, down confirmed after ${seconds(confirmedDownAt(experiment)! - experiment.faultAt, 2)}`;
  return [
    `${experiment.requirement}: ${experiment.component} ${FAULT_DONE[experiment.faultKind]} on ${experiment.member}`,
    `${analysis.errors} failed of ${analysis.total} requests, longest outage ${seconds(analysis.longestOutageMs)} ` +
      `(budget ${budgets.errorBudget} errors, RTO ${budgets.rtoSeconds} s)${confirmation}, ${outcome}`,
  ];
}

export function timelineTitle(experiment: FailoverExperiment): string {
  return timelineHeadline(experiment).join(" — ");
}

export function renderTimelineSvg(experiment: FailoverExperiment): string {
  const history = experiment.history;
  const moments = [
    ...history.flatMap((r) => [r.startMs, r.endMs]),
    ...[experiment.faultAt, confirmedDownAt(experiment), experiment.rollbackAt, experiment.recoveredAt].filter((t): t is number => t !== null),
  ];
  const origin = moments.length > 0 ? Math.min(...moments) : 0;
  const spanMs = Math.max(1000, (moments.length > 0 ? Math.max(...moments) : 0) - origin);
  const maxLatency = Math.max(1, ...history.map((r) => r.endMs - r.startMs));
  const latencyStep = niceStep(maxLatency, 4);
  const latencyTop = latencyStep * Math.ceil(maxLatency / latencyStep);
  const x = (t: number) => PLOT.left + ((t - origin) / spanMs) * (PLOT.right - PLOT.left);
  const y = (latency: number) => PLOT.bottom - (latency / latencyTop) * (PLOT.bottom - PLOT.top);
  const f = (n: number) => n.toFixed(1);

  const parts: string[] = [];
  const text = (tx: number, ty: number, content: string, attrs = "") =>
    parts.push(`<text x="${f(tx)}" y="${f(ty)}"${attrs}>${escapeXml(content)}</text>`);

  // Background spans first, so dots and lines stay visible above them.
  if (experiment.faultAt !== null) {
    const end = experiment.rollbackAt ?? origin + spanMs;
    parts.push(
      `<rect x="${f(x(experiment.faultAt))}" y="${PLOT.top}" width="${f(x(end) - x(experiment.faultAt))}" height="${PLOT.bottom - PLOT.top}" fill="${COLOURS.faultWindow}"><title>fault window</title></rect>`,
    );
  }
  for (const outage of experiment.analysis.outages) {
    const width = Math.max(2, x(outage.endMs) - x(outage.startMs));
    parts.push(
      `<rect x="${f(x(outage.startMs))}" y="${PLOT.top}" width="${f(width)}" height="${PLOT.bottom - PLOT.top}" fill="${COLOURS.outage}" fill-opacity="0.8"><title>${escapeXml(`outage ${seconds(outage.durationMs, 2)}, ${outage.failedRequests} failed requests${outage.open ? ", not over when recording stopped" : ""}`)}</title></rect>`,
    );
  }

  // Axes with ticks: seconds since the first request, latency in ms.
  parts.push(`<g stroke="${COLOURS.axis}" stroke-width="1">`);
  parts.push(`<line x1="${PLOT.left}" y1="${PLOT.bottom}" x2="${PLOT.right}" y2="${PLOT.bottom}"/>`);
  parts.push(`<line x1="${PLOT.left}" y1="${PLOT.top}" x2="${PLOT.left}" y2="${PLOT.bottom}"/>`);
  parts.push(`</g>`);
  const timeStep = niceStep(spanMs, 10);
  for (let t = 0; t <= spanMs; t += timeStep) {
    parts.push(`<line x1="${f(x(origin + t))}" y1="${PLOT.bottom}" x2="${f(x(origin + t))}" y2="${PLOT.bottom + 4}" stroke="${COLOURS.axis}"/>`);
    text(x(origin + t), PLOT.bottom + 16, `${(t / 1000).toFixed(timeStep < 1000 ? 1 : 0)}`, ` text-anchor="middle" font-size="10"`);
  }
  text((PLOT.left + PLOT.right) / 2, PLOT.bottom + 30, "seconds since the first request", ` text-anchor="middle" font-size="11"`);
  for (const latency of [0, latencyTop / 2, latencyTop]) {
    text(PLOT.left - 6, y(latency) + 3, `${Math.round(latency)}`, ` text-anchor="end" font-size="10"`);
  }
  text(14, (PLOT.top + PLOT.bottom) / 2, "latency (ms)", ` font-size="11" text-anchor="middle" transform="rotate(-90 14 ${f((PLOT.top + PLOT.bottom) / 2)})"`);

  // One dot per request.
  for (const record of history) {
    const colour = record.ok ? COLOURS.ok : record.status === null ? COLOURS.noResponse : COLOURS.httpError;
    const label = `#${record.seq} ${record.ok ? "ok" : "failed"} ${record.status ?? record.error ?? ""} ${Math.round(record.endMs - record.startMs)} ms`;
    parts.push(
      `<circle cx="${f(x(record.startMs))}" cy="${f(y(record.endMs - record.startMs))}" r="2.5" fill="${colour}"><title>${escapeXml(label.trim())}</title></circle>`,
    );
  }

  // Labelled vertical lines for the moments of the experiment.
  const downAt = confirmedDownAt(experiment);
  const marks: [number | null, string, string][] = [
    [experiment.faultAt, `fault: ${FAULT_MARK[experiment.faultKind]} ${experiment.component} on ${experiment.member}`, COLOURS.fault],
    [downAt, `down confirmed (+${downAt !== null && experiment.faultAt !== null ? seconds(downAt - experiment.faultAt, 2) : ""})`, COLOURS.confirmed],
    [experiment.rollbackAt, "rollback", COLOURS.rollback],
    [experiment.recoveredAt, "healthy again", COLOURS.recovered],
  ];
  marks.forEach(([at, label, colour], index) => {
    if (at === null) return;
    parts.push(`<line x1="${f(x(at))}" y1="${PLOT.top - 4}" x2="${f(x(at))}" y2="${PLOT.bottom}" stroke="${colour}" stroke-width="2" stroke-dasharray="6 3"/>`);
    text(x(at) + 4, PLOT.top + 12 + index * 14, label, ` font-size="11" fill="${colour}"`);
  });

  // Legend.
  const legend: [string, string][] = [
    [COLOURS.ok, "answered"],
    [COLOURS.httpError, "error status"],
    [COLOURS.noResponse, "no response"],
    [COLOURS.outage, "outage"],
    [COLOURS.faultWindow, "fault window"],
  ];
  legend.forEach(([colour, label], index) => {
    const lx = PLOT.left + index * 120;
    parts.push(`<rect x="${lx}" y="${HEIGHT - 18}" width="10" height="10" fill="${colour}"/>`);
    text(lx + 14, HEIGHT - 9, label, ` font-size="11"`);
  });

  const title = timelineTitle(experiment);
  const [headline, numbers] = timelineHeadline(experiment);
  const latency = experiment.analysis.latencyMs;
  const subtitle =
    `entrypoint ${experiment.entrypoint.name} ${experiment.entrypoint.url}` +
    (latency ? `; latency p50 ${Math.round(latency.p50)} ms, p95 ${Math.round(latency.p95)} ms, p99 ${Math.round(latency.p99)} ms` : "") +
    (experiment.analysis.recoveryAfterRollbackMs !== null ? `; recovered ${seconds(experiment.analysis.recoveryAfterRollbackMs)} after rollback` : "") +
    (experiment.error ? `; error: ${experiment.error}` : "");

  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" fill="${COLOURS.text}" role="img" aria-label="${escapeXml(title)}">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`,
    `<text x="12" y="20" font-size="14" font-weight="bold">${escapeXml(headline)}</text>`,
    `<text x="12" y="38" font-size="12">${escapeXml(numbers)}</text>`,
    `<text x="12" y="54" font-size="11">${escapeXml(subtitle)}</text>`,
    ...parts,
    `</svg>`,
  ].join("\n");
}

/** Entry point for report attachments, which hold experiments as read back from JSON. */
export function renderTimelineOf(value: unknown): string {
  if (!isFailoverExperiment(value)) throw new Error("not a failover experiment record");
  return renderTimelineSvg(value);
}

