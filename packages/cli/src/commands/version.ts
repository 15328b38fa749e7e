// hullctl version: ours and the supervisor's; hullctl --version: ours alone.
import fs from 'node:fs';
import path from 'node:path';
import type { Context } from '../context';

const VERSION = (require('../../package.json') as { version: string }).version;

/** The commit `make build` wrote beside the compiled code (lib/commit); absent in other builds. */
function buildCommit(): string | undefined {
  try {
    return fs.readFileSync(path.join(__dirname, '..', 'commit'), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/** `hullctl --version` in docker's shape (`Docker version 24.0.5, build ced0996`); asks no supervisor. */
export function versionLine(): string {
  return `hullctl version ${VERSION}, build ${buildCommit() ?? 'unknown'}\n`;
}

export async function handler(ctx: Context): Promise<number> {
  const out = [`Client:\n Version:     ${VERSION}\n Git commit:  ${buildCommit() ?? 'unknown'}\n Node:        ${process.version}\n OS/Arch:     ${process.platform}/${process.arch}\n`];
  const res = await ctx.client().call<{ shim_pid: number; version: string }>('Connect', { id: '' });
  out.push(`\nServer: hull-shim\n Version:     ${res.version || 'unknown'}\n Pid:         ${res.shim_pid}\n Address:     ${ctx.address}\n`);
  process.stdout.write(out.join(''));
  return 0;
}
