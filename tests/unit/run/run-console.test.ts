// What reaches the console and what only the run's log.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, test } from "vitest";
import { RUN_LOG, runConsole } from "../../../helpers/run/run-console.js";

const dir = mkdtempSync(join(tmpdir(), "api7-run-console-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("details go to run.log only, unless verbose; nothing is written once the log is closed", () => {
  const quiet: string[] = [];
  const out = runConsole(dir, false, (line) => quiet.push(line));
  out.say("cp1: facts collected");
  out.detail("HA-DP-01/dp1/gateway: fault: stopping gateway on dp1");
  out.closeLog();
  out.say("lab removed");
  out.detail("after the seal");
  expect(quiet).toEqual(["cp1: facts collected", "lab removed"]);
  expect(readFileSync(join(dir, RUN_LOG), "utf8")).toBe("cp1: facts collected\nHA-DP-01/dp1/gateway: fault: stopping gateway on dp1\n");

  const loud: string[] = [];
  const verbose = runConsole(join(dir), true, (line) => loud.push(line));
  verbose.detail("probe detail");
  expect(loud).toEqual(["probe detail"]);
});
