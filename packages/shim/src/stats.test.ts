// cgroup figures from fake cgroupfs trees: v1 (legacy and hybrid) and v2.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readStats, oomKills } from './stats';

function tree(files: Record<string, string>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'hull-shim-cgfs-'));
  for (const [f, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, f)), { recursive: true });
    fs.writeFileSync(path.join(root, f), content);
  }
  return root;
}

describe('readStats', () => {
  const roots: string[] = [];
  afterAll(() => roots.forEach((r) => fs.rmSync(r, { recursive: true, force: true })));

  it('reads v1 controllers', () => {
    const root = tree({
      'pids/c1/pids.current': '3\n', 'pids/c1/pids.max': 'max\n',
      'cpuacct/c1/cpuacct.usage': '5000\n', 'cpuacct/c1/cpuacct.stat': 'user 2\nsystem 1\n',
      'memory/c1/memory.usage_in_bytes': '4096\n', 'memory/c1/memory.limit_in_bytes': '9223372036854771712\n',
      'memory/c1/memory.oom_control': 'oom_kill_disable 0\nunder_oom 0\noom_kill 2\n',
      'unified/c1/cgroup.procs': '',
    });
    roots.push(root);
    const cg = { pids: '/c1', cpuacct: '/c1', cpu: '/c1', memory: '/c1', '': '/c1' };
    expect(readStats(cg, root)).toEqual({
      cgroup: '/c1', pids: { current: 3, limit: undefined }, cpu: { usage_ns: 5000, user_ns: 2e7, system_ns: 1e7 }, memory: { usage: 4096, limit: undefined },
    });
    expect(oomKills(cg, root)).toBe(2);
  });

  it('reads a pure v2 hierarchy', () => {
    const root = tree({
      'cgroup.controllers': 'cpu memory pids\n',
      'c2/pids.current': '1\n', 'c2/pids.max': '50\n',
      'c2/cpu.stat': 'usage_usec 7\nuser_usec 4\nsystem_usec 3\n',
      'c2/memory.current': '8192\n', 'c2/memory.max': '16777216\n', 'c2/memory.events': 'low 0\nhigh 0\nmax 4\noom 1\noom_kill 1\n',
    });
    roots.push(root);
    const cg = { '': '/c2' };
    expect(readStats(cg, root)).toEqual({
      cgroup: '/c2', pids: { current: 1, limit: 50 }, cpu: { usage_ns: 7000, user_ns: 4000, system_ns: 3000 }, memory: { usage: 8192, limit: 16777216 },
    });
    expect(oomKills(cg, root)).toBe(1);
  });
});
