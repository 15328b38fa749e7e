// hullctl version: ours and the supervisor's.
import type { Context } from '../context';

export async function handler(ctx: Context): Promise<number> {
  const pkg = require('../../package.json') as { version: string };
  const out = [`Client:\n Version:     ${pkg.version}\n Node:        ${process.version}\n OS/Arch:     ${process.platform}/${process.arch}\n`];
  const res = await ctx.client().call<{ shim_pid: number; version: string }>('Connect', { id: '' });
  out.push(`\nServer: hull-shim\n Version:     ${res.version || 'unknown'}\n Pid:         ${res.shim_pid}\n Address:     ${ctx.address}\n`);
  process.stdout.write(out.join(''));
  return 0;
}
