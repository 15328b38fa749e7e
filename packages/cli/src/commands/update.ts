// hullctl update: new resource limits for running containers (and in the
// bundle, so a restart keeps them).
import { resolveContainer, store } from '../containers';
import type { Context } from '../context';
import { FlagError } from '../errors';
import { buildResources } from '../spec/resources';
import { forEachRef, strings } from './common';

export async function handler(ctx: Context, argv: Record<string, unknown>): Promise<number> {
  const flags = {
    memory: argv.memory as string | undefined,
    memorySwap: argv.memorySwap as string | undefined,
    cpus: argv.cpus as string | undefined,
    cpuShares: argv.cpuShares as string | undefined,
    pidsLimit: argv.pidsLimit as string | undefined,
  };
  if (Object.values(flags).every((v) => v === undefined)) throw new FlagError('you must provide one or more flags when using this command');
  buildResources(flags, {}, true); // flag errors before touching anything
  return forEachRef(strings(argv.containers), async (ref) => {
    const c = await resolveContainer(ctx, ref);
    const resources = buildResources(flags, c.spec?.linux?.resources ?? {}, true);
    await ctx.client().call('Update', { id: c.id, resources: { type_url: 'opencontainers/runtime-spec/1/LinuxResources', value: Buffer.from(JSON.stringify(resources)) } }, ref);
    if (c.spec) {
      const linux = (c.spec.linux ??= {});
      const cur = (linux.resources ??= {});
      for (const [k, v] of Object.entries(resources)) (cur as Record<string, unknown>)[k] = { ...((cur as Record<string, unknown>)[k] as object | undefined), ...(v as object) };
      store(ctx).writeSpec(c.info.bundle, c.spec);
    }
    process.stdout.write(`${ref}\n`);
  });
}
