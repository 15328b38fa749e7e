// The steps that turn hull-init into the container's process, shared by
// create and exec: cwd and the executable's lookup, the cgroup, rlimits and
// scheduling, fds, no_new_privs, the user and capabilities (runc's order),
// seccomp (its notify fd to the agent), execve.
import fs from 'node:fs';
import { HullError } from '../errors';
import type { Log } from '../log';
import { capabilityName, lastCap } from '../spec/capabilities';
import type { IOPriority, Linux, Personality, POSIXRlimit, Process, Scheduler } from '../spec/types';
import { PR } from '@hull/sys/constants';
import { SYS } from '@hull/sys/constants';
import { resolveCapabilities } from './capabilities';
import { F, type ProgramBuilder, type Reg } from './format';

const EINVAL = 22, EPERM = 1, EACCES = 13;
const PERSONALITY_NR = process.arch === 'arm64' ? 92 : 135;

export const RLIMITS: Record<string, number> = {
  RLIMIT_CPU: 0, RLIMIT_FSIZE: 1, RLIMIT_DATA: 2, RLIMIT_STACK: 3, RLIMIT_CORE: 4, RLIMIT_RSS: 5,
  RLIMIT_NPROC: 6, RLIMIT_NOFILE: 7, RLIMIT_MEMLOCK: 8, RLIMIT_AS: 9, RLIMIT_LOCKS: 10,
  RLIMIT_SIGPENDING: 11, RLIMIT_MSGQUEUE: 12, RLIMIT_NICE: 13, RLIMIT_RTPRIO: 14, RLIMIT_RTTIME: 15,
};
const RLIM_INFINITY = 2n ** 64n - 1n;

/** JSON numbers past 2^53 arrive rounded: anything at or above 2^64-1 is "unlimited". */
function rlimitValue(n: number): bigint {
  const v = BigInt(Math.trunc(n));
  return v >= RLIM_INFINITY ? RLIM_INFINITY : v;
}

export interface ProcessSteps {
  proc: Process;
  linux: Linux;
  /** Extra fds 3..3+n-1 handed to the process (--preserve-fds, LISTEN_FDS). */
  preserveFds: number;
  /** The fds of the container's cgroup.procs files (opened by the parent: in a user
   *  namespace the init could not open them) and what to do right after joining. */
  cgroupFds: number[];
  afterCgroup?: () => void;
  /** The agent's connection, when the filter has a notify action, and the state it gets. */
  seccompAgent?: Reg;
  notifyState?: string;
  /** In a new user namespace: the caps a raise is checked against are its own. */
  userns: boolean;
  log: Log;
}

/** chdir to cwd and find the executable, as root (before the switch), at create as runc does. */
export function compileLookup(b: ProgramBuilder, proc: Process): void {
  const user = proc.user ?? { uid: 0, gid: 0 };
  if (proc.cwd) b.add({ op: 'CHDIR', desc: `process.cwd: chdir ${proc.cwd}`, s: [proc.cwd] });
  const env = proc.env ?? [];
  b.add({ op: 'LOOKUP', desc: 'exec', flags: F.HOME, s: [proc.args?.[0] ?? '', env], a: [0, env.length, user.uid] });
}

/** Everything from the cgroup to the last capability: after this only the exec (and, for create, the fifo). */
export function compileProcess(b: ProgramBuilder, st: ProcessSteps): void {
  const { proc, linux } = st;
  for (const fd of st.cgroupFds) {
    b.add({ op: 'WRITE', desc: 'join the container\'s cgroup', flags: F.FD, a: [1, 0, fd], s: [undefined, '0'] });
    b.add({ op: 'CLOSE', desc: 'close cgroup.procs', a: [fd] });
  }
  st.afterCgroup?.();
  (proc.rlimits ?? []).forEach((r, i) => {
    b.add({ op: 'PRLIMIT', desc: `process.rlimits[${i}]: set ${r.type} to ${r.soft}/${r.hard}`, a: [RLIMITS[r.type], rlimitValue(r.soft), rlimitValue(r.hard)] });
  });
  if (proc.oomScoreAdj !== undefined) {
    // EACCES: lowering the score needs CAP_SYS_RESOURCE.
    b.add({ op: 'WRITE', desc: `process.oomScoreAdj: write ${proc.oomScoreAdj} to /proc/self/oom_score_adj`, s: ['/proc/self/oom_score_adj', String(proc.oomScoreAdj)], a: [String(proc.oomScoreAdj).length] });
  }
  // Real-time policies and classes need privileges the user switch drops.
  if (proc.scheduler) compileScheduler(b, proc.scheduler);
  if (proc.ioPriority) compileIoPriority(b, proc.ioPriority);
  if (linux.personality) compilePersonality(b, linux.personality);
  if (linux.memoryPolicy) compileMemoryPolicy(b, linux.memoryPolicy);
  const user = proc.user ?? { uid: 0, gid: 0 };
  b.add({ op: 'UMASK', desc: 'umask', a: [user.umask ?? 0o022] });
  // Before the filter is loaded: it may forbid fcntl or close_range.
  b.add({ op: 'KEEP_FDS', desc: 'close the runtime\'s fds on exec', a: [3 + st.preserveFds] });
  if (proc.noNewPrivileges) b.add({ op: 'PRCTL', desc: 'set no_new_privs', a: [PR.SET_NO_NEW_PRIVS, 1] });

  const { compileSeccomp } = linux.seccomp ? (require('../seccomp') as typeof import('../seccomp')) : { compileSeccomp: undefined };
  const filter = linux.seccomp && compileSeccomp ? compileSeccomp(linux.seccomp, { log: st.log }) : undefined;
  const notify = filter?.usesNotify ? b.reg() : undefined;
  const loadFilter = () => {
    if (!filter) return;
    b.add({
      op: 'SECCOMP', desc: 'load seccomp filter', s: [filter.program], a: [filter.program.length / 8, filter.kernelFlags, notify?.n ?? -1],
      hint: ' (no_new_privs is not set and the process lacks CAP_SYS_ADMIN)', hintErrno: EACCES,
    });
    filter.release();
  };

  // The user and capabilities, in runc's order: the bounding set while CAP_SETPCAP is held,
  // keep-caps across the uid change, groups, gid, uid, then the final sets.
  const last = lastCap();
  const caps = resolveCapabilities(proc.capabilities, { log: st.log });
  b.add({ op: 'CAPBSET', desc: 'drop capabilities from the bounding set', a: [caps.bounding, last] });
  b.add({ op: 'PRCTL', desc: 'set keep-caps', a: [PR.SET_KEEPCAPS, 1] });
  const gids = user.additionalGids ?? [];
  const gidBuf = Buffer.alloc(Math.max(4, gids.length * 4));
  gids.forEach((g, i) => gidBuf.writeUInt32LE(g, i * 4));
  b.add({
    op: 'SETGROUPS', desc: `setgroups [${gids.join(' ')}]`, flags: F.WARN, a: [gids.length], s: [gidBuf],
    hint: `additional gids [${gids.join(' ')}] not set: setgroups is denied in this user namespace`,
  });
  b.add({ op: 'SETRESGID', desc: `setgid ${user.gid}`, a: [user.gid], hint: ` (gid ${user.gid} is not mapped in the container's user namespace)`, hintErrno: EINVAL });
  b.add({ op: 'SETRESUID', desc: `setuid ${user.uid}`, a: [user.uid], hint: ` (uid ${user.uid} is not mapped in the container's user namespace)`, hintErrno: EINVAL });
  b.add({ op: 'PRCTL', desc: 'clear keep-caps', a: [PR.SET_KEEPCAPS, 0] });
  if (filter && !proc.noNewPrivileges) {
    // Without no_new_privs loading a filter needs CAP_SYS_ADMIN: load it at the last moment it is
    // held (a uid change away from 0 cleared the effective set; keep-caps kept the permitted one).
    b.add({ op: 'CAPSET', desc: 'raise the permitted capabilities', flags: F.EFF_FROM_PERM });
    loadFilter();
  }
  b.add({ op: 'CAPSET', desc: 'capset', a: [caps.effective, caps.permitted, caps.inheritable], ...capsetHint(caps, st.userns) });
  // runc 1.1 ignores a failed ambient raise (it must also be permitted and inheritable).
  b.add({ op: 'AMBIENT', desc: 'raise ambient capabilities', a: [caps.ambient, last] });
  // With no_new_privs, as late as possible: a profile may forbid what the steps above need.
  if (filter && proc.noNewPrivileges) loadFilter();
  if (notify && st.seccompAgent) {
    const payload = Buffer.from(st.notifyState ?? '{}');
    b.add({ op: 'SEND_FD', desc: `seccomp agent at ${linux.seccomp?.listenerPath}: send the notify fd`, a: [st.seccompAgent.fd, notify.fd, payload.length], s: [payload] });
    b.add({ op: 'CLOSE', desc: 'close the notify fd', a: [notify.fd] });
    b.add({ op: 'CLOSE', desc: 'close the seccomp agent', a: [st.seccompAgent.fd] });
  }
}

export function compileExec(b: ProgramBuilder, proc: Process): void {
  const env = proc.env ?? [];
  b.add({ op: 'EXEC', desc: 'exec', s: [proc.args ?? [], env], a: [proc.args?.length ?? 0, env.length] });
}

let ownStatus: string | undefined;

/** One of the runtime's own capability masks; /proc/self/status is read once, as they do not change. */
function ownCaps(key: 'CapPrm' | 'CapBnd' | 'CapInh' | 'CapEff'): bigint {
  ownStatus ??= fs.readFileSync('/proc/self/status', 'utf8');
  return BigInt(`0x${new RegExp(`^${key}:\\s*([0-9a-f]+)$`, 'm').exec(ownStatus)?.[1] ?? '0'}`);
}

/** What a capset EPERM names: an effective capability that is not permitted, or one the runtime itself lacks. */
function capsetHint(caps: ReturnType<typeof resolveCapabilities>, userns: boolean): { hint?: string; hintErrno?: number } {
  const names = (mask: bigint) => {
    const out: string[] = [];
    for (let n = 0; n < 64; n++) if (mask & (1n << BigInt(n))) out.push(capabilityName(n) ?? `capability ${n}`);
    return out.join(', ');
  };
  // The kernel takes no effective capability that is not also permitted.
  const notPermitted = caps.effective & ~caps.permitted;
  if (notPermitted) return { hint: ` (process.capabilities.effective holds ${names(notPermitted)}, which permitted lacks)`, hintErrno: EPERM };
  if (userns) return {};
  const missing = ((caps.permitted | caps.effective) & ~ownCaps('CapPrm')) | (caps.inheritable & ~(ownCaps('CapBnd') | ownCaps('CapInh')));
  return missing ? { hint: ` (not held by the runtime: ${names(missing)})`, hintErrno: EPERM } : {};
}

const CAP_SYS_RESOURCE = 24n;

/**
 * Refuses, at create, rlimits the init would fail to set: raising a hard
 * limit needs CAP_SYS_RESOURCE in the host's user namespace (root lacks it
 * on some hosts), and RLIMIT_NOFILE may never exceed fs.nr_open.
 */
export function checkRlimits(rlimits: POSIXRlimit[] = [], userns: boolean): void {
  if (!rlimits.length) return;
  const lines = fs.readFileSync('/proc/self/limits', 'utf8').split('\n').slice(1).filter(Boolean);
  const hardNow = lines.map((l) => {
    const hard = l.slice(26).trim().split(/\s+/)[1];
    return hard === 'unlimited' ? RLIM_INFINITY : BigInt(hard);
  });
  const canRaise = !userns && ((ownCaps('CapEff') >> CAP_SYS_RESOURCE) & 1n) === 1n;
  const nrOpen = BigInt(fs.readFileSync('/proc/sys/fs/nr_open', 'utf8').trim());
  rlimits.forEach((r, i) => {
    const what = `process.rlimits[${i}]: set ${r.type} to ${r.soft}/${r.hard}`;
    const hard = rlimitValue(r.hard);
    const now = hardNow[RLIMITS[r.type]];
    if (now !== undefined && hard > now && !canRaise) {
      throw new HullError('EPERM', `${what}: EPERM (raising the hard limit above ${now === RLIM_INFINITY ? 'unlimited' : now} needs CAP_SYS_RESOURCE)`);
    }
    if (r.type === 'RLIMIT_NOFILE' && hard > nrOpen) throw new HullError('EPERM', `${what}: EPERM (above fs.nr_open ${nrOpen})`);
  });
}

const SCHED_POLICIES: Record<string, number> = {
  SCHED_OTHER: 0, SCHED_FIFO: 1, SCHED_RR: 2, SCHED_BATCH: 3, SCHED_ISO: 4, SCHED_IDLE: 5, SCHED_DEADLINE: 6,
};
const SCHED_FLAGS: Record<string, number> = {
  SCHED_FLAG_RESET_ON_FORK: 0x1, SCHED_FLAG_RECLAIM: 0x2, SCHED_FLAG_DL_OVERRUN: 0x4, SCHED_FLAG_KEEP_POLICY: 0x8,
  SCHED_FLAG_KEEP_PARAMS: 0x10, SCHED_FLAG_UTIL_CLAMP_MIN: 0x20, SCHED_FLAG_UTIL_CLAMP_MAX: 0x40,
};

/** process.scheduler through sched_setattr(2) (struct sched_attr, version 0: 48 bytes). */
function compileScheduler(b: ProgramBuilder, s: Scheduler): void {
  const attr = Buffer.alloc(48);
  attr.writeUInt32LE(48, 0);
  attr.writeUInt32LE(SCHED_POLICIES[s.policy], 4);
  attr.writeBigUInt64LE(BigInt((s.flags ?? []).reduce((a, f) => a | SCHED_FLAGS[f], 0)), 8);
  attr.writeInt32LE(s.nice ?? 0, 16);
  attr.writeUInt32LE(s.priority ?? 0, 20);
  attr.writeBigUInt64LE(BigInt(s.runtime ?? 0), 24);
  attr.writeBigUInt64LE(BigInt(s.deadline ?? 0), 32);
  attr.writeBigUInt64LE(BigInt(s.period ?? 0), 40);
  b.add({ op: 'SYSCALL', desc: `process.scheduler: sched_setattr ${s.policy}`, flags: F.BLOB2, a: [SYS.sched_setattr, 0, 0, 0], s: [undefined, attr] });
}

const IOPRIO_CLASSES: Record<string, number> = { IOPRIO_CLASS_RT: 1, IOPRIO_CLASS_BE: 2, IOPRIO_CLASS_IDLE: 3 };

function compileIoPriority(b: ProgramBuilder, p: IOPriority): void {
  b.add({ op: 'SYSCALL', desc: `process.ioPriority: ioprio_set ${p.class} ${p.priority}`, a: [SYS.ioprio_set, 1, 0, (IOPRIO_CLASSES[p.class] << 13) | p.priority] });
}

const PERSONALITY_DOMAINS: Record<string, number> = { LINUX: 0x0000, LINUX32: 0x0008 };

function compilePersonality(b: ProgramBuilder, p: Personality): void {
  b.add({ op: 'SYSCALL', desc: `linux.personality: ${p.domain}`, a: [PERSONALITY_NR, PERSONALITY_DOMAINS[p.domain]] });
}

const MPOL_MODES: Record<string, number> = {
  MPOL_DEFAULT: 0, MPOL_PREFERRED: 1, MPOL_BIND: 2, MPOL_INTERLEAVE: 3, MPOL_LOCAL: 4, MPOL_PREFERRED_MANY: 5, MPOL_WEIGHTED_INTERLEAVE: 6,
};
const MPOL_FLAGS: Record<string, number> = { MPOL_F_STATIC_NODES: 1 << 15, MPOL_F_RELATIVE_NODES: 1 << 14, MPOL_F_NUMA_BALANCING: 1 << 13 };

/** "0-2,5" → a nodemask of 64-bit words. */
export function nodeMask(nodes: string): Buffer {
  const bits: number[] = [];
  for (const part of nodes.split(',').filter(Boolean)) {
    const [a, b] = part.split('-').map(Number);
    for (let n = a; n <= (b ?? a); n++) bits.push(n);
  }
  const words = Math.max(1, Math.ceil((Math.max(-1, ...bits) + 1) / 64));
  const mask = Buffer.alloc(words * 8);
  for (const n of bits) mask[n >> 3] |= 1 << (n & 7);
  return mask;
}

function compileMemoryPolicy(b: ProgramBuilder, p: NonNullable<Linux['memoryPolicy']>): void {
  const mode = MPOL_MODES[p.mode] | (p.flags ?? []).reduce((a, f) => a | MPOL_FLAGS[f], 0);
  const mask = p.nodes ? nodeMask(p.nodes) : undefined;
  b.add({
    op: 'SYSCALL', desc: `linux.memoryPolicy: set_mempolicy ${p.mode} ${p.nodes ?? ''}`, flags: mask ? F.BLOB2 : 0,
    a: [SYS.set_mempolicy, mode, 0, mask ? mask.length * 8 + 1 : 0], s: [undefined, mask],
  });
}

