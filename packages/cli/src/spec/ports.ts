// -p [IP:][HOSTPORT:]CTRPORT[/PROTO] as docker reads it (one port, or ranges of equal length).
import { FlagError } from '../errors';

export interface PortFlag {
  hostIP: string;
  /** 0: a free one. */
  hostPort: number;
  containerPort: number;
  protocol: 'tcp' | 'udp';
}

function range(s: string, spec: string): [number, number] {
  const m = /^(\d+)(?:-(\d+))?$/.exec(s);
  const lo = m ? Number(m[1]) : NaN;
  const hi = m?.[2] !== undefined ? Number(m[2]) : lo;
  if (!m || lo < 1 || hi > 65535 || hi < lo) throw new FlagError(`invalid argument "${spec}" for "-p, --publish" flag: invalid port ${JSON.stringify(s)}`);
  return [lo, hi];
}

export function parsePublish(spec: string): PortFlag[] {
  let rest = spec;
  let protocol: 'tcp' | 'udp' = 'tcp';
  const slash = rest.lastIndexOf('/');
  if (slash >= 0) {
    const p = rest.slice(slash + 1).toLowerCase();
    if (p !== 'tcp' && p !== 'udp') throw new FlagError(`invalid argument "${spec}" for "-p, --publish" flag: invalid proto: ${p}`);
    protocol = p;
    rest = rest.slice(0, slash);
  }
  const parts = rest.split(':');
  if (parts.length > 3) throw new FlagError(`invalid argument "${spec}" for "-p, --publish" flag: IPv6 host addresses are not supported`);
  const [ip, host, ctr] = parts.length === 3 ? parts : parts.length === 2 ? ['', parts[0]!, parts[1]!] : ['', '', parts[0]!];
  if (ip && !/^\d{1,3}(\.\d{1,3}){3}$/.test(ip)) throw new FlagError(`invalid argument "${spec}" for "-p, --publish" flag: invalid IP address: ${ip}`);
  const [clo, chi] = range(ctr!, spec);
  if (!host) {
    const out: PortFlag[] = [];
    for (let p = clo; p <= chi; p++) out.push({ hostIP: ip!, hostPort: 0, containerPort: p, protocol });
    return out;
  }
  const [hlo, hhi] = range(host, spec);
  if (hhi - hlo !== chi - clo) throw new FlagError(`invalid argument "${spec}" for "-p, --publish" flag: invalid ranges specified for container and host Ports: ${ctr} and ${host}`);
  return Array.from({ length: chi - clo + 1 }, (_, i) => ({ hostIP: ip!, hostPort: hlo + i, containerPort: clo + i, protocol }));
}

/** docker's PORTS / `docker port` text: 0.0.0.0:8080->80/tcp. */
export function formatPort(p: { hostIP: string; hostPort: number; containerPort: number; protocol: string }): string {
  return `${p.hostIP || '0.0.0.0'}:${p.hostPort}->${p.containerPort}/${p.protocol}`;
}
