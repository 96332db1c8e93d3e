// Host firewall (SEC-02), judged per address family by what new inbound packets traverse.
// firewalld, when it runs, decides both families (./firewalld.ts: every zone with something bound,
// and the default zone for unbound interfaces); otherwise IPv4 is decided by the nftables input
// chains of family ip/inet, else by iptables' INPUT chain, and IPv6 likewise by ip6/inet chains,
// else ip6tables, each walked in first-match order (./input-path.ts). "Persistent matches
// runtime" compares what decides inbound traffic with what would be loaded at boot. IPv6 needs no
// default deny where it is disabled on the host.
import type { CommandOutput } from "../../model.js";
import type { FamilyFirewall, FirewallFacts, FirewalldFacts, IpFamily } from "../types.js";
import { readFirewalld } from "./firewalld.js";
import { describeOpening, type PathVerdict } from "./input-path.js";
import { type IptablesTable, chainsReachedFrom, iptablesInputVerdict, parseIptablesRules, parseIptablesSaveFilter } from "./iptables.js";
import { type NftChain, type NftTable, nftInputVerdicts, parseNftRuleset } from "./nftables.js";
import { type Parsed, firstLine, lines, parsed, sectionProblem, unparsed } from "./result.js";

export interface FirewallInputs {
  firewalldState?: CommandOutput;
  firewalldRuntime?: CommandOutput;
  firewalldPermanent?: CommandOutput;
  firewalldDefaultZone?: CommandOutput;
  networkInterfaces?: CommandOutput;
  /** NetworkManager / ifcfg zones of the interfaces (evidence for runtime bindings). */
  zoneBindings?: CommandOutput;
  nftRuleset?: CommandOutput;
  nftPersistent?: CommandOutput;
  iptables?: CommandOutput;
  iptablesPersistent?: CommandOutput;
  ip6tables?: CommandOutput;
  ip6tablesPersistent?: CommandOutput;
  ipv6Disabled?: CommandOutput;
}

const FAMILY_NAME: Record<IpFamily, string> = { ipv4: "IPv4", ipv6: "IPv6" };

/** The openings a deny leaves, for the detail text. */
function openingsText(verdict: PathVerdict): string {
  return verdict.openings.length > 0 ? `; openings before it: ${verdict.openings.map(describeOpening).join("; ")}` : "";
}

// ---------------------------------------------------------------------------------------------
// firewalld

function firewalldFamilies(inputs: FirewallInputs): Parsed<{ facts: FirewalldFacts; families: Record<IpFamily, FamilyFirewall>; listingProblem: string | null }> {
  const reading = readFirewalld({
    runtime: inputs.firewalldRuntime,
    permanent: inputs.firewalldPermanent,
    defaultZone: inputs.firewalldDefaultZone,
    interfaces: inputs.networkInterfaces,
    zoneBindings: inputs.zoneBindings,
  });
  if (!reading.ok) return unparsed(`firewalld is running but its zones could not be read (${reading.problem})`);
  const { defaultZone, zones, listingProblem } = reading.value;
  const drift = zones.some((z) => z.drift === null) ? null : zones.flatMap((z) => (z.drift ?? []).map((d) => `zone ${z.zone}: ${d}`));
  const persistenceText =
    drift === null
      ? `permanent configuration not comparable (${listingProblem})`
      : drift.length === 0
        ? "runtime and permanent agree on every persisted field of these zones"
        : `runtime and permanent differ in: ${drift.join(", ")}`;
  const zonesText = zones
    .map((z) => {
      const bound = [
        ...z.bindings.map((b) => `${b.interface} (${b.source})`),
        ...z.sources.map((source) => `source ${source}`),
        ...(z.defaultFor.length > 0 ? [`unbound ${z.defaultFor.join(", ")} (default zone)`] : []),
      ];
      // Every judged zone has something bound: an interface, a source, or unbound interfaces.
      return `zone ${z.zone} target ${z.target}: ${bound.join(", ")}`;
    })
    .join("; ");
  const family = (ip: IpFamily): FamilyFirewall => {
    const { acceptsAll, openings, answer } = reading.value.families[ip];
    const detail = `firewalld: running, default zone ${defaultZone}; ${zonesText}${acceptsAll ? `; ${acceptsAll} accepts every new connection` : ""}; ${persistenceText}`;
    return {
      tool: "firewalld",
      defaultDenyInbound: acceptsAll === null,
      persistentMatchesRuntime: drift === null ? null : drift.length === 0,
      detail,
      openings: acceptsAll === null ? openings : [],
      denyAnswer: acceptsAll === null ? answer : null,
    };
  };
  return parsed({ facts: { defaultZone, zones }, families: { ipv4: family("ipv4"), ipv6: family("ipv6") }, listingProblem });
}

// ---------------------------------------------------------------------------------------------
// nftables

// iptables-nft keeps its rules in nft tables "ip filter"/"ip6 filter" with uppercase chains.
const isIptablesNftChain = (table: NftTable, chain: NftChain) =>
  (table.family === "ip" || table.family === "ip6") && table.name === "filter" && chain.name === "INPUT";

/** The "# api7-audit file: <path>" line the collection script puts before a file's content. */
function persistentFileName(section: CommandOutput): string {
  return /^# api7-audit file: (\S+)/m.exec(section.stdout)?.[1] ?? "the persistent file";
}

/** Every chain and named set of the deciding tables, compared with the persisted file's. */
function nftPersistence(deciding: readonly NftTable[], persistent: CommandOutput | undefined): { matches: boolean; text: string } {
  if (!ok(persistent)) {
    return { matches: false, text: `no persistent rule file (${sectionProblem(persistent) ?? "unreadable"})` };
  }
  const file = persistentFileName(persistent);
  const saved = parseNftRuleset(persistent.stdout);
  const differences: string[] = [];
  for (const table of deciding) {
    const savedTable = saved.find((t) => t.family === table.family && t.name === table.name);
    if (!savedTable) {
      differences.push(`table ${table.family} ${table.name} is not declared`);
      continue;
    }
    // The rules name the sets (`@name`): a set's elements are part of what the rules open.
    for (const set of table.sets) {
      const savedSet = savedTable.sets.find((s) => s.name === set.name);
      const where = `table ${table.family} ${table.name} set ${set.name}`;
      if (!savedSet) differences.push(`${where} is not declared`);
      else if (savedSet.lines.join("\n") !== set.lines.join("\n")) differences.push(`${where} differs from the running set`);
    }
    for (const chain of table.chains) {
      const savedChain = savedTable.chains.find((c) => c.name === chain.name);
      const where = `table ${table.family} ${table.name} chain ${chain.name}`;
      if (!savedChain) differences.push(`${where} is not declared`);
      else if ((savedChain.policy ?? "accept") !== (chain.policy ?? "accept")) {
        differences.push(`${where} policy ${savedChain.policy ?? "accept"} instead of ${chain.policy}`);
      } else if (savedChain.rules.join("\n") !== chain.rules.join("\n")) {
        differences.push(`${where} has ${savedChain.rules.length} rules that differ from the ${chain.rules.length} running`);
      }
    }
  }
  if (differences.length > 0) return { matches: false, text: `${file}: ${differences.join("; ")}` };
  return { matches: true, text: `${file} declares the same policies and normalised rules for ${deciding.map((t) => `table ${t.family} ${t.name}`).join(", ")}` };
}

/** The running nftables ruleset, parsed once for both families, or why it could not be listed. */
type Ruleset = { tables: NftTable[] } | { problem: string };

/** The family as nftables decides it, or null when no native input chain exists (then iptables may). */
function nftFamily(family: IpFamily, ruleset: Ruleset, persistent: CommandOutput | undefined, notes: string[]): FamilyFirewall | null {
  if ("problem" in ruleset) {
    notes.push(`nftables: ${ruleset.problem}`);
    return null;
  }
  const verdicts = nftInputVerdicts(ruleset.tables, family, isIptablesNftChain);
  const where = (v: (typeof verdicts)[number]) => `table ${v.table.family} ${v.table.name} chain ${v.chain.name}`;
  // A packet passes every input base chain: one chain that denies decides, whatever the others accept.
  const denying = verdicts.filter((v) => v.verdict.kind === "deny");
  if (denying.length > 0) {
    const persistence = nftPersistence([...new Set(denying.map((d) => d.table))], persistent);
    const chains = denying.map((d) => `${where(d)} hook input denies by ${d.verdict.kind === "deny" ? d.verdict.how : ""}${openingsText(d.verdict)}`).join("; ");
    const first = denying[0]!.verdict as Extract<PathVerdict, { kind: "deny" }>;
    return {
      tool: "nftables",
      defaultDenyInbound: true,
      persistentMatchesRuntime: persistence.matches,
      detail: `nftables: ${chains}; ${persistence.text}`,
      openings: denying.flatMap((d) => d.verdict.openings),
      denyAnswer: first.answer,
    };
  }
  const accepting = verdicts.find((v) => v.verdict.kind === "accept-all");
  if (accepting && accepting.verdict.kind === "accept-all") {
    const policy = accepting.chain.policy ?? "accept";
    // The chain would deny but for that rule: nftables is the firewall, and it accepts everything.
    return {
      tool: "nftables",
      defaultDenyInbound: false,
      persistentMatchesRuntime: null,
      detail: `nftables: ${where(accepting)} hook input accepts every new connection at rule "${accepting.verdict.rule}", before its policy ${policy} is reached${openingsText(accepting.verdict)}`,
      openings: [],
      denyAnswer: null,
    };
  }
  notes.push(`nftables: no ${family === "ipv4" ? "ip/inet" : "ip6/inet"} input chain denies by default`);
  return null;
}

// ---------------------------------------------------------------------------------------------
// iptables / ip6tables

/** INPUT and the chains it jumps to, compared with the iptables-save file's. */
function iptablesPersistence(running: IptablesTable, persistent: CommandOutput | undefined): { matches: boolean; text: string } {
  if (!ok(persistent)) return { matches: false, text: `no persistent rule file (${sectionProblem(persistent)})` };
  const file = persistentFileName(persistent);
  const saved = parseIptablesSaveFilter(persistent.stdout);
  if (!saved) return { matches: false, text: `${file} has no *filter table` };
  if (saved.policies.get("INPUT") !== running.policies.get("INPUT")) {
    return { matches: false, text: `${file} sets INPUT policy ${saved.policies.get("INPUT")}, running ${running.policies.get("INPUT")}` };
  }
  const chains = chainsReachedFrom(running, "INPUT");
  for (const chain of chains) {
    const now = running.rules.get(chain) ?? [];
    const then = saved.rules.get(chain) ?? [];
    if (now.join("\n") !== then.join("\n")) return { matches: false, text: `${file} has ${then.length} ${chain} rules that differ from the ${now.length} running` };
  }
  const count = chains.reduce((sum, chain) => sum + (running.rules.get(chain)?.length ?? 0), 0);
  return { matches: true, text: `${file} has the same INPUT policy and ${count} normalised rules (${chains.join(", ")})` };
}

/** iptables for IPv4, ip6tables for IPv6: deny and persistence, or why it does not deny. */
function iptablesFamily(running: CommandOutput | undefined, persistent: CommandOutput | undefined, command: string, backendNote: string): FamilyFirewall | string {
  if (!ok(running)) return `${command}: ${sectionProblem(running)}`;
  const table = parseIptablesRules(running.stdout);
  const verdict = iptablesInputVerdict(table);
  if (verdict.kind === "no-deny") return `${command}: INPUT ${verdict.how}`;
  if (verdict.kind === "accept-all") {
    return {
      tool: "iptables",
      defaultDenyInbound: false,
      persistentMatchesRuntime: null,
      detail: `${command}${backendNote}: chain INPUT accepts every new connection at rule "${verdict.rule}", before any deny`,
      openings: [],
      denyAnswer: null,
    };
  }
  const persistence = iptablesPersistence(table, persistent);
  return {
    tool: "iptables",
    defaultDenyInbound: true,
    persistentMatchesRuntime: persistence.matches,
    detail: `${command}${backendNote}: chain INPUT denies by ${verdict.how}${openingsText(verdict)}; ${persistence.text}`,
    openings: verdict.openings,
    denyAnswer: verdict.answer,
  };
}

// ---------------------------------------------------------------------------------------------
// IPv6 disabled?

/**
 * The ipv6-disabled section: "/proc/sys/net/ipv6 absent" (ipv6.disable=1 at boot), or one
 * "<.../conf/IF/disable_ipv6> <0|1>" line per interface. IPv6 is disabled when every interface
 * but lo (and the "all"/"default" templates) has it disabled: no IPv6 packet can then arrive.
 */
export function parseIpv6Disabled(text: string): Parsed<{ disabled: boolean; evidence: string }> {
  if (/^\/proc\/sys\/net\/ipv6 absent$/m.test(text)) {
    return parsed({ disabled: true, evidence: "/proc/sys/net/ipv6 absent (IPv6 disabled at boot)" });
  }
  const values = new Map<string, string>();
  for (const line of lines(text)) {
    const match = /\/conf\/([^/\s]+)\/disable_ipv6 (\d)$/.exec(line);
    if (!match) return unparsed(`unreadable disable_ipv6 line: ${JSON.stringify(line)}`);
    values.set(match[1] as string, match[2] as string);
  }
  const interfaces = [...values.keys()].filter((name) => !["all", "default", "lo"].includes(name));
  if (interfaces.length === 0) return unparsed("no network interface in /proc/sys/net/ipv6/conf");
  const enabled = interfaces.filter((name) => values.get(name) === "0");
  const evidence = interfaces.map((name) => `net.ipv6.conf.${name}.disable_ipv6 = ${values.get(name)}`).join(", ");
  return parsed({ disabled: enabled.length === 0, evidence });
}

// ---------------------------------------------------------------------------------------------

function ok(section: CommandOutput | undefined): section is CommandOutput {
  return sectionProblem(section) === null;
}

/** Without firewalld: the family's nftables input chains, else (ip6)tables. */
function familyWithoutFirewalld(family: IpFamily, inputs: FirewallInputs, ruleset: Ruleset, notes: string[]): FamilyFirewall {
  const [running, persistent, command] =
    family === "ipv4" ? [inputs.iptables, inputs.iptablesPersistent, "iptables"] : [inputs.ip6tables, inputs.ip6tablesPersistent, "ip6tables"];
  const familyNotes = [...notes];
  const viaNft = nftFamily(family, ruleset, inputs.nftPersistent, familyNotes);
  if (viaNft?.defaultDenyInbound) return viaNft;
  // iptables-nft keeps INPUT in nft's "ip(6) filter" table: the same rules, read through iptables.
  const iptablesTable = family === "ipv4" ? "ip" : "ip6";
  const iptablesNft = "tables" in ruleset && ruleset.tables.some((t) => t.family === iptablesTable && t.chains.some((c) => c.hook === "input" && isIptablesNftChain(t, c)));
  const viaIptables = iptablesFamily(running, persistent, command, iptablesNft ? " (nf_tables backend)" : "");
  // Packets meet both nftables' and legacy iptables' hooks: either one denying decides.
  if (typeof viaIptables !== "string" && viaIptables.defaultDenyInbound) return viaIptables;
  if (viaNft) return viaNft;
  if (typeof viaIptables !== "string") return viaIptables;
  familyNotes.push(viaIptables);
  return {
    tool: null,
    defaultDenyInbound: false,
    persistentMatchesRuntime: null,
    detail: `no default-deny inbound firewall for ${FAMILY_NAME[family]}: ${familyNotes.join("; ")}`,
    openings: [],
    denyAnswer: null,
  };
}

/** The firewalld-state section's stdout for a running firewalld: busctl's reading of its D-Bus
 * property "state", or firewall-cmd --state's word for it (used where busctl got no RUNNING). */
const FIREWALLD_RUNNING = new Set(['s "RUNNING"', "running"]);

function firewalldNote(state: CommandOutput | undefined): string {
  if (state?.exitCode === 127) return "firewalld: not installed";
  return `firewalld: ${firstLine(state?.stderr ?? "") || firstLine(state?.stdout ?? "") || "not running"}`;
}

function summarise(
  families: Record<IpFamily, FamilyFirewall>,
  ipv6Disabled: FirewallFacts["ipv6Disabled"],
  ipv6Problem: string | null,
  firewalld: FirewalldFacts | null,
  listingProblem: string | null,
): FirewallFacts {
  const { ipv4, ipv6 } = families;
  const covered = ipv6Disabled?.disabled ? [ipv4] : [ipv4, ipv6];
  const persistence = covered.map((f) => f.persistentMatchesRuntime);
  const disabledText = ipv6Disabled?.disabled ? `IPv6 disabled on the host (${ipv6Disabled.evidence})` : null;
  const unknownText = ipv6Problem ? ` (whether IPv6 is disabled is not known: ${ipv6Problem})` : "";
  const detail =
    ipv4.tool === "firewalld"
      ? `${ipv4.detail}; the zones cover IPv4 and IPv6${disabledText ? `; ${disabledText}` : unknownText}`
      : `IPv4: ${ipv4.detail}; ${disabledText ?? `IPv6${unknownText}: ${ipv6.detail}`}`;
  const tool = covered.find((f) => f.tool !== null)?.tool ?? null;
  return {
    tool,
    active: tool !== null,
    defaultDenyInbound: covered.every((f) => f.defaultDenyInbound),
    persistentMatchesRuntime: persistence.includes(false) ? false : persistence.includes(null) ? null : true,
    detail,
    families,
    ipv6Disabled,
    firewalld,
    listingProblem,
  };
}

export function parseFirewall(inputs: FirewallInputs): Parsed<FirewallFacts> {
  const { firewalldState, nftRuleset, iptables } = inputs;
  if (!firewalldState && !nftRuleset && !iptables) return unparsed("no firewall section in the collection output");

  const ipv6Problem = sectionProblem(inputs.ipv6Disabled);
  let ipv6Disabled: FirewallFacts["ipv6Disabled"] = null;
  let ipv6Reason = ipv6Problem;
  if (ipv6Problem === null && inputs.ipv6Disabled) {
    const result = parseIpv6Disabled(inputs.ipv6Disabled.stdout);
    if (result.ok) ipv6Disabled = result.value;
    else ipv6Reason = result.problem;
  }

  // A firewalld that does not answer may still be running: its rules cannot be judged.
  if (firewalldState && (firewalldState.timedOut || firewalldState.notRun !== undefined || firewalldState.exitCode === null)) {
    return unparsed(`firewalld-state: ${sectionProblem(firewalldState)}`);
  }
  if (firewalldState?.exitCode === 0 && FIREWALLD_RUNNING.has(firewalldState.stdout.trim())) {
    const result = firewalldFamilies(inputs);
    if (!result.ok) return result;
    const { facts, families, listingProblem } = result.value;
    return parsed(summarise(families, ipv6Disabled, ipv6Reason, facts, listingProblem));
  }

  const notes = [firewalldNote(firewalldState)];
  const rulesetProblem = sectionProblem(nftRuleset);
  const ruleset: Ruleset = rulesetProblem === null ? { tables: parseNftRuleset(nftRuleset!.stdout) } : { problem: rulesetProblem };
  const families = { ipv4: familyWithoutFirewalld("ipv4", inputs, ruleset, notes), ipv6: familyWithoutFirewalld("ipv6", inputs, ruleset, notes) };
  return parsed(summarise(families, ipv6Disabled, ipv6Reason, null, null));
}
