// Page "Security settings" [S5.1]: SELinux on, and a host firewall that denies by default.
import { fail, given, pass } from "../../helpers/checks/assert.js";
import type { CheckModule } from "../../helpers/checks/types.js";
import type { FamilyFirewall, FirewallFacts } from "../../helpers/facts/types.js";

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
    reads: { facts: ["firewall"] },
    decide: (ctx) =>
      given({ firewall: ctx.fact("firewall") }, ({ firewall }) => {
        const expected =
          "a host firewall (firewalld, nftables or iptables) denying inbound traffic by default for IPv4 and for IPv6 (IPv6 unless it is disabled on the host), " +
          "its persisted configuration equal to the running one (firewalld: every persisted zone field; interfaces bound at runtime by NetworkManager or ifcfg ZONE= are not drift)";
        const groups = familyGroups(firewall);
        const ipv6Off = firewall.ipv6Disabled?.disabled ? `; IPv6 disabled on the host (${firewall.ipv6Disabled.evidence})` : "";
        const actual = `${groups.map(({ name, family }) => `${name}: ${describeFamily(family)}`).join("; ")}${ipv6Off}: ${firewall.detail}`;
        if (groups.every(({ family }) => family.tool === null)) {
          return fail(`no active host firewall (firewalld, nftables or iptables) (${firewall.detail}); the page requires a firewall on these hosts`, { expected, actual });
        }
        const violations = groups.flatMap(({ name, family }) => [
          ...(family.defaultDenyInbound ? [] : [`${name} inbound traffic is not denied by default (${family.tool === null ? "no firewall denies it" : `${family.tool} accepts it`})`]),
          ...(family.persistentMatchesRuntime === false ? [`the persistent ${family.tool} configuration for ${name} differs from the running rules: they change at the next reload or reboot`] : []),
        ]);
        if (violations.length > 0) return fail(`${violations.join("; ")} (${firewall.detail}); the page requires a firewall on these hosts`, { expected, actual });
        // Persistence must be shown, not assumed: "not comparable" proves nothing.
        if (groups.some(({ family }) => family.persistentMatchesRuntime === null)) {
          return { status: "broken", message: `cannot tell whether the firewall rules survive a reboot (${firewall.listingProblem ?? firewall.detail})`, expected, actual };
        }
        return pass(`${groups.map(({ name, family }) => `${name} denied by default by ${family.tool}`).join(", ")}${ipv6Off}, persistent = running (${firewall.detail})`, { expected, actual });
      }),
  },
};

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

