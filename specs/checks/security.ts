// Page "Security settings" [S5.1]: SELinux on, and a host firewall that denies by default.
import { isIP } from "node:net";
import { allOf, allOfNamed, broken, fail, given, mapFact, pass } from "../../helpers/checks/assert.js";
import { type Fact, missing } from "../../helpers/checks/evidence.js";
import { readWitness, type WitnessReading } from "../../helpers/checks/network-witness.js";
import type { CheckContext, CheckModule } from "../../helpers/checks/types.js";
import type { HostEntry } from "../../helpers/environment/schema.js";
import { describeOpening, opensProtocol } from "../../helpers/facts/parsers/input-path.js";
import type { FamilyFirewall, FirewallFacts, IpFamily } from "../../helpers/facts/types.js";
import { containingNetwork } from "../../helpers/probes/cidr.js";
import { probeKeys } from "../../helpers/probes/keys.js";
import { listenerPorts, witnessPorts } from "../../helpers/probes/plan.js";

export const securityChecks: CheckModule = {
  "SEC-01": {
    reads: { facts: ["selinuxMode", "selinuxConfig"] },
    decide: (ctx) =>
      given({ runtime: ctx.fact("selinuxMode"), config: ctx.fact("selinuxConfig") }, ({ runtime, config }) => {
        // The page says only "开启 SELinux"; the environment names the mode (enforcing by default).
        const required = ctx.env.policy.selinuxMode;
        const expected = `SELinux ${required} (policy.selinuxMode), SELINUX=${required} in /etc/selinux/config`;
        const actual = `running: ${runtime === "unavailable" ? "SELinux not available" : runtime}; /etc/selinux/config: ${config === "absent" ? "absent" : `SELINUX=${config}`}`;
        const violations = [
          ...(runtime === "unavailable" ? ["SELinux is not available (no getenforce, no sestatus, no /sys/fs/selinux)"] : []),
          ...(runtime !== "unavailable" && runtime !== required ? [`SELinux runs ${runtime}, the environment requires ${required}`] : []),
          ...(runtime !== "unavailable" && config !== runtime
            ? [`/etc/selinux/config ${config === "absent" ? "is absent" : `says SELINUX=${config}`} while SELinux runs ${runtime}: the mode changes at the next reboot`]
            : []),
        ];
        return violations.length > 0
          ? fail(`${violations.join("; ")}; the page requires SELinux on these hosts`, { expected, actual })
          : pass(`SELinux ${runtime}, persistent in /etc/selinux/config`, { expected, actual });
      }),
  },

  "SEC-02": {
    // Two witnesses: the configuration (what it says new inbound packets meet) and the network
    // (what a port nobody opened does when the runner connects to it).
    reads: { facts: ["firewall", "listeners", "ipv6Address"], probes: ["tcp"] },
    decide: (ctx) =>
      given({ firewall: ctx.fact("firewall") }, ({ firewall }) => {
        const host = ctx.hostEntry();
        const expected =
          "a host firewall (firewalld, nftables or iptables) denying inbound traffic by default for IPv4 and for IPv6 (IPv6 unless it is disabled on the host), " +
          "as the runner sees it too (a port nobody opened is filtered, not reset), " +
          "its persisted configuration equal to the running one (firewalld: every persisted zone field; interfaces bound at runtime by NetworkManager or ifcfg ZONE= are not drift)";
        const groups = familyGroups(firewall);
        const ipv6Off = firewall.ipv6Disabled?.disabled ? `; IPv6 disabled on the host (${firewall.ipv6Disabled.evidence})` : "";
        const configText = `${groups.map(({ name, family }) => `${name}: ${describeFamily(family)}`).join("; ")}${ipv6Off}: ${firewall.detail}`;
        const network = networkWitness(ctx, host, firewall);
        const networkText = network.observed ? network.value.map((r) => `network ${FAMILY_LABEL[r.family]}: ${r.outcome}: ${r.text}`).join("\n") : `network witness not available: ${network.reason}`;
        const detail = { expected, actual: `configuration: ${configText}\n${networkText}` };
        const { violations: wide, trusted } = wideOpenings(groups, ctx.env.firewall.trustedSources);
        const trustedText = trusted.length > 0 ? `; trusted by firewall.trustedSources: ${trusted.join("; ")}` : "";
        const violations = groups.every(({ family }) => family.tool === null)
          ? ["no active host firewall (firewalld, nftables or iptables)"]
          : [
              ...groups.flatMap(({ name, family }) => [
                ...(family.defaultDenyInbound ? [] : [`${name} inbound traffic is not denied by default (${family.tool === null ? "no firewall denies it" : `${family.tool} accepts it`})`]),
                ...(family.persistentMatchesRuntime === false ? [`the persistent ${family.tool} configuration for ${name} differs from the running rules: they change at the next reload or reboot`] : []),
              ]),
              ...wide,
            ];
        // A violation the configuration shows stands on its own; the network's reading is shown beside it.
        if (violations.length > 0) {
          const seen = network.observed ? answeredText(network.value).map((text) => `; ${text}`).join("") : "";
          return { ...fail(`${violations.join("; ")} (${firewall.detail})${seen}; the page requires a firewall on these hosts`, detail), evidence: network.observed ? network.sources : [] };
        }
        return given({ network }, ({ network: readings }) => {
          const contradicted = readings.filter((r) => r.outcome === "contradicts");
          if (contradicted.length > 0) {
            return fail(
              `the configuration denies inbound traffic by default (${groups.map(({ name, family }) => `${name}: ${family.detail}`).join("; ")}), ` +
                `but the network does not: ${answeredText(contradicted).join("; ")}; the page requires a firewall on these hosts`,
              detail,
            );
          }
          const unknown = readings.filter((r) => r.outcome === "unknown");
          if (unknown.length > 0) return broken(`the network cannot confirm the firewall's default deny: ${unknown.map((r) => `${FAMILY_LABEL[r.family]}: ${r.text}`).join("; ")}`, detail);
          // Persistence must be shown, not assumed: "not comparable" proves nothing.
          if (groups.some(({ family }) => family.persistentMatchesRuntime === null)) {
            return broken(`cannot tell whether the firewall rules survive a reboot (${firewall.listingProblem ?? firewall.detail})`, detail);
          }
          const witnessed = readings.map((r) => `${FAMILY_LABEL[r.family]} ${r.outcome === "confirms" ? "confirmed" : "recorded"} from the runner`).join(", ");
          return pass(
            `${groups.map(({ name, family }) => `${name} denied by default by ${family.tool}`).join(", ")}${ipv6Off}, persistent = running${witnessed ? `; ${witnessed}` : ""}${trustedText} (${firewall.detail})`,
            detail,
          );
        });
      }),
  },
};

const FAMILY_LABEL: Record<IpFamily, string> = { ipv4: "IPv4", ipv6: "IPv6" };

/** "port 4 answered from the runner over IPv4 (…)" for each family whose witness saw a port answer. */
function answeredText(readings: readonly WitnessReading[]): string[] {
  return readings.filter((r) => r.answeredPort !== null).map((r) => `port ${r.answeredPort} answered from the runner over ${FAMILY_LABEL[r.family]} (${r.text})`);
}

/**
 * Openings of every port from a source network: a management network may be trusted so, but only
 * where the environment says so (firewall.trustedSources).
 */
function wideOpenings(groups: ReturnType<typeof familyGroups>, trustedSources: readonly string[]): { violations: string[]; trusted: string[] } {
  const violations: string[] = [];
  const trusted: string[] = [];
  for (const { name, family } of groups) {
    for (const opening of family.openings) {
      if (opening.ports !== "any" || opening.sources.length === 0 || !opensProtocol(opening, "tcp")) continue;
      const untrusted = opening.sources.filter((source) => containingNetwork(trustedSources, source) === null);
      if (untrusted.length > 0) violations.push(`${name}: ${describeOpening(opening)} accepts every port from ${untrusted.join(", ")}, not declared in firewall.trustedSources`);
      else trusted.push(describeOpening(opening));
    }
  }
  return { violations, trusted };
}

/** The network's reading of each covered family that has an address to probe. */
function networkWitness(ctx: CheckContext, host: HostEntry, firewall: FirewallFacts): Fact<WitnessReading[]> {
  const facts = allOfNamed({ listeners: ctx.fact("listeners"), ipv6Address: ctx.fact("ipv6Address") });
  if (!facts.observed) return facts;
  const { listeners, ipv6Address } = facts.value;
  const probeHost = { roles: host.roles, listeners };
  const witness = witnessPorts(ctx.env, probeHost);
  const others = listenerPorts(ctx.env, probeHost);
  const addresses: Array<{ family: IpFamily; address: string; key: (port: number) => string }> = [
    { family: isIP(host.address) === 6 ? "ipv6" : "ipv4", address: host.address, key: (port) => probeKeys.tcp(host.name, port) },
  ];
  if (ipv6Address !== null && ipv6Address !== host.address) {
    addresses.push({ family: "ipv6", address: ipv6Address, key: (port) => probeKeys.tcp6(host.name, port) });
  } else if (ctx.probesWith("tcp", probeKeys.tcp6Prefix(host.name)).length > 0) {
    // The plan probed an IPv6 address the facts do not show: the evidence contradicts itself.
    return missing("probes at an IPv6 address, but the host's facts show no global IPv6 address: the evidence contradicts itself", facts.sources);
  }
  const readings = addresses
    .filter((a) => a.family === "ipv4" || !firewall.ipv6Disabled?.disabled)
    .map((a) =>
      mapFact(allOf([...witness, ...others].map((port) => ctx.probe("tcp", a.key(port)))), (results) =>
        readWitness({
          family: a.family,
          address: a.address,
          config: firewall.families[a.family],
          probes: witness.map((port, i) => ({ port, tcp: results[i]! })),
          others: results.slice(witness.length),
          trustedSources: ctx.env.firewall.trustedSources,
        }),
      ),
    );
  const all = allOf(readings);
  return { ...all, sources: [...new Set([...facts.sources, ...all.sources])] };
}

/** The address families SEC-02 covers (IPv6 unless disabled), merged where one firewall decides both alike. */
function familyGroups(firewall: FirewallFacts): { name: string; family: FamilyFirewall }[] {
  const { ipv4, ipv6 } = firewall.families;
  if (firewall.ipv6Disabled?.disabled) return [{ name: "IPv4", family: ipv4 }];
  if (ipv4.detail === ipv6.detail) return [{ name: "IPv4 and IPv6", family: ipv4 }];
  return [
    { name: "IPv4", family: ipv4 },
    { name: "IPv6", family: ipv6 },
  ];
}

function describeFamily(family: FamilyFirewall): string {
  const persistence = family.persistentMatchesRuntime === null ? "persistence not comparable" : family.persistentMatchesRuntime ? "persistent = running" : "persistent differs from running";
  return `${family.tool ?? "no firewall"}, inbound default ${family.defaultDenyInbound ? "deny" : "accept"}, ${persistence}`;
}

