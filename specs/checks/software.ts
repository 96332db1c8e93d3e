// Page "Minimum software" [S4.1]-[S4.3]: CentOS release, kernel release, a working Docker engine.
import { fail, given, mapFact, pass, versionAtLeast } from "../../helpers/checks/assert.js";
import { type Fact, missing, observed } from "../../helpers/checks/evidence.js";
import type { ReleaseLine } from "../../helpers/facts/parsers/os.js";
import type { CheckContext, CheckModule } from "../../helpers/checks/types.js";
import type { OsFacts } from "../../helpers/facts/types.js";
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

/** -1/0/1 like a comparator; a minimum without a minor compares the majors only. */
function compareMajorMinor(host: MajorMinor, minimum: MajorMinor): number {
  if (host.major !== minimum.major) return host.major > minimum.major ? 1 : -1;
  return minimum.minor === null ? 0 : Math.sign((host.minor ?? 0) - minimum.minor);
}

/** The release of CentOS 7.2 and earlier comes from the same Enterprise Linux sources as these. */
const CENTOS_7_RELEASE_LINE = new Set(["centos", "rhel", "ol", "scientific"]);

/** The host's release as far as a comparison needs it, with the label to show. */
interface HostRelease extends MajorMinor {
  label: string;
}

/**
 * The host's release, its minor looked up only when `needsMinor(major)` says the comparison needs
 * it: from os-release's VERSION_ID when that has one ("7.9" on RHEL and Oracle Linux), else from
 * /etc/centos-release or /etc/redhat-release (CentOS 7's os-release says only "7"). A minor that
 * is needed and unknown makes the release missing.
 */
function hostRelease(ctx: CheckContext, os: OsFacts, needsMinor: (major: number) => boolean): Fact<HostRelease> {
  if (os.major === null) return missing(`the release version of ${os.prettyName} is unknown (no VERSION_ID in os-release)`, []);
  if (!needsMinor(os.major) || (os.minor !== null && os.releaseLine === null)) return observed({ major: os.major, minor: os.minor, label: os.prettyName }, []);
  const line: Fact<ReleaseLine> = ctx.fact("releaseLine");
  if (!line.observed) return line;
  if (line.value.minor === null) return missing(`the minor release is unknown: ${line.value.text}`, line.sources);
  return observed({ major: line.value.major, minor: line.value.minor, label: line.value.text }, line.sources);
}

const showVersion = (release: MajorMinor) => `${release.major}${release.minor !== null ? `.${release.minor}` : ""}`;

export const softwareChecks: CheckModule = {
  "SW-01": {
    reads: { facts: ["os", "releaseLine"] },
    decide: (ctx) =>
      given({ os: ctx.fact("os") }, ({ os }) => {
        const expected = `CentOS ${CENTOS_RECOMMENDED} or later, or a distribution of policy.osAllowed at its minimum version`;
        // The environment's policy first; CentOS Linux needs no entry (an entry may change its minimum).
        const allowedEntry = ctx.env.policy.osAllowed.find((entry) => entry.id === os.id);
        const minimum = allowedEntry?.minVersion ?? (os.family === "centos" ? CENTOS_RECOMMENDED : null);
        if (minimum === null) {
          const actual = `${os.id} ${os.major ?? "?"}: ${os.prettyName}`;
          return fail(`${os.prettyName} is not the page's OS (CentOS ${CENTOS_RECOMMENDED} or later), and policy.osAllowed does not list "${os.id}"`, { expected, actual });
        }
        const wanted = parseMinVersion(minimum);
        const pageRule = os.family === "centos" && minimum === CENTOS_RECOMMENDED;
        const basis = pageRule ? "the page's recommendation" : `policy.osAllowed: ${os.id} >= ${minimum}`;
        return given({ release: hostRelease(ctx, os, (major) => major === wanted.major && wanted.minor !== null) }, ({ release }) => {
          const version = showVersion(release);
          const actual = `${os.id} ${version}: ${release.label}`;
          return compareMajorMinor(release, wanted) < 0
            ? fail(`${release.label}: ${os.id} ${version} is older than ${minimum} (${basis}); the page recommends CentOS ${CENTOS_RECOMMENDED} or later`, { expected, actual })
            : pass(`${release.label}: ${os.id} ${version} >= ${minimum} (${basis})`, { expected, actual });
        });
      }),
  },

  "SW-02": {
    reads: { facts: ["os", "releaseLine"] },
    decide: (ctx) =>
      given({ os: ctx.fact("os") }, ({ os }) => {
        const floor = CENTOS_INCOMPATIBLE_UP_TO;
        const expected = `not CentOS ${floor.major}.${floor.minor} or earlier, nor RHEL or Oracle Linux of that release`;
        if (!CENTOS_7_RELEASE_LINE.has(os.id)) {
          return pass(`${os.prettyName} is not of CentOS 7's release line, so the page's CentOS 7.2 floor does not apply (SW-01 decides whether it is accepted)`, { expected, actual: `${os.id}: ${os.prettyName}` });
        }
        return given({ release: hostRelease(ctx, os, (major) => major === floor.major) }, ({ release }) => {
          const actual = `${os.id} ${showVersion(release)}: ${release.label}`;
          const same = os.family === "centos" ? "" : `, the release of CentOS ${showVersion(release)}`;
          return compareMajorMinor(release, floor) <= 0
            ? fail(`${release.label}: ${os.id} ${showVersion(release)}${same}; the page knows CentOS 7.2 or earlier to be incompatible`, { expected, actual })
            : pass(`${release.label}: ${os.id} ${showVersion(release)}, later than the page's incompatible CentOS 7.2`, { expected, actual });
        });
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
