// What each lab container is, as data: the compliant lab and the seeded-violation hosts. Pure: the
// files a container receives (lab.env, haproxy.cfg, prometheus.yml) are rendered here too, so
// lab.ts only starts containers.
import { quoteArg } from "../../helpers/transport/quote.js";

export type LabVariant = "compliant" | "violations";
export type LabComponent = "gateway" | "dashboard" | "dp-manager";
export type LabRole = "cp" | "dp";

export const COMPONENT_PORTS: Record<LabComponent, readonly number[]> = {
  gateway: [9080, 9443],
  dashboard: [7080],
  "dp-manager": [7900],
};
const ROLE_COMPONENTS: Record<LabRole, readonly LabComponent[]> = {
  cp: ["dashboard", "dp-manager"],
  dp: ["gateway"],
};
export const SSH_PORT = 22;
export const COMPLIANT_CENTOS_RELEASE = "7.9.2009";
export const COMPLIANT_KERNEL_RELEASE = "3.10.0-1160.el7.x86_64";
/** tmpfs size is a cap, not an allocation: a large one costs nothing and gives HW-04 its free space. */
export const DOCKER_DATA_ROOT_SIZE = "200g";
const GIB = 1024 ** 3;

export type LabFirewallKind = "nftables" | "firewalld" | "iptables" | "none";

/** The host firewall a lab host runs (api7-lab-init sets it up; README: "What is real"). */
export interface LabFirewall {
  kind: LabFirewallKind;
  /** TCP ports accepted inbound (firewalld: added --permanent, then --reload). */
  allowedPorts: number[];
  /** nftables only: output rules dropping traffic to a peer container's port. */
  blockOutput: { host: string; port: number }[];
  /** firewalld only: ports opened at runtime and not --permanent (seeded violation). */
  runtimeOnlyPorts: number[];
  /** firewalld only: the public zone's permanent target ("default" on a stock host). */
  zoneTarget: "default" | "ACCEPT";
  /** firewalld only: ZONE= of ifcfg-eth0, or null for no ifcfg file (NetworkManager's default zone). */
  ifcfgZone: string | null;
  /** iptables only: INPUT policy of /etc/sysconfig/iptables and /etc/sysconfig/ip6tables. */
  inputPolicy: { ipv4: "DROP" | "ACCEPT"; ipv6: "DROP" | "ACCEPT" };
  /** firewalld only: the zone eth0 is bound to, at runtime and --permanent. */
  zone: "public" | "trusted";
  /** nftables and iptables (IPv4): an unconditional accept ahead of the deny, persisted too (seeded violation). */
  acceptAllFirst: boolean;
  /** nftables only: a prerouting REDIRECT of one TCP port to another, persisted too (nothing listens on `from`). */
  natRedirect: { from: number; to: number } | null;
}

export interface LabHostSpec {
  kind: "host";
  name: string;
  role: LabRole;
  /** What this host gets wrong (violations variant), null on compliant hosts. */
  violation: string | null;
  components: LabComponent[];
  /** Listeners that are not API7 components. */
  extraListeners: number[];
  firewall: LabFirewall;
  centosRelease: string;
  kernelRelease: string;
  /** `uname -m` as the host reports it: containers share the build machine's CPU, so this is a shim. */
  machine: string;
  selinux: { runtime: "Enforcing" | "Permissive" | "Disabled"; config: "enforcing" | "permissive" | "disabled" };
  /** Mount the machine's Docker socket (the host's `docker version` answers). */
  dockerSocket: boolean;
  /** Size cap of the tmpfs on Docker's data root. */
  dockerDataRootSize: string;
  /** cpuset.cpus of the container, null for all CPUs. */
  cpuset: string | null;
  memoryLimitBytes: number | null;
  tls: "valid" | "expired";
  /** Record this other host's key for this host in known_hosts: the audit must see a changed host key. */
  knownHostKeyOf: string | null;
  /** Give this host that other host's /etc/machine-id once both run: a VM cloned from one template (its own host key). */
  machineIdOf: string | null;
  /** "host:port" the gateway forwards every request to (a gateway that needs the CP per request), or null. */
  gatewayUpstream: string | null;
  /** Debian's dhclient runs (on a veth pair inside the container: no DHCP traffic leaves it), holding UDP 68. */
  dhcpClient: boolean;
  /**
   * The components run as in a Docker container with published ports: they listen in a network
   * namespace of their own, and the host DNATs their ports to it (README: "Docker-published ports").
   */
  dockerPublished: boolean;
}

/**
 * How a load balancer takes a failed member out (HA-*):
 * - `fast-checks-redispatch`: active checks every 500 ms, and a connection that is refused or
 *   gets no answer within 500 ms is retried on the other member at once: survives a stop and a
 *   black hole.
 * - `slow-checks-no-redispatch`: the first refused connection marks the member down (`observe
 *   layer4`), but a member that stops answering is noticed only after 10 s connect timeouts or
 *   3 failed checks 2 s apart, and nothing is retried elsewhere: survives a stop, not a black hole.
 */
export type LabBalancing = "fast-checks-redispatch" | "slow-checks-no-redispatch";

export interface LabFrontend {
  port: number;
  /** How the lab checks the frontend relays traffic once started. */
  protocol: "http" | "tls";
  servers: string[];
  balancing: LabBalancing;
}

export interface LabLoadBalancerSpec {
  kind: "lb";
  name: string;
  violation: string | null;
  frontends: LabFrontend[];
}

export interface LabPostgresSpec {
  kind: "postgres";
  name: string;
  database: string;
  user: string;
}

export interface LabPrometheusSpec {
  kind: "prometheus";
  name: string;
  violation: string | null;
  /** Scrape targets besides Prometheus itself. */
  extraTargets: string[];
}

export type LabContainerSpec = LabHostSpec | LabLoadBalancerSpec | LabPostgresSpec | LabPrometheusSpec;

export const DATABASE = { host: "postgres", port: 5432, database: "api7", user: "api7" } as const;

function compliantHost(name: string, role: LabRole, firewallKind: LabFirewallKind = "nftables"): LabHostSpec {
  const components = [...ROLE_COMPONENTS[role]];
  return {
    kind: "host",
    name,
    role,
    violation: null,
    components,
    extraListeners: [],
    firewall: {
      kind: firewallKind,
      allowedPorts: [SSH_PORT, ...components.flatMap((c) => COMPONENT_PORTS[c])],
      blockOutput: [],
      runtimeOnlyPorts: [],
      zoneTarget: "default",
      ifcfgZone: null,
      inputPolicy: { ipv4: "DROP", ipv6: "DROP" },
      zone: "public",
      acceptAllFirst: false,
      natRedirect: null,
    },
    centosRelease: COMPLIANT_CENTOS_RELEASE,
    kernelRelease: COMPLIANT_KERNEL_RELEASE,
    machine: "x86_64",
    selinux: { runtime: "Enforcing", config: "enforcing" },
    dockerSocket: true,
    dockerDataRootSize: DOCKER_DATA_ROOT_SIZE,
    cpuset: null,
    memoryLimitBytes: null,
    tls: "valid",
    knownHostKeyOf: null,
    machineIdOf: null,
    gatewayUpstream: null,
    dhcpClient: false,
    dockerPublished: false,
  };
}

function withIfcfgZone(host: LabHostSpec, zone: string): LabHostSpec {
  return { ...host, firewall: { ...host.firewall, ifcfgZone: zone } };
}

/** One host per seeded violation; each differs from a compliant host in exactly one respect. */
function violationHosts(): LabHostSpec[] {
  const dp = (name: string, violation: string, change: (h: LabHostSpec) => Partial<LabHostSpec>): LabHostSpec => {
    const host = compliantHost(name, "dp");
    return { ...host, ...change(host), violation };
  };
  const cp = (name: string, violation: string, change: (h: LabHostSpec) => Partial<LabHostSpec>): LabHostSpec => {
    const host = compliantHost(name, "cp");
    return { ...host, ...change(host), violation };
  };
  return [
    dp("v-cpu1", "1 usable CPU (cpuset 0)", () => ({ cpuset: "0" })),
    dp("v-mem3g", "cgroup memory limit of 3 GiB", () => ({ memoryLimitBytes: 3 * GIB })),
    dp("v-disk", "10 GB on Docker's data root", () => ({ dockerDataRootSize: "10g" })),
    dp("v-arm64", "reports an aarch64 processor", () => ({ machine: "aarch64" })),
    cp("v-cp-no-dpm", "the DP Manager is not running on this CP host", (h) => ({
      components: h.components.filter((c) => c !== "dp-manager"),
    })),
    dp("v-dp-no-gateway", "the gateway is not running on this DP host", () => ({ components: [] })),
    dp("v-centos72", "CentOS 7.2.1511", () => ({ centosRelease: "7.2.1511" })),
    dp("v-centos74", "CentOS 7.4.1708", () => ({ centosRelease: "7.4.1708" })),
    dp("v-kernel327", "kernel 3.10.0-327.36.3.el7.x86_64", () => ({ kernelRelease: "3.10.0-327.36.3.el7.x86_64" })),
    dp("v-nodocker", "Docker daemon not answering (no socket)", () => ({ dockerSocket: false })),
    dp("v-selinux-off", "SELinux disabled", () => ({ selinux: { runtime: "Disabled", config: "disabled" } })),
    dp("v-selinux-mismatch", "SELinux Permissive at runtime, enforcing in its config", () => ({
      selinux: { runtime: "Permissive", config: "enforcing" },
    })),
    dp("v-fw-off", "no firewall rules at all", (h) => ({ firewall: { ...h.firewall, kind: "none" } })),
    dp("v-fwd-runtime-port", "firewalld: port 2379 open at runtime only, not --permanent", (h) => ({
      firewall: { ...h.firewall, kind: "firewalld", runtimeOnlyPorts: [2379] },
    })),
    dp("v-fwd-accept", "firewalld: the public zone's target is ACCEPT", (h) => ({
      firewall: { ...h.firewall, kind: "firewalld", zoneTarget: "ACCEPT" },
    })),
    dp("v-fwd-trusted", "firewalld: eth0 in the trusted zone (target ACCEPT), runtime and permanent", (h) => ({
      firewall: { ...h.firewall, kind: "firewalld", zone: "trusted" },
    })),
    dp("v-nft-accept-first", "nftables: policy drop, but an unconditional accept is the input chain's first rule (persisted)", (h) => ({
      firewall: { ...h.firewall, acceptAllFirst: true },
    })),
    dp("v-ipt-accept-first", "iptables: -A INPUT -j ACCEPT before the final REJECT, saved in /etc/sysconfig/iptables", (h) => ({
      firewall: { ...h.firewall, kind: "iptables", acceptAllFirst: true },
    })),
    dp("v-dnat-port", "nftables: prerouting redirects TCP 8888 to the gateway's 9080; nothing listens on 8888", (h) => ({
      firewall: { ...h.firewall, natRedirect: { from: 8888, to: 9080 } },
    })),
    dp("v-ipt-accept", "iptables: INPUT policy ACCEPT, no final DROP/REJECT", (h) => ({
      firewall: { ...h.firewall, kind: "iptables", inputPolicy: { ipv4: "ACCEPT", ipv6: "DROP" } },
    })),
    dp("v-ip6-open", "iptables: IPv4 denied by default, IPv6 wide open (listener on 2379 reachable over IPv6 only)", (h) => ({
      extraListeners: [2379],
      firewall: { ...h.firewall, kind: "iptables", inputPolicy: { ipv4: "DROP", ipv6: "ACCEPT" } },
    })),
    cp("v-cp-gateway", "a gateway also runs on this CP host (ports allowed)", (h) => ({
      components: [...h.components, "gateway"],
      firewall: { ...h.firewall, allowedPorts: [...h.firewall.allowedPorts, ...COMPONENT_PORTS.gateway] },
    })),
    dp("v-port-open", "extra listener on 2379 allowed by the firewall", (h) => ({
      extraListeners: [2379],
      firewall: { ...h.firewall, allowedPorts: [...h.firewall.allowedPorts, 2379] },
    })),
    dp("v-port-blocked", "extra listener on 2379, blocked by the firewall", () => ({ extraListeners: [2379] })),
    dp("v-cert-expired", "9443 serves an expired certificate", () => ({ tls: "expired" })),
    cp("v-dash-closed", "the firewall does not allow 7080 although the dashboard listens", (h) => ({
      firewall: { ...h.firewall, allowedPorts: h.firewall.allowedPorts.filter((p) => p !== 7080) },
    })),
    dp("v-hostkey-changed", "known_hosts records another host's key for it (host key changed)", () => ({ knownHostKeyOf: "dp1" })),
    // Not a violation of the page: distinct machines that share a machine-id (TOPO-01 passes with a note).
    dp("v-cloned-machine-id", "dp1's /etc/machine-id, its own SSH host key (a clone of an unsealed VM template)", () => ({ machineIdOf: "dp1" })),
    cp("v-db-unreach", "an output rule drops traffic to the database's 5432", (h) => ({
      firewall: { ...h.firewall, blockOutput: [{ host: DATABASE.host, port: DATABASE.port }] },
    })),
  ];
}

function frontends(ports: { port: number; protocol: LabFrontend["protocol"] }[], servers: string[], balancing: LabBalancing): LabFrontend[] {
  return ports.map(({ port, protocol }) => ({ port, protocol, servers, balancing }));
}

/** Every container of a lab variant, hosts first. */
export function labTopology(variant: LabVariant): LabContainerSpec[] {
  const violations = variant === "violations";
  const hosts: LabHostSpec[] = [
    // One stock CentOS 7 firewall each: firewalld (ZONE= in ifcfg, and NetworkManager's default
    // zone), iptables-services, nftables.
    withIfcfgZone(compliantHost("cp1", "cp", "firewalld"), "public"),
    compliantHost("cp2", "cp", "iptables"),
    // dp1 is also DHCP-addressed: its client's UDP 68 is a client endpoint, not a service (SEC-05).
    { ...compliantHost("dp1", "dp", "nftables"), dhcpClient: true },
    // The compliant lab's dp2 publishes its gateway as Docker does (DNAT, then FORWARD), where the
    // failover faults must cut it too.
    { ...compliantHost("dp2", "dp", "firewalld"), dockerPublished: !violations },
    ...(violations ? violationHosts() : []),
  ].map((host) =>
    // HA-DP-02: the pair's gateways ask the control plane on every request, so a CP failover
    // disturbs data-plane traffic (real gateways serve their cached configuration instead).
    violations && (host.name === "dp1" || host.name === "dp2") ? { ...host, gatewayUpstream: "lb-cp:7900" } : host,
  );
  const gatewayPorts = [
    { port: 9080, protocol: "http" as const },
    { port: 9443, protocol: "tls" as const },
  ];
  const lbDp: LabLoadBalancerSpec = {
    kind: "lb",
    name: "lb-dp",
    violation: violations
      ? "health checks with long timeouts and no redispatch (a stopped gateway is taken out, a black-holed one is not); its gateways ask the CP on every request"
      : null,
    frontends: frontends(gatewayPorts, ["dp1", "dp2"], violations ? "slow-checks-no-redispatch" : "fast-checks-redispatch"),
  };
  const lbCp: LabLoadBalancerSpec = {
    kind: "lb",
    name: "lb-cp",
    violation: violations ? "sends everything to cp1 (cp2 is not a backend)" : null,
    frontends: frontends(
      [
        { port: 7080, protocol: "http" },
        { port: 7900, protocol: "http" },
      ],
      violations ? ["cp1"] : ["cp1", "cp2"],
      "fast-checks-redispatch",
    ),
  };
  return [
    ...hosts,
    lbDp,
    lbCp,
    { kind: "postgres", name: DATABASE.host, database: DATABASE.database, user: DATABASE.user },
    {
      kind: "prometheus",
      name: "prometheus",
      violation: violations ? "one scrape target is down" : null,
      // 9100 (node exporter's port) has no listener in the prometheus container.
      extraTargets: violations ? ["localhost:9100"] : [],
    },
  ];
}

/** /etc/api7-lab/lab.env: sourced by api7-lab-init (bash), so every value is shell-quoted. */
export function labEnvFile(spec: LabContainerSpec): string {
  const host = spec.kind === "host" ? spec : null;
  const waitFor = spec.kind === "lb" ? [...new Set(spec.frontends.flatMap((f) => f.servers))] : [];
  const values: Record<string, string> = {
    LAB_KIND: spec.kind,
    LAB_NAME: spec.name,
    LAB_COMPONENTS: host?.components.join(" ") ?? "",
    LAB_EXTRA_LISTENERS: host?.extraListeners.join(" ") ?? "",
    LAB_FIREWALL: host?.firewall.kind ?? "none",
    LAB_FIREWALL_ALLOW: host ? [...new Set(host.firewall.allowedPorts)].sort((a, b) => a - b).join(" ") : "",
    LAB_BLOCK_OUTPUT: host?.firewall.blockOutput.map((b) => `${b.host}:${b.port}`).join(" ") ?? "",
    LAB_FIREWALLD_RUNTIME_ONLY: host?.firewall.runtimeOnlyPorts.join(" ") ?? "",
    LAB_FIREWALLD_TARGET: host?.firewall.zoneTarget ?? "",
    LAB_IFCFG_ZONE: host?.firewall.ifcfgZone ?? "",
    LAB_IPV4_POLICY: host?.firewall.inputPolicy.ipv4 ?? "",
    LAB_IPV6_POLICY: host?.firewall.inputPolicy.ipv6 ?? "",
    LAB_FIREWALLD_ZONE: host?.firewall.zone ?? "",
    LAB_ACCEPT_ALL_FIRST: host?.firewall.acceptAllFirst ? "yes" : "",
    LAB_NAT_REDIRECT: host?.firewall.natRedirect ? `${host.firewall.natRedirect.from}:${host.firewall.natRedirect.to}` : "",
    LAB_DHCP_CLIENT: host?.dhcpClient ? "yes" : "",
    LAB_CENTOS_RELEASE: host?.centosRelease ?? "",
    LAB_KERNEL_RELEASE: host?.kernelRelease ?? "",
    LAB_MACHINE: host?.machine ?? "",
    LAB_GATEWAY_UPSTREAM: host?.gatewayUpstream ?? "",
    LAB_PUBLISHED_PORTS: host?.dockerPublished ? host.components.flatMap((c) => COMPONENT_PORTS[c]).join(" ") : "",
    LAB_SELINUX_RUNTIME: host?.selinux.runtime ?? "",
    LAB_SELINUX_CONFIG: host?.selinux.config ?? "",
    LAB_TLS: host?.tls ?? "",
    LAB_WAIT_FOR: waitFor.join(" "),
  };
  return Object.entries(values)
    .map(([key, value]) => `${key}=${quoteArg(value)}`)
    .join("\n")
    .concat("\n");
}

/** haproxy lines of each balancing policy: backend settings, then what follows every server line. */
const BALANCING: Record<LabBalancing, { backend: string[]; server: string }> = {
  "fast-checks-redispatch": {
    // `redispatch 1`: every retry goes to another member, not just the last one.
    backend: ["    timeout connect 500ms", "    option redispatch 1", "    retries 2"],
    server: " check inter 500ms downinter 250ms fall 2 rise 2",
  },
  "slow-checks-no-redispatch": {
    backend: ["    timeout connect 10s", "    retries 3"],
    server: " check inter 2s downinter 250ms fall 3 rise 2 observe layer4 error-limit 1 on-error mark-down",
  },
};

/** The rendered file's first line: which lab service it is, and its seeded violation if any. */
function headerComment(spec: LabLoadBalancerSpec | LabPrometheusSpec): string {
  return `# ${spec.name}${spec.violation ? ` (seeded violation: ${spec.violation})` : ""}`;
}

/** TCP load balancing, one backend per frontend port, each with its balancing policy. */
export function haproxyConfig(spec: LabLoadBalancerSpec): string {
  const lines = [
    headerComment(spec),
    "global",
    "    maxconn 4096",
    "defaults",
    "    mode tcp",
    "    timeout client 60s",
    "    timeout server 60s",
  ];
  for (const frontend of spec.frontends) {
    const name = `port-${frontend.port}`;
    const balancing = BALANCING[frontend.balancing];
    lines.push(`frontend ${name}`, `    bind :${frontend.port}`, `    default_backend ${name}`);
    lines.push(`backend ${name}`, "    balance roundrobin", ...balancing.backend);
    // ipv4@: the lab network is dual-stack and the stand-ins listen on IPv4; haproxy resolves a name once, at start.
    for (const server of frontend.servers) lines.push(`    server ${server} ipv4@${server}:${frontend.port}${balancing.server}`);
  }
  return lines.join("\n").concat("\n");
}

export function prometheusConfig(spec: LabPrometheusSpec): string {
  const jobs = [
    { job: "prometheus", targets: ["localhost:9090"] },
    ...(spec.extraTargets.length > 0 ? [{ job: "lab-exporter", targets: spec.extraTargets }] : []),
  ];
  const lines = [
    headerComment(spec),
    "global:",
    "  scrape_interval: 2s",
    "  scrape_timeout: 1s",
    "scrape_configs:",
    ...jobs.flatMap(({ job, targets }) => [
      `  - job_name: ${job}`,
      "    static_configs:",
      `      - targets: [${targets.map((t) => JSON.stringify(t)).join(", ")}]`,
    ]),
  ];
  return lines.join("\n").concat("\n");
}

/** Inventory hosts (SSH-audited), in topology order. */
export function labHosts(variant: LabVariant): LabHostSpec[] {
  return labTopology(variant).filter((spec): spec is LabHostSpec => spec.kind === "host");
}
