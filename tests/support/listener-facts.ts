// Facts of a host known only by its listeners, for tests of the port and probe checks: the
// listeners are what those checks read; the ss-listen section only has to have run. The hosts
// have no global IPv6 address unless a test adds one.
import type { HostFacts, Listener } from "../../helpers/facts/types.js";
import type { CommandOutput } from "../../helpers/model.js";

export const ranSsListen: CommandOutput = { section: "ss-listen", command: "ss -Htlnp", exitCode: 0, stdout: "(listeners given by the test)", stderr: "", durationMs: 2 };
/** `ip -6 addr show scope global` on a host without a global IPv6 address: no output. */
export const noGlobalIpv6: CommandOutput = { section: "ipv6-addresses", command: "ip -6 -o addr show scope global", exitCode: 0, stdout: "", stderr: "", durationMs: 2 };

/** A host without nftables and without legacy iptables: no NAT rule forwards a port (exit 127, as bash reports it). */
export const noNatRules: CommandOutput[] = [
  { section: "nft-ruleset", command: "nft list ruleset", exitCode: 127, stdout: "", stderr: "bash: line 1: nft: command not found\n", durationMs: 1 },
  { section: "iptables-nat", command: "iptables -w -t nat -S", exitCode: 127, stdout: "", stderr: "bash: line 1: iptables: command not found\n", durationMs: 1 },
];

export function listenerFacts(host: string, listeners: Listener[]): HostFacts {
  return {
    host,
    arch: null,
    cpu: null,
    memory: null,
    filesystems: [],
    os: null,
    kernelRelease: null,
    docker: { state: "running", clientVersion: null, serverVersion: null, rootDir: null },
    selinux: { config: null },
    firewall: null,
    listeners,
    forwardedPorts: [],
    machineId: null,
    processes: [],
    containers: [],
    problems: {},
  };
}
