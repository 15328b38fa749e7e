import type { Context } from '../main';

export function handler(ctx: Context, args: { 'container-id': string }): void {
  const { start } = require('../../container/start') as typeof import('../../container/start');
  start(ctx.store, args['container-id'], ctx.log);
}
