import { describe, expect, it } from "vitest";
import {
  parseCgroupMemory,
  parseLsmemOnline,
  parseMemoryBlocks,
  parseMeminfo,
} from "../../../helpers/facts/parsers/memory.js";
import { fixtureText } from "./fixtures.js";

const GiB = 1024 ** 3;

describe("memory facts", () => {
  it("a 4 GiB VM reports MemTotal of about 3.7 GiB", () => {
    const result = parseMeminfo(fixtureText("memory/meminfo-4gib-vm"));
    if (!result.ok) throw new Error(result.problem);
    expect(result.value.MemTotal).toBe(3880404 * 1024);
    expect((result.value.MemTotal ?? 0) / GiB).toBeCloseTo(3.7, 1);
    expect(result.value.HugePages_Total).toBe(0);
  });

  it("this machine's meminfo", () => {
    expect(parseMeminfo(fixtureText("memory/meminfo-debian12-24gib"))).toMatchObject({ ok: true, value: { MemTotal: 24684092 * 1024 } });
  });

  it("lsmem -b --summary=only", () =>
    expect(parseLsmemOnline(fixtureText("memory/lsmem-summary-24gib"))).toEqual({ ok: true, value: 25769803776 }));

  it("lsmem -b full listing (util-linux without --summary) ends with the same summary", () =>
    expect(parseLsmemOnline(fixtureText("memory/lsmem-full-24gib"))).toEqual({ ok: true, value: 25769803776 }));

  it("memory blocks: hexadecimal block size times online blocks", () =>
    expect(parseMemoryBlocks(fixtureText("memory/memory-blocks-24gib"))).toEqual({
      ok: true,
      value: { blockSizeBytes: 0x8000000, blocksTotal: 192, blocksOnline: 192, onlineBytes: 192 * 0x8000000 },
    }));

  it("cgroup v1 container limited to 3 GiB", () =>
    expect(parseCgroupMemory(fixtureText("memory/cgroup-v1-container-3g"))).toEqual({ ok: true, value: 3 * GiB }));

  it("cgroup v1 without limit (9223372036854771712) is unlimited", () =>
    expect(parseCgroupMemory(fixtureText("memory/cgroup-v1-container-unlimited"))).toEqual({ ok: true, value: null }));

  it("cgroup v2: the smallest limit along the path wins, max is no limit", () =>
    expect(
      parseCgroupMemory("/sys/fs/cgroup/a/b/memory.max max\n/sys/fs/cgroup/a/memory.max 2147483648\n/sys/fs/cgroup/memory.max max\n"),
    ).toEqual({ ok: true, value: 2 * GiB }));

  it("missing MemTotal is a problem", () => expect(parseMeminfo("MemFree: 1 kB\n").ok).toBe(false));
});
