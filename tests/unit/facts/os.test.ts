import { describe, expect, it } from "vitest";
import { parseOs, parseOsRelease, parseReleaseLine } from "../../../helpers/facts/parsers/os.js";
import type { OsFacts } from "../../../helpers/facts/types.js";
import { fixtureText, hasFixture } from "./fixtures.js";

function osOf(distro: string) {
  const file = (name: string) => (hasFixture(`os/${distro}/${name}`) ? fixtureText(`os/${distro}/${name}`) : null);
  return parseOs({ osRelease: file("os-release"), centosRelease: file("centos-release"), redhatRelease: file("redhat-release") });
}

const expected: Record<string, OsFacts> = {
  "centos-7.2": { id: "centos", prettyName: "CentOS Linux 7 (Core)", family: "centos", major: 7, minor: 2, releaseLine: "CentOS Linux release 7.2.1511 (Core)" },
  "centos-7.4": { id: "centos", prettyName: "CentOS Linux 7 (Core)", family: "centos", major: 7, minor: 4, releaseLine: "CentOS Linux release 7.4.1708 (Core)" },
  "centos-7.6": { id: "centos", prettyName: "CentOS Linux 7 (Core)", family: "centos", major: 7, minor: 6, releaseLine: "CentOS Linux release 7.6.1810 (Core)" },
  "centos-7.9": { id: "centos", prettyName: "CentOS Linux 7 (Core)", family: "centos", major: 7, minor: 9, releaseLine: "CentOS Linux release 7.9.2009 (Core)" },
  "rhel-8.7": { id: "rhel", prettyName: "Red Hat Enterprise Linux 8.7 (Ootpa)", family: "rhel-compatible", major: 8, minor: 7, releaseLine: null },
  "rhel-9.4": { id: "rhel", prettyName: "Red Hat Enterprise Linux 9.4 (Plow)", family: "rhel-compatible", major: 9, minor: 4, releaseLine: null },
  "rocky-9.5": { id: "rocky", prettyName: "Rocky Linux 9.5 (Blue Onyx)", family: "rhel-compatible", major: 9, minor: 5, releaseLine: null },
  "alma-9.6": { id: "almalinux", prettyName: "AlmaLinux 9.6 (Sage Margay)", family: "rhel-compatible", major: 9, minor: 6, releaseLine: null },
  // VERSION_ID has the minor: os-release decides, not the RHEL line of Oracle Linux's /etc/redhat-release.
  "rhel-7.2": { id: "rhel", prettyName: "Red Hat Enterprise Linux Server 7.2 (Maipo)", family: "rhel-compatible", major: 7, minor: 2, releaseLine: null },
  "oracle-7.9": { id: "ol", prettyName: "Oracle Linux Server 7.9", family: "rhel-compatible", major: 7, minor: 9, releaseLine: null },
  // Stream says ID="centos" but is not CentOS Linux; it has no minor release at all.
  "centos-stream-9": { id: "centos", prettyName: "CentOS Stream 9", family: "rhel-compatible", major: 9, minor: null, releaseLine: "CentOS Stream release 9" },
  "ubuntu-22.04": { id: "ubuntu", prettyName: "Ubuntu 22.04.2 LTS", family: "other", major: 22, minor: 4, releaseLine: null },
  "debian-12": { id: "debian", prettyName: "Debian GNU/Linux 12 (bookworm)", family: "other", major: 12, minor: null, releaseLine: null },
};

describe("OS facts from release files", () => {
  for (const [distro, facts] of Object.entries(expected)) {
    it(`${distro}`, () => {
      expect(osOf(distro)).toEqual({ ok: true, value: facts });
    });
  }

  it("CentOS 7 os-release alone says only major 7 (the minor needs centos-release)", () => {
    const result = parseOs({ osRelease: fixtureText("os/centos-7.9/os-release"), centosRelease: null, redhatRelease: null });
    expect(result).toMatchObject({ ok: true, value: { id: "centos", major: 7, minor: null } });
  });

  it("RHEL 7 Server release line without os-release", () => {
    expect(parseReleaseLine("Red Hat Enterprise Linux Server release 7.2 (Maipo)\n")).toEqual({
      text: "Red Hat Enterprise Linux Server release 7.2 (Maipo)",
      major: 7,
      minor: 2,
    });
    expect(parseOs({ osRelease: null, centosRelease: null, redhatRelease: "Red Hat Enterprise Linux Server release 7.2 (Maipo)\n" }))
      .toMatchObject({ ok: true, value: { id: "rhel", family: "rhel-compatible", major: 7, minor: 2 } });
  });

  it("unquotes single quotes and escaped double quotes", () => {
    expect(parseOsRelease(`ID='rocky'\nPRETTY_NAME="Rocky \\"Blue\\" Onyx"\n# comment\n`)).toEqual({ ID: "rocky", PRETTY_NAME: 'Rocky "Blue" Onyx' });
  });

  it("nothing to read is a problem, not a guess", () => {
    expect(parseOs({ osRelease: null, centosRelease: null, redhatRelease: null })).toEqual({ ok: false, problem: "no os-release and no release file" });
  });
});
