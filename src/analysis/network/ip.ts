// IP addresses and CIDRs (IPv4 and IPv6) on top of ipaddr.js. CIDRs keep their family: an IPv4
// CIDR never matches an IPv6 address and vice versa (IPv4-mapped IPv6 addresses stay IPv6, as in
// the Kubernetes API). Host bits of a CIDR are masked: 169.254.169.1/24 is 169.254.169.0/24.
import ipaddr from 'ipaddr.js';

export type Family = 4 | 6;

export interface Cidr {
  readonly family: Family;
  readonly bits: number;
  readonly text: string;
  readonly addr: ipaddr.IPv4 | ipaddr.IPv6;
}

export interface Ip {
  readonly family: Family;
  readonly addr: ipaddr.IPv4 | ipaddr.IPv6;
  readonly text: string;
}

const ipCache = new Map<string, Ip | null>();
const cidrCache = new Map<string, Cidr | null>();

export function parseIp(s: string): Ip | undefined {
  const hit = ipCache.get(s);
  if (hit !== undefined) return hit ?? undefined;
  let out: Ip | null = null;
  const t = s.trim().replace(/^\[(.*)\]$/, '$1');
  if (ipaddr.IPv4.isValidFourPartDecimal(t)) out = { family: 4, addr: ipaddr.IPv4.parse(t), text: t };
  else if (ipaddr.IPv6.isValid(t)) out = { family: 6, addr: ipaddr.IPv6.parse(t), text: t };
  if (ipCache.size > 100_000) ipCache.clear();
  ipCache.set(s, out);
  return out ?? undefined;
}

/** Parse "a.b.c.d/n", "x::/n", or a bare address (as /32 or /128, as Calico and Cilium accept). */
export function parseCidr(s: string): Cidr | undefined {
  if (typeof s !== 'string') return undefined;
  const hit = cidrCache.get(s);
  if (hit !== undefined) return hit ?? undefined;
  let out: Cidr | null = null;
  const t = s.trim();
  const slash = t.indexOf('/');
  const ipPart = slash < 0 ? t : t.slice(0, slash);
  const ip = parseIp(ipPart);
  if (ip) {
    const max = ip.family === 4 ? 32 : 128;
    const bits = slash < 0 ? max : Number(t.slice(slash + 1));
    if (Number.isInteger(bits) && bits >= 0 && bits <= max && (slash < 0 || /^\d+$/.test(t.slice(slash + 1)))) {
      out = { family: ip.family, bits, text: t, addr: ip.addr };
    }
  }
  if (cidrCache.size > 100_000) cidrCache.clear();
  cidrCache.set(s, out);
  return out ?? undefined;
}

export function cidrContains(c: Cidr, ip: Ip): boolean {
  if (c.family !== ip.family) return false;
  if (c.bits === 0) return true;
  if (c.family === 4) return (ip.addr as ipaddr.IPv4).match(c.addr as ipaddr.IPv4, c.bits);
  return (ip.addr as ipaddr.IPv6).match(c.addr as ipaddr.IPv6, c.bits);
}

export function inCidr(cidr: string, ip: string): boolean {
  const c = parseCidr(cidr);
  const a = parseIp(ip);
  return !!c && !!a && cidrContains(c, a);
}

/** Does cidr `outer` contain all of `inner`? */
export function cidrCovers(outer: Cidr, inner: Cidr): boolean {
  if (outer.family !== inner.family || outer.bits > inner.bits) return false;
  return cidrContains(outer, { family: inner.family, addr: inner.addr, text: inner.text });
}

export function familyOf(ip: string): Family | undefined {
  return parseIp(ip)?.family;
}
