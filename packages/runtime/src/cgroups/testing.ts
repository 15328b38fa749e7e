// A fake cgroupfs in a temp dir for unit tests: mount points laid out like
// a host's, and a layout parsed from a matching mountinfo text.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type CgroupLayout, detectCgroupLayout } from './layout';

export interface FakeHost {
  root: string;
  layout: CgroupLayout;
  /** Pre-creates kernel files in a cgroup dir (the kernel would make them on mkdir). */
  seed(dir: string, files: Record<string, string>): void;
  read(dir: string, file: string): string;
  cleanup(): void;
}

function host(mountinfo: (root: string) => string, procCgroup: string, mounts: (root: string) => string[]): FakeHost {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'hull-fakecg-'));
  for (const m of mounts(root)) fs.mkdirSync(m, { recursive: true });
  return {
    root,
    layout: detectCgroupLayout(mountinfo(root), procCgroup),
    seed(dir, files) {
      fs.mkdirSync(dir, { recursive: true });
      for (const [f, v] of Object.entries(files)) fs.writeFileSync(path.join(dir, f), v);
    },
    read: (dir, file) => fs.readFileSync(path.join(dir, file), 'utf8'),
    cleanup: () => fs.rmSync(root, { recursive: true, force: true }),
  };
}

const V1_CTRLS = ['cpu', 'cpuacct', 'cpuset', 'memory', 'devices', 'freezer', 'blkio', 'pids'];

/** This host's hybrid shape: v1 controllers each alone, cgroup2 at unified. */
export function fakeHybridHost(opts: { ownMemory?: string } = {}): FakeHost {
  const mi = (root: string) => [
    `31 23 0:28 / ${root} rw,relatime - tmpfs tmpfs rw,mode=755`,
    ...V1_CTRLS.map((c, i) => `${32 + i} 31 0:${29 + i} / ${root}/${c} rw,relatime - cgroup cgroup rw,${c}`),
    `41 31 0:38 / ${root}/unified rw,relatime - cgroup2 cgroup2 rw`,
  ].join('\n');
  const pc = V1_CTRLS.map((c, i) => `${i + 1}:${c}:${c === 'memory' && opts.ownMemory ? opts.ownMemory : '/'}`).join('\n') + '\n0::/\n';
  return host(mi, pc, (root) => [...V1_CTRLS.map((c) => `${root}/${c}`), `${root}/unified`]);
}

/** A unified host; this process sits in `own` (default /user.slice/session). */
export function fakeV2Host(own = '/user.slice/session'): FakeHost {
  const mi = (root: string) => `30 23 0:27 / ${root} rw,nosuid,nodev,noexec,relatime - cgroup2 cgroup2 rw,nsdelegate`;
  return host(mi, `0::${own}\n`, (root) => [root]);
}
