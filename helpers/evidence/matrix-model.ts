// The matrix as data: rows (requirements), columns (targets), cells (verdicts). Shared by the
// matrix renderers and the evidence index.
import type { Status, Verdict } from "../model.js";

/** What the matrix needs of a catalogue entry (specs/catalogue.ts Requirement satisfies it). */
export interface MatrixRequirement {
  id: string;
  source: string | readonly string[];
  level: string;
  title: string;
  remediation?: string;
  sentence?: { zh: string; en: string };
}

export interface MatrixModel {
  rows: MatrixRequirement[];
  targets: string[];
  /** `${requirement}\u0000${target}` → verdict */
  cells: Map<string, Verdict>;
}

export const STATUS_COLOURS: Record<Status, { background: string; text: string }> = {
  passed: { background: "#c8e6c9", text: "#1b5e20" },
  failed: { background: "#ef9a9a", text: "#7f0000" },
  warning: { background: "#ffe082", text: "#6d4c00" },
  broken: { background: "#ce93d8", text: "#4a148c" },
  skipped: { background: "#e0e0e0", text: "#424242" },
  waived: { background: "#90caf9", text: "#0d47a1" },
};

export const STATUS_SYMBOL: Record<Status, string> = {
  passed: "✔",
  failed: "✘",
  warning: "⚠",
  broken: "⛔",
  skipped: "–",
  waived: "◐",
};

export const cellKey = (requirement: string, target: string) => `${requirement}\u0000${target}`;

export function sourceTag(req: Pick<MatrixRequirement, "source">): string {
  return typeof req.source === "string" ? req.source : req.source.join(", ");
}

/**
 * Rows: catalogue order, plus any requirement a result names that the catalogue lacks (so nothing is
 * hidden). Columns: hosts in inventory order, then endpoint and pair targets in order of appearance.
 */
export function buildMatrix(results: readonly Verdict[], catalogue: readonly MatrixRequirement[], hostOrder: readonly string[]): MatrixModel {
  const cells = new Map<string, Verdict>();
  for (const v of results) cells.set(cellKey(v.requirement, v.target), v);
  const known = new Set(catalogue.map((r) => r.id));
  const extraRows = [...new Set(results.map((v) => v.requirement))]
    .filter((id) => !known.has(id))
    .map((id): MatrixRequirement => ({ id, source: "?", level: results.find((v) => v.requirement === id)?.level ?? "?", title: "(not in the catalogue)" }));
  const rows = [...catalogue.filter((r) => results.some((v) => v.requirement === r.id)), ...extraRows];
  const targets = [...hostOrder];
  for (const v of results) if (!targets.includes(v.target)) targets.push(v.target);
  return { rows, targets, cells };
}

export function cellOf(model: MatrixModel, requirement: string, target: string): Verdict | undefined {
  return model.cells.get(cellKey(requirement, target));
}

export interface MatrixHeader {
  runId: string;
  environment: string;
  startedAt: string;
  suite: { version: string; commit: string };
  summary: Record<Status, number>;
}
