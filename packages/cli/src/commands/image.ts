// hullctl image COMMAND: docker's management command over the image verbs.
import type { Context } from '../context';
import { FlagError } from '../errors';
import { strings } from './common';

const SUB: Record<string, { module: string; args: (rest: string[]) => Record<string, unknown> }> = {
  ls: { module: './images', args: (r) => ({ repository: r }) },
  list: { module: './images', args: (r) => ({ repository: r }) },
  rm: { module: './rmi', args: (r) => ({ images: r }) },
  remove: { module: './rmi', args: (r) => ({ images: r }) },
  inspect: { module: './image-inspect', args: (r) => ({ images: r }) },
  pull: { module: './pull', args: (r) => ({ name: r }) },
  push: { module: './push', args: (r) => ({ name: r }) },
  tag: { module: './tag', args: (r) => ({ source: r[0], target: r[1] }) },
  history: { module: './history', args: (r) => ({ image: r[0] }) },
  prune: { module: './image-prune', args: () => ({}) },
  save: { module: './save', args: (r) => ({ images: r }) },
  load: { module: './load', args: () => ({}) },
};

const NEED: Record<string, number> = { rm: 1, remove: 1, inspect: 1, pull: 1, push: 1, tag: 2, history: 1, save: 1 };

export async function handler(ctx: Context, argv: Record<string, unknown>): Promise<number> {
  const sub = String(argv.verb);
  const def = SUB[sub];
  if (!def) throw new FlagError(`'image ${sub}' is not a hullctl command: use ${Object.keys(SUB).join(', ')}`);
  const rest = strings(argv.args);
  const need = NEED[sub] ?? 0;
  if (rest.length < need) throw new FlagError(`"hullctl image ${sub}" requires ${need === 1 ? 'at least 1 argument' : `exactly ${need} arguments`}.`);
  const mod = require(def.module) as { handler: (ctx: Context, argv: Record<string, unknown>) => Promise<number> };
  return mod.handler(ctx, { ...argv, ...def.args(rest) });
}
