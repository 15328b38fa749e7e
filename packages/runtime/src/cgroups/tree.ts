// Directory work shared by both managers: make a cgroup path, list its
// processes, remove it (children first) without touching what pre-existed.
import fs from 'node:fs';
import path from 'node:path';
import { CgroupError } from '../errors';
import { sleepMs } from '../proc';

/**
 * mkdir -p of `dir` below `mount`; returns the topmost directory it made,
 * or undefined when `dir` existed. `onMade` runs on each new level, top
 * down, before the next one is made (cpuset needs its values copied).
 */
export function makeCgroupDir(mount: string, dir: string, onMade?: (made: string) => void): string | undefined {
  const rel = path.relative(mount, dir);
  if (rel.startsWith('..') || path.isAbsolute(rel)) {
    throw new CgroupError('EINVAL', `cgroup: ${dir} is outside the hierarchy ${mount}`, { dir, mount });
  }
  let top: string | undefined;
  let cur = mount;
  for (const part of rel.split('/').filter(Boolean)) {
    cur = path.join(cur, part);
    try {
      fs.mkdirSync(cur);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') continue;
      throw new CgroupError(code ?? 'EIO', `cgroup: mkdir ${cur}: ${code}`, { dir: cur }, { cause: e });
    }
    top ??= cur;
    onMade?.(cur);
  }
  return top;
}

/** Pids in a cgroup's cgroup.procs and in every cgroup below it. */
export function treePids(dir: string): number[] {
  const out: number[] = [];
  const walk = (d: string) => {
    let text: string;
    try {
      text = fs.readFileSync(path.join(d, 'cgroup.procs'), 'utf8');
    } catch {
      return;
    }
    for (const l of text.split('\n')) if (l) out.push(Number(l));
    for (const e of fs.readdirSync(d, { withFileTypes: true })) if (e.isDirectory()) walk(path.join(d, e.name));
  };
  walk(dir);
  return out;
}

/** rmdir, retrying on EBUSY while the last processes leave (up to ~2 s). */
function rmdirRetry(dir: string): void {
  for (let delay = 5; ; delay *= 2) {
    try {
      fs.rmdirSync(dir);
      return;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return;
      if (code !== 'EBUSY' || delay > 640) {
        throw new CgroupError(code ?? 'EIO', `cgroup: rmdir ${dir}: ${code}`, { dir }, { cause: e });
      }
      sleepMs(delay);
    }
  }
}

/**
 * Removes `dir` and every cgroup below it, deepest first, then its parents
 * up to and including `top` (the topmost directory our create made).
 * Cgroup directories hold only kernel files, which rmdir takes with them.
 */
export function removeCgroupDir(dir: string, top?: string): void {
  // A cgroup we did not make that still holds processes is someone else's too: leave it as it was.
  if (!top && treePids(dir).length) return;
  const removeTree = (d: string) => {
    // Most cgroups have no children: one rmdir, not a listing of some thirty kernel files first.
    try {
      fs.rmdirSync(d);
      return;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return;
      if (code !== 'EBUSY' && code !== 'ENOTEMPTY') throw new CgroupError(code ?? 'EIO', `cgroup: rmdir ${d}: ${code}`, { dir: d }, { cause: e });
    }
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(d, { withFileTypes: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw e;
    }
    for (const e of entries) if (e.isDirectory()) removeTree(path.join(d, e.name));
    rmdirRetry(d);
  };
  removeTree(dir);
  if (!top) return;
  const rel = path.relative(top, dir);
  if (rel.startsWith('..') || path.isAbsolute(rel)) return;
  for (let d = path.dirname(dir); rel !== '' && d.length >= top.length; d = path.dirname(d)) {
    try {
      fs.rmdirSync(d);
    } catch (e) {
      // Another container may share the parent: leave it.
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOTEMPTY' || code === 'EBUSY' || code === 'EEXIST') return;
      if (code !== 'ENOENT') throw new CgroupError(code ?? 'EIO', `cgroup: rmdir ${d}: ${code}`, { dir: d }, { cause: e });
    }
    if (d === top) return;
  }
}
