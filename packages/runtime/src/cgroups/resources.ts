// linux.resources → cgroup files, for v1 and v2 alike: one table of file
// names per flavour, one conversion path (as crun does). Devices are not
// here: v1 writes rules (devices.ts), v2 attaches an eBPF program.
import { CgroupError } from '../errors';
import { fileExists, readCgroupFile, writeCgroupFile } from './files';
import type { LinuxBlockIO, LinuxCPU, LinuxMemory, LinuxResources, LinuxThrottleDevice, Warn } from './types';

/** Controllers as the mapping names them (v2's "io" is "blkio" here). */
export type Controller = 'memory' | 'cpu' | 'cpuset' | 'pids' | 'blkio' | 'hugetlb' | 'net_cls' | 'net_prio' | 'rdma';

/** Where a manager keeps each controller's files. */
export interface ControllerDirs {
  /** The cgroup directory holding `ctrl`'s files, or undefined when the host lacks it. */
  dir(ctrl: Controller): string | undefined;
  /** File naming in that directory: 1 (legacy names) or 2 (unified names). */
  flavour(ctrl: Controller): 1 | 2;
  /** The directory and flavour for a linux.resources.unified key's controller prefix. */
  unifiedDir(prefix: string): string | undefined;
}

export interface ApplyOptions {
  warn: Warn;
}

const NAMES = {
  1: {
    memLimit: 'memory.limit_in_bytes',
    memLow: 'memory.soft_limit_in_bytes',
    memSwap: 'memory.memsw.limit_in_bytes',
    memUsage: 'memory.usage_in_bytes',
    cpuWeight: 'cpu.shares',
    cpuBurst: 'cpu.cfs_burst_us',
    cpuIdle: 'cpu.idle',
    hugetlbLimit: (size: string) => `hugetlb.${size}.limit_in_bytes`,
    hugetlbRsvd: (size: string) => `hugetlb.${size}.rsvd.limit_in_bytes`,
  },
  2: {
    memLimit: 'memory.max',
    memLow: 'memory.low',
    memSwap: 'memory.swap.max',
    memUsage: 'memory.current',
    cpuWeight: 'cpu.weight',
    cpuBurst: 'cpu.max.burst',
    cpuIdle: 'cpu.idle',
    hugetlbLimit: (size: string) => `hugetlb.${size}.max`,
    hugetlbRsvd: (size: string) => `hugetlb.${size}.rsvd.max`,
  },
} as const;

/** cpu.shares (2..262144) → cpu.weight (1..10000), the formula runc and crun use. */
export function sharesToWeight(shares: number): number {
  if (shares === 0) return 0;
  return 1 + Math.floor(((shares - 2) * 9999) / 262142);
}

/** blkio.weight (10..1000) → io.weight (1..10000), as runc converts. */
export function blkioWeightToIoWeight(weight: number): number {
  if (weight === 0) return 0;
  return 1 + Math.floor(((weight - 10) * 9999) / 990);
}

/**
 * The spec's memory.swap is memory+swap; v2's memory.swap.max is swap
 * alone. Returns the memory.swap.max value (-1 = max), runc's rules.
 */
export function swapToV2(swap: number, limit: number): number {
  if (swap === -1 || swap === 0) return swap;
  if (limit === 0 || limit === -1) {
    throw new CgroupError('EINVAL', 'linux.resources.memory.swap: a swap limit needs a memory limit', { swap });
  }
  if (limit < 0) throw new CgroupError('EINVAL', `linux.resources.memory.limit: invalid value ${limit}`, { limit });
  if (swap < limit) {
    throw new CgroupError('EINVAL', `linux.resources.memory.swap (${swap}) must be >= memory.limit (${limit}): it is memory+swap`, { swap, limit });
  }
  return swap - limit;
}

/** A v2 limit value: -1 → "max". */
function v2Num(n: number): string {
  return n < 0 ? 'max' : String(n);
}

function need(dirs: ControllerDirs, ctrl: Controller, what: string): string {
  const dir = dirs.dir(ctrl);
  if (!dir) {
    throw new CgroupError('ENOCONTROLLER', `${what}: the ${ctrl === 'blkio' && dirs.flavour(ctrl) === 2 ? 'io' : ctrl} cgroup controller is not available on this host`, { controller: ctrl });
  }
  return dir;
}

/** Writes every resource `r` sets; the order within a controller follows runc. */
export function applyResources(r: LinuxResources, dirs: ControllerDirs, opts: ApplyOptions): void {
  if (r.memory) applyMemory(r.memory, dirs, opts.warn);
  if (r.cpu) applyCpu(r.cpu, dirs, opts.warn);
  if (r.pids && r.pids.limit !== undefined && r.pids.limit !== 0) {
    const dir = need(dirs, 'pids', 'linux.resources.pids');
    writeCgroupFile(dir, 'pids.max', r.pids.limit > 0 ? String(r.pids.limit) : 'max');
  }
  if (r.blockIO) applyBlockIO(r.blockIO, dirs, opts.warn);
  for (const h of r.hugepageLimits ?? []) {
    const what = `linux.resources.hugepageLimits[${h.pageSize}]`;
    const dir = need(dirs, 'hugetlb', what);
    const names = NAMES[dirs.flavour('hugetlb')];
    const file = names.hugetlbLimit(h.pageSize);
    if (!fileExists(dir, file)) {
      throw new CgroupError('EINVAL', `${what}: page size not supported by this host (no ${dir}/${file})`, { pageSize: h.pageSize });
    }
    const value = dirs.flavour('hugetlb') === 2 ? v2Num(h.limit) : String(h.limit);
    writeCgroupFile(dir, file, value);
    // Reservations are limited too when the kernel accounts them, as runc does.
    if (fileExists(dir, names.hugetlbRsvd(h.pageSize))) writeCgroupFile(dir, names.hugetlbRsvd(h.pageSize), value);
  }
  if (r.network) {
    if (r.network.classID !== undefined) {
      const dir = need(dirs, 'net_cls', 'linux.resources.network.classID');
      writeCgroupFile(dir, 'net_cls.classid', String(r.network.classID));
    }
    for (const p of r.network.priorities ?? []) {
      const dir = need(dirs, 'net_prio', 'linux.resources.network.priorities');
      writeCgroupFile(dir, 'net_prio.ifpriomap', `${p.name} ${p.priority}`);
    }
  }
  for (const [dev, lim] of Object.entries(r.rdma ?? {})) {
    const dir = need(dirs, 'rdma', `linux.resources.rdma[${dev}]`);
    const parts = [dev];
    if (lim.hcaHandles !== undefined) parts.push(`hca_handle=${lim.hcaHandles}`);
    if (lim.hcaObjects !== undefined) parts.push(`hca_object=${lim.hcaObjects}`);
    if (parts.length > 1) writeCgroupFile(dir, 'rdma.max', parts.join(' '));
  }
  // Last, so an explicit unified value wins over the converted ones (runc).
  for (const [key, value] of Object.entries(r.unified ?? {})) applyUnified(key, value, dirs);
}

function applyMemory(m: LinuxMemory, dirs: ControllerDirs, warn: Warn): void {
  const set = (v: number | undefined) => v !== undefined && v !== 0;
  if (!set(m.limit) && !set(m.reservation) && !set(m.swap) && m.kernel === undefined && m.kernelTCP === undefined &&
      m.swappiness === undefined && m.disableOOMKiller === undefined && m.useHierarchy === undefined) return;
  const dir = need(dirs, 'memory', 'linux.resources.memory');
  const v = dirs.flavour('memory');
  const names = NAMES[v];
  // Bad values are refused on either version, even where the setting is then ignored.
  if (m.swappiness !== undefined && m.swappiness !== null && (m.swappiness < 0 || m.swappiness > 100)) {
    throw new CgroupError('EINVAL', `linux.resources.memory.swappiness: ${m.swappiness} is outside 0-100`, { swappiness: m.swappiness });
  }
  let limit = m.limit ?? 0;
  let swap = m.swap ?? 0;

  if (m.checkBeforeUpdate && limit > 0) {
    const usage = Number(readCgroupFile(dir, names.memUsage).trim());
    if (usage > limit) {
      throw new CgroupError('EBUSY', `linux.resources.memory.limit ${limit} is below the current usage ${usage} (${dir}/${names.memUsage}) and checkBeforeUpdate is set`, { limit, usage });
    }
  }

  // Unlimited memory with swap unspecified means unlimited swap too (runc, v1 and v2).
  if (limit === -1 && swap === 0 && fileExists(dir, names.memSwap)) swap = -1;
  if (v === 1) {
    const writeLimit = () => { if (limit !== 0) writeCgroupFile(dir, names.memLimit, String(limit)); };
    const writeSwap = () => { if (swap !== 0) writeCgroupFile(dir, names.memSwap, String(swap)); };
    // The kernel wants memory <= memsw at every step: raise memsw first when growing.
    if (limit !== 0 && swap !== 0) {
      const cur = Number(readCgroupFile(dir, names.memLimit).trim());
      if (swap === -1 || cur < swap) {
        writeSwap();
        writeLimit();
      } else {
        writeLimit();
        writeSwap();
      }
    } else {
      writeLimit();
      writeSwap();
    }
    if (set(m.reservation)) writeCgroupFile(dir, names.memLow, String(m.reservation));
    if (m.kernel !== undefined && m.kernel !== 0) {
      // Kernels since 5.16 accept the write and ignore it: say so rather than pretend.
      if (!fileExists(dir, 'memory.kmem.limit_in_bytes')) {
        warn(`linux.resources.memory.kernel: ignored, this kernel has no ${dir}/memory.kmem.limit_in_bytes`);
      } else {
        const before = readCgroupFile(dir, 'memory.kmem.limit_in_bytes');
        writeCgroupFile(dir, 'memory.kmem.limit_in_bytes', String(m.kernel));
        const after = readCgroupFile(dir, 'memory.kmem.limit_in_bytes');
        if (before === after && Number(after.trim()) !== m.kernel) {
          warn(`linux.resources.memory.kernel: ignored by this kernel (${dir}/memory.kmem.limit_in_bytes stays ${after.trim()})`);
        }
      }
    }
    if (m.kernelTCP !== undefined && m.kernelTCP !== 0) writeCgroupFile(dir, 'memory.kmem.tcp.limit_in_bytes', String(m.kernelTCP));
    if (m.swappiness !== undefined && m.swappiness !== null) writeCgroupFile(dir, 'memory.swappiness', String(m.swappiness));
    if (m.disableOOMKiller) writeCgroupFile(dir, 'memory.oom_control', '1');
    if (m.useHierarchy !== undefined) {
      try {
        writeCgroupFile(dir, 'memory.use_hierarchy', m.useHierarchy ? '1' : '0');
      } catch (e) {
        // Kernels since 5.x keep every memory cgroup hierarchical and refuse 0.
        if (m.useHierarchy) throw e;
        warn(`linux.resources.memory.useHierarchy: false is ignored, this kernel is always hierarchical (${dir}/memory.use_hierarchy)`);
      }
    }
    return;
  }

  // cgroup v2
  if (swap !== 0) {
    const sw = swapToV2(swap, limit);
    // Equal memory and memory+swap: swap disabled.
    const value = sw === 0 ? '0' : v2Num(sw);
    if (!fileExists(dir, names.memSwap)) {
      if (value !== 'max' && value !== '0') {
        throw new CgroupError('ENOENT', `linux.resources.memory.swap: this host has no swap accounting (no ${dir}/${names.memSwap})`, {});
      }
    } else {
      writeCgroupFile(dir, names.memSwap, value);
    }
  }
  if (limit !== 0) writeCgroupFile(dir, names.memLimit, v2Num(limit));
  if (set(m.reservation)) writeCgroupFile(dir, names.memLow, v2Num(m.reservation!));
  if (m.kernel) warn('linux.resources.memory.kernel: ignored, cgroup v2 has no kernel memory limit');
  if (m.kernelTCP) warn('linux.resources.memory.kernelTCP: ignored, cgroup v2 has no kernel TCP memory limit');
  if (m.swappiness !== undefined && m.swappiness !== null) warn('linux.resources.memory.swappiness: ignored, cgroup v2 has no per-cgroup swappiness');
  if (m.disableOOMKiller) warn('linux.resources.memory.disableOOMKiller: ignored, cgroup v2 cannot disable the OOM killer');
  if (m.useHierarchy === false) warn('linux.resources.memory.useHierarchy: false is ignored, cgroup v2 is always hierarchical');
}

function applyCpu(c: LinuxCPU, dirs: ControllerDirs, warn: Warn): void {
  const hasCpu = (c.shares ?? 0) !== 0 || (c.quota ?? 0) !== 0 || (c.period ?? 0) !== 0 || c.burst !== undefined ||
    (c.realtimeRuntime ?? 0) !== 0 || (c.realtimePeriod ?? 0) !== 0 || c.idle !== undefined;
  if (hasCpu) {
    const dir = need(dirs, 'cpu', 'linux.resources.cpu');
    const v = dirs.flavour('cpu');
    const names = NAMES[v];
    if (v === 1) {
      // Realtime first: a group's rt runtime must fit before tasks join (runc's order).
      if (c.realtimePeriod) writeCgroupFile(dir, 'cpu.rt_period_us', String(c.realtimePeriod));
      if (c.realtimeRuntime) writeCgroupFile(dir, 'cpu.rt_runtime_us', String(c.realtimeRuntime));
      if (c.shares) {
        writeCgroupFile(dir, names.cpuWeight, String(c.shares));
        const got = Number(readCgroupFile(dir, names.cpuWeight).trim());
        if (got !== c.shares && !c.idle) {
          throw new CgroupError('EINVAL', `linux.resources.cpu.shares: the kernel set ${got} for ${c.shares} (${dir}/${names.cpuWeight}: allowed range 2-262144)`, { shares: c.shares });
        }
      }
      // A smaller period can be refused (EINVAL) until the quota shrinks: retry after it.
      let periodPending = false;
      if (c.period) {
        try {
          writeCgroupFile(dir, 'cpu.cfs_period_us', String(c.period));
        } catch (e) {
          if ((e as CgroupError).code !== 'EINVAL' || !c.quota) throw e;
          periodPending = true;
        }
      }
      if (c.quota) {
        writeCgroupFile(dir, 'cpu.cfs_quota_us', String(c.quota));
        if (periodPending) writeCgroupFile(dir, 'cpu.cfs_period_us', String(c.period));
      }
    } else {
      if (c.realtimePeriod || c.realtimeRuntime) {
        throw new CgroupError('EINVAL', 'linux.resources.cpu.realtimeRuntime/realtimePeriod: cgroup v2 has no realtime group scheduling', {});
      }
      if (c.shares) writeCgroupFile(dir, names.cpuWeight, String(sharesToWeight(c.shares)));
      if (c.quota || c.period) {
        let value = c.quota && c.quota > 0 ? String(c.quota) : 'max';
        if (c.period) value += ` ${c.period}`;
        writeCgroupFile(dir, 'cpu.max', value);
      }
    }
    if (c.burst !== undefined && c.burst !== null) {
      if (!fileExists(dir, names.cpuBurst)) {
        throw new CgroupError('ENOENT', `linux.resources.cpu.burst: this kernel has no ${dir}/${names.cpuBurst}`, {});
      }
      writeCgroupFile(dir, names.cpuBurst, String(c.burst));
    }
    if (c.idle !== undefined && c.idle !== null) {
      if (!fileExists(dir, names.cpuIdle)) {
        if (c.idle !== 0) throw new CgroupError('ENOENT', `linux.resources.cpu.idle: this kernel has no ${dir}/${names.cpuIdle}`, {});
        warn(`linux.resources.cpu.idle: 0 ignored, this kernel has no ${dir}/${names.cpuIdle}`);
      } else {
        writeCgroupFile(dir, names.cpuIdle, String(c.idle));
      }
    }
  }
  if (c.cpus || c.mems) {
    const dir = need(dirs, 'cpuset', 'linux.resources.cpu.cpus/mems');
    if (c.cpus) writeCgroupFile(dir, 'cpuset.cpus', c.cpus);
    if (c.mems) writeCgroupFile(dir, 'cpuset.mems', c.mems);
  }
}

function applyBlockIO(b: LinuxBlockIO, dirs: ControllerDirs, warn: Warn): void {
  const any = (b.weight ?? 0) !== 0 || (b.leafWeight ?? 0) !== 0 || (b.weightDevice?.length ?? 0) > 0 ||
    (b.throttleReadBpsDevice?.length ?? 0) > 0 || (b.throttleWriteBpsDevice?.length ?? 0) > 0 ||
    (b.throttleReadIOPSDevice?.length ?? 0) > 0 || (b.throttleWriteIOPSDevice?.length ?? 0) > 0;
  if (!any) return;
  const dir = need(dirs, 'blkio', 'linux.resources.blockIO');
  if (dirs.flavour('blkio') === 1) {
    // With the BFQ scheduler only the blkio.bfq.* weight files exist (this host).
    const bfq = !fileExists(dir, 'blkio.weight') && fileExists(dir, 'blkio.bfq.weight');
    const weightFile = bfq ? 'blkio.bfq.weight' : 'blkio.weight';
    const weightDevFile = bfq ? 'blkio.bfq.weight_device' : 'blkio.weight_device';
    if (b.weight) writeCgroupFile(dir, weightFile, String(b.weight));
    if (b.leafWeight) {
      if (fileExists(dir, 'blkio.leaf_weight')) writeCgroupFile(dir, 'blkio.leaf_weight', String(b.leafWeight));
      else warn(`linux.resources.blockIO.leafWeight: ignored, this kernel has no ${dir}/blkio.leaf_weight`);
    }
    for (const wd of b.weightDevice ?? []) {
      if (wd.weight) writeCgroupFile(dir, weightDevFile, `${wd.major}:${wd.minor} ${wd.weight}`);
      if (wd.leafWeight) {
        if (fileExists(dir, 'blkio.leaf_weight_device')) writeCgroupFile(dir, 'blkio.leaf_weight_device', `${wd.major}:${wd.minor} ${wd.leafWeight}`);
        else warn(`linux.resources.blockIO.weightDevice[${wd.major}:${wd.minor}].leafWeight: ignored, this kernel has no ${dir}/blkio.leaf_weight_device`);
      }
    }
    const throttle = (list: LinuxThrottleDevice[] | undefined, file: string) => {
      for (const t of list ?? []) writeCgroupFile(dir, file, `${t.major}:${t.minor} ${t.rate}`);
    };
    throttle(b.throttleReadBpsDevice, 'blkio.throttle.read_bps_device');
    throttle(b.throttleWriteBpsDevice, 'blkio.throttle.write_bps_device');
    throttle(b.throttleReadIOPSDevice, 'blkio.throttle.read_iops_device');
    throttle(b.throttleWriteIOPSDevice, 'blkio.throttle.write_iops_device');
    return;
  }
  // cgroup v2: io.bfq.weight takes blkio's scale as is; io.weight needs the conversion.
  const bfq = fileExists(dir, 'io.bfq.weight');
  if (b.weight) {
    if (bfq) writeCgroupFile(dir, 'io.bfq.weight', String(b.weight));
    else writeCgroupFile(dir, 'io.weight', `default ${blkioWeightToIoWeight(b.weight)}`);
  }
  if (b.leafWeight) warn('linux.resources.blockIO.leafWeight: ignored, cgroup v2 has no leaf weight');
  for (const wd of b.weightDevice ?? []) {
    if (wd.weight) {
      if (bfq) writeCgroupFile(dir, 'io.bfq.weight', `${wd.major}:${wd.minor} ${wd.weight}`);
      else writeCgroupFile(dir, 'io.weight', `${wd.major}:${wd.minor} ${blkioWeightToIoWeight(wd.weight)}`);
    }
    if (wd.leafWeight) warn(`linux.resources.blockIO.weightDevice[${wd.major}:${wd.minor}].leafWeight: ignored, cgroup v2 has no leaf weight`);
  }
  const throttle = (list: LinuxThrottleDevice[] | undefined, key: string) => {
    // 0 lifts the limit, as it does on v1.
    for (const t of list ?? []) writeCgroupFile(dir, 'io.max', `${t.major}:${t.minor} ${key}=${t.rate === 0 ? 'max' : t.rate}`);
  };
  throttle(b.throttleReadBpsDevice, 'rbps');
  throttle(b.throttleWriteBpsDevice, 'wbps');
  throttle(b.throttleReadIOPSDevice, 'riops');
  throttle(b.throttleWriteIOPSDevice, 'wiops');
}

/** Unified keys are plain file names "<controller>.<knob>": no path can sneak in. */
const UNIFIED_KEY = /^[a-z][a-z0-9_]*\.[A-Za-z0-9_.]+$/;

function applyUnified(key: string, value: string, dirs: ControllerDirs): void {
  const what = `linux.resources.unified[${JSON.stringify(key)}]`;
  if (!UNIFIED_KEY.test(key) || key.includes('..')) {
    throw new CgroupError('EINVAL', `${what}: not a cgroup v2 file name`, { key });
  }
  const prefix = key.slice(0, key.indexOf('.'));
  const dir = dirs.unifiedDir(prefix);
  if (!dir) {
    throw new CgroupError('ENOCONTROLLER', `${what}: the ${prefix} controller is not available on a cgroup v2 hierarchy of this host`, { key });
  }
  if (!fileExists(dir, key)) {
    throw new CgroupError('ENOENT', `${what}: no such cgroup file ${dir}/${key}`, { key });
  }
  writeCgroupFile(dir, key, value);
}
