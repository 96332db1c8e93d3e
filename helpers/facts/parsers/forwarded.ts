// Ports the host forwards by NAT (SEC-04): Docker with "userland-proxy": false publishes a port by a
// DNAT rule alone, so nothing listens on it and `ss` does not show it; a REDIRECT does the same.
// Read from `nft list ruleset` (ip, ip6 and inet tables, iptables-nft's included) and `iptables -w
// -t nat -S` (legacy iptables). A program that is not installed forwards nothing.
import type { CommandOutput } from "../../model.js";
import type { ForwardedPort } from "../types.js";
import { iptablesForwardedPorts } from "./iptables.js";
import { nftForwardedPorts, nftTopLevelProblem, parseNftRuleset } from "./nftables.js";
import { type Parsed, parsed, sectionProblem, unparsed } from "./result.js";

export interface ForwardingInputs {
  nftRuleset?: CommandOutput;
  iptablesNat?: CommandOutput;
}

/** exit 127: the program is not installed. */
const notInstalled = (section: CommandOutput | undefined) => section?.exitCode === 127;

export function parseForwardedPorts(inputs: ForwardingInputs): Parsed<ForwardedPort[]> {
  const found: ForwardedPort[] = [];
  for (const [section, read] of [
    [inputs.nftRuleset, readNft],
    [inputs.iptablesNat, readIptablesNat],
  ] as const) {
    if (notInstalled(section)) continue;
    const problem = sectionProblem(section);
    if (problem !== null) return unparsed(`${section?.section ?? "a NAT listing"}: ${problem}`);
    const ports = read(section!.stdout);
    if (!ports.ok) return unparsed(`${section!.section}: ${ports.problem}`);
    found.push(...ports.value);
  }
  // iptables-nft's rules show in both listings: each port once, with the first rule that forwards it.
  return parsed(found.filter((port, i) => found.findIndex((p) => p.protocol === port.protocol && p.ports[0] === port.ports[0] && p.ports[1] === port.ports[1]) === i));
}

/**
 * Only a listing that reads as one counts: "no forwarded port" from text that is not a ruleset
 * would pass SEC-04 on nothing. An empty ruleset cannot be told from a listing that printed nothing.
 */
function readNft(stdout: string): Parsed<ForwardedPort[]> {
  if (stdout.trim() === "") return unparsed("nft list ruleset printed nothing: an empty ruleset cannot be told from a listing that failed");
  const stray = nftTopLevelProblem(stdout);
  // Ports a rule forwards but the parser cannot name would go unprobed: no "nothing forwarded" on them.
  return stray === null ? nftForwardedPorts(parseNftRuleset(stdout)) : unparsed(stray);
}

/** `iptables -t nat -S` always lists the built-in chains' policies. */
function readIptablesNat(stdout: string): Parsed<ForwardedPort[]> {
  const ports = iptablesForwardedPorts(stdout, "iptables -t nat");
  return ports === null ? unparsed("no \"-P PREROUTING\" line: not an iptables -t nat -S listing") : parsed(ports);
}

/** The single ports to probe: every port of a narrow range, the two ends of a wide one. */
export function forwardedTcpPorts(forwarded: readonly ForwardedPort[]): number[] {
  const ports = forwarded
    .filter((f) => f.protocol === "tcp")
    .flatMap(({ ports: [low, high] }) => (high - low < 16 ? Array.from({ length: high - low + 1 }, (_, i) => low + i) : [low, high]));
  return [...new Set(ports)].sort((a, b) => a - b);
}
