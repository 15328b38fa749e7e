// Published ports of a sandbox: checked, host ports left 0 filled with free
// ones, and a port another sandbox publishes refused (portmap's DNAT rules
// would not say no).
import dgram from 'node:dgram';
import net from 'node:net';
import { invalid, precondition } from '../errors';
import { parseIp } from './subnet';

export interface PortMapping {
  hostIP: string;
  hostPort: number;
  containerPort: number;
  protocol: 'tcp' | 'udp';
}

/** Tries at a free host port before giving up: each is the kernel's pick, which knows nothing of DNAT-published ports. */
const PICKS = 64;

/**
 * `wanted` with host ports 0 filled; `pick` (the kernel's free port by default) is asked again when
 * its port is one another sandbox publishes (portmap's DNAT binds nothing, so the kernel calls it free).
 */
export async function assignPorts(wanted: PortMapping[], taken: PortMapping[], pick = freePort): Promise<PortMapping[]> {
  const out: PortMapping[] = [];
  const clashing = (m: PortMapping) => [...taken, ...out].some((t) => t.protocol === m.protocol && t.hostPort === m.hostPort && (!t.hostIP || !m.hostIP || t.hostIP === m.hostIP));
  for (const p of wanted) {
    if (!['tcp', 'udp'].includes(p.protocol)) throw invalid(`invalid port protocol ${JSON.stringify(p.protocol)}: tcp or udp`);
    if (!(p.containerPort >= 1 && p.containerPort <= 65535) || !(p.hostPort >= 0 && p.hostPort <= 65535)) throw invalid(`invalid port mapping ${p.hostPort}:${p.containerPort}`);
    if (p.hostIP && parseIp(p.hostIP) === undefined) throw invalid(`invalid host IP ${p.hostIP}: an IPv4 address is expected`);
    let m = { ...p };
    for (let i = 0; i < (p.hostPort ? 1 : PICKS); i++) {
      m = { ...p, hostPort: p.hostPort || (await pick(p.protocol, p.hostIP)) };
      if (!clashing(m)) break;
    }
    if (clashing(m)) throw precondition(`Bind for ${m.hostIP || '0.0.0.0'}:${m.hostPort} failed: port is already allocated`);
    out.push(m);
  }
  return out;
}

/** A port the kernel calls free right now in this namespace (docker picks from the ephemeral range likewise). */
export function freePort(protocol: 'tcp' | 'udp', hostIP: string): Promise<number> {
  const host = hostIP || '0.0.0.0';
  return new Promise((resolve, reject) => {
    if (protocol === 'udp') {
      const sock = dgram.createSocket('udp4');
      sock.on('error', reject);
      sock.bind(0, host, () => {
        const port = sock.address().port;
        sock.close(() => resolve(port));
      });
      return;
    }
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, host, () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}
