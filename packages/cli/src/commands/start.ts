// hullctl start: runs created containers, and again those that exited
// (the task is made anew from the same bundle; its logs go on).
import { Status } from '@hull/shim/constants';
import { createTask, resolveContainer, type Container } from '../containers';
import { INTERACTIVE_ANNOTATION } from '../annotations';
import type { Context } from '../context';
import { CliError, FlagError } from '../errors';
import { detachKeys, forEachRef, runAttached, startTask, strings } from './common';

/** Brings a container to running, whatever it was (created, exited, running). */
export async function startContainer(ctx: Context, c: Container, start = true): Promise<void> {
  if (c.info.status === Status.RUNNING || c.info.status === Status.PAUSED) return;
  if (c.info.status === Status.STOPPED) {
    if (!c.spec) throw new CliError(`container ${c.name} was not made by hullctl: it cannot be started again`, 1, 'EFOREIGN');
    await ctx.client().call('Delete', { id: c.id }, c.name);
    await createTask(ctx, c.id, c.info.bundle, c.spec);
  }
  if (start) await startTask(ctx, c, false);
}

export async function handler(ctx: Context, argv: Record<string, unknown>): Promise<number> {
  const refs = strings(argv.containers);
  if (argv.attach || argv.interactive) {
    if (refs.length > 1) throw new FlagError('you cannot start and attach multiple containers at once');
    const c = await resolveContainer(ctx, refs[0]!);
    if (!c.spec) throw new CliError(`container ${refs[0]} was not made by hullctl: it cannot be attached`, 1, 'EFOREIGN');
    const wasRunning = c.info.status === Status.RUNNING || c.info.status === Status.PAUSED;
    await startContainer(ctx, c, false);
    const status = await runAttached(ctx, {
      id: c.id,
      ref: refs[0]!,
      bundle: c.info.bundle,
      spec: c.spec,
      interactive: !!argv.interactive && c.spec.annotations?.[INTERACTIVE_ANNOTATION] === 'true',
      detachKeys: detachKeys(argv),
      fromEnd: true,
      start: async () => {
        if (!wasRunning) await startTask(ctx, c, false);
      },
    });
    return status ?? 0;
  }
  return forEachRef(refs, async (ref) => {
    await startContainer(ctx, await resolveContainer(ctx, ref));
    process.stdout.write(`${ref}\n`);
  });
}
