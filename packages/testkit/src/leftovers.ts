// What a container or a supervisor may leave on the host: cgroup directories,
// mounts, monitor processes. Every suite asks these after a failure (and after
// cleanup) to prove nothing is left.
import fs from 'node:fs';
import path from 'node:path';

const CGROUP_ROOT = '/sys/fs/cgroup';

/**
 * Whether a cgroup called `name` is named after `id`: the id itself or a name
 * holding it whole ("hull-<id>.scope"), never a longer id ("<id>0").
 */
export function namedAfter(name: string, id: string): boolean {
  for (let at = name.indexOf(id); at >= 0; at = name.indexOf(id, at + 1)) {
    if (!/[A-Za-z0-9]/.test(name.charAt(at + id.length))) return true;
  }
  return false;
}

/** Cgroup directories, up to five levels under each hierarchy, named after `id` (see namedAfter). */
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
      if (namedAfter(e.name, id)) found.push(p);
      else if (depth > 0) walk(p, depth - 1);
    }
  };
  let hierarchies: string[] = [];
  try {
    hierarchies = fs.readdirSync(CGROUP_ROOT);
  } catch {
    // no cgroup file system: nothing to leave
  }
  for (const h of hierarchies) walk(path.join(CGROUP_ROOT, h), 4);
  return found;
}

/** Mount points of this mount namespace whose mountinfo line mentions `needle` (an id, a bundle directory). */
export function mountsMentioning(needle: string): string[] {
  return fs
    .readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter((l) => l.includes(needle))
    .map((l) => l.split(' ')[4] ?? l);
}

/** Mount points at or below `dir`. */
export function mountsUnder(dir: string): string[] {
  return fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').map((l) => l.split(' ')[4]).filter((m) => m && (m === dir || m.startsWith(dir + '/')));
}

/** Processes whose command line contains every one of `words` (a program and a directory it was given). */
export function processesWith(...words: string[]): number[] {
  const out: number[] = [];
  for (const p of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const cmd = fs.readFileSync(`/proc/${p}/cmdline`, 'utf8');
      if (words.every((w) => cmd.includes(w))) out.push(Number(p));
    } catch {
      // gone
    }
  }
  return out;
}

/** hull-monitor processes whose command line names `dir` (their state dir is inside it). */
export function monitorsOf(dir: string): number[] {
  return processesWith('hull-monitor', dir);
}

/**
 * `list()` once it is empty, or what is left of it after `ms`. What a teardown ends may take a moment
 * to go after the call that ended it returned (a monitor exits just after it recorded the exit): a
 * loaded machine is slow, so wait for the real condition rather than assert at once.
 */
export async function settled<T>(list: () => T[], ms = 60_000): Promise<T[]> {
  for (const end = Date.now() + ms; ;) {
    const left = list();
    if (left.length === 0 || Date.now() > end) return left;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Whether `pid` has a handler for signal `sig` (its SigCgt bit): a shell's trap is set. */
export function catches(pid: number, sig: number): boolean {
  try {
    const mask = /^SigCgt:\s*([0-9a-f]+)$/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? '0';
    return ((BigInt(`0x${mask}`) >> BigInt(sig - 1)) & 1n) === 1n;
  } catch {
    return false;
  }
}
