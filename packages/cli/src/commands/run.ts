// hullctl run: create, start, attach, wait; --rm removes it afterwards.
import { removeContainer } from '../containers';
import type { Context } from '../context';
import { asContainer, createContainer, detachKeys, runAttached, startTask } from './common';

export async function handler(ctx: Context, argv: Record<string, unknown>): Promise<number> {
  const c = await createContainer(ctx, argv);
  const container = asContainer(c);
  if (argv.detach) {
    await startTask(ctx, container, true);
    process.stdout.write(`${c.id}\n`);
    return 0;
  }
  const status = await runAttached(ctx, {
    id: c.id,
    ref: c.name,
    bundle: c.bundle,
    spec: c.spec,
    interactive: !!argv.interactive,
    detachKeys: detachKeys(argv),
    start: () => startTask(ctx, container, true),
  });
  if (status === undefined) return 0; // detached: it runs on
  if (argv.rm) await removeContainer(ctx, container, true);
  return status;
}
