// The captured compliant lab run (tests/fixtures/runs/lab; refreshed by its capture.ts): the
// environment it audited and everything it collected, every verdict passed.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Environment } from "../../helpers/environment/schema.js";
import type { CollectedRun } from "../../helpers/run/collected.js";

const FIXTURE = join(import.meta.dirname, "../fixtures/runs/lab");

export const labEnv = JSON.parse(readFileSync(join(FIXTURE, "environment.resolved.json"), "utf8")) as Environment;
export const labRun = JSON.parse(readFileSync(join(FIXTURE, "collected.json"), "utf8")) as CollectedRun;
