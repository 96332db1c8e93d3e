import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "vitest";
import { ENVIRONMENTS_DIR } from "../../../helpers/environment/load.js";
import { environmentJsonSchema } from "../../../helpers/environment/json-schema.js";

test("environments/environment.schema.json is generated from the current schema (run `npm run schema`)", () => {
  const committed = JSON.parse(readFileSync(join(ENVIRONMENTS_DIR, "environment.schema.json"), "utf8"));
  expect(committed).toEqual(environmentJsonSchema());
});

test("the JSON Schema rejects unknown keys, as the loader does", () => {
  const schema = environmentJsonSchema() as { additionalProperties?: unknown; properties: Record<string, { items?: { additionalProperties?: unknown } }> };
  expect(schema.additionalProperties).toBe(false);
  expect(schema.properties.hosts?.items?.additionalProperties).toBe(false);
});
