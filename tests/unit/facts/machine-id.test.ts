import { describe, expect, it } from "vitest";
import { parseMachineId } from "../../../helpers/facts/parsers/machine-id.js";
import { fixtureText } from "./fixtures.js";

describe("machine-id", () => {
  it("this machine", () =>
    expect(parseMachineId(fixtureText("machine-id/debian12"))).toEqual({ ok: true, value: "3d1219c7c4c5404aaa1f6d2a48adfda4" }));
  it("an empty file (container images) is a problem", () =>
    expect(parseMachineId(fixtureText("machine-id/empty"))).toEqual({ ok: false, problem: "machine-id is empty or uninitialized" }));
});
