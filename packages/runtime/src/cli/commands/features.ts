import type { Context } from '../main';

export function handler(_ctx: Context): void {
  const { hullFeatures } = require('../../features') as typeof import('../../features');
  process.stdout.write(JSON.stringify(hullFeatures(), null, '    ') + '\n');
}
