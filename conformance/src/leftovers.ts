// After a failed operation the host must look as if it was never attempted: no container, cgroup, mount, state.
import fs from 'node:fs';
import path from 'node:path';
import { type Context, listIds } from './context';

const cgroupRoot = '/sys/fs/cgroup';

/** Cgroup directories (up to three levels under each hierarchy) whose name contains `id`. */
export function cgroupsNamed(id: string): string[] {
  const found: string[] = [];
  const walk = (dir: string, depth: number): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (!e.isDirectory()) continue;
      const p = path.join(dir, e.name);
      if (e.name.includes(id)) found.push(p);
      else if (depth > 0) walk(p, depth - 1);
    }
  };
  for (const h of safeReaddir(cgroupRoot)) walk(path.join(cgroupRoot, h), 2);
  return found;
}

/** Host mount points that mention `needle` (a container id or a bundle directory). */
export function mountsMentioning(needle: string): string[] {
  return fs
    .readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter((l) => l.includes(needle))
    .map((l) => l.split(' ')[4] ?? l);
}

/** Everything `id` left behind; empty when the host is clean. */
export async function leftovers(t: Context, id: string, bundleDir: string): Promise<string[]> {
  const found: string[] = [];
  if ((await listIds(t)).includes(id)) found.push(`\`list\` still shows ${id}`);
  for (const cg of cgroupsNamed(id)) found.push(`cgroup ${cg}`);
  for (const m of [...mountsMentioning(id), ...mountsMentioning(bundleDir)]) found.push(`mount ${m}`);
  if (fs.existsSync(path.join(t.rt.root, id))) found.push(`state dir ${path.join(t.rt.root, id)}`);
  return found;
}

function safeReaddir(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}
