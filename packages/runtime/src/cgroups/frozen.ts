// Whether a container's cgroup is frozen, from its saved paths alone: file
// reads only, so `state` and `list` need not load the managers (or koffi).
import { readOptional } from './files';

/** v2 (and hybrid cgroup2): cgroup.events says "frozen 1" once every task is stopped. */
export function isFrozenV2(dir: string): boolean {
  return /^frozen 1$/m.test(readOptional(dir, 'cgroup.events') ?? '');
}

/** v1 freezer when there is one, else the cgroup2 directory. */
export function isFrozenAt(paths: Record<string, string>): boolean {
  if (paths.freezer) return readOptional(paths.freezer, 'freezer.state')?.trim() === 'FROZEN';
  return paths.unified ? isFrozenV2(paths.unified) : false;
}
