// SEC-02's second witness: what the host's firewall does, seen from the runner. A TCP connection to
// a port nobody listens on and nobody opened comes back as a reset when nothing filters it, and as
// silence or an ICMP error when the firewall denies it. The configuration is a claim; this is its
// effect. Pure: the check hands it the probes' results.
import { describeOpening, openedPort } from "../facts/parsers/input-path.js";
import type { FamilyFirewall, IpFamily } from "../facts/types.js";
import { containingNetwork } from "../probes/cidr.js";
import type { TcpProbeResult } from "../probes/types.js";

/** How a probed port answered: reached the TCP stack unfiltered, or filtered by a drop or a reject. */
export type WitnessAnswer = "answered" | "dropped" | "rejected";

export function witnessAnswer(tcp: TcpProbeResult): WitnessAnswer {
  if (tcp.state === "filtered") return tcp.error === "timeout" ? "dropped" : "rejected";
  // A reset, or a connection accepted where nothing listens (a port the host forwards): unfiltered.
  return "answered";
}

export interface WitnessInput {
  family: IpFamily;
  address: string;
  /** What the configuration says for the family. */
  config: FamilyFirewall;
  /** The witness ports' results. */
  probes: ReadonlyArray<{ port: number; tcp: TcpProbeResult }>;
  /** The results of the host's other probed ports at the same address (its listeners, the page's ports). */
  others: readonly TcpProbeResult[];
  trustedSources: readonly string[];
}

export interface WitnessReading {
  family: IpFamily;
  /**
   * confirms: every usable port was filtered. contradicts: one reached the TCP stack unfiltered.
   * advisory: recorded, not deciding (the runner is trusted, or the deny looks like a closed port).
   * unknown: the network could not be asked (no port of the host reached, or no port outside the openings).
   */
  outcome: "confirms" | "contradicts" | "advisory" | "unknown";
  text: string;
  /** The first port that answered, for the verdict's message. */
  answeredPort: number | null;
}

function describeProbe(address: string, port: number, tcp: TcpProbeResult): string {
  const answer = witnessAnswer(tcp);
  const how = answer === "answered" ? (tcp.state === "open" ? "connection accepted" : `reset (${tcp.error ?? "ECONNREFUSED"})`) : answer === "dropped" ? "no answer (dropped)" : `${tcp.error} (rejected)`;
  return `${address}:${port} ${how} in ${tcp.ms} ms`;
}

/** The network's reading of one address family of a host. */
export function readWitness(input: WitnessInput): WitnessReading {
  const { family, address, config, probes, others, trustedSources } = input;
  const reading = (outcome: WitnessReading["outcome"], text: string, answeredPort: number | null = null): WitnessReading => ({ family, outcome, text, answeredPort });
  // Only a port outside every opening the configuration lists can show a hole: a range opened on
  // purpose is not one.
  const usable = probes.filter(({ port }) => openedPort(config.openings, "tcp", port) === null);
  const inside = probes.filter((p) => !usable.includes(p)).map(({ port }) => `${port} lies in ${describeOpening(openedPort(config.openings, "tcp", port)!)}`);
  const insideText = inside.length > 0 ? `; not counted: ${inside.join("; ")}` : "";
  if (usable.length === 0) return reading("unknown", `every witness port lies inside an opening of the configuration${insideText}`);
  const results = usable.map(({ port, tcp }) => describeProbe(address, port, tcp)).join(", ");
  // Silence from a host the runner reaches nowhere else is not a firewall's answer.
  if (!others.some((tcp) => tcp.state === "open")) {
    return reading("unknown", `${results}: no other port of ${address} accepted a connection from the runner, so silence cannot be told from an unreachable host`);
  }
  const answered = usable.find(({ tcp }) => witnessAnswer(tcp) === "answered")?.port ?? null;
  const runner = others.find((tcp) => tcp.localAddress)?.localAddress ?? null;
  const trusted = runner === null ? null : containingNetwork(trustedSources, runner);
  if (trusted !== null) {
    return reading("advisory", `${results}; the runner (${runner}) is inside the declared trusted network ${trusted} (firewall.trustedSources): recorded, not deciding${insideText}`, answered);
  }
  const wide = runner === null ? undefined : config.openings.find((o) => o.ports === "any" && o.sources.length > 0 && containingNetwork(o.sources, runner) !== null);
  if (wide) return reading("advisory", `${results}; the runner (${runner}) is inside the opening ${describeOpening(wide)}: recorded, not deciding${insideText}`, answered);
  if (answered !== null && config.defaultDenyInbound && config.denyAnswer === "closed-port") {
    // A TCP reset or ICMP port-unreachable reject reads as a closed port: consistent, not proof.
    return reading("advisory", `${results}: the configuration's deny answers with a TCP reset or ICMP port-unreachable, which a closed, unfiltered port also gives${insideText}`, answered);
  }
  return reading(answered === null ? "confirms" : "contradicts", `${results}${insideText}`, answered);
}
