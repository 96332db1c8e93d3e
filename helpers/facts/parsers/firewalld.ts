// firewalld (SEC-02): every zone that packets traverse. `firewall-cmd --list-all-zones` lists each
// zone under its own name (a bare `--list-all` prints a hint about the default zone on stdout, in
// firewalld 0.4 to 1.x, when the default zone has nothing bound: never parsed here). The zones
// judged are those with an interface or a source bound at runtime, plus the default zone when an
// interface of the host is bound to no zone (its traffic goes there).
import type { CommandOutput } from "../../model.js";
import type { DenyAnswer, FirewalldZoneFacts, IpFamily, Opening, ZoneBinding } from "../types.js";
import { CONTAINER_BRIDGE, parsePortList } from "./input-path.js";
import { type Parsed, lines, parsed, sectionProblem, unparsed } from "./result.js";

export interface FirewalldZone {
  zone: string;
  /** "default", "ACCEPT", "DROP", "REJECT" or "%%REJECT%%". */
  target: string;
  /** Field name → its value, e.g. "services" → "dhcpv6-client ssh". */
  fields: Map<string, string>;
}

/** A zone's header: its name, then "(default, active)" markers where firewalld prints them. */
const ZONE_HEADER = /^([A-Za-z0-9_+.-]+)(?: \(([a-z, ]+)\))?$/;

/** `firewall-cmd [--permanent] --list-all-zones`: for each zone a header line, then indented "key: value" lines. */
export function parseFirewalldZones(text: string): Parsed<FirewalldZone[]> {
  const zones: FirewalldZone[] = [];
  let zone: FirewalldZone | null = null;
  let last: string | null = null;
  for (const row of text.split("\n")) {
    if (row.trim() === "") continue;
    if (!/^\s/.test(row)) {
      const header = ZONE_HEADER.exec(row.trim());
      if (!header) return unparsed(`not a zone header: ${JSON.stringify(row.slice(0, 100))}`);
      zone = { zone: header[1] as string, target: "default", fields: new Map() };
      zones.push(zone);
      last = null;
      continue;
    }
    if (!zone) return unparsed(`a zone field before any zone: ${JSON.stringify(row.slice(0, 100))}`);
    const match = /^\s+([a-z0-9 -]+):\s?(.*)$/.exec(row);
    if (match) {
      last = match[1] as string;
      zone.fields.set(last, (match[2] as string).trim());
      if (last === "target") zone.target = (match[2] as string).trim();
    } else if (last !== null) {
      // Rich rules continue on their own lines.
      zone.fields.set(last, `${zone.fields.get(last) ?? ""}\n${row.trim()}`.trim());
    }
  }
  return zones.length > 0 ? parsed(zones) : unparsed("no zone in the firewall-cmd --list-all-zones output");
}

/** The default zone: busctl's `s "public"`, or firewall-cmd --get-default-zone's `public`. */
export function parseDefaultZone(text: string): Parsed<string> {
  const match = /^(?:s ")?([A-Za-z0-9_+.-]+)"?$/.exec(text.trim());
  return match ? parsed(match[1] as string) : unparsed(`no zone name: ${JSON.stringify(text.slice(0, 80))}`);
}

/** `ip -o link show`: the interface names ("2: eth0@if7: <...>" gives eth0). */
export function parseInterfaceNames(text: string): Parsed<string[]> {
  const names: string[] = [];
  for (const line of lines(text)) {
    const match = /^\d+:\s+([^:@\s]+)(?:@\S+)?:\s+</.exec(line);
    if (!match) return unparsed(`unreadable ip link line: ${JSON.stringify(line.slice(0, 100))}`);
    names.push(match[1] as string);
  }
  return names.length > 0 ? parsed(names) : unparsed("ip link listed no interface");
}

/**
 * Interface bindings are not part of firewalld's permanent zone on NetworkManager-managed hosts:
 * NetworkManager (or ZONE= in ifcfg) binds the interface at boot, at runtime. Every other field
 * (target, services, ports, protocols, sources, rich rules, forward ports, masquerade, ICMP
 * blocks, ...) is what the zone file persists.
 */
const RUNTIME_BINDING_FIELDS = new Set(["interfaces"]);

/** Persisted fields whose values differ (compared as sorted word lists; rich rules by line). */
export function firewalldDifferences(runtime: FirewalldZone, permanent: FirewalldZone): string[] {
  const normalise = (key: string, value: string) =>
    (key === "rich rules" ? value.split("\n") : value.split(/\s+/))
      .map((v) => v.trim())
      .filter(Boolean)
      .sort()
      .join("\n");
  const differences: string[] = [];
  if (runtime.zone !== permanent.zone) differences.push("zone");
  const keys = new Set([...runtime.fields.keys(), ...permanent.fields.keys()]);
  for (const key of keys) {
    if (RUNTIME_BINDING_FIELDS.has(key)) continue;
    if (normalise(key, runtime.fields.get(key) ?? "") !== normalise(key, permanent.fields.get(key) ?? "")) {
      differences.push(key);
    }
  }
  return differences;
}

interface BootZone {
  /** Explicit zone, or null for "the default zone". */
  zone: string | null;
  source: string;
}

/** The zone-bindings section: "nm <device> <zone>" and "ifcfg <file> <device> <zone>" lines. */
export function parseZoneBindings(text: string): Map<string, BootZone[]> {
  const byDevice = new Map<string, BootZone[]>();
  const add = (device: string, zone: BootZone) => byDevice.set(device, [...(byDevice.get(device) ?? []), zone]);
  for (const line of lines(text)) {
    const nm = /^nm (\S+) ?(\S*)$/.exec(line);
    if (nm) {
      const zone = nm[2] || null;
      add(nm[1] as string, { zone, source: zone ? `NetworkManager connection zone ${zone}` : "NetworkManager connection without a zone (the default zone)" });
      continue;
    }
    const ifcfg = /^ifcfg (\S+) (\S+) ?(\S*)$/.exec(line);
    if (ifcfg) {
      const file = (ifcfg[1] as string).split("/").pop() as string;
      const zone = ifcfg[3] || null;
      add(ifcfg[2] as string, { zone, source: zone ? `${file} ZONE=${zone}` : `${file} without ZONE= (the default zone)` });
    }
  }
  return byDevice;
}

/** Runtime bindings with their boot-time source; a boot-time zone other than the runtime one is drift. */
function zoneBindings(zone: FirewalldZone, defaultZone: string, section: CommandOutput | undefined): { bindings: ZoneBinding[]; drift: string[] } {
  const problem = sectionProblem(section);
  const sources = problem === null && section ? parseZoneBindings(section.stdout) : new Map<string, BootZone[]>();
  const bindings: ZoneBinding[] = [];
  const drift: string[] = [];
  for (const device of words(zone.fields.get("interfaces"))) {
    const boot = sources.get(device) ?? [];
    const source =
      boot.length > 0
        ? boot.map((b) => b.source).join(", ")
        : problem === null
          ? "no NetworkManager connection or ifcfg file names it (the default zone at boot)"
          : `boot-time zone not known (zone-bindings: ${problem})`;
    bindings.push({ interface: device, zone: zone.zone, source });
    const other = boot.find((b) => (b.zone ?? defaultZone) !== zone.zone);
    if (other && other.zone !== null) drift.push(`interfaces (${device} is in ${zone.zone} at runtime, ${other.source} at boot)`);
  }
  return { bindings, drift };
}

const words = (value: string | undefined) => (value ?? "").split(/\s+/).filter(Boolean);

/** What a zone's deny answers: DROP is silence; default, REJECT and %%REJECT%% reject with ICMP prohibited. */
function zoneAnswer(target: string): DenyAnswer {
  return target.toUpperCase() === "DROP" ? "silence" : "icmp-error";
}

/** Why a zone accepts every new inbound connection of the family, or null. */
function acceptsAll(zone: FirewalldZone, family: IpFamily): string | null {
  if (zone.target.toUpperCase() === "ACCEPT") return `zone ${zone.zone} target ACCEPT`;
  if (words(zone.fields.get("protocols")).includes("tcp")) return `zone ${zone.zone} accepts protocol tcp`;
  const everything = richRules(zone, family).find((rule) => rule.accept && rule.limits.length === 0 && rule.source === null);
  return everything ? `zone ${zone.zone} rich rule "${everything.text}"` : null;
}

interface RichRule {
  text: string;
  accept: boolean;
  source: string | null;
  /** What else limits the rule: port, service, protocol, destination, ... */
  limits: string[];
  ports: Array<[number, number]> | null;
  protocol: string | null;
}

function richRules(zone: FirewalldZone, family: IpFamily): RichRule[] {
  return (zone.fields.get("rich rules") ?? "")
    .split("\n")
    .map((text) => text.trim())
    .filter((text) => text.startsWith("rule"))
    .filter((text) => {
      const only = /family="?(ipv4|ipv6)"?/.exec(text)?.[1];
      return only === undefined || only === family;
    })
    .map((text) => {
      const source = /source (?:NOT )?(?:address|ipset|mac)="?([^"\s]+)"?/.exec(text)?.[1] ?? null;
      const port = /port port="?([\d-]+)"? protocol="?(\w+)"?/.exec(text);
      const limits = [...text.matchAll(/\b(destination|service|port|protocol|icmp-block|icmp-type|forward-port|source-port)\b/g)].map((m) => m[1] as string);
      return {
        text,
        accept: /\baccept\b/.test(text) && !/\b(reject|drop|mark)\b/.test(text.replace(/\baccept\b.*$/, "")),
        source: source !== null && /source NOT/.test(text) ? null : source,
        limits: [...limits, ...(/source NOT/.test(text) ? ["source NOT"] : [])],
        ports: port ? parsePortList(port[1] as string) : null,
        protocol: port ? (port[2] as string) : null,
      };
    });
}

/** The zone's openings for the family: services, ports, protocols, forward ports and accepting rich rules. */
function zoneOpenings(zone: FirewalldZone, family: IpFamily, sources: string[]): Opening[] {
  const where = (field: string) => `zone ${zone.zone} ${field}`;
  const openings: Opening[] = [];
  for (const service of words(zone.fields.get("services"))) {
    openings.push({ protocol: "any", ports: "unknown", sources, iface: null, rule: where(`service ${service}`) });
  }
  for (const entry of [...words(zone.fields.get("ports")), ...words(zone.fields.get("forward-ports"))]) {
    const port = /^(?:port=)?([\d-]+)(?:\/|:proto=)(\w+)/.exec(entry);
    const ports = port ? parsePortList(port[1] as string) : null;
    if (port && ports) openings.push({ protocol: port[2] as string, ports, sources, iface: null, rule: where(`${entry}`) });
  }
  for (const protocol of words(zone.fields.get("protocols"))) {
    openings.push({ protocol, ports: "any", sources, iface: null, rule: where(`protocol ${protocol}`) });
  }
  for (const rule of richRules(zone, family)) {
    if (!rule.accept) continue;
    const ruleSources = rule.source ? [rule.source] : sources;
    const ports = rule.ports ?? (rule.limits.length === 0 ? "any" : "unknown");
    openings.push({ protocol: rule.protocol ?? "any", ports, sources: ruleSources, iface: null, rule: where(`rich rule "${rule.text}"`) });
  }
  // A zone that accepts everything from the sources bound to it is one wide opening from them.
  if (sources.length > 0 && zone.target.toUpperCase() === "ACCEPT") {
    openings.push({ protocol: "any", ports: "any", sources, iface: null, rule: where("target ACCEPT") });
  }
  return openings;
}

export interface FirewalldInputs {
  runtime: CommandOutput | undefined;
  permanent: CommandOutput | undefined;
  defaultZone: CommandOutput | undefined;
  interfaces: CommandOutput | undefined;
  zoneBindings: CommandOutput | undefined;
}

/** One family as the judged zones decide it. */
export interface FirewalldFamily {
  /** The first zone that accepts every connection on a network-facing interface, or null. */
  acceptsAll: string | null;
  openings: Opening[];
  answer: DenyAnswer;
}

export interface FirewalldReading {
  defaultZone: string;
  zones: FirewalldZoneFacts[];
  families: Record<IpFamily, FirewalldFamily>;
  /** Why the permanent configuration could not be compared; null when it was. */
  listingProblem: string | null;
}

function section(output: CommandOutput | undefined, what: string): Parsed<string> {
  const problem = sectionProblem(output);
  return problem === null && output ? parsed(output.stdout) : unparsed(`${what}: ${problem}`);
}

/** A section's stdout through its parser; either problem named once, after `what`. */
function read<T>(output: CommandOutput | undefined, what: string, parser: (text: string) => Parsed<T>): Parsed<T> {
  const text = section(output, what);
  if (!text.ok) return text;
  const value = parser(text.value);
  return value.ok ? value : unparsed(`${what}: ${value.problem}`);
}

export function readFirewalld(inputs: FirewalldInputs): Parsed<FirewalldReading> {
  const runtimeText = section(inputs.runtime, "firewall-cmd --list-all-zones");
  if (!runtimeText.ok) return runtimeText;
  const runtime = parseFirewalldZones(runtimeText.value);
  if (!runtime.ok) return unparsed(`firewall-cmd --list-all-zones: ${runtime.problem}`);
  const defaultZone = read(inputs.defaultZone, "firewalld default zone", parseDefaultZone);
  if (!defaultZone.ok) return defaultZone;
  const interfaces = read(inputs.interfaces, "ip -o link show", parseInterfaceNames);
  if (!interfaces.ok) return interfaces;

  const zones = runtime.value;
  const bound = new Set(zones.flatMap((z) => words(z.fields.get("interfaces"))));
  const unbound = interfaces.value.filter((name) => name !== "lo" && !bound.has(name));
  const judged = zones.filter((z) => words(z.fields.get("interfaces")).length > 0 || words(z.fields.get("sources")).length > 0 || (z.zone === defaultZone.value && unbound.length > 0));
  if (!judged.some((z) => z.zone === defaultZone.value) && unbound.length > 0) {
    return unparsed(`the default zone ${defaultZone.value} is not in the --list-all-zones output`);
  }

  let permanent: FirewalldZone[] | null = null;
  let listingProblem: string | null = null;
  const permanentText = section(inputs.permanent, "firewall-cmd --permanent --list-all-zones");
  if (!permanentText.ok) listingProblem = permanentText.problem;
  else {
    const read = parseFirewalldZones(permanentText.value);
    if (read.ok) permanent = read.value;
    else listingProblem = `firewall-cmd --permanent --list-all-zones: ${read.problem}`;
  }

  const facts: FirewalldZoneFacts[] = judged.map((zone) => {
    const { bindings, drift: bindingDrift } = zoneBindings(zone, defaultZone.value, inputs.zoneBindings);
    const saved = permanent?.find((z) => z.zone === zone.zone);
    const drift = permanent === null ? null : saved ? [...firewalldDifferences(zone, saved), ...bindingDrift] : ["zone (not in the permanent configuration)"];
    return {
      zone: zone.zone,
      target: zone.target,
      interfaces: words(zone.fields.get("interfaces")),
      sources: words(zone.fields.get("sources")),
      defaultFor: zone.zone === defaultZone.value ? unbound : [],
      drift,
      bindings,
    };
  });

  const family = (ip: IpFamily): FirewalldFamily => {
    let wide: string | null = null;
    const openings: Opening[] = [];
    for (const zone of judged) {
      const fact = facts.find((f) => f.zone === zone.zone)!;
      const facing = [...fact.interfaces, ...fact.defaultFor].filter((name) => name !== "lo" && !CONTAINER_BRIDGE.test(name));
      const all = acceptsAll(zone, ip);
      if (all && facing.length > 0 && wide === null) wide = `${all}, bound to ${facing.join(", ")}`;
      openings.push(...zoneOpenings(zone, ip, fact.interfaces.length > 0 || fact.defaultFor.length > 0 ? [] : fact.sources));
    }
    const answers = judged.map((z) => zoneAnswer(z.target));
    return { acceptsAll: wide, openings, answer: answers.includes("icmp-error") ? "icmp-error" : "silence" };
  };
  return parsed({ defaultZone: defaultZone.value, zones: facts, families: { ipv4: family("ipv4"), ipv6: family("ipv6") }, listingProblem });
}
