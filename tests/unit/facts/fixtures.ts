// Loads a saved command output from tests/fixtures/facts as a CommandOutput:
// <case>.txt is stdout byte for byte, <case>.stderr the stderr and <case>.exit the exit code
// (absent: empty stderr, exit 0). See tests/fixtures/README.md.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { FirewallInputs } from "../../../helpers/facts/parsers/firewall.js";
import type { CommandOutput } from "../../../helpers/model.js";

export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), "../../fixtures/facts");

export function fixtureText(relative: string): string {
  return readFileSync(join(FIXTURES, `${relative}.txt`), "utf8");
}

/** Where an output published elsewhere comes from: `<case>.source` (see tests/fixtures/README.md). */
export function fixtureSource(relative: string): string {
  return readFileSync(join(FIXTURES, `${relative}.source`), "utf8");
}

/** What a `.source` must name: the repository, the file and the commit the output was copied from. */
export const PUBLISHED_SOURCE = /repository \S+\/\S+, file \S+ \(commit [0-9a-f]{40}/;

export function hasFixture(relative: string): boolean {
  return existsSync(join(FIXTURES, `${relative}.txt`));
}

export function fixture(relative: string, section = relative.split("/").pop() ?? relative, command = section): CommandOutput {
  const base = join(FIXTURES, relative);
  const stderr = existsSync(`${base}.stderr`) ? readFileSync(`${base}.stderr`, "utf8") : "";
  const exitCode = existsSync(`${base}.exit`) ? Number(readFileSync(`${base}.exit`, "utf8").trim()) : 0;
  return { section, command, exitCode, stdout: fixtureText(relative), stderr, durationMs: 1 };
}

/** A section for a file that does not exist on the host, as `cat` reports it. */
export function absentFile(section: string, path: string): CommandOutput {
  return {
    section,
    command: `cat ${path}`,
    exitCode: 1,
    stdout: "",
    stderr: `cat: ${path}: No such file or directory\n`,
    durationMs: 1,
  };
}

/** Sections that tests/fixtures/capture/capture-firewall.ts writes for each firewall/<case>/. */
export const CAPTURED_FIREWALL_SECTIONS = [
  "firewalld-state",
  "firewalld-runtime",
  "firewalld-permanent",
  "firewalld-default-zone",
  "network-interfaces",
  "zone-bindings",
  "nft-ruleset",
  "nft-persistent",
  "iptables",
  "iptables-nat",
  "iptables-persistent",
  "ip6tables",
  "ip6tables-persistent",
  "ipv6-disabled",
  "ipv6-addresses",
] as const;

/** Every captured firewall section of one lab host (firewall/<case>/<section>). */
export function capturedFirewall(caseName: string): CommandOutput[] {
  return CAPTURED_FIREWALL_SECTIONS.map((section) => fixture(`firewall/${caseName}/${section}`, section));
}

/** The section each input of parseFirewall reads. */
const FIREWALL_INPUT_SECTIONS: Record<keyof FirewallInputs, string> = {
  firewalldState: "firewalld-state",
  firewalldRuntime: "firewalld-runtime",
  firewalldPermanent: "firewalld-permanent",
  firewalldDefaultZone: "firewalld-default-zone",
  networkInterfaces: "network-interfaces",
  zoneBindings: "zone-bindings",
  nftRuleset: "nft-ruleset",
  nftPersistent: "nft-persistent",
  iptables: "iptables",
  iptablesPersistent: "iptables-persistent",
  ip6tables: "ip6tables",
  ip6tablesPersistent: "ip6tables-persistent",
  ipv6Disabled: "ipv6-disabled",
};

/** Every firewall input of one captured lab host (tests/fixtures/facts/firewall/<case>). */
export function capturedFirewallInputs(caseName: string): FirewallInputs {
  return Object.fromEntries(
    Object.entries(FIREWALL_INPUT_SECTIONS).map(([key, section]) => [key, fixture(`firewall/${caseName}/${section}`, section)]),
  ) as FirewallInputs;
}
