// hullctl network create|ls|inspect|rm|prune|connect|disconnect: the
// supervisor's hull.networks.v1 service, docker's output.
import { resolveContainer } from '../containers';
import type { Context } from '../context';
import { FlagError } from '../errors';
import { renderTable } from '../format/table';
import { NETWORKS } from '../sandbox';
import { strings } from './common';
import { confirm, forEachName, labels } from './objects';

interface Endpoint {
  container_id: string;
  container_name: string;
  ip: string;
  prefix_length: number;
  mac: string;
  aliases: string[];
}

interface Network {
  id: string;
  name: string;
  driver: string;
  subnet: string;
  gateway: string;
  bridge: string;
  labels: Record<string, string>;
  created_at: string;
  builtin: boolean;
  endpoints: Endpoint[];
}

function dockerView(n: Network): Record<string, unknown> {
  return {
    Name: n.name,
    Id: n.id,
    Created: n.created_at || undefined,
    Scope: 'local',
    Driver: n.driver,
    IPAM: { Driver: 'default', Config: n.subnet ? [{ Subnet: n.subnet, Gateway: n.gateway }] : [] },
    Containers: Object.fromEntries(n.endpoints.map((e) => [e.container_id, {
      Name: e.container_name, MacAddress: e.mac, IPv4Address: e.ip ? `${e.ip}/${e.prefix_length}` : '', Aliases: e.aliases,
    }])),
    Options: n.bridge ? { 'com.docker.network.bridge.name': n.bridge } : {},
    Labels: n.labels,
  };
}

export async function handler(ctx: Context, argv: Record<string, unknown>): Promise<number> {
  const call = <T>(method: string, req: Record<string, unknown>) => ctx.client().service<T>(NETWORKS, method, req);
  switch (argv.subcommand) {
    case 'create': {
      if (argv.driver !== undefined && argv.driver !== 'bridge') throw new FlagError(`invalid --driver ${String(argv.driver)}: only bridge is supported`);
      const n = await call<Network>('Create', {
        name: String(argv.name), subnet: argv.subnet === undefined ? '' : String(argv.subnet), gateway: argv.gateway === undefined ? '' : String(argv.gateway),
        labels: labels(strings(argv.label)),
      });
      process.stdout.write(`${n.id}\n`);
      return 0;
    }
    case 'ls': {
      const { networks } = await call<{ networks: Network[] }>('List', {});
      const id = (n: Network) => (argv.noTrunc ? n.id : n.id.slice(0, 12));
      if (argv.quiet) process.stdout.write(networks.map((n) => `${id(n)}\n`).join(''));
      else process.stdout.write(renderTable(['NETWORK ID', 'NAME', 'DRIVER', 'SCOPE'], networks.map((n) => [id(n), n.name, n.driver, 'local'])));
      return 0;
    }
    case 'inspect': {
      const out: Record<string, unknown>[] = [];
      const code = await forEachName(strings(argv.names), async (name) => {
        out.push(dockerView(await call<Network>('Inspect', { name })));
      });
      process.stdout.write(`${JSON.stringify(out, null, 4)}\n`);
      return code;
    }
    case 'rm':
      return forEachName(strings(argv.names), async (name) => {
        await call('Remove', { name });
        process.stdout.write(`${name}\n`);
      });
    case 'prune': {
      if (!argv.force && !(await confirm('WARNING! This will remove all custom networks not used by at least one container.'))) return 0;
      const { removed } = await call<{ removed: string[] }>('Prune', {});
      if (removed.length) process.stdout.write(`Deleted Networks:\n${removed.map((n) => `${n}\n`).join('')}`);
      return 0;
    }
    case 'connect': {
      const c = await resolveContainer(ctx, String(argv.container));
      await call('Connect', { container_id: c.id, network: String(argv.network), aliases: strings(argv.alias), ip: argv.ip === undefined ? '' : String(argv.ip) });
      return 0;
    }
    case 'disconnect': {
      const c = await resolveContainer(ctx, String(argv.container));
      await call('Disconnect', { container_id: c.id, network: String(argv.network) });
      return 0;
    }
    default:
      throw new FlagError(`unknown network command ${String(argv.subcommand)}`);
  }
}
