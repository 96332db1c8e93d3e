// Page "Prepare hosts" [S2.1] and the Components column of the hardware table [S3.5]: at least
// 2 CP and 2 DP hosts on distinct machines (machine-id, and the SSH host key where clones share
// one), each running its role's components and only those.
import { allOf, broken, fail, given, pass } from "../../helpers/checks/assert.js";
import { COMPONENT_LABELS } from "../../helpers/checks/components.js";
import { type Fact, missing, observed } from "../../helpers/checks/evidence.js";
import type { CheckContext, CheckModule, RequirementCheck } from "../../helpers/checks/types.js";
import type { ComponentName, HostEntry } from "../../helpers/environment/schema.js";
import type { HostKey } from "../../helpers/facts/parsers/host-key.js";
import type { CheckOutcome } from "../../helpers/model.js";
import { isLoopbackAddress } from "../../helpers/probes/addresses.js";

/** [S2.1] "至少需要4台主机（2台用于控制面高可用，2台用于数据面高可用）". */
const MIN_HOSTS_PER_ROLE = 2;
const MIN_HOSTS = 4;

/** [S3.5] which components each role runs. */
const ROLE_COMPONENTS: Record<"cp" | "dp", readonly ComponentName[]> = {
  cp: ["dashboard", "dpManager"],
  dp: ["gateway"],
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

const shortKey = (key: HostKey) => `${key.type} ${key.fingerprint.slice(0, 15)}`;

/** What cloning without resetting /etc/machine-id breaks, for the note of a passing TOPO-01. */
const CLONED_MACHINE_ID =
  "cloned without resetting /etc/machine-id: systemd, journald and DHCP clients that derive their identifier from it identify them alike (regenerate it: see the remediation)";

/**
 * Each host's machine as far as the evidence shows it: its machine-id, told apart by the SSH host key
 * the runner saw where several hosts share one machine-id (clones of a template). A group whose keys
 * cannot be compared counts as one machine (the least it can be) and is reported as undecided.
 */
function identifyMachines(ctx: CheckContext, mine: string) {
  const idFacts = new Map(ctx.env.hosts.map((h) => [h.name, h.name === ctx.target ? observed(mine, []) : ctx.factOf(h.name, "machineId")] as const));
  const idOf = (name: string) => {
    const fact = idFacts.get(name)!;
    return fact.observed ? fact.value : null;
  };
  const groups = new Map<string, string[]>();
  for (const h of ctx.env.hosts) {
    const id = idOf(h.name);
    if (id !== null) groups.set(id, [...(groups.get(id) ?? []), h.name]);
  }
  const keyOf = (name: string) => ctx.factOf(name, "sshHostKey");
  const undecided: string[] = [];
  const identity = new Map<string, string>();
  for (const [id, names] of groups) {
    if (names.length === 1) {
      identity.set(names[0]!, id);
      continue;
    }
    const keys = allOf(names.map(keyOf));
    const comparable = keys.observed && new Set(keys.value.map((k) => k.type)).size === 1;
    if (!comparable) undecided.push(`${names.join(", ")} share machine-id ${shortId(id)} and their SSH host keys cannot be compared (${keys.observed ? "keys of different types" : keys.reason})`);
    names.forEach((name, i) => identity.set(name, comparable ? `${id} ${keys.value[i]!.fingerprint}` : id));
  }
  const label = (name: string) => {
    const id = idOf(name);
    if (id === null) return "machine-id unknown";
    // A known machine-id is the key of its group.
    const key = groups.get(id)!.length > 1 ? keyOf(name) : null;
    return key?.observed ? `${shortId(id)}, ${shortKey(key.value)}` : shortId(id);
  };
  const unknown = ctx.env.hosts.filter((h) => idOf(h.name) === null).map((h) => `${h.name} (machine-id unknown)`);
  return { idOf, identityOf: (name: string) => identity.get(name) ?? null, label, unknown, undecided };
}

/**
 * Hosts that share this host's machine-id are one machine under several names when they present
 * the same SSH host key too (the outcome: failed), clones of one template when every one presents
 * another key of the same type (the note for the pass). Keys that were not seen, or of different
 * types, cannot tell the two apart: broken.
 */
function sameMachineAs(ctx: CheckContext, sharing: readonly HostEntry[], mine: string, detail: { expected: string; actual: string }): CheckOutcome {
  const theirs = sharing.map((h) => ({ name: h.name, key: ctx.factOf(h.name, "sshHostKey") }));
  return given({ hostKey: ctx.fact("sshHostKey") }, ({ hostKey: ownKey }) => {
    const seen = theirs.flatMap(({ name, key }) => (key.observed ? [{ name, key: key.value }] : []));
    const identical = seen.filter(({ key }) => key.type === ownKey.type && key.fingerprint === ownKey.fingerprint).map(({ name }) => name);
    if (identical.length > 0) {
      return fail(`${ctx.target} and ${identical.join(", ")} are the same machine (machine-id ${shortId(mine)}, SSH host key ${shortKey(ownKey)}); the page requires distinct hosts`, detail);
    }
    const question = `cannot tell whether ${ctx.target} and ${sharing.map((h) => h.name).join(", ")}, which share machine-id ${shortId(mine)}, are one machine under several names or clones of one template`;
    const unseen = theirs.flatMap(({ name, key }) => (key.observed ? [] : [`${name}'s SSH host key unknown (${key.reason})`]));
    if (unseen.length > 0) return broken(`${question}: ${unseen.join("; ")}`, detail);
    const otherType = seen.filter(({ key }) => key.type !== ownKey.type).map(({ name, key }) => `${name} presented ${key.type}`);
    if (otherType.length > 0) {
      return broken(
        `${question}: ${ctx.target} presented ${ownKey.type}, ${otherType.join(", ")}; a machine has one key of each type, so only keys of one type tell them apart: list the same key type for each of them in known_hosts`,
        detail,
      );
    }
    return pass(`it shares machine-id ${shortId(mine)} with ${sharing.map((h) => h.name).join(", ")} but presents another SSH host key (${shortKey(ownKey)}): distinct machines, ${CLONED_MACHINE_ID}`, detail);
  });
}

/** The inventory's hosts of a role. */
const withRole = (hosts: readonly HostEntry[], role: "cp" | "dp") => hosts.filter((h) => h.roles.includes(role));

export const topologyChecks: CheckModule = {
  "TOPO-01": {
    reads: { facts: ["machineId", "sshHostKey"], everyHost: ["machineId", "sshHostKey"] },
    decide: (ctx) => {
      const inventory = ctx.env.hosts;
      const cpHosts = withRole(inventory, "cp");
      const dpHosts = withRole(inventory, "dp");
      const expected = `at least ${MIN_HOSTS_PER_ROLE} CP and ${MIN_HOSTS_PER_ROLE} DP hosts, ${MIN_HOSTS} distinct machines (distinct /etc/machine-id, or distinct SSH host keys where a machine-id is shared)`;
      if (cpHosts.length < MIN_HOSTS_PER_ROLE || dpHosts.length < MIN_HOSTS_PER_ROLE || inventory.length < MIN_HOSTS) {
        const actual = `${plural(cpHosts.length, "CP host")}, ${plural(dpHosts.length, "DP host")}, ${plural(inventory.length, "host")} in all`;
        return { ...fail(`the inventory declares ${actual}; the page requires at least 4 hosts, 2 for control-plane HA and 2 for data-plane HA`, { expected, actual }), evidence: [] };
      }
      // This host's machine-id must be known; another host's unknown one (unreachable) counts as
      // no machine, so the counts pass only on what is known.
      return given({ mine: ctx.fact("machineId") }, ({ mine }) => {
        const machines = identifyMachines(ctx, mine);
        const describe = (hosts: HostEntry[]) => hosts.map((h) => `${h.name} [${machines.label(h.name)}]`).join(", ");
        const actual = `cp: ${describe(cpHosts)}; dp: ${describe(dpHosts)}`;
        const sharing = inventory.filter((other) => other.name !== ctx.target && machines.idOf(other.name) === mine);
        // Clones of one template pass with a note (and the host keys that told them apart as evidence).
        const clones = sharing.length > 0 ? sameMachineAs(ctx, sharing, mine, { expected, actual }) : null;
        if (clones !== null && clones.status !== "passed") return clones;
        const note = clones === null ? "" : `; ${clones.message}`;
        const count = (hosts: HostEntry[]) => new Set(hosts.map((h) => machines.identityOf(h.name)).filter((id) => id !== null)).size;
        const counts = { cp: count(cpHosts), dp: count(dpHosts), all: count(inventory) };
        const summary = `${plural(counts.cp, "distinct CP machine")} and ${plural(counts.dp, "distinct DP machine")}`;
        if (counts.cp < MIN_HOSTS_PER_ROLE || counts.dp < MIN_HOSTS_PER_ROLE || counts.all < MIN_HOSTS) {
          const unsure = [...machines.unknown, ...machines.undecided];
          return unsure.length > 0
            ? broken(`cannot count distinct machines: ${unsure.join("; ")}; known: ${summary}`, { expected, actual })
            : fail(`the inventory names only ${summary} (${counts.all} machines in all); the page requires 2 CP and 2 DP hosts, 4 in all`, { expected, actual });
        }
        const notCounted = machines.unknown.length > 0 ? `; not counted: ${machines.unknown.join(", ")}` : "";
        const decided = pass(`${ctx.target} is a distinct machine (machine-id ${shortId(mine)})${note}; the inventory has ${summary}${notCounted}`, { expected, actual });
        return { ...decided, evidence: clones?.evidence ?? [] };
      });
    },
  },

  "TOPO-02": componentsRun("cp"),
  "TOPO-03": componentsRun("dp"),

  "TOPO-04": {
    reads: { facts: ["containers", "processes"] },
    decide: (ctx) => {
      const host = ctx.hostEntry();
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
