// Prometheus is optional [S2.3]; when enabled it must be healthy on 9090 with its targets up [S5.2].
import { broken, fail, given, pass, skip, warn } from "../../helpers/checks/assert.js";
import { targetAddress, unlessUnreached } from "../../helpers/checks/reach.js";
import type { CheckModule } from "../../helpers/checks/types.js";
import { probeKeys } from "../../helpers/probes/keys.js";

export const monitoringChecks: CheckModule = {
  "PORT-05": {
    reads: { probes: ["prometheus"] },
    decide: (ctx) => {
      const url = ctx.env.prometheus.url;
      if (!ctx.env.prometheus.enabled) return skip("optional component not enabled");
      if (!url) return broken("prometheus.enabled is true but prometheus.url is not set");
      return given({ prometheus: ctx.probe("prometheus", probeKeys.prometheus()) }, ({ prometheus: result }) => {
        const expected = "/-/healthy answers 200 and every active target is up";
        const targets = result.targets.map((t) => `${t.job}/${t.instance}: ${t.health}${t.lastError ? ` (${t.lastError})` : ""}`);
        const detail = {
          expected,
          actual: `health ${result.healthStatus ?? "no answer"} ${JSON.stringify(result.healthBody)}; targets: ${targets.join(", ") || "none"}${result.error ? `; ${result.error}` : ""}`,
        };
        if (!result.healthy) return unlessUnreached(ctx.run, targetAddress(result.target), fail(`Prometheus at ${url} is not healthy (${result.error ?? `status ${result.healthStatus}`})`, detail));
        const down = result.targets.filter((t) => t.health !== "up");
        if (down.length > 0) return fail(`Prometheus: ${down.length} of ${result.targets.length} targets not up: ${down.map((t) => `${t.job}/${t.instance} ${t.health}`).join(", ")}`, detail);
        if (result.error) return broken(`Prometheus is healthy but its targets could not be read: ${result.error}`, detail);
        if (result.targets.length === 0) return warn("Prometheus is healthy but scrapes no target", detail);
        return pass(`Prometheus healthy, ${result.targets.length} targets up`, detail);
      });
    },
  },
};
