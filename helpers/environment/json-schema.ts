// JSON Schema of environment files, generated from the zod schema (one source of truth).
import { z } from "zod";
import { environmentFileSchema } from "./schema.js";

export function environmentJsonSchema(): Record<string, unknown> {
  return {
    ...(z.toJSONSchema(environmentFileSchema, { io: "input", unrepresentable: "any" }) as Record<string, unknown>),
    title: "api7-ha-audit environment",
    description: "Hosts, components, entrypoints, database, policy, failover budgets and waivers of one audited environment.",
  };
}
