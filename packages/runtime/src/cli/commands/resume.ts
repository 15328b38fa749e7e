// `hull resume ID`: thaw a paused container.
import type { Context } from '../main';

export function handler(ctx: Context, args: { 'container-id': string }): void {
  const { resume } = require('../../container/resume') as typeof import('../../container/resume');
  resume(ctx.store, args['container-id']);
}
