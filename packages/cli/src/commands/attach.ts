// hullctl attach: our terminal joined to a running container until it exits
// or the detach keys are typed.
import { resolveContainer } from '../containers';
import { INTERACTIVE_ANNOTATION } from '../annotations';
import type { Context } from '../context';
import { CliError } from '../errors';
import { detachKeys, runAttached } from './common';
import { isRunning } from './lifecycle';

export async function handler(ctx: Context, argv: Record<string, unknown>): Promise<number> {
  const ref = String(argv.container);
  const keys = detachKeys(argv);
  const c = await resolveContainer(ctx, ref);
  if (!isRunning(c)) throw new CliError('You cannot attach to a stopped container, start it first', 1, 'ESTATUS');
  if (!c.spec) throw new CliError(`container ${ref} was not made by hullctl: its output is not logged`, 1, 'ENOLOGS');
  const status = await runAttached(ctx, {
    id: c.id,
    ref,
    bundle: c.info.bundle,
    spec: c.spec,
    interactive: !argv.noStdin && c.spec.annotations?.[INTERACTIVE_ANNOTATION] === 'true',
    detachKeys: keys,
    fromEnd: true,
    start: async () => undefined,
  });
  return status ?? 0;
}
