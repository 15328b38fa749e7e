// The shapes the cgroup layer works with: the runtime spec's
// linux.resources and runc's stats shape.

// The resource types are the spec module's; re-exported under the spec's names.
export type {
  BlockIO as LinuxBlockIO,
  CPU as LinuxCPU,
  DeviceCgroupRule as LinuxDeviceCgroup,
  HugepageLimit as LinuxHugepageLimit,
  Memory as LinuxMemory,
  Network as LinuxNetwork,
  Rdma as LinuxRdma,
  Resources as LinuxResources,
  ThrottleDevice as LinuxThrottleDevice,
  WeightDevice as LinuxWeightDevice,
} from '../spec/types';

/** Receives a message for a resource the host accepts but does not honour. */
export type Warn = (msg: string) => void;

// runc's `events --stats` data (the cgroup part; zero fields runc omits are omitted).
export interface CpuUsage {
  total: number;
  percpu?: number[];
  percpu_kernel?: number[];
  percpu_user?: number[];
  kernel: number;
  user: number;
}
export interface Throttling {
  periods?: number;
  throttledPeriods?: number;
  throttledTime?: number;
}
export interface CpuStats {
  usage: CpuUsage;
  throttling: Throttling;
}
export interface MemoryEntry {
  limit: number;
  usage?: number;
  max?: number;
  failcnt: number;
}
export interface MemoryStats {
  cache?: number;
  usage: MemoryEntry;
  swap: MemoryEntry;
  kernel: MemoryEntry;
  kernelTCP: MemoryEntry;
  raw?: Record<string, number>;
}
export interface PidsStats {
  current?: number;
  limit?: number;
}
export interface BlkioEntry {
  major?: number;
  minor?: number;
  op?: string;
  value?: number;
}
export interface BlkioStats {
  ioServiceBytesRecursive?: BlkioEntry[];
  ioServicedRecursive?: BlkioEntry[];
  ioQueueRecursive?: BlkioEntry[];
  ioServiceTimeRecursive?: BlkioEntry[];
  ioWaitTimeRecursive?: BlkioEntry[];
  ioMergedRecursive?: BlkioEntry[];
  ioTimeRecursive?: BlkioEntry[];
  sectorsRecursive?: BlkioEntry[];
}
export interface HugetlbStats {
  usage?: number;
  max?: number;
  failcnt: number;
}
export interface CpusetStats {
  cpus?: number[];
  cpu_exclusive: number;
  mems?: number[];
  mem_hardwall: number;
  mem_exclusive: number;
  memory_migrate: number;
  memory_spread_page: number;
  memory_spread_slab: number;
  memory_pressure: number;
  sched_load_balance: number;
  sched_relax_domain_level: number;
}
export interface CgroupStats {
  cpu: CpuStats;
  cpuset: CpusetStats;
  memory: MemoryStats;
  pids: PidsStats;
  blkio: BlkioStats;
  hugetlb: Record<string, HugetlbStats>;
}
