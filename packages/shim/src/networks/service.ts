// gRPC handlers of hull.networks.v1.Networks over a NetworkManager.
import type * as grpc from '@grpc/grpc-js';
import type { Logger } from '../log';
import { NETWORKS_SERVICE, serviceDefinition } from '../proto';
import { unary } from '../service';
import { BUILTIN_NETWORKS, endpointInfo, type EndpointInfo, type NetworkManager, type NetworkRecord, type SandboxRecord } from './manager';
import type { PortMapping } from './ports';

type Msg = Record<string, any>;

function endpointMessage(e: EndpointInfo): Msg {
  return {
    container_id: e.containerId, container_name: e.containerName, network: e.network, ip: e.ip, prefix_length: e.prefixLength,
    gateway: e.gateway, mac: e.mac, ifname: e.ifname, aliases: e.aliases,
  };
}

function portMessage(p: PortMapping): Msg {
  return { host_ip: p.hostIP, host_port: p.hostPort, container_port: p.containerPort, protocol: p.protocol };
}

function portFromMessage(p: Msg): PortMapping {
  return { hostIP: p.host_ip ?? '', hostPort: p.host_port ?? 0, containerPort: p.container_port ?? 0, protocol: p.protocol || 'tcp' };
}

function networkMessage(m: NetworkManager, n: NetworkRecord): Msg {
  return {
    id: n.id, name: n.name, driver: 'bridge', subnet: n.subnet, gateway: n.gateway, bridge: n.bridge, labels: n.labels,
    created_at: n.createdAt, builtin: BUILTIN_NETWORKS.includes(n.name), endpoints: m.endpoints(n.name).map(endpointMessage),
  };
}

/** host and none: listed as docker lists them, with no sandbox behind them. */
function pseudoNetwork(name: 'host' | 'none'): Msg {
  return { id: name, name, driver: name === 'host' ? 'host' : 'null', builtin: true, labels: {}, endpoints: [] };
}

function sandboxMessage(m: NetworkManager, s: SandboxRecord, checks?: Record<string, string>): Msg {
  return {
    container_id: s.containerId, container_name: s.name, hostname: s.hostname, netns: s.netns,
    hosts_path: m.hostsPath(s.containerId), resolv_conf_path: m.resolvConfPath(s.containerId),
    endpoints: s.endpoints.map((e) => endpointMessage(endpointInfo(s, e))), ports: s.ports.map(portMessage),
    check_errors: checks ?? {},
  };
}

export function addNetworkService(server: grpc.Server, m: NetworkManager, log: Logger): void {
  const handlers: Record<string, (r: Msg) => unknown> = {
    Create: async (r) => networkMessage(m, await m.create(r.name ?? '', r.subnet ?? '', r.gateway ?? '', r.labels ?? {})),
    List: () => ({ networks: [...m.networks().map((n) => networkMessage(m, n)), pseudoNetwork('host'), pseudoNetwork('none')] }),
    Inspect: (r) => (r.name === 'host' || r.name === 'none' ? pseudoNetwork(r.name) : networkMessage(m, m.network(r.name ?? ''))),
    Remove: async (r) => ({ name: await m.remove(r.name ?? '') }),
    Prune: async () => ({ removed: await m.prune() }),
    Attach: async (r) => sandboxMessage(m, await m.attach({
      containerId: r.container_id ?? '', name: r.container_name ?? '', hostname: r.hostname ?? '', network: r.network ?? '',
      aliases: r.aliases ?? [], ip: r.ip ?? '', ports: (r.ports ?? []).map(portFromMessage),
    })),
    Connect: async (r) => sandboxMessage(m, await m.connect(r.container_id ?? '', r.network ?? '', r.aliases ?? [], r.ip ?? '')),
    Disconnect: async (r) => sandboxMessage(m, await m.disconnect(r.container_id ?? '', r.network ?? '')),
    Detach: async (r) => { await m.detach(r.container_id ?? ''); return {}; },
    Sandboxes: async (r) => {
      const ids: string[] = r.container_ids ?? [];
      const all = ids.length ? ids.map((id) => m.sandbox(id)).filter((s): s is SandboxRecord => !!s) : m.sandboxes();
      const out: Msg[] = [];
      for (const s of all) out.push(sandboxMessage(m, s, r.check ? await m.check(s) : undefined));
      return { sandboxes: out };
    },
  };
  const impl: grpc.UntypedServiceImplementation = {};
  for (const [name, fn] of Object.entries(handlers)) impl[name] = unary(log, `Networks.${name}`, fn as never);
  server.addService(serviceDefinition(NETWORKS_SERVICE), impl);
}
