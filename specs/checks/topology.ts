// Page "Prepare hosts" [S2.1] and the Components column of the hardware table [S3.5]: at least
// 2 CP and 2 DP hosts on distinct machines, each running its role's components and only those.
import { allOf, fail, given, pass } from "../../helpers/checks/assert.js";
import { type Fact, missing, observed } from "../../helpers/checks/evidence.js";
import type { CheckContext, CheckModule, RequirementCheck } from "../../helpers/checks/types.js";
import type { ComponentName, HostEntry } from "../../helpers/environment/schema.js";
import { isLoopbackAddress } from "../../helpers/probes/addresses.js";

/** [S2.1] "至少需要4台主机（2台用于控制面高可用，2台用于数据面高可用）". */
const MIN_HOSTS_PER_ROLE = 2;
const MIN_HOSTS = 4;

/** [S3.5] which components each role runs. */
const ROLE_COMPONENTS: Record<"cp" | "dp", readonly ComponentName[]> = {
  cp: ["dashboard", "dpManager"],
  dp: ["gateway"],
};

const COMPONENT_LABELS: Record<ComponentName, string> = {
  dashboard: "API7 Dashboard",
  dpManager: "DP Manager",
  gateway: "API7 Gateway",
};

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? "" : "s"}`;
const shortId = (machineId: string) => machineId.slice(0, 8);

/**
 * How a component was seen running ("container api7-gateway"), or null when every source it is
 * detected by was read and none shows it. Presence needs one source; absence needs all of them.
 */
function componentRunning(ctx: CheckContext, name: ComponentName): Fact<string | null> {
  const { container, process } = ctx.env.components[name].detect;
  const containers = container !== undefined ? ctx.fact("containers") : null;
  const processes = process !== undefined ? ctx.fact("processes") : null;
  if (containers?.observed && container !== undefined && containers.value?.includes(container)) return observed(`container ${container}`, containers.sources);
  if (processes?.observed && process !== undefined && processes.value.some((line) => line.includes(process))) {
    return observed(`process matching "${process}"`, processes.sources);
  }
  const unread = [containers, processes].filter((fact): fact is Extract<typeof fact, { observed: false }> => fact !== null && !fact.observed);
  const sources = [containers, processes].flatMap((fact) => fact?.sources ?? []);
  return unread.length > 0 ? missing(unread.map((fact) => fact.reason).join("; "), sources) : observed(null, sources);
}

/** TOPO-02/TOPO-03: every component of the role runs AND listens on all its ports for the network. */
function componentsRun(role: "cp" | "dp"): RequirementCheck {
  return {
    reads: { facts: ["containers", "processes", "listeners"] },
    decide: (ctx) => {
      const names = ROLE_COMPONENTS[role];
      return given({ running: allOf(names.map((name) => componentRunning(ctx, name))), listeners: ctx.fact("listeners") }, (seen) => {
        // A listener on 127.0.0.1 serves nobody on the network: it does not count.
        const listening = new Set(seen.listeners.filter((l) => !isLoopbackAddress(l.address)).map((l) => l.port));
        const states = names.map((name, i) => {
          const ports = ctx.env.components[name].ports;
          return { label: COMPONENT_LABELS[name], runningAs: seen.running[i] ?? null, ports, missingPorts: ports.filter((port) => !listening.has(port)) };
        });
        const violations = states.flatMap((s) => [
          ...(s.runningAs === null ? [`${s.label} is not running`] : []),
          ...(s.missingPorts.length > 0 ? [`nothing listens for the network on ${s.label}'s port ${s.missingPorts.join(", ")}`] : []),
        ]);
        const expected = states.map((s) => `${s.label} running and listening on ${s.ports.join(", ")}`).join("; ");
        const actual = states
          .map((s) => `${s.label}: ${s.runningAs ?? "not running"}, listening on ${s.ports.filter((p) => !s.missingPorts.includes(p)).join(", ") || "none of its ports"}`)
          .join("; ");
        return violations.length > 0
          ? fail(`${violations.join("; ")}; the page runs ${states.map((s) => s.label).join(" and ")} on every ${role.toUpperCase()} host`, { expected, actual })
          : pass(actual, { expected, actual });
      });
    },
  };
}

/** The inventory's hosts of a role. */
const withRole = (hosts: readonly HostEntry[], role: "cp" | "dp") => hosts.filter((h) => h.roles.includes(role));

export const topologyChecks: CheckModule = {
  "TOPO-01": {
    reads: { facts: ["machineId"], everyHost: ["machineId"] },
    decide: (ctx) => {
      const inventory = ctx.env.hosts;
      const cpHosts = withRole(inventory, "cp");
      const dpHosts = withRole(inventory, "dp");
      const expected = `at least ${MIN_HOSTS_PER_ROLE} CP and ${MIN_HOSTS_PER_ROLE} DP hosts, ${MIN_HOSTS} distinct machines (distinct /etc/machine-id)`;
      if (cpHosts.length < MIN_HOSTS_PER_ROLE || dpHosts.length < MIN_HOSTS_PER_ROLE || inventory.length < MIN_HOSTS) {
        const actual = `${plural(cpHosts.length, "CP host")}, ${plural(dpHosts.length, "DP host")}, ${plural(inventory.length, "host")} in all`;
        return { ...fail(`the inventory declares ${actual}; the page requires at least 4 hosts, 2 for control-plane HA and 2 for data-plane HA`, { expected, actual }), evidence: [] };
      }
      // This host's machine-id must be known; another host's unknown one (unreachable) counts as
      // no machine: two names of one machine fail on what is known, the counts pass only on it.
      return given({ mine: ctx.fact("machineId") }, ({ mine }) => {
        const ids = new Map(inventory.map((h) => [h.name, h.name === ctx.target ? observed(mine, []) : ctx.factOf(h.name, "machineId")] as const));
        const idOf = (h: HostEntry) => {
          const fact = ids.get(h.name)!;
          return fact.observed ? fact.value : null;
        };
        const unknown = inventory.filter((h) => idOf(h) === null).map((h) => h.name);
        const describe = (hosts: HostEntry[]) => hosts.map((h) => `${h.name} [${idOf(h) === null ? "machine-id unknown" : shortId(idOf(h)!)}]`).join(", ");
        const actual = `cp: ${describe(cpHosts)}; dp: ${describe(dpHosts)}`;
        const sameMachine = inventory.filter((other) => other.name !== ctx.target && idOf(other) === mine);
        if (sameMachine.length > 0) {
          return fail(`${ctx.target} and ${sameMachine.map((h) => h.name).join(", ")} are the same machine (machine-id ${shortId(mine)}); the page requires distinct hosts`, { expected, actual });
        }
        const distinct = (hosts: HostEntry[]) => new Set(hosts.map(idOf).filter((id) => id !== null)).size;
        const counts = { cp: distinct(cpHosts), dp: distinct(dpHosts), all: distinct(inventory) };
        const summary = `${plural(counts.cp, "distinct CP machine")} and ${plural(counts.dp, "distinct DP machine")}`;
        if (counts.cp < MIN_HOSTS_PER_ROLE || counts.dp < MIN_HOSTS_PER_ROLE || counts.all < MIN_HOSTS) {
          return unknown.length > 0
            ? { status: "broken", message: `cannot count distinct machines: the machine-id of ${unknown.join(", ")} is unknown; known: ${summary}`, expected, actual }
            : fail(`the inventory names only ${summary} (${counts.all} machines in all); the page requires 2 CP and 2 DP hosts, 4 in all`, { expected, actual });
        }
        const notCounted = unknown.length > 0 ? ` (not counted: ${unknown.join(", ")}, machine-id unknown)` : "";
        return pass(`${ctx.target} is a distinct machine (machine-id ${shortId(mine)}); the inventory has ${summary}${notCounted}`, { expected, actual });
      });
    },
  },

  "TOPO-02": componentsRun("cp"),
  "TOPO-03": componentsRun("dp"),

  "TOPO-04": {
    reads: { facts: ["containers", "processes"] },
    decide: (ctx) => {
      const host = ctx.host as HostEntry;
      const expected = "CP hosts run only API7 Dashboard and DP Manager; DP hosts run only API7 Gateway";
      if (host.roles.includes("cp") && host.roles.includes("dp")) {
        return { ...fail(`${host.name} is declared with both roles (cp and dp); the page runs the control plane and the data plane on separate hosts`, { expected, actual: `roles: ${host.roles.join(", ")}` }), evidence: [] };
      }
      const role = host.roles.includes("cp") ? "cp" : "dp";
      const foreign = ROLE_COMPONENTS[role === "cp" ? "dp" : "cp"];
      const seen = Object.fromEntries(foreign.map((name) => [name, componentRunning(ctx, name)]));
      return given(seen, (running) => {
        const present = foreign.filter((name) => running[name] !== null);
        const actual =
          present.length > 0
            ? present.map((name) => `${COMPONENT_LABELS[name]} runs (${running[name] as string})`).join("; ")
            : `no ${foreign.map((name) => COMPONENT_LABELS[name]).join(" or ")}`;
        if (present.length > 0) {
          return fail(`${actual} on a ${role.toUpperCase()} host; the page places it on ${role === "cp" ? "DP" : "CP"} hosts only`, { expected, actual });
        }
        return pass(`${actual} on this ${role.toUpperCase()} host`, { expected, actual });
      });
    },
  },
};
