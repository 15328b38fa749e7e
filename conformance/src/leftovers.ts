// After a failed operation the host must look as if it was never attempted: no container, cgroup, mount, state.
import fs from 'node:fs';
import path from 'node:path';
import { cgroupsNamed, mountsMentioning } from '@hull/testkit/leftovers';
import { type Context, listIds } from './context';

export { cgroupsNamed };

/** Everything `id` left behind; empty when the host is clean. */
export async function leftovers(t: Context, id: string, bundleDir: string): Promise<string[]> {
  const found: string[] = [];
  if ((await listIds(t)).includes(id)) found.push(`\`list\` still shows ${id}`);
  for (const cg of cgroupsNamed(id)) found.push(`cgroup ${cg}`);
  for (const m of [...mountsMentioning(id), ...mountsMentioning(bundleDir)]) found.push(`mount ${m}`);
  if (fs.existsSync(path.join(t.rt.root, id))) found.push(`state dir ${path.join(t.rt.root, id)}`);
  return found;
}
