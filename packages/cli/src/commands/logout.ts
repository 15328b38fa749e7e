// hullctl logout [SERVER]: forgets the credentials config.json keeps.
import type { Context } from '../context';
import { removeAuth } from '../images/auth';

export async function handler(_ctx: Context, argv: Record<string, unknown>): Promise<number> {
  const server = argv.server === undefined ? 'docker.io' : String(argv.server).replace(/^https?:\/\//, '').replace(/\/.*$/, '');
  if (removeAuth(server)) process.stdout.write(`Removing login credentials for ${server}\n`);
  else process.stdout.write(`Not logged in to ${server}\n`);
  return 0;
}
