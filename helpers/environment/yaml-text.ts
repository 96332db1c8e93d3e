// YAML of the operator's files (environment, inventory, vars) parsed with every failure placed on a
// line: syntax errors, duplicate keys (named), and aliases expanding past a limit (an alias bomb).
import { LineCounter, parseDocument, visit } from "yaml";

/** Most aliases one file may expand (the yaml library's default): more is an alias bomb, not configuration. */
const MAX_ALIAS_COUNT = 100;

export interface YamlProblem {
  line: number | "?";
  message: string;
}

export class YamlTextError extends Error {
  constructor(readonly problems: YamlProblem[]) {
    super(problems.map((p) => `line ${p.line}: ${p.message}`).join("; "));
    this.name = "YamlTextError";
  }
}

/** The YAML as data; throws YamlTextError naming the line of each problem. */
export function parseYamlText(text: string, options: { uniqueKeys: boolean }): unknown {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: options.uniqueKeys, lineCounter });
  if (doc.errors.length > 0) {
    throw new YamlTextError(
      doc.errors.map((e) => ({
        line: e.linePos?.[0]?.line ?? "?",
        message:
          e.code === "DUPLICATE_KEY"
            ? `duplicate key "${keyAt(text, e.pos[0])}": a key may appear once per mapping; remove or merge the second one`
            : `YAML: ${e.message.split("\n")[0]}`,
      })),
    );
  }
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    let firstAlias: number | undefined;
    visit(doc, { Alias: (_key, node) => ((firstAlias = node.range?.[0]), visit.BREAK) });
    const line = firstAlias === undefined ? "?" : lineCounter.linePos(firstAlias).line;
    throw new YamlTextError([{ line, message: `YAML: ${(error as Error).message} (aliases expand past ${MAX_ALIAS_COUNT}): write the values out instead of aliasing them` }]);
  }
}

/** The key written at `offset` (the parser points at its first character only). */
function keyAt(text: string, offset: number): string {
  const token = /^(?:"([^"]*)"|'([^']*)'|([^:\s,{}[\]]+))/.exec(text.slice(offset));
  return token?.[1] ?? token?.[2] ?? token?.[3] ?? text.slice(offset, offset + 1);
}
