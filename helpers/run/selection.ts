// `--only HW-,SEC-04`: requirement IDs or ID prefixes to run.

/** Parses the --only value; an empty selection means everything. */
export function parseSelection(value: string | undefined): string[] | null {
  const items = (value ?? "").split(",").map((s) => s.trim().toUpperCase()).filter(Boolean);
  return items.length > 0 ? items : null;
}

export function selectsRequirement(only: readonly string[] | null, id: string): boolean {
  return only === null || only.some((item) => id === item || (item.endsWith("-") ? id.startsWith(item) : id.startsWith(`${item}-`)));
}

/** Selection items that match no catalogue ID: bad input, reported before anything runs. */
export function unmatchedSelection(only: readonly string[] | null, ids: readonly string[]): string[] {
  return (only ?? []).filter((item) => !ids.some((id) => selectsRequirement([item], id)));
}
