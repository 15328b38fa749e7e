// `hull pause ID`: freeze every process of the container.
import type { Context } from '../main';

export function handler(ctx: Context, args: { 'container-id': string }): void {
  const { pause } = require('../../container/pause') as typeof import('../../container/pause');
  pause(ctx.store, args['container-id']);
}
