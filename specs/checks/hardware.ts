// Page "Minimum hardware" [S3.1]-[S3.4]: x86_64, 2 cores, 4G RAM, 80 GB free disk on every host.
import { atLeast, broken, equals, fail, given, mapFact, pass } from "../../helpers/checks/assert.js";
import type { CheckModule } from "../../helpers/checks/types.js";
import type { FilesystemFacts } from "../../helpers/facts/types.js";

const GIB = 2 ** 30;
const gib = (bytes: number) => `${(bytes / GIB).toFixed(1)} GiB`;
const gb = (bytes: number) => `${(bytes / 1e9).toFixed(1)} GB`;

/** [S3.1] x86_64. */
const ARCHITECTURE = { value: "x86_64", expected: "x86_64" };
/** [S3.2] "2核": CPUs usable by workloads (affinity and cpusets count). */
const MIN_USABLE_CPUS = { value: 2, expected: "at least 2 cores usable by workloads" };
/** [S3.3] "4G": read as GiB, the unit RAM is sold and reported in. */
const RAM_REQUIRED_BYTES = 4 * GIB;
/**
 * When online memory is unknown: a 4 GiB machine reports about 3.6-3.8 GiB MemTotal (firmware,
 * crash kernel and kernel code are not counted), so demanding 4 GiB of MemTotal would fail every
 * compliant host. 3.5 GiB still rejects a 3 GiB machine.
 */
const MEMTOTAL_TOLERANCE_BYTES = 3.5 * GIB;
/** [S3.4] "80 GB": decimal, as disks are sold (80·10^9 bytes). */
const DISK_REQUIRED_BYTES = 80e9;

const describeFs = (fs: FilesystemFacts) => `${gb(fs.availBytes)} available on ${fs.path} (${fs.source}, ${fs.fstype}, mounted at ${fs.mountpoint})`;

export const hardwareChecks: CheckModule = {
  "HW-01": {
    reads: { facts: ["arch"] },
    decide: (ctx) => equals(ctx.fact("arch"), ARCHITECTURE, "architecture"),
  },

  "HW-02": {
    reads: { facts: ["cpus"] },
    decide: (ctx) => {
      const cpus = ctx.fact("cpus");
      // CPU affinity or a cpuset can leave workloads fewer CPUs than the machine has online.
      const online = cpus.observed && cpus.value.online !== null && cpus.value.online > cpus.value.usable ? ` of ${cpus.value.online} online` : "";
      return atLeast(
        mapFact(cpus, (c) => c.usable),
        MIN_USABLE_CPUS,
        "usable CPUs:",
        (usable) => `${usable}${online}`,
      );
    },
  },

  "HW-03": {
    reads: { facts: ["memTotalBytes", "onlineMemoryBytes", "cgroupMemoryLimitBytes"] },
    decide: (ctx) => {
      // Online memory is the machine's RAM; without it (both sources unreadable) MemTotal decides
      // with the tolerance above. Either is positive evidence of the size.
      const online = ctx.fact("onlineMemoryBytes");
      return given(
        { memTotal: ctx.fact("memTotalBytes"), cgroupLimit: ctx.fact("cgroupMemoryLimitBytes"), ...(online.observed ? { online } : {}) },
        ({ memTotal, cgroupLimit, online: onlineBytes }) => {
          const rule =
            onlineBytes !== undefined
              ? { bytes: onlineBytes, minimum: RAM_REQUIRED_BYTES, what: "online", name: "online memory >= 4 GiB" }
              : { bytes: memTotal, minimum: MEMTOTAL_TOLERANCE_BYTES, what: "MemTotal", name: `MemTotal >= 3.5 GiB, as online memory is unknown (${online.observed ? "" : online.reason})` };
          const expected = "at least 4 GiB RAM (online memory >= 4 GiB, or MemTotal >= 3.5 GiB when online memory is unknown), no cgroup limit below 4 GiB";
          const actual = [
            onlineBytes !== undefined ? `${gib(onlineBytes)} online` : "online memory unknown",
            `MemTotal ${gib(memTotal)}`,
            cgroupLimit !== null ? `cgroup limit ${gib(cgroupLimit)}` : "no cgroup limit",
          ].join(", ");
          const violations = [
            ...(rule.bytes < rule.minimum ? [`${gib(rule.bytes)} RAM (${rule.what})`] : []),
            ...(cgroupLimit !== null && cgroupLimit < RAM_REQUIRED_BYTES ? [`cgroup memory limit ${gib(cgroupLimit)}`] : []),
          ];
          return violations.length > 0
            ? fail(`${violations.join(" and ")}; the page requires 4G (rule: ${rule.name}; a cgroup limit below 4 GiB fails)`, { expected, actual })
            : pass(`${gib(rule.bytes)} RAM (${rule.what}), at least the page's 4G (rule: ${rule.name})`, { expected, actual });
        },
      );
    },
  },

  "HW-04": {
    reads: { facts: ["filesystems", "dockerDataRoot"] },
    decide: (ctx) =>
      given({ filesystems: ctx.fact("filesystems"), dataRootPath: ctx.fact("dockerDataRoot") }, ({ filesystems, dataRootPath }) => {
        const checkRoot = ctx.env.policy.diskCheckRoot;
        const dataRoot = filesystems.find((fs) => fs.path === dataRootPath) ?? null;
        const root = filesystems.find((fs) => fs.path === "/") ?? null;
        // df was asked about the data root when Docker named one or the default path exists;
        // otherwise there are no images yet, and "/" is where they will go.
        const checked = [
          ...(dataRoot !== null ? [{ fs: dataRoot, why: "Docker's data root" }] : []),
          ...(root !== null && (dataRoot === null || (checkRoot && root.mountpoint !== dataRoot.mountpoint)) ? [{ fs: root, why: "/" }] : []),
        ];
        const expected = `at least 80 GB (80·10^9 bytes) available on Docker's data root${checkRoot ? ' and on "/" if it is another filesystem' : ""}`;
        if (checked.length === 0) return broken(`df reported neither ${dataRootPath} nor /`);
        const actual = checked.map(({ fs, why }) => `${why}: ${describeFs(fs)}`).join("; ");
        const note = dataRoot === null ? ` [Docker's data root ${dataRootPath} does not exist yet: checked /]` : "";
        const short = checked.filter(({ fs }) => fs.availBytes < DISK_REQUIRED_BYTES);
        return short.length > 0
          ? fail(`${short.map(({ fs }) => describeFs(fs)).join("; ")}; the page requires 80 GB free${note}`, { expected, actual })
          : pass(`${actual}, at least the page's 80 GB${note}`, { expected, actual });
      }),
  },
};
