// Typed facts of one host, built by pure parsers from the raw sections of the collection script.
// A field is `null` when its section failed or the tool is absent; `problems` says why.

/** "centos" is CentOS Linux, the page's OS; CentOS Stream is "rhel-compatible". */
export type OsFamily = "centos" | "rhel-compatible" | "other";

export interface OsFacts {
  /** os-release ID, e.g. "centos", "rhel", "rocky", "almalinux", "ol", "ubuntu", "debian". */
  id: string;
  prettyName: string;
  family: OsFamily;
  /** From VERSION_ID when it has the minor ("7.9"), else from the release file (CentOS 7 says "7"). */
  major: number | null;
  minor: number | null;
  /** The release file line that gave major/minor (CentOS 7, CentOS Stream), null when os-release did. */
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
  /** SELINUX= in /etc/selinux/config; null when the file is absent. */
  config: SelinuxMode | null;
}

export type FirewallTool = "firewalld" | "nftables" | "iptables";
export type IpFamily = "ipv4" | "ipv6";

/** How inbound traffic of one address family is decided. */
export interface FamilyFirewall {
  /** The firewall that denies this family by default, or null when none does. */
  tool: FirewallTool | null;
  /** Inbound traffic of this family is dropped unless a rule accepts it. */
  defaultDenyInbound: boolean;
  /** Its persistent configuration equals the running one; null where it cannot be compared. */
  persistentMatchesRuntime: boolean | null;
  /** What was read, e.g. "iptables: chain INPUT policy DROP; /etc/sysconfig/iptables has the same ...". */
  detail: string;
  /** Where the deny leaves new inbound traffic in, in rule order (empty when nothing denies). */
  openings: Opening[];
  /** How a denied TCP connection looks from the runner; null when nothing denies. */
  denyAnswer: DenyAnswer | null;
}

/**
 * How a firewall's deny answers a TCP connection: "silence" (drop), "icmp-error" (a reject with
 * ICMP host/admin-prohibited or unreachable: EHOSTUNREACH, EACCES, ENETUNREACH), or "closed-port"
 * (a TCP reset or ICMP port-unreachable: ECONNREFUSED, which a closed, unfiltered port also gives).
 */
export type DenyAnswer = "silence" | "icmp-error" | "closed-port";

/** A destination port the host's NAT rules send elsewhere (Docker's published ports, a redirect). */
export interface ForwardedPort {
  protocol: "tcp" | "udp";
  ports: [number, number];
  /** The rule, as listed, that forwards it. */
  rule: string;
}

/** New inbound traffic a rule, zone field or service accepts before the deny. */
export interface Opening {
  /** "tcp", "udp", "icmp", ... or "any". */
  protocol: string;
  /** Destination port ranges; "any" for every port; "unknown" where a named service decides (firewalld). */
  ports: Array<[number, number]> | "any" | "unknown";
  /** Source networks it is limited to; empty for any source. */
  sources: string[];
  /** Inbound interface it is limited to; null for any. */
  iface: string | null;
  /** The rule or zone field that opens it, as listed. */
  rule: string;
}

/** Where a runtime interface binding of firewalld comes from at boot (evidence, not drift). */
export interface ZoneBinding {
  interface: string;
  /** The zone it is bound to at runtime. */
  zone: string;
  /** e.g. "ifcfg-eth0 ZONE=public", "NetworkManager connection zone public", or why none was found. */
  source: string;
}

/** A firewalld zone that traffic of the host traverses. */
export interface FirewalldZoneFacts {
  zone: string;
  /** "default", "ACCEPT", "DROP", "REJECT" or "%%REJECT%%". */
  target: string;
  /** Interfaces and sources bound to it at runtime. */
  interfaces: string[];
  sources: string[];
  /** For the default zone: the host's interfaces bound to no zone, whose traffic it takes. */
  defaultFor: string[];
  /** Persisted zone fields whose runtime and permanent values differ (never "interfaces"); null when
   * the permanent listing could not be read. */
  drift: string[] | null;
  /** Interfaces bound to the zone at runtime, with the boot-time source of each binding. */
  bindings: ZoneBinding[];
}

export interface FirewalldFacts {
  defaultZone: string;
  /** Every zone with an interface or source bound, and the default zone where an interface is unbound. */
  zones: FirewalldZoneFacts[];
}

export interface FirewallFacts {
  /** Summary over the families that must be covered (IPv4, and IPv6 unless it is disabled). */
  tool: FirewallTool | null;
  active: boolean;
  /** Inbound traffic is dropped unless a rule accepts it, for IPv4 and (unless disabled) IPv6. */
  defaultDenyInbound: boolean;
  /** Persistent configuration equals the running one; null where the tool cannot tell. */
  persistentMatchesRuntime: boolean | null;
  detail: string;
  families: Record<IpFamily, FamilyFirewall>;
  /** IPv6 disabled on the host (then it needs no default deny), with what showed it; null when unknown. */
  ipv6Disabled: { disabled: boolean; evidence: string } | null;
  /** Present when firewalld is running. */
  firewalld: FirewalldFacts | null;
  /** Why a listing the verdict depends on could not be read; null when every one was read. */
  listingProblem: string | null;
}

export interface Listener {
  protocol: "tcp" | "udp";
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
  /** Ports the host's NAT rules forward; null when the rules could not be read. */
  forwardedPorts: ForwardedPort[] | null;
  machineId: string | null;
  /** Command lines of running processes (for component detection). */
  processes: string[];
  /** Names of running Docker containers (empty when Docker is absent). */
  containers: string[];
  /** Section name -> why it could not be parsed. */
  problems: Record<string, string>;
}
