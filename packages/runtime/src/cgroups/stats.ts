// Reading a cgroup's statistics into runc's `events --stats` shape.
// Zero values runc omits (Go's omitempty) are left out here too.
import fs from 'node:fs';
import path from 'node:path';
import { parseKeyValues, parseUint, readOptional } from './files';
import type { BlkioEntry, BlkioStats, CgroupStats, CpusetStats, HugetlbStats, MemoryEntry } from './types';

/** USER_HZ: cpuacct.stat counts ticks of 1/100 s. */
const NS_PER_TICK = 1e9 / 100;

const nz = (n: number | undefined) => (n ? n : undefined);

function num(dir: string | undefined, file: string): number {
  if (!dir) return 0;
  const t = readOptional(dir, file);
  return t === undefined ? 0 : parseUint(t);
}

function list(dir: string | undefined, file: string): number[] | undefined {
  const t = dir && readOptional(dir, file);
  if (!t) return undefined;
  const out = t.trim().split(/\s+/).filter(Boolean).map(Number);
  return out.length ? out : undefined;
}

function clean<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}

function memEntry(dir: string, prefix: string): MemoryEntry {
  return clean({
    limit: num(dir, `${prefix}limit_in_bytes`),
    usage: nz(num(dir, `${prefix}usage_in_bytes`)),
    max: nz(num(dir, `${prefix}max_usage_in_bytes`)),
    failcnt: num(dir, `${prefix}failcnt`),
  });
}

/** Hugepage sizes the kernel offers, as cgroup files name them ("2MB", "1GB"). */
export function hugePageSizes(): string[] {
  let dirs: string[];
  try {
    dirs = fs.readdirSync('/sys/kernel/mm/hugepages');
  } catch {
    return [];
  }
  return dirs.map((d) => {
    const kb = Number(/hugepages-(\d+)kB/.exec(d)?.[1] ?? 0);
    return kb >= 1 << 20 ? `${kb >> 20}GB` : kb >= 1 << 10 ? `${kb >> 10}MB` : `${kb}KB`;
  });
}

function v1Blkio(dir: string | undefined): BlkioStats {
  const out: BlkioStats = {};
  if (!dir) return out;
  const parse = (file: string): BlkioEntry[] | undefined => {
    const t = readOptional(dir, file);
    if (t === undefined) return undefined;
    const entries: BlkioEntry[] = [];
    for (const line of t.split('\n')) {
      const m = /^(\d+):(\d+) (\S+) (\d+)$/.exec(line.trim());
      if (m) entries.push(clean({ major: nz(Number(m[1])), minor: nz(Number(m[2])), op: m[3], value: nz(Number(m[4])) }));
    }
    return entries;
  };
  // With BFQ the proportional-weight files carry a bfq. prefix.
  const bfq = fs.existsSync(path.join(dir, 'blkio.bfq.io_service_bytes_recursive'));
  const p = bfq ? 'blkio.bfq.' : 'blkio.';
  const bytes = parse(`${p}io_service_bytes_recursive`);
  const ios = parse(`${p}io_serviced_recursive`);
  // Without proportional stats, runc falls back to the throttle counters.
  out.ioServiceBytesRecursive = bytes?.length ? bytes : parse('blkio.throttle.io_service_bytes_recursive');
  out.ioServicedRecursive = ios?.length ? ios : parse('blkio.throttle.io_serviced_recursive');
  if (!out.ioServiceBytesRecursive?.length) delete out.ioServiceBytesRecursive;
  if (!out.ioServicedRecursive?.length) delete out.ioServicedRecursive;
  return out;
}

function hugetlb(dir: string | undefined, flavour: 1 | 2): Record<string, HugetlbStats> {
  const out: Record<string, HugetlbStats> = {};
  if (!dir) return out;
  for (const size of hugePageSizes()) {
    if (flavour === 1) {
      if (!fs.existsSync(path.join(dir, `hugetlb.${size}.usage_in_bytes`))) continue;
      out[size] = clean({ usage: nz(num(dir, `hugetlb.${size}.usage_in_bytes`)), max: nz(num(dir, `hugetlb.${size}.max_usage_in_bytes`)), failcnt: num(dir, `hugetlb.${size}.failcnt`) });
    } else {
      if (!fs.existsSync(path.join(dir, `hugetlb.${size}.current`))) continue;
      const events = parseKeyValues(readOptional(dir, `hugetlb.${size}.events`));
      out[size] = clean({ usage: nz(num(dir, `hugetlb.${size}.current`)), failcnt: events.max ?? 0 });
    }
  }
  return out;
}

/** "0-2,4" → [0, 1, 2, 4]; undefined when empty (runc omits it). */
export function parseCpuList(text: string | undefined): number[] | undefined {
  const out: number[] = [];
  for (const part of (text ?? '').trim().split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) continue;
    for (let i = Number(m[1]); i <= Number(m[2] ?? m[1]); i++) out.push(i);
  }
  return out.length ? out : undefined;
}

function cpuset(dir: string | undefined, flavour: 1 | 2): CpusetStats {
  // v2 has only the effective lists; the v1 flags read as 0 there, as in runc.
  const flag = (name: string) => (flavour === 1 ? num(dir, `cpuset.${name}`) : 0);
  return clean({
    cpus: parseCpuList(dir && readOptional(dir, flavour === 1 ? 'cpuset.cpus' : 'cpuset.cpus.effective')),
    cpu_exclusive: flag('cpu_exclusive'),
    mems: parseCpuList(dir && readOptional(dir, flavour === 1 ? 'cpuset.mems' : 'cpuset.mems.effective')),
    mem_hardwall: flag('mem_hardwall'),
    mem_exclusive: flag('mem_exclusive'),
    memory_migrate: flag('memory_migrate'),
    memory_spread_page: flag('memory_spread_page'),
    memory_spread_slab: flag('memory_spread_slab'),
    memory_pressure: flag('memory_pressure'),
    sched_load_balance: flag('sched_load_balance'),
    sched_relax_domain_level: flavour === 1 && dir ? Number(readOptional(dir, 'cpuset.sched_relax_domain_level')?.trim() ?? 0) : 0,
  });
}

export interface V1StatDirs {
  cpu?: string;
  cpuacct?: string;
  cpuset?: string;
  memory?: string;
  pids?: string;
  blkio?: string;
  /** hugetlb's directory and its flavour (the cgroup2 mount on hybrid hosts). */
  hugetlb?: { dir: string; flavour: 1 | 2 };
}

export function statsV1(d: V1StatDirs): CgroupStats {
  const cpuStat = parseKeyValues(d.cpu && readOptional(d.cpu, 'cpu.stat'));
  const acct = parseKeyValues(d.cpuacct && readOptional(d.cpuacct, 'cpuacct.stat'));
  const mem = d.memory;
  const memStat = parseKeyValues(mem && readOptional(mem, 'memory.stat'));
  const zero: MemoryEntry = { limit: 0, failcnt: 0 };
  return {
    cpu: {
      usage: clean({
        total: num(d.cpuacct, 'cpuacct.usage'),
        percpu: list(d.cpuacct, 'cpuacct.usage_percpu'),
        percpu_kernel: list(d.cpuacct, 'cpuacct.usage_percpu_sys'),
        percpu_user: list(d.cpuacct, 'cpuacct.usage_percpu_user'),
        kernel: (acct.system ?? 0) * NS_PER_TICK,
        user: (acct.user ?? 0) * NS_PER_TICK,
      }),
      throttling: clean({ periods: nz(cpuStat.nr_periods), throttledPeriods: nz(cpuStat.nr_throttled), throttledTime: nz(cpuStat.throttled_time) }),
    },
    cpuset: cpuset(d.cpuset, 1),
    memory: mem
      ? clean({
        cache: nz(memStat.cache),
        usage: memEntry(mem, 'memory.'),
        swap: memEntry(mem, 'memory.memsw.'),
        kernel: memEntry(mem, 'memory.kmem.'),
        kernelTCP: memEntry(mem, 'memory.kmem.tcp.'),
        raw: Object.keys(memStat).length ? memStat : undefined,
      })
      : { usage: zero, swap: zero, kernel: zero, kernelTCP: zero },
    pids: clean({ current: nz(num(d.pids, 'pids.current')), limit: nz(pidsLimit(d.pids)) }),
    blkio: v1Blkio(d.blkio),
    hugetlb: hugetlb(d.hugetlb?.dir, d.hugetlb?.flavour ?? 1),
  };
}

/** pids.max "max" is no limit: runc reports 0 (omitted). */
function pidsLimit(dir: string | undefined): number {
  const t = dir && readOptional(dir, 'pids.max');
  return !t || t.trim() === 'max' ? 0 : Number(t.trim());
}

export function statsV2(dir: string): CgroupStats {
  const cpuStat = parseKeyValues(readOptional(dir, 'cpu.stat'));
  const memStat = parseKeyValues(readOptional(dir, 'memory.stat'));
  const memEvents = parseKeyValues(readOptional(dir, 'memory.events'));
  const usage = num(dir, 'memory.current');
  const swapUsage = num(dir, 'memory.swap.current');
  const memLimit = num(dir, 'memory.max');
  const swapLimit = num(dir, 'memory.swap.max');
  const ioStat = readOptional(dir, 'io.stat') ?? '';
  const bytes: BlkioEntry[] = [];
  const ios: BlkioEntry[] = [];
  for (const line of ioStat.split('\n')) {
    const [dev, ...kvs] = line.trim().split(/\s+/);
    const m = /^(\d+):(\d+)$/.exec(dev ?? '');
    if (!m) continue;
    const kv = parseKeyValues(kvs.map((x) => x.replace('=', ' ')).join('\n'));
    const e = (op: string, value: number | undefined) => clean({ major: nz(Number(m[1])), minor: nz(Number(m[2])), op, value: nz(value) });
    bytes.push(e('Read', kv.rbytes), e('Write', kv.wbytes));
    ios.push(e('Read', kv.rios), e('Write', kv.wios));
  }
  const blkio: BlkioStats = {};
  if (bytes.length) blkio.ioServiceBytesRecursive = bytes;
  if (ios.length) blkio.ioServicedRecursive = ios;
  const hasMem = fs.existsSync(path.join(dir, 'memory.current'));
  return {
    cpu: {
      usage: clean({
        total: (cpuStat.usage_usec ?? 0) * 1000,
        kernel: (cpuStat.system_usec ?? 0) * 1000,
        user: (cpuStat.user_usec ?? 0) * 1000,
      }),
      throttling: clean({ periods: nz(cpuStat.nr_periods), throttledPeriods: nz(cpuStat.nr_throttled), throttledTime: nz((cpuStat.throttled_usec ?? 0) * 1000) }),
    },
    cpuset: cpuset(dir, 2),
    memory: clean({
      cache: nz(memStat.file),
      usage: clean({ limit: memLimit, usage: nz(usage), max: nz(num(dir, 'memory.peak')), failcnt: memEvents.max ?? 0 }),
      // v1 reports memory+swap; runc keeps that meaning on v2.
      swap: clean({ limit: hasMem ? (swapLimit >= 2 ** 63 || memLimit >= 2 ** 63 ? 18446744073709551615 : swapLimit + memLimit) : 0, usage: nz(swapUsage + usage), failcnt: 0 }),
      kernel: { limit: 0, failcnt: 0 },
      kernelTCP: { limit: 0, failcnt: 0 },
      raw: Object.keys(memStat).length ? memStat : undefined,
    }),
    pids: clean({ current: nz(num(dir, 'pids.current')), limit: nz(pidsLimit(dir)) }),
    blkio,
    hugetlb: hugetlb(dir, 2),
  };
}
