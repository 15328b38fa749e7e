// hullctl port CONTAINER [PRIVATE_PORT[/PROTO]]: "80/tcp -> 0.0.0.0:8080", as docker prints it.
import { resolveContainer } from '../containers';
import type { Context } from '../context';
import { CliError } from '../errors';
import { sandboxes } from '../sandbox';

export async function handler(ctx: Context, argv: Record<string, unknown>): Promise<number> {
  const c = await resolveContainer(ctx, String(argv.container));
  const ports = (await sandboxes(ctx, [c.id])).get(c.id)?.ports ?? [];
  let shown = ports;
  if (argv.port !== undefined) {
    const [port, proto = 'tcp'] = String(argv.port).split('/');
    shown = ports.filter((p) => String(p.container_port) === port && p.protocol === proto);
    if (shown.length === 0) throw new CliError(`No public port '${port}/${proto}' published for ${c.name}`, 1, 'ENOTFOUND');
    process.stdout.write(shown.map((p) => `${p.host_ip || '0.0.0.0'}:${p.host_port}\n`).join(''));
    return 0;
  }
  process.stdout.write(shown.map((p) => `${p.container_port}/${p.protocol} -> ${p.host_ip || '0.0.0.0'}:${p.host_port}\n`).join(''));
  return 0;
}
