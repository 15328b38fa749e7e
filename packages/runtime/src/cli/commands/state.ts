import type { Context } from '../main';
import { writeStdout } from '../output';

export function handler(ctx: Context, args: { 'container-id': string }): void {
  const { summarize } = require('../../container/list') as typeof import('../../container/list');
  const rec = ctx.store.read(args['container-id']);
  writeStdout(JSON.stringify(summarize(ctx.store, rec), null, 2) + '\n');
}
