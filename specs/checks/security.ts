// Page "Security settings" [S5.1]: SELinux on, and a host firewall that denies by default.
import { fail, given, pass } from "../../helpers/checks/assert.js";
import type { CheckModule } from "../../helpers/checks/types.js";

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
        const expected = "an active host firewall (firewalld, nftables or iptables) dropping inbound traffic by default, persistent configuration equal to the running one";
        const persistence =
          firewall.persistentMatchesRuntime === null ? "persistence not comparable" : firewall.persistentMatchesRuntime ? "persistent = running" : "persistent differs from running";
        const actual = `${firewall.tool ?? "no firewall tool"}, ${firewall.active ? "active" : "inactive"}, inbound default ${firewall.defaultDenyInbound ? "deny" : "accept"}, ${persistence}: ${firewall.detail}`;
        if (firewall.tool === null || !firewall.active) {
          return fail(`no active host firewall (firewalld, nftables or iptables) (${firewall.detail}); the page requires a firewall on these hosts`, { expected, actual });
        }
        const violations = [
          ...(firewall.defaultDenyInbound ? [] : [`${firewall.tool} accepts inbound traffic by default`]),
          ...(firewall.persistentMatchesRuntime === false ? [`the persistent ${firewall.tool} configuration differs from the running rules: they change at the next reload or reboot`] : []),
        ];
        if (violations.length > 0) return fail(`${violations.join("; ")} (${firewall.detail}); the page requires a firewall on these hosts`, { expected, actual });
        // Persistence must be shown, not assumed: "not comparable" proves nothing.
        if (firewall.persistentMatchesRuntime === null) return { status: "broken", message: `cannot tell whether the ${firewall.tool} rules survive a reboot (${firewall.detail})`, expected, actual };
        return pass(`${firewall.tool} active, inbound denied by default, ${persistence} (${firewall.detail})`, { expected, actual });
      }),
  },
};
