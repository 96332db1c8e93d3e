import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseKernelRelease } from "../../../helpers/facts/parsers/kernel.js";
import { FIXTURES, fixtureText } from "./fixtures.js";

describe("kernel release from uname -r", () => {
  // Each fixture is named after the release it holds.
  const cases = readdirSync(join(FIXTURES, "kernel")).map((f) => f.replace(/\.txt$/, ""));
  it("has the saved variants", () => expect(cases.length).toBeGreaterThanOrEqual(10));
  for (const release of cases) {
    it(release, () => expect(parseKernelRelease(fixtureText(`kernel/${release}`))).toEqual({ ok: true, value: release }));
  }
  it("rejects empty output", () => expect(parseKernelRelease("\n").ok).toBe(false));
});
