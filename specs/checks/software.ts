// Page "Minimum software" [S4.1]-[S4.3]: CentOS release, kernel release, a working Docker engine.
import { fail, given, mapFact, pass, versionAtLeast } from "../../helpers/checks/assert.js";
import type { Fact } from "../../helpers/checks/evidence.js";
import type { ReleaseLine } from "../../helpers/facts/parsers/os.js";
import type { CheckContext, CheckModule } from "../../helpers/checks/types.js";
import type { OsFacts } from "../../helpers/facts/types.js";
import type { CheckOutcome } from "../../helpers/model.js";
import { compareEVR, compareKernelRelease, kernelBaseBuild } from "../../helpers/versions/rpmvercmp.js";

/** [S4.1] "推荐 CentOS 7.6 及以上". */
const CENTOS_RECOMMENDED = "7.6";
/** [S4.1] CentOS 7.2 or earlier is known to be incompatible. */
const CENTOS_INCOMPATIBLE_UP_TO = { major: 7, minor: 2 };
/** [S4.2] recommended and known-incompatible kernel releases (listed by the page under "Docker"). */
const KERNEL_RECOMMENDED = "3.10.0-927";
const KERNEL_INCOMPATIBLE_UP_TO = "3.10.0-327";
const KERNEL_NOTE = 'the page lists these numbers under "Docker", but they are CentOS 7 kernel releases';
/** The schema's default for policy.dockerMinVersion, and where it comes from. */
const DOCKER_MIN_DEFAULT = "20.10.7";

interface MajorMinor {
  major: number;
  minor: number | null;
}

function parseMinVersion(text: string): MajorMinor {
  const [major, minor] = text.split(".");
  return { major: Number(major), minor: minor === undefined ? null : Number(minor) };
}

/** -1/0/1 like a comparator. */
function compareMajorMinor(host: { major: number; minor: number }, minimum: MajorMinor): number {
  if (host.major !== minimum.major) return host.major > minimum.major ? 1 : -1;
  return minimum.minor === null ? 0 : Math.sign(host.minor - minimum.minor);
}

const needsReleaseLine = (os: OsFacts) => os.family !== "other";

/**
 * The release the page's CentOS rules need: os-release says only "7", so CentOS and its rebuilds
 * also need /etc/centos-release or /etc/redhat-release for the minor version.
 */
function withRelease(ctx: CheckContext, decide: (os: OsFacts, release: { major: number; minor: number; line: string } | null) => CheckOutcome): CheckOutcome {
  return given({ os: ctx.fact("os") }, ({ os }) => {
    if (!needsReleaseLine(os)) return decide(os, null);
    const release: Fact<ReleaseLine> = ctx.fact("releaseLine");
    return given({ os: ctx.fact("os"), release }, ({ release: line }) => {
      if (line.minor === null) return { status: "broken", message: `the minor release is unknown: ${line.text}` };
      return decide(os, { major: line.major, minor: line.minor, line: line.text });
    });
  });
}

export const softwareChecks: CheckModule = {
  "SW-01": {
    reads: { facts: ["os", "releaseLine"] },
    decide: (ctx) =>
      withRelease(ctx, (os, release) => {
        const allowedEntry = ctx.env.policy.osAllowed.find((entry) => entry.id === os.id);
        // CentOS is the page's own recommendation: it needs no policy entry (an entry may change its minimum).
        const minimum = allowedEntry?.minVersion ?? (os.family === "centos" ? CENTOS_RECOMMENDED : null);
        const expected = `CentOS ${CENTOS_RECOMMENDED} or later, or a distribution of policy.osAllowed at its minimum version`;
        const label = release?.line ?? os.prettyName;
        const version = release ? `${release.major}.${release.minor}` : `${os.major ?? "?"}`;
        const actual = `${os.id} ${version}: ${label}`;
        if (minimum === null) {
          return fail(`${label} is not CentOS and not in the environment's policy.osAllowed; the page recommends CentOS ${CENTOS_RECOMMENDED} or later`, { expected, actual });
        }
        const hostVersion = release ?? (os.major !== null ? { major: os.major, minor: 0 } : null);
        const wanted = parseMinVersion(minimum);
        if (hostVersion === null || (release === null && wanted.minor !== null)) {
          return { status: "broken", message: `the release version of ${os.prettyName} is unknown, and ${minimum} needs it` };
        }
        const basis = os.family === "centos" && minimum === CENTOS_RECOMMENDED ? "the page's recommendation" : `policy.osAllowed: ${os.id} >= ${minimum}`;
        return compareMajorMinor(hostVersion, wanted) < 0
          ? fail(`${label}: ${os.id} ${version} is older than ${minimum} (${basis}); the page recommends CentOS ${CENTOS_RECOMMENDED} or later`, { expected, actual })
          : pass(`${label}: ${os.id} ${version} >= ${minimum} (${basis})`, { expected, actual });
      }),
  },

  "SW-02": {
    reads: { facts: ["os", "releaseLine"] },
    decide: (ctx) =>
      withRelease(ctx, (os, release) => {
        const expected = `not CentOS ${CENTOS_INCOMPATIBLE_UP_TO.major}.${CENTOS_INCOMPATIBLE_UP_TO.minor} or earlier`;
        const actual = `${os.id}: ${release?.line ?? os.prettyName}`;
        if (os.family !== "centos" || release === null) {
          return pass(`${release?.line ?? os.prettyName} is not CentOS, so the page's CentOS 7.2 floor does not apply (SW-01 decides whether it is accepted)`, { expected, actual });
        }
        const tooOld = compareMajorMinor(release, CENTOS_INCOMPATIBLE_UP_TO) <= 0;
        return tooOld
          ? fail(`CentOS ${release.major}.${release.minor} (${release.line}); the page knows CentOS 7.2 or earlier to be incompatible`, { expected, actual })
          : pass(`CentOS ${release.major}.${release.minor}, later than the page's incompatible 7.2`, { expected, actual });
      }),
  },

  "SW-03": {
    reads: { facts: ["kernelRelease"] },
    decide: (ctx) =>
      given({ kernel: ctx.fact("kernelRelease") }, ({ kernel }) => {
        const detail = { expected: `kernel >= ${KERNEL_RECOMMENDED} (rpm version order)`, actual: kernel };
        return compareKernelRelease(kernel, KERNEL_RECOMMENDED) >= 0
          ? pass(`kernel ${kernel}, at least the page's recommended ${KERNEL_RECOMMENDED} (${KERNEL_NOTE})`, detail)
          : fail(`kernel ${kernel}, older than the page's recommended ${KERNEL_RECOMMENDED} (${KERNEL_NOTE})`, detail);
      }),
  },

  "SW-04": {
    reads: { facts: ["kernelRelease"] },
    decide: (ctx) =>
      given({ kernel: ctx.fact("kernelRelease") }, ({ kernel }) => {
        const base = kernelBaseBuild(kernel);
        const build = `${base.version}${base.release !== null ? `-${base.release}` : ""}`;
        const detail = { expected: `kernel build later than ${KERNEL_INCOMPATIBLE_UP_TO}`, actual: kernel };
        return compareEVR(base, KERNEL_INCOMPATIBLE_UP_TO) <= 0
          ? fail(`kernel ${kernel} (build ${build}); the page knows ${KERNEL_INCOMPATIBLE_UP_TO} (the CentOS 7.2 kernel) or earlier to be incompatible (${KERNEL_NOTE})`, detail)
          : pass(`kernel ${kernel} (build ${build}), later than the page's incompatible ${KERNEL_INCOMPATIBLE_UP_TO} (${KERNEL_NOTE})`, detail);
      }),
  },

  "SW-05": {
    reads: { facts: ["docker"] },
    decide: (ctx) => {
      const minimum = ctx.env.policy.dockerMinVersion;
      const source = minimum === DOCKER_MIN_DEFAULT ? `${minimum}, the vendor's earlier HA page` : `${minimum}, this environment's policy.dockerMinVersion`;
      const expected = `a running Docker engine, server version >= ${source}`;
      const docker = ctx.fact("docker");
      if (docker.observed && docker.value.state === "running") {
        // The engine fact has a server version whenever the daemon answered.
        return versionAtLeast(mapFact(docker, (engine) => engine.serverVersion ?? ""), { value: minimum, expected }, "Docker engine");
      }
      return given({ docker }, ({ docker: engine }) => {
        // A failed `docker version` is the finding here: the page asks for a working engine.
        const actual = engine.state === "not-installed" ? "Docker not installed" : `Docker client ${engine.clientVersion ?? "(version unknown)"}, daemon not answering`;
        return fail(`${actual}; the page requires a correctly installed, working Docker engine`, { expected, actual });
      });
    },
  },
};
