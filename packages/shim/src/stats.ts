// cgroup figures of a task, read from cgroupfs (v1 controllers or v2 unified).
import fs from 'node:fs';
import path from 'node:path';

export const CGROUP_ROOT = '/sys/fs/cgroup';

/** The task's cgroups: controller -> path (v1), and '' -> path in the unified hierarchy. */
export function cgroupsOf(pid: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of fs.readFileSync(`/proc/${pid}/cgroup`, 'utf8').split('\n')) {
    const m = /^\d+:([^:]*):(.*)$/.exec(line);
    if (!m) continue;
    if (m[1] === '') out[''] = m[2];
    else for (const c of m[1].split(',')) out[c.replace(/^name=/, '')] = m[2];
  }
  return out;
}

/** Where cgroup2 is: the root itself on a pure v2 host, <root>/unified on a hybrid one. */
export function unifiedRoot(root: string): string {
  return fs.existsSync(path.join(root, 'cgroup.controllers')) ? root : path.join(root, 'unified');
}

export function read(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    return undefined;
  }
}

export function num(s: string | undefined): number | undefined {
  if (s === undefined || s === 'max') return undefined;
  const n = Number(s);
  return Number.isFinite(n) ? n : undefined;
}

function keyed(s: string | undefined, key: string): number | undefined {
  const m = s && new RegExp(`^${key} (\\d+)$`, 'm').exec(s);
  return m ? Number(m[1]) : undefined;
}

/** A controller's directory: v1 when that controller is mounted on its own, else v2. */
export function controllerDir(cgroups: Record<string, string>, controller: string, root = CGROUP_ROOT): { v2: boolean; dir: string } | undefined {
  const v1 = cgroups[controller];
  if (v1 !== undefined) {
    const base = path.join(root, controller === 'cpuacct' && !fs.existsSync(path.join(root, 'cpuacct')) ? 'cpu,cpuacct' : controller);
    if (fs.existsSync(base)) return { v2: false, dir: path.join(base, v1) };
  }
  if (cgroups[''] !== undefined) {
    const d = path.join(unifiedRoot(root), cgroups['']);
    // On a hybrid host the unified hierarchy may lack the controller's files.
    if (controller === 'cpuacct' ? fs.existsSync(path.join(d, 'cpu.stat')) : fs.existsSync(path.join(d, `${controller}.current`))) return { v2: true, dir: d };
  }
  return undefined;
}

export interface TaskStats {
  cgroup: string;
  pids: { current?: number; limit?: number };
  cpu: { usage_ns?: number; user_ns?: number; system_ns?: number };
  memory: { usage?: number; limit?: number };
}

export function readStats(cgroups: Record<string, string>, root = CGROUP_ROOT): TaskStats {
  const stats: TaskStats = { cgroup: cgroups.memory ?? cgroups.pids ?? cgroups[''] ?? '', pids: {}, cpu: {}, memory: {} };
  const pids = controllerDir(cgroups, 'pids', root);
  if (pids) stats.pids = { current: num(read(path.join(pids.dir, 'pids.current'))), limit: num(read(path.join(pids.dir, 'pids.max'))) };
  const cpu = controllerDir(cgroups, 'cpuacct', root);
  if (cpu && !cpu.v2) {
    const st = read(path.join(cpu.dir, 'cpuacct.stat'));
    const tick = 1e9 / 100; // USER_HZ
    const user = keyed(st, 'user');
    const system = keyed(st, 'system');
    stats.cpu = { usage_ns: num(read(path.join(cpu.dir, 'cpuacct.usage'))), user_ns: user === undefined ? undefined : user * tick, system_ns: system === undefined ? undefined : system * tick };
  } else if (cpu) {
    const st = read(path.join(cpu.dir, 'cpu.stat'));
    const us = (k: string) => { const v = keyed(st, k); return v === undefined ? undefined : v * 1000; };
    stats.cpu = { usage_ns: us('usage_usec'), user_ns: us('user_usec'), system_ns: us('system_usec') };
  }
  const mem = controllerDir(cgroups, 'memory', root);
  if (mem && !mem.v2) {
    const limit = num(read(path.join(mem.dir, 'memory.limit_in_bytes')));
    stats.memory = { usage: num(read(path.join(mem.dir, 'memory.usage_in_bytes'))), limit: limit !== undefined && limit >= 2 ** 62 ? undefined : limit };
  } else if (mem) {
    stats.memory = { usage: num(read(path.join(mem.dir, 'memory.current'))), limit: num(read(path.join(mem.dir, 'memory.max'))) };
  }
  return stats;
}

/** How many times the kernel's OOM killer hit the task's memory cgroup. */
export function oomKills(cgroups: Record<string, string>, root = CGROUP_ROOT): number {
  const mem = controllerDir(cgroups, 'memory', root);
  if (!mem) return 0;
  return mem.v2 ? keyed(read(path.join(mem.dir, 'memory.events')), 'oom_kill') ?? 0 : keyed(read(path.join(mem.dir, 'memory.oom_control')), 'oom_kill') ?? 0;
}
