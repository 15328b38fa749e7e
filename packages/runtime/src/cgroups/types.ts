// The shapes the cgroup layer works with: the runtime spec's
// linux.resources (field names are the spec's) and runc's stats shape.

export interface LinuxDeviceCgroup {
  allow: boolean;
  /** "a" (all), "c" or "b"; absent means all. */
  type?: string;
  /** Absent or -1: any. */
  major?: number | null;
  minor?: number | null;
  /** Any of "r", "w", "m"; absent means "rwm". */
  access?: string;
}

export interface LinuxMemory {
  limit?: number;
  reservation?: number;
  swap?: number;
  kernel?: number;
  kernelTCP?: number;
  swappiness?: number;
  disableOOMKiller?: boolean;
  useHierarchy?: boolean;
  checkBeforeUpdate?: boolean;
}

export interface LinuxCPU {
  shares?: number;
  quota?: number;
  burst?: number;
  period?: number;
  realtimeRuntime?: number;
  realtimePeriod?: number;
  cpus?: string;
  mems?: string;
  idle?: number;
}

export interface LinuxWeightDevice {
  major: number;
  minor: number;
  weight?: number;
  leafWeight?: number;
}

export interface LinuxThrottleDevice {
  major: number;
  minor: number;
  rate: number;
}

export interface LinuxBlockIO {
  weight?: number;
  leafWeight?: number;
  weightDevice?: LinuxWeightDevice[];
  throttleReadBpsDevice?: LinuxThrottleDevice[];
  throttleWriteBpsDevice?: LinuxThrottleDevice[];
  throttleReadIOPSDevice?: LinuxThrottleDevice[];
  throttleWriteIOPSDevice?: LinuxThrottleDevice[];
}

export interface LinuxHugepageLimit {
  /** "2MB", "1GB", ... */
  pageSize: string;
  limit: number;
}

export interface LinuxInterfacePriority {
  name: string;
  priority: number;
}

export interface LinuxNetwork {
  classID?: number;
  priorities?: LinuxInterfacePriority[];
}

export interface LinuxRdma {
  hcaHandles?: number;
  hcaObjects?: number;
}

export interface LinuxResources {
  devices?: LinuxDeviceCgroup[];
  memory?: LinuxMemory;
  cpu?: LinuxCPU;
  pids?: { limit?: number };
  blockIO?: LinuxBlockIO;
  hugepageLimits?: LinuxHugepageLimit[];
  network?: LinuxNetwork;
  rdma?: Record<string, LinuxRdma>;
  unified?: Record<string, string>;
}

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
export interface CgroupStats {
  cpu: CpuStats;
  memory: MemoryStats;
  pids: PidsStats;
  blkio: BlkioStats;
  hugetlb: Record<string, HugetlbStats>;
}
