// hullctl image COMMAND: docker's management command over the image verbs.
import type { Context } from '../context';
import { FlagError } from '../errors';
import { strings } from './common';

const SUB: Record<string, { load: () => unknown; args: (rest: string[]) => Record<string, unknown> }> = {
  ls: { load: () => require('./images'), args: (r) => ({ repository: r }) },
  list: { load: () => require('./images'), args: (r) => ({ repository: r }) },
  rm: { load: () => require('./rmi'), args: (r) => ({ images: r }) },
  remove: { load: () => require('./rmi'), args: (r) => ({ images: r }) },
  inspect: { load: () => require('./image-inspect'), args: (r) => ({ images: r }) },
  pull: { load: () => require('./pull'), args: (r) => ({ name: r }) },
  push: { load: () => require('./push'), args: (r) => ({ name: r }) },
  tag: { load: () => require('./tag'), args: (r) => ({ source: r[0], target: r[1] }) },
  history: { load: () => require('./history'), args: (r) => ({ image: r[0] }) },
  prune: { load: () => require('./image-prune'), args: () => ({}) },
  save: { load: () => require('./save'), args: (r) => ({ images: r }) },
  load: { load: () => require('./load'), args: () => ({}) },
};

const NEED: Record<string, number> = { rm: 1, remove: 1, inspect: 1, pull: 1, push: 1, tag: 2, history: 1, save: 1 };

export async function handler(ctx: Context, argv: Record<string, unknown>): Promise<number> {
  const sub = String(argv.verb);
  const def = SUB[sub];
  if (!def) throw new FlagError(`'image ${sub}' is not a hullctl command: use ${Object.keys(SUB).join(', ')}`);
  const rest = strings(argv.args);
  const need = NEED[sub] ?? 0;
  if (rest.length < need) throw new FlagError(`"hullctl image ${sub}" requires ${need === 1 ? 'at least 1 argument' : `exactly ${need} arguments`}.`);
  const mod = def.load() as { handler: (ctx: Context, argv: Record<string, unknown>) => Promise<number> };
  return mod.handler(ctx, { ...argv, ...def.args(rest) });
}
