// Networks in CIDR notation ("10.0.0.0/24", "fd00::/64", or a bare address): parsing and
// containment, for SEC-02's trusted sources. Pure (node:net's address parsing only).
import { BlockList, isIP } from "node:net";

export interface Cidr {
  address: string;
  prefix: number;
  family: "ipv4" | "ipv6";
}

export function parseCidr(text: string): Cidr | null {
  const [address = "", prefixText] = text.split("/");
  const version = isIP(address);
  if (version === 0) return null;
  const max = version === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? max : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : Number.NaN;
  if (!(prefix >= 0 && prefix <= max)) return null;
  return { address, prefix, family: version === 4 ? "ipv4" : "ipv6" };
}

/** `inner` (a network or an address) lies wholly inside `outer`. */
export function cidrContains(outer: Cidr, inner: Cidr): boolean {
  if (outer.family !== inner.family || inner.prefix < outer.prefix) return false;
  const list = new BlockList();
  list.addSubnet(outer.address, outer.prefix, outer.family);
  return list.check(inner.address, inner.family);
}

/** The first of `networks` that contains `text`, or null (unreadable entries contain nothing). */
export function containingNetwork(networks: readonly string[], text: string): string | null {
  const inner = parseCidr(text.replace(/^::ffff:/, ""));
  if (!inner) return null;
  return networks.find((network) => {
    const outer = parseCidr(network);
    return outer !== null && cidrContains(outer, inner);
  }) ?? null;
}
