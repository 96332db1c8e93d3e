// Escaping for the self-contained HTML pages of the bundle (matrix, evidence index).

export function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

/** A stable HTML id / URL fragment for one (requirement, target) pair. */
export function verdictAnchor(requirement: string, target: string): string {
  return `v-${requirement}--${target}`.replace(/[^A-Za-z0-9_-]/g, (c) => (c === "@" ? "at-" : `_${c.charCodeAt(0).toString(16)}`));
}
