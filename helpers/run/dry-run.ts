// --dry-run: everything the run would execute on each host and every probe, contacting nothing.
import type { Environment } from "../environment/schema.js";
import { isExpired } from "../evidence/waivers.js";
import type { GatherPlan } from "../checks/gather.js";
import { collectionScript, SCRIPT_SECTIONS } from "../facts/script.js";
import { dbReachArgv } from "../probes/host.js";
import { WITNESS_CANDIDATE_PORTS, WITNESS_PORT_COUNT } from "../probes/plan.js";
import { plannedFaultCommands } from "../failover/suite.js";
import { commandLine, sudoArgv } from "../transport/quote.js";
import type { SshHop } from "../transport/ssh-pool.js";
import type { SigningKey } from "./bundle.js";
import type { ShardSpec } from "./shard.js";
import { knownHostsPath, sshTarget } from "./targets.js";

export interface DryRunPlan {
  wants: Pick<GatherPlan, "probes" | "failover" | "sections">;
  allowDisruption: boolean;
  fullPortSweep: boolean;
  /** host name → field → the ssh config line or inventory variable it came from. */
  origins: Record<string, Record<string, string>>;
  /** requirement ID → its targets (what a waiver for "*" covers). */
  targetsOf: ReadonlyMap<string, string[]>;
  /** YYYY-MM-DD: waivers that expired before it are listed as such. */
  today: string;
  /** --shard: `env` already holds only this shard's hosts. */
  shard?: ShardSpec;
  /** --sign or evidence.signWith, checked. */
  signWith?: SigningKey;
}

/** Every waiver of the environment: what it waives, on which targets, who approved it, until when. */
function waiverLines(env: Environment, plan: DryRunPlan): string[] {
  if (env.waivers.length === 0) return ["waivers: none (no failure is waived)"];
  const active = env.waivers.filter((w) => !isExpired(w, plan.today));
  const lines = [`waivers: ${active.length} active (a failure or warning of these targets is reported as "waived"):`];
  for (const w of env.waivers) {
    const targets = w.host === "*" ? `every target (${(plan.targetsOf.get(w.requirement) ?? []).join(", ")})` : w.host;
    const state = isExpired(w, plan.today) ? `EXPIRED ${w.expires}, no longer applies` : `expires ${w.expires}`;
    lines.push(`  ${w.requirement} on ${targets}: approved by ${w.approver}, ${state}; "${w.justification}"`);
  }
  return lines;
}

/** `user@host:port`, then each jump host from the first one dialled to the last. */
function connectionLine(t: SshHop): string {
  const hops: SshHop[] = [];
  for (let hop = t.jumpHost; hop; hop = hop.jumpHost) hops.unshift(hop);
  const via = hops.length > 0 ? ` via ${hops.map((h) => `${h.user}@${h.address}:${h.port}`).join(" → ")}` : "";
  return `ssh ${t.user}@${t.address}:${t.port}${via}`;
}

export function printDryRun(env: Environment, plan: DryRunPlan): void {
  const out = (line = "") => console.log(line);
  out(`dry run of environment ${env.name}: nothing is contacted${env.lab ? " (the lab is not started; {{name}} stands for a lab container's address)" : ""}`);
  if (!env.lab) out(`host keys checked strictly against ${knownHostsPath(env)}`);
  if (plan.shard) {
    out(`shard ${plan.shard.index}/${plan.shard.count}: hosts ${env.hosts.map((h) => h.name).join(", ")}${plan.shard.index === 1 ? " and the host-free targets (entrypoints, database, Prometheus)" : ""}`);
  }
  if (env.inventory) out(`hosts from the Ansible inventory ${env.inventory.ansible} (cp: group ${env.inventory.roles.cp}, dp: group ${env.inventory.roles.dp})`);
  out();
  for (const host of env.hosts) {
    const t = sshTarget(host, env);
    const credentials = env.lab ? "the lab's generated key" : [t.identityFile ? `key ${t.identityFile}` : null, t.useAgent ? "ssh-agent" : null].filter(Boolean).join(" + ");
    out(`${host.name} [${host.roles.join(",")}]: ${connectionLine(t)} (${credentials}${t.sudo ? ", sudo -n" : ""})`);
    for (const [field, origin] of Object.entries(plan.origins[host.name] ?? {})) out(`  ${field} from ${origin}`);
    out(`  $ ${commandLine(sudoArgv(["bash", "-s"], t.sudo ?? false))}   # stdin: the facts script below`);
    if (plan.wants.probes && host.roles.includes("cp")) {
      out(`  $ ${commandLine(dbReachArgv(env.database.host, env.database.port, 3))}   # DB-01 reach from this host`);
    }
    if (plan.wants.failover && plan.allowDisruption) {
      for (const { argv, note } of plannedFaultCommands(env, host.name)) out(`  $ ${commandLine(argv)}   # ${note}`);
    }
  }
  if (plan.wants.probes) {
    out();
    out("probes from this runner:");
    for (const host of env.hosts) {
      const ports = Object.values(env.components).filter((c) => host.roles.includes(c.role)).flatMap((c) => c.ports);
      out(`  ${host.name} ${host.address}: TCP ${[...new Set(ports)].join(", ")}, 9090, every listening port and every port the NAT rules forward, from the facts${plan.fullPortSweep ? ", then all of 1-65535" : ""}; HTTP/TLS of the component ports`);
      out(`    SEC-02 network witness: TCP ${WITNESS_PORT_COUNT} of ${WITNESS_CANDIDATE_PORTS.join(", ")} (unassigned; the first the facts show not listening): a reset means unfiltered`);
    }
    out(`  entrypoints: ${Object.entries(env.entrypoints).map(([k, e]) => `${k} ${e!.url}`).join(", ")}`);
    out(`  database: postgresql://${env.database.user}@${env.database.host}:${env.database.port}/${env.database.database} (password from $${env.database.passwordEnv})`);
    out(`  prometheus: ${env.prometheus.enabled ? env.prometheus.url : "not enabled"}`);
  }
  if (plan.wants.failover && !plan.allowDisruption) out("\nfailover (HA-*): skipped, needs --allow-disruption and failover.allowDisruption: true");
  out();
  for (const line of waiverLines(env, plan)) out(line);
  out(plan.signWith ? `manifest.json will be signed with ${plan.signWith.keyPath} (${plan.signWith.signer})` : "manifest.json will not be signed (--sign <key> or evidence.signWith)");
  out();
  const sections = plan.wants.sections;
  const scope = sections.length === SCRIPT_SECTIONS.length ? "every section" : `${sections.length} of ${SCRIPT_SECTIONS.length} sections, those the selected requirements read`;
  out(`facts script (sent on stdin, the same for every host; ${scope}):`);
  out(collectionScript(sections));
}
