// Typed facts of one host, built by pure parsers from the raw sections of the collection script.
// A field is `null` when its section failed or the tool is absent; `problems` says why.

export type OsFamily = "centos" | "rhel-compatible" | "other";

export interface OsFacts {
  /** os-release ID, e.g. "centos", "rhel", "rocky", "almalinux", "ol", "ubuntu", "debian". */
  id: string;
  prettyName: string;
  family: OsFamily;
  major: number | null;
  /** From /etc/centos-release or /etc/redhat-release when present (os-release says only "7"). */
  minor: number | null;
  /** The release file line that decided major/minor, if any. */
  releaseLine: string | null;
}

export interface CpuFacts {
  /** CPUs usable by workloads: affinity-aware (`nproc`). */
  usable: number;
  /** CPUs online on the machine (/sys/devices/system/cpu/online), if known. */
  online: number | null;
}

export interface MemoryFacts {
  memTotalBytes: number;
  /** Online memory from lsmem or /sys/devices/system/memory blocks, if known. */
  onlineBytes: number | null;
  /** cgroup v2 memory.max or v1 memory.limit_in_bytes; null when unlimited or unknown. */
  cgroupLimitBytes: number | null;
}

export interface FilesystemFacts {
  /** The path that was asked about (e.g. Docker's data root, "/"). */
  path: string;
  source: string;
  fstype: string;
  mountpoint: string;
  sizeBytes: number;
  availBytes: number;
}

export interface DockerFacts {
  state: "running" | "daemon-down" | "not-installed";
  clientVersion: string | null;
  serverVersion: string | null;
  rootDir: string | null;
}

export type SelinuxMode = "enforcing" | "permissive" | "disabled";

export interface SelinuxFacts {
  /** Running mode (getenforce or /sys/fs/selinux/enforce); null when SELinux tools are absent. */
  runtime: SelinuxMode | null;
  /** SELINUX= in /etc/selinux/config; null when the file is absent. */
  config: SelinuxMode | null;
}

export interface FirewallFacts {
  tool: "firewalld" | "nftables" | "iptables" | null;
  active: boolean;
  /** Inbound traffic is dropped unless a rule accepts it. */
  defaultDenyInbound: boolean;
  /** Persistent configuration equals the running one; null where the tool cannot tell. */
  persistentMatchesRuntime: boolean | null;
  detail: string;
}

export interface Listener {
  protocol: "tcp";
  address: string;
  port: number;
  process: string | null;
}

export interface HostFacts {
  host: string;
  arch: string | null;
  cpu: CpuFacts | null;
  memory: MemoryFacts | null;
  /** Docker data root first (when known), then "/". */
  filesystems: FilesystemFacts[];
  os: OsFacts | null;
  kernelRelease: string | null;
  docker: DockerFacts;
  selinux: SelinuxFacts;
  firewall: FirewallFacts | null;
  listeners: Listener[];
  machineId: string | null;
  /** Command lines of running processes (for component detection). */
  processes: string[];
  /** Names of running Docker containers (empty when Docker is absent). */
  containers: string[];
  /** Section name -> why it could not be parsed. */
  problems: Record<string, string>;
}
