// A task's cgroup figures as containerd's cgroups library shapes them
// (io.containerd.cgroups.v1.Metrics), so `ctr task metrics` and CRI read them.
import fs from 'node:fs';
import path from 'node:path';
import { unimplemented } from './errors';
import { packAny } from './proto';
import { CGROUP_ROOT, controllerDir, read, num, unifiedRoot } from './stats';

export const METRICS_V1_TYPE = 'io.containerd.cgroups.v1.Metrics';
export const METRICS_V2_TYPE = 'io.containerd.cgroups.v2.Metrics';

const USER_HZ = 100;

/** `key value` lines (memory.stat, cpu.stat, cpuacct.stat) as a map. */
function keyed(text: string | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of (text ?? '').split('\n')) {
    const [k, v] = line.trim().split(/\s+/);
    if (k && v !== undefined && /^\d+$/.test(v)) out[k] = Number(v);
  }
  return out;
}

function memoryEntry(dir: string, prefix: string): Record<string, number | undefined> {
  const f = (name: string) => num(read(path.join(dir, `${prefix}.${name}`)));
  return { limit: f('limit_in_bytes'), usage: f('usage_in_bytes'), max: f('max_usage_in_bytes'), failcnt: f('failcnt') };
}

/** blkio lines `MAJ:MIN Op value` (the trailing `Total` line has no device). */
function blkioEntries(file: string): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  for (const line of (read(file) ?? '').split('\n')) {
    const m = /^(\d+):(\d+) (\S+) (\d+)$/.exec(line.trim());
    if (m) out.push({ major: Number(m[1]), minor: Number(m[2]), op: m[3], value: Number(m[4]) });
  }
  return out;
}

const MEMORY_STAT_FIELDS: Array<[string, string]> = [
  ['cache', 'cache'], ['rss', 'rss'], ['rss_huge', 'rss_huge'], ['mapped_file', 'mapped_file'], ['dirty', 'dirty'],
  ['writeback', 'writeback'], ['pg_pg_in', 'pgpgin'], ['pg_pg_out', 'pgpgout'], ['pg_fault', 'pgfault'], ['pg_maj_fault', 'pgmajfault'],
  ['inactive_anon', 'inactive_anon'], ['active_anon', 'active_anon'], ['inactive_file', 'inactive_file'], ['active_file', 'active_file'],
  ['unevictable', 'unevictable'], ['hierarchical_memory_limit', 'hierarchical_memory_limit'], ['hierarchical_swap_limit', 'hierarchical_memsw_limit'],
];

/** The v1 Metrics message (plain object) of a task's cgroups. */
export function metricsV1(cgroups: Record<string, string>, root?: string): Record<string, unknown> {
  const m: Record<string, unknown> = {};
  const pids = controllerDir(cgroups, 'pids', root);
  if (pids && !pids.v2) m.pids = { current: num(read(path.join(pids.dir, 'pids.current'))), limit: num(read(path.join(pids.dir, 'pids.max'))) ?? 0 };
  const acct = controllerDir(cgroups, 'cpuacct', root);
  if (acct && !acct.v2) {
    const st = keyed(read(path.join(acct.dir, 'cpuacct.stat')));
    const tick = 1e9 / USER_HZ;
    const cpu = controllerDir(cgroups, 'cpu', root);
    const thr = cpu && !cpu.v2 ? keyed(read(path.join(cpu.dir, 'cpu.stat'))) : {};
    m.cpu = {
      usage: {
        total: num(read(path.join(acct.dir, 'cpuacct.usage'))), kernel: (st.system ?? 0) * tick, user: (st.user ?? 0) * tick,
        per_cpu: (read(path.join(acct.dir, 'cpuacct.usage_percpu')) ?? '').split(/\s+/).filter(Boolean).map(Number),
      },
      throttling: { periods: thr.nr_periods, throttled_periods: thr.nr_throttled, throttled_time: thr.throttled_time },
    };
  }
  const mem = controllerDir(cgroups, 'memory', root);
  if (mem && !mem.v2) {
    const st = keyed(read(path.join(mem.dir, 'memory.stat')));
    const memory: Record<string, unknown> = {};
    for (const [field, key] of MEMORY_STAT_FIELDS) {
      memory[field] = st[key];
      if (!field.startsWith('hierarchical')) memory[`total_${field}`] = st[`total_${key}`];
    }
    memory.usage = memoryEntry(mem.dir, 'memory');
    memory.swap = memoryEntry(mem.dir, 'memory.memsw');
    memory.kernel = memoryEntry(mem.dir, 'memory.kmem');
    memory.kernel_tcp = memoryEntry(mem.dir, 'memory.kmem.tcp');
    m.memory = memory;
  }
  const blkio = controllerDir(cgroups, 'blkio', root);
  if (blkio && !blkio.v2) {
    m.blkio = {
      io_service_bytes_recursive: blkioEntries(path.join(blkio.dir, 'blkio.throttle.io_service_bytes_recursive')),
      io_serviced_recursive: blkioEntries(path.join(blkio.dir, 'blkio.throttle.io_serviced_recursive')),
    };
  }
  const huge = controllerDir(cgroups, 'hugetlb', root);
  if (huge && !huge.v2) {
    let files: string[] = [];
    try {
      files = fs.readdirSync(huge.dir);
    } catch { /* none */ }
    m.hugetlb = files.map((f) => /^hugetlb\.([^.]+)\.usage_in_bytes$/.exec(f)?.[1]).filter((s): s is string => !!s).map((size) => ({
      pagesize: size, usage: num(read(path.join(huge.dir, `hugetlb.${size}.usage_in_bytes`))),
      max: num(read(path.join(huge.dir, `hugetlb.${size}.max_usage_in_bytes`))), failcnt: num(read(path.join(huge.dir, `hugetlb.${size}.failcnt`))),
    }));
  }
  return m;
}

const MEMORY_V2_FIELDS = [
  'anon', 'file', 'kernel_stack', 'slab', 'sock', 'shmem', 'file_mapped', 'file_dirty', 'file_writeback', 'anon_thp',
  'inactive_anon', 'active_anon', 'inactive_file', 'active_file', 'unevictable', 'slab_reclaimable', 'slab_unreclaimable',
  'pgfault', 'pgmajfault', 'workingset_refault', 'workingset_activate', 'workingset_nodereclaim', 'pgrefill', 'pgscan',
  'pgsteal', 'pgactivate', 'pgdeactivate', 'pglazyfree', 'pglazyfreed', 'thp_fault_alloc', 'thp_collapse_alloc',
];

/** A limit file: "max" is no limit, which containerd's library reports as the largest uint64. */
function limit(text: string | undefined): number | string | undefined {
  return text === 'max' ? '18446744073709551615' : num(text);
}

/** The v2 Metrics message (plain object) of a task's unified cgroup. */
export function metricsV2(cgroups: Record<string, string>, root = CGROUP_ROOT): Record<string, unknown> {
  const dir = path.join(unifiedRoot(root), cgroups[''] ?? '/');
  const f = (name: string) => read(path.join(dir, name));
  const cpu = keyed(f('cpu.stat'));
  const mem = keyed(f('memory.stat'));
  const memory: Record<string, unknown> = {};
  for (const k of MEMORY_V2_FIELDS) memory[k] = mem[k];
  // Kernels since 5.9 split the refault counters by anon and file.
  memory.workingset_refault ??= (mem.workingset_refault_anon ?? 0) + (mem.workingset_refault_file ?? 0);
  memory.workingset_activate ??= (mem.workingset_activate_anon ?? 0) + (mem.workingset_activate_file ?? 0);
  Object.assign(memory, { usage: num(f('memory.current')), usage_limit: limit(f('memory.max')), swap_usage: num(f('memory.swap.current')), swap_limit: limit(f('memory.swap.max')) });
  const io: Array<Record<string, number>> = [];
  for (const line of (f('io.stat') ?? '').split('\n')) {
    const m = /^(\d+):(\d+) (.*)$/.exec(line.trim());
    if (!m) continue;
    const e: Record<string, number> = { major: Number(m[1]), minor: Number(m[2]) };
    for (const kv of m[3].split(' ')) {
      const [k, v] = kv.split('=');
      if (['rbytes', 'wbytes', 'rios', 'wios'].includes(k)) e[k] = Number(v);
    }
    io.push(e);
  }
  const ev = keyed(f('memory.events'));
  return {
    pids: { current: num(f('pids.current')), limit: limit(f('pids.max')) },
    cpu: { usage_usec: cpu.usage_usec, user_usec: cpu.user_usec, system_usec: cpu.system_usec, nr_periods: cpu.nr_periods, nr_throttled: cpu.nr_throttled, throttled_usec: cpu.throttled_usec },
    memory, io: { usage: io },
    memory_events: { low: ev.low, high: ev.high, max: ev.max, oom: ev.oom, oom_kill: ev.oom_kill },
  };
}

/** Stats' Any for containerd: v1 Metrics where the v1 memory controller holds the task, else v2. */
export function metricsAny(cgroups: Record<string, string>, root = CGROUP_ROOT): { type_url: string; value: Buffer } {
  const mem = controllerDir(cgroups, 'memory', root);
  if (mem && !mem.v2) return packAny(METRICS_V1_TYPE, metricsV1(cgroups, root));
  if (cgroups[''] !== undefined && fs.existsSync(path.join(unifiedRoot(root), cgroups['']))) return packAny(METRICS_V2_TYPE, metricsV2(cgroups, root));
  throw unimplemented('stats: the task has neither a v1 memory cgroup nor a unified one');
}
