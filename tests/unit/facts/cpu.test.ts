import { describe, expect, it } from "vitest";
import { parseArch, parseCpuList, parseNproc } from "../../../helpers/facts/parsers/cpu.js";
import { fixtureText } from "./fixtures.js";

describe("CPU facts", () => {
  it("nproc on this 2-CPU machine", () => expect(parseNproc(fixtureText("cpu/nproc-2"))).toEqual({ ok: true, value: 2 }));
  it("nproc in a container pinned to one CPU (cpuset)", () =>
    expect(parseNproc(fixtureText("cpu/nproc-1-cpuset"))).toEqual({ ok: true, value: 1 }));
  it("online CPU list 0-1", () => expect(parseCpuList(fixtureText("cpu/cpu-online-0-1"))).toEqual({ ok: true, value: 2 }));
  it("sparse CPU list", () => expect(parseCpuList("0-3,5,7-8\n")).toEqual({ ok: true, value: 7 }));
  it("garbage is a problem", () => {
    expect(parseNproc("nproc: command not found").ok).toBe(false);
    expect(parseCpuList("").ok).toBe(false);
  });
  it("arch", () => expect(parseArch("x86_64\n")).toEqual({ ok: true, value: "x86_64" }));
});
