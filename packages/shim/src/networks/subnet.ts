// IPv4 CIDR arithmetic for network create: parse, overlap, the gateway, and
// the next free /24 of hull's pool.
import { invalid } from '../errors';

export interface Cidr {
  base: number;
  prefix: number;
}

export function parseIp(s: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  return ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
}

export function formatIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

function mask(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/** "10.1.2.0/24"; the address must be the network's own (docker refuses host bits). */
export function parseCidr(s: string): Cidr {
  const m = /^([^/]+)\/(\d{1,2})$/.exec(s);
  const ip = m ? parseIp(m[1]!) : undefined;
  const prefix = m ? Number(m[2]) : NaN;
  if (ip === undefined || !(prefix >= 8 && prefix <= 30)) throw invalid(`invalid subnet ${s}: an IPv4 CIDR with a prefix length from 8 to 30 is expected`);
  if ((ip & mask(prefix)) >>> 0 !== ip) throw invalid(`invalid subnet ${s}: it has host bits set (the network is ${formatCidr({ base: (ip & mask(prefix)) >>> 0, prefix })})`);
  return { base: ip, prefix };
}

export function formatCidr(c: Cidr): string {
  return `${formatIp(c.base)}/${c.prefix}`;
}

export function contains(c: Cidr, ip: number): boolean {
  return ((ip & mask(c.prefix)) >>> 0) === c.base;
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  const p = Math.min(a.prefix, b.prefix);
  return ((a.base & mask(p)) >>> 0) === ((b.base & mask(p)) >>> 0);
}

/** The gateway: given (inside the subnet, not its network or broadcast address) or the first address. */
export function gatewayOf(c: Cidr, given: string): string {
  if (!given) return formatIp(c.base + 1);
  const ip = parseIp(given);
  const broadcast = (c.base | ~mask(c.prefix)) >>> 0;
  if (ip === undefined || !contains(c, ip) || ip === c.base || ip === broadcast) throw invalid(`invalid gateway ${given}: not a host address of subnet ${formatCidr(c)}`);
  return given;
}

/** The first /24 of `pool` that overlaps none of `taken`. */
export function freeSubnet(pool: Cidr, taken: Cidr[]): Cidr | undefined {
  const count = 2 ** (24 - pool.prefix);
  for (let i = 0; i < count; i++) {
    const c = { base: (pool.base + i * 256) >>> 0, prefix: 24 };
    if (!taken.some((t) => overlaps(t, c))) return c;
  }
  return undefined;
}
