// The /etc/hosts of a container with a sandbox: localhost, itself, and on
// user-defined networks every peer by name, aliases and hostname.
export interface HostsPeer {
  ip: string;
  names: string[];
}

export function renderHosts(self: { hostname: string; name: string; ips: string[] }, peers: HostsPeer[]): string {
  const lines = ['127.0.0.1\tlocalhost', '::1\tlocalhost ip6-localhost ip6-loopback'];
  const own = unique([self.hostname, self.name].filter(Boolean));
  for (const ip of self.ips) lines.push(`${ip}\t${own.join(' ')}`);
  if (self.ips.length === 0 && own.length) lines.push(`127.0.1.1\t${own.join(' ')}`);
  for (const p of peers) if (p.names.length) lines.push(`${p.ip}\t${unique(p.names).join(' ')}`);
  return lines.join('\n') + '\n';
}

/** The host's resolv.conf without loopback name servers, which mean nothing inside a network namespace. */
export function containerResolvConf(host: string): string {
  return host
    .split('\n')
    .filter((l) => !/^\s*nameserver\s+(127\.|::1\s*$)/.test(l))
    .join('\n');
}

function unique(xs: string[]): string[] {
  return [...new Set(xs)];
}
