import { describe, expect, it } from "vitest";
import { parseDf } from "../../../helpers/facts/parsers/disk.js";
import { fixtureText } from "./fixtures.js";

describe("df -B1 --output=file,source,fstype,size,avail,target", () => {
  it("Docker data root on the root filesystem", () =>
    expect(parseDf(fixtureText("disk/df-docker-root-same-fs"))).toEqual({
      ok: true,
      value: [
        { path: "/var/lib/docker", source: "/dev/vda", fstype: "ext4", mountpoint: "/var/lib/docker", sizeBytes: 270553174016, availBytes: 84457201664 },
        { path: "/", source: "/dev/vda", fstype: "ext4", mountpoint: "/", sizeBytes: 270553174016, availBytes: 84457201664 },
      ],
    }));

  it("Docker data root on its own 100 GiB tmpfs", () =>
    expect(parseDf(fixtureText("disk/df-docker-root-own-tmpfs"))).toEqual({
      ok: true,
      value: [
        { path: "/var/lib/docker-fixture", source: "tmpfs", fstype: "tmpfs", mountpoint: "/var/lib/docker-fixture", sizeBytes: 107374182400, availBytes: 107374182400 },
        { path: "/", source: "/dev/vda", fstype: "ext4", mountpoint: "/", sizeBytes: 270553174016, availBytes: 83082596352 },
      ],
    }));

  it("a container without Docker: only / (overlay)", () =>
    expect(parseDf(fixtureText("disk/df-container-overlay-root-only"))).toEqual({
      ok: true,
      value: [{ path: "/", source: "overlay", fstype: "overlay", mountpoint: "/", sizeBytes: 270553174016, availBytes: 83562201088 }],
    }));

  it("POSIX df output (no --output) is reported as unreadable", () =>
    expect(parseDf("Filesystem 1-blocks Used Available Capacity Mounted on\n/dev/vda 1 1 1 1% /\n").ok).toBe(false));
});
