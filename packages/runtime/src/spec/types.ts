// The OCI runtime-spec (1.0.0 to 1.3.x) config.json and state, as TypeScript.
// Field names are the spec's own (config.md, config-linux.md, runtime.md).
// Optional fields may be absent; uint64/int64 values arrive as JSON numbers,
// exact up to 2^53 (2^64-1, "unlimited" for rlimits, reads as 2^64).

export interface Spec {
  ociVersion: string;
  root?: Root;
  mounts?: Mount[];
  process?: Process;
  hostname?: string;
  domainname?: string;
  hooks?: Hooks;
  annotations?: Record<string, string>;
  linux?: Linux;
  /** Other platforms' sections and extensions are kept but not read. */
  [extension: string]: unknown;
}

export interface Root {
  /** Absolute, or relative to the bundle. */
  path: string;
  readonly?: boolean;
}

export interface IDMapping {
  containerID: number;
  hostID: number;
  size: number;
}

export interface Mount {
  destination: string;
  type?: string;
  source?: string;
  options?: string[];
  uidMappings?: IDMapping[];
  gidMappings?: IDMapping[];
}

export interface Process {
  terminal?: boolean;
  consoleSize?: Box;
  user?: User;
  args?: string[];
  /** Windows only. */
  commandLine?: string;
  env?: string[];
  cwd: string;
  capabilities?: Capabilities;
  rlimits?: Rlimit[];
  noNewPrivileges?: boolean;
  apparmorProfile?: string;
  oomScoreAdj?: number;
  scheduler?: Scheduler;
  selinuxLabel?: string;
  ioPriority?: IOPriority;
  execCPUAffinity?: CPUAffinity;
}

/** A terminal size in characters. */
export interface Box {
  height: number;
  width: number;
}

export interface User {
  uid: number;
  gid: number;
  umask?: number;
  additionalGids?: number[];
  /** Windows only. */
  username?: string;
}

export type CapabilitySet = 'bounding' | 'effective' | 'inheritable' | 'permitted' | 'ambient';
export type Capabilities = Partial<Record<CapabilitySet, string[]>>;

export type RlimitType =
  | 'RLIMIT_CPU' | 'RLIMIT_FSIZE' | 'RLIMIT_DATA' | 'RLIMIT_STACK' | 'RLIMIT_CORE' | 'RLIMIT_RSS'
  | 'RLIMIT_NPROC' | 'RLIMIT_NOFILE' | 'RLIMIT_MEMLOCK' | 'RLIMIT_AS' | 'RLIMIT_LOCKS'
  | 'RLIMIT_SIGPENDING' | 'RLIMIT_MSGQUEUE' | 'RLIMIT_NICE' | 'RLIMIT_RTPRIO' | 'RLIMIT_RTTIME';

export interface Rlimit {
  type: RlimitType;
  soft: number;
  hard: number;
}

export type SchedulerPolicy =
  | 'SCHED_OTHER' | 'SCHED_FIFO' | 'SCHED_RR' | 'SCHED_BATCH' | 'SCHED_ISO' | 'SCHED_IDLE' | 'SCHED_DEADLINE';

export type SchedulerFlag =
  | 'SCHED_FLAG_RESET_ON_FORK' | 'SCHED_FLAG_RECLAIM' | 'SCHED_FLAG_DL_OVERRUN' | 'SCHED_FLAG_KEEP_POLICY'
  | 'SCHED_FLAG_KEEP_PARAMS' | 'SCHED_FLAG_UTIL_CLAMP_MIN' | 'SCHED_FLAG_UTIL_CLAMP_MAX';

export interface Scheduler {
  policy: SchedulerPolicy;
  nice?: number;
  priority?: number;
  flags?: SchedulerFlag[];
  runtime?: number;
  deadline?: number;
  period?: number;
}

export type IOPriorityClass = 'IOPRIO_CLASS_RT' | 'IOPRIO_CLASS_BE' | 'IOPRIO_CLASS_IDLE';

export interface IOPriority {
  class: IOPriorityClass;
  /** 0 (highest) to 7 (lowest). */
  priority: number;
}

export interface CPUAffinity {
  /** CPU list ("0-3,7") for the runtime's process before it joins the cgroup. */
  initial?: string;
  /** CPU list for the process once it is in the cgroup. */
  final?: string;
}

export interface Hook {
  /** Absolute. */
  path: string;
  args?: string[];
  env?: string[];
  /** Seconds, greater than zero. */
  timeout?: number;
}

export type HookName = 'prestart' | 'createRuntime' | 'createContainer' | 'startContainer' | 'poststart' | 'poststop';
export type Hooks = Partial<Record<HookName, Hook[]>>;

export type NamespaceType = 'pid' | 'network' | 'mount' | 'ipc' | 'uts' | 'user' | 'cgroup' | 'time';

export interface Namespace {
  type: NamespaceType;
  /** Join this namespace instead of creating one. Absolute. */
  path?: string;
}

export interface TimeOffset {
  secs?: number;
  nanosecs?: number;
}

export type DeviceType = 'c' | 'b' | 'u' | 'p';

export interface Device {
  type: DeviceType;
  path: string;
  /** Required unless type is "p". */
  major?: number;
  minor?: number;
  /** Permission bits, in decimal in JSON (438 = 0o666). */
  fileMode?: number;
  uid?: number;
  gid?: number;
}

export interface NetDevice {
  /** The name inside the container; the host's name when absent. */
  name?: string;
}

export interface DeviceCgroupRule {
  allow: boolean;
  /** "a" (all, the default), "c" or "b". */
  type?: 'a' | 'c' | 'b';
  /** Absent means any. */
  major?: number;
  minor?: number;
  /** Some of "r", "w", "m". */
  access?: string;
}

export interface Memory {
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

export interface CPU {
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

export interface Pids {
  /** -1 (or 0 in runc's old reading) means no limit; see config-linux.md. */
  limit: number;
}

export interface BlockIODevice {
  major: number;
  minor: number;
}

export interface WeightDevice extends BlockIODevice {
  weight?: number;
  leafWeight?: number;
}

export interface ThrottleDevice extends BlockIODevice {
  rate: number;
}

export interface BlockIO {
  weight?: number;
  leafWeight?: number;
  weightDevice?: WeightDevice[];
  throttleReadBpsDevice?: ThrottleDevice[];
  throttleWriteBpsDevice?: ThrottleDevice[];
  throttleReadIOPSDevice?: ThrottleDevice[];
  throttleWriteIOPSDevice?: ThrottleDevice[];
}

export interface HugepageLimit {
  /** "2MB", "64KB", "1GB". */
  pageSize: string;
  limit: number;
}

export interface InterfacePriority {
  name: string;
  priority: number;
}

export interface Network {
  classID?: number;
  priorities?: InterfacePriority[];
}

export interface Rdma {
  hcaHandles?: number;
  hcaObjects?: number;
}

export interface Resources {
  devices?: DeviceCgroupRule[];
  memory?: Memory;
  cpu?: CPU;
  pids?: Pids;
  blockIO?: BlockIO;
  hugepageLimits?: HugepageLimit[];
  network?: Network;
  rdma?: Record<string, Rdma>;
  /** cgroup v2 file name -> value, written as is. */
  unified?: Record<string, string>;
}

export type RootfsPropagation = 'private' | 'shared' | 'slave' | 'unbindable' | 'rprivate' | 'rshared' | 'rslave' | 'runbindable';

export type SeccompAction =
  | 'SCMP_ACT_KILL' | 'SCMP_ACT_KILL_PROCESS' | 'SCMP_ACT_KILL_THREAD' | 'SCMP_ACT_TRAP' | 'SCMP_ACT_ERRNO'
  | 'SCMP_ACT_TRACE' | 'SCMP_ACT_ALLOW' | 'SCMP_ACT_LOG' | 'SCMP_ACT_NOTIFY';

export type SeccompOperator =
  | 'SCMP_CMP_NE' | 'SCMP_CMP_LT' | 'SCMP_CMP_LE' | 'SCMP_CMP_EQ' | 'SCMP_CMP_GE' | 'SCMP_CMP_GT' | 'SCMP_CMP_MASKED_EQ';

export type SeccompFlag =
  | 'SECCOMP_FILTER_FLAG_TSYNC' | 'SECCOMP_FILTER_FLAG_LOG' | 'SECCOMP_FILTER_FLAG_SPEC_ALLOW'
  | 'SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV';

export type SeccompArch =
  | 'SCMP_ARCH_X86' | 'SCMP_ARCH_X86_64' | 'SCMP_ARCH_X32' | 'SCMP_ARCH_ARM' | 'SCMP_ARCH_AARCH64'
  | 'SCMP_ARCH_LOONGARCH64' | 'SCMP_ARCH_M68K' | 'SCMP_ARCH_MIPS' | 'SCMP_ARCH_MIPS64' | 'SCMP_ARCH_MIPS64N32'
  | 'SCMP_ARCH_MIPSEL' | 'SCMP_ARCH_MIPSEL64' | 'SCMP_ARCH_MIPSEL64N32' | 'SCMP_ARCH_PPC' | 'SCMP_ARCH_PPC64'
  | 'SCMP_ARCH_PPC64LE' | 'SCMP_ARCH_S390' | 'SCMP_ARCH_S390X' | 'SCMP_ARCH_SH' | 'SCMP_ARCH_SHEB'
  | 'SCMP_ARCH_PARISC' | 'SCMP_ARCH_PARISC64' | 'SCMP_ARCH_RISCV64';

export interface SeccompArg {
  /** Which syscall argument, 0 to 5. */
  index: number;
  value: number;
  valueTwo?: number;
  op: SeccompOperator;
}

export interface Syscall {
  names: string[];
  action: SeccompAction;
  errnoRet?: number;
  args?: SeccompArg[];
}

export interface Seccomp {
  defaultAction: SeccompAction;
  defaultErrnoRet?: number;
  architectures?: SeccompArch[];
  flags?: SeccompFlag[];
  listenerPath?: string;
  listenerMetadata?: string;
  syscalls?: Syscall[];
}

export interface IntelRdt {
  closID?: string;
  schemata?: string[];
  l3CacheSchema?: string;
  memBwSchema?: string;
  enableMonitoring?: boolean;
}

export type PersonalityDomain = 'LINUX' | 'LINUX32';

export interface Personality {
  domain: PersonalityDomain;
  flags?: string[];
}

export type MemoryPolicyMode =
  | 'MPOL_DEFAULT' | 'MPOL_BIND' | 'MPOL_INTERLEAVE' | 'MPOL_WEIGHTED_INTERLEAVE' | 'MPOL_PREFERRED'
  | 'MPOL_PREFERRED_MANY' | 'MPOL_LOCAL';

export type MemoryPolicyFlag = 'MPOL_F_NUMA_BALANCING' | 'MPOL_F_RELATIVE_NODES' | 'MPOL_F_STATIC_NODES';

export interface MemoryPolicy {
  mode: MemoryPolicyMode;
  /** Node list ("0-3,7"). */
  nodes?: string;
  flags?: MemoryPolicyFlag[];
}

export type TimeNamespaceClock = 'monotonic' | 'boottime';

export interface Linux {
  namespaces?: Namespace[];
  uidMappings?: IDMapping[];
  gidMappings?: IDMapping[];
  timeOffsets?: Partial<Record<TimeNamespaceClock, TimeOffset>>;
  devices?: Device[];
  netDevices?: Record<string, NetDevice>;
  cgroupsPath?: string;
  resources?: Resources;
  rootfsPropagation?: RootfsPropagation;
  seccomp?: Seccomp;
  sysctl?: Record<string, string>;
  maskedPaths?: string[];
  readonlyPaths?: string[];
  mountLabel?: string;
  intelRdt?: IntelRdt;
  personality?: Personality;
  memoryPolicy?: MemoryPolicy;
}

/** runtime.md's container status, plus "paused", which runc also reports. */
export type Status = 'creating' | 'created' | 'running' | 'stopped' | 'paused';

/** The state a runtime reports (`state` command) and passes to hooks on stdin. */
export interface State {
  ociVersion: string;
  id: string;
  status: Status;
  /** Absent (or 0) when the container has no process: stopped, or not yet created. */
  pid?: number;
  /** Absolute path of the bundle. */
  bundle: string;
  annotations?: Record<string, string>;
}

/** The container process state sent to a seccomp listener (config-linux.md). */
export interface ContainerProcessState {
  ociVersion: string;
  fds: string[];
  pid: number;
  metadata?: string;
  state: State;
}

// The names of the spec's Go bindings (specs-go), for code written against them.
export type POSIXRlimit = Rlimit;
export type LinuxNamespace = Namespace;
export type LinuxNamespaceType = NamespaceType;
export type LinuxIDMapping = IDMapping;
export type LinuxCapabilities = Capabilities;
export type LinuxDevice = Device;
export type LinuxNetDevice = NetDevice;
export type LinuxDeviceCgroup = DeviceCgroupRule;
export type LinuxResources = Resources;
export type LinuxMemory = Memory;
export type LinuxCPU = CPU;
export type LinuxPids = Pids;
export type LinuxBlockIO = BlockIO;
export type LinuxWeightDevice = WeightDevice;
export type LinuxThrottleDevice = ThrottleDevice;
export type LinuxHugepageLimit = HugepageLimit;
export type LinuxNetwork = Network;
export type LinuxInterfacePriority = InterfacePriority;
export type LinuxRdma = Rdma;
export type LinuxSeccomp = Seccomp;
export type LinuxSyscall = Syscall;
export type LinuxSeccompArg = SeccompArg;
export type LinuxIntelRdt = IntelRdt;
export type LinuxPersonality = Personality;
export type LinuxMemoryPolicy = MemoryPolicy;
export type LinuxTimeOffset = TimeOffset;
export type LinuxIOPriority = IOPriority;
export type ContainerState = Status;
