// "Did you mean": the known key nearest to a misspelled one, read from the schema itself so the
// suggestion can never name a key the file does not accept.
import type { z } from "zod";

interface Def {
  type: string;
  innerType?: z.ZodType;
  element?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  options?: z.ZodType[];
}

const defOf = (schema: z.ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;

/** The object schemas a value at `path` may be (wrappers, arrays and unions looked through). */
function objectsAt(schema: z.ZodType, path: readonly PropertyKey[]): Record<string, z.ZodType>[] {
  const def = defOf(schema);
  if (def.innerType) return objectsAt(def.innerType, path);
  if (def.type === "union") return (def.options ?? []).flatMap((o) => objectsAt(o, path));
  if (def.type === "array" && def.element) return objectsAt(def.element, typeof path[0] === "number" ? path.slice(1) : path);
  if (def.type !== "object" || !def.shape) return [];
  if (path.length === 0) return [def.shape];
  const next = def.shape[String(path[0])];
  return next ? objectsAt(next, path.slice(1)) : [];
}

/** The keys the schema accepts in the object at `path`. */
export function knownKeysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  return [...new Set(objectsAt(schema, path).flatMap((shape) => Object.keys(shape)))];
}

/** Edit distance (insertions, deletions, substitutions), case-insensitive. */
function distance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let previous = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const row = [i];
    for (let j = 1; j <= y.length; j++) row.push(Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + (x[i - 1] === y[j - 1] ? 0 : 1)));
    previous = row;
  }
  return previous[y.length]!;
}

/** The closest known key, if it is close enough to be what was meant (a third of its letters, at least 2). */
export function nearestKey(key: string, known: readonly string[]): string | null {
  let best: { key: string; d: number } | null = null;
  for (const candidate of known) {
    const d = distance(key, candidate);
    if (d <= Math.max(2, Math.floor(candidate.length / 3)) && (!best || d < best.d)) best = { key: candidate, d };
  }
  return best?.key ?? null;
}
