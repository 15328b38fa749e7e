// Settings of the container process the init applies on itself before
// execve: rlimits, oom_score_adj, sysctl, the executable's lookup, HOME.
import fs from 'node:fs';
import path from 'node:path';
import { HullError } from '../errors';
import type { IOPriority, Linux, Personality, POSIXRlimit, Scheduler } from '../spec/types';
import * as libc from '../sys/libc';

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

export function applyRlimits(rlimits: POSIXRlimit[] = []): void {
  rlimits.forEach((r, i) => {
    const res = RLIMITS[r.type];
    libc.prlimit(0, res, rlimitValue(r.soft), rlimitValue(r.hard), `process.rlimits[${i}]: set ${r.type} to ${r.soft}/${r.hard}`);
  });
}

const CAP_SYS_RESOURCE = 24n;

/** Hard limits of the calling process by resource number (/proc/self/limits lists them in that order). */
function currentHardLimits(): bigint[] {
  const lines = fs.readFileSync('/proc/self/limits', 'utf8').split('\n').slice(1).filter(Boolean);
  return lines.map((l) => {
    const hard = l.slice(26).trim().split(/\s+/)[1];
    return hard === 'unlimited' ? RLIM_INFINITY : BigInt(hard);
  });
}

/**
 * Refuses, at create, rlimits that applyRlimits would fail to set right
 * before execve: raising a hard limit needs CAP_SYS_RESOURCE in the host's
 * user namespace (root lacks it on some hosts), and RLIMIT_NOFILE may never
 * exceed fs.nr_open. The limits themselves are set last: the init is Node
 * and would suffer a low RLIMIT_NOFILE or RLIMIT_NPROC first.
 */
export function checkRlimits(rlimits: POSIXRlimit[] = [], userns: boolean): void {
  if (!rlimits.length) return;
  const hardNow = currentHardLimits();
  const capEff = /^CapEff:\s*([0-9a-f]+)$/m.exec(fs.readFileSync('/proc/self/status', 'utf8'))?.[1] ?? '0';
  const canRaise = !userns && ((BigInt(`0x${capEff}`) >> CAP_SYS_RESOURCE) & 1n) === 1n;
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

export function applyOomScoreAdj(adj: number | undefined): void {
  if (adj === undefined) return;
  try {
    fs.writeFileSync('/proc/self/oom_score_adj', String(adj));
  } catch (e) {
    // EACCES: lowering the score needs CAP_SYS_RESOURCE.
    throw new HullError('EOOMSCORE', `process.oomScoreAdj: write ${adj} to /proc/self/oom_score_adj: ${(e as NodeJS.ErrnoException).code ?? e}`);
  }
}

/** linux.sysctl, written under the container's /proc/sys. */
export function applySysctl(sysctl: Record<string, string> = {}): void {
  for (const [key, value] of Object.entries(sysctl)) {
    const file = path.join('/proc/sys', key.replace(/\./g, '/'));
    try {
      fs.writeFileSync(file, value);
    } catch (e) {
      throw new HullError('ESYSCTL', `linux.sysctl: write ${key}=${value} (${file}): ${(e as NodeJS.ErrnoException).code ?? e}`);
    }
  }
}

function isExecutableFile(p: string): boolean {
  try {
    const st = fs.statSync(p);
    return st.isFile() && (st.mode & 0o111) !== 0;
  } catch {
    return false;
  }
}

/** Finds args[0] as execvp would, in the container's root and with its PATH. */
export function lookPath(file: string, env: string[]): string {
  if (file.includes('/')) {
    if (isExecutableFile(file)) return file;
    throw new HullError('ENOENT', `exec: "${file}": ${fs.existsSync(file) ? 'permission denied' : 'no such file or directory'}`);
  }
  const pathVar = env.filter((e) => e.startsWith('PATH=')).pop()?.slice(5) ?? '';
  for (const dir of pathVar.split(':')) {
    const candidate = path.join(dir || '.', file);
    if (isExecutableFile(candidate)) return candidate;
  }
  throw new HullError('ENOENT', `exec: "${file}": executable file not found in $PATH`);
}

/** HOME from /etc/passwd when the config does not set it (runc does the same), else "/". */
export function withHome(env: string[], uid: number): string[] {
  if (env.some((e) => e.startsWith('HOME='))) return env;
  let home = '/';
  try {
    for (const line of fs.readFileSync('/etc/passwd', 'utf8').split('\n')) {
      const f = line.split(':');
      if (f.length >= 6 && Number(f[2]) === uid && f[2] !== '') {
        home = f[5] || '/';
        break;
      }
    }
  } catch {
    // no /etc/passwd in the image
  }
  return [...env, `HOME=${home}`];
}

const SCHED_POLICIES: Record<string, number> = {
  SCHED_OTHER: 0, SCHED_FIFO: 1, SCHED_RR: 2, SCHED_BATCH: 3, SCHED_ISO: 4, SCHED_IDLE: 5, SCHED_DEADLINE: 6,
};
const SCHED_FLAGS: Record<string, number> = {
  SCHED_FLAG_RESET_ON_FORK: 0x1, SCHED_FLAG_RECLAIM: 0x2, SCHED_FLAG_DL_OVERRUN: 0x4, SCHED_FLAG_KEEP_POLICY: 0x8,
  SCHED_FLAG_KEEP_PARAMS: 0x10, SCHED_FLAG_UTIL_CLAMP_MIN: 0x20, SCHED_FLAG_UTIL_CLAMP_MAX: 0x40,
};

/** process.scheduler through sched_setattr(2) (struct sched_attr, version 0: 48 bytes). */
export function applyScheduler(s: Scheduler | undefined): void {
  if (!s) return;
  const attr = Buffer.alloc(48);
  attr.writeUInt32LE(48, 0);
  attr.writeUInt32LE(SCHED_POLICIES[s.policy], 4);
  attr.writeBigUInt64LE(BigInt((s.flags ?? []).reduce((a, f) => a | SCHED_FLAGS[f], 0)), 8);
  attr.writeInt32LE(s.nice ?? 0, 16);
  attr.writeUInt32LE(s.priority ?? 0, 20);
  attr.writeBigUInt64LE(BigInt(s.runtime ?? 0), 24);
  attr.writeBigUInt64LE(BigInt(s.deadline ?? 0), 32);
  attr.writeBigUInt64LE(BigInt(s.period ?? 0), 40);
  libc.syscallBuf('sched_setattr', 0, attr, 0, `process.scheduler: sched_setattr ${s.policy}`);
}

const IOPRIO_CLASSES: Record<string, number> = { IOPRIO_CLASS_RT: 1, IOPRIO_CLASS_BE: 2, IOPRIO_CLASS_IDLE: 3 };

/** process.ioPriority through ioprio_set(IOPRIO_WHO_PROCESS, self). */
export function applyIoPriority(p: IOPriority | undefined): void {
  if (!p) return;
  libc.syscall('ioprio_set', 1, 0, (IOPRIO_CLASSES[p.class] << 13) | p.priority, 0, 0, `process.ioPriority: ioprio_set ${p.class} ${p.priority}`);
}

const PERSONALITY_DOMAINS: Record<string, number> = { LINUX: 0x0000, LINUX32: 0x0008 };

export function applyPersonality(p: Personality | undefined): void {
  if (p) libc.personality(PERSONALITY_DOMAINS[p.domain]);
}

/** linux.timeOffsets, written before any process enters the new time namespace (execve moves us in). */
export function writeTimeOffsets(offsets: Linux['timeOffsets']): void {
  const lines = Object.entries(offsets ?? {}).map(([clock, o]) => `${clock} ${o?.secs ?? 0} ${o?.nanosecs ?? 0}`);
  if (!lines.length) return;
  try {
    fs.writeFileSync('/proc/self/timens_offsets', lines.join('\n') + '\n');
  } catch (e) {
    throw new HullError('ETIMENS', `linux.timeOffsets: write /proc/self/timens_offsets: ${(e as NodeJS.ErrnoException).code ?? e}`);
  }
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

/** linux.memoryPolicy through set_mempolicy(2). */
export function applyMemoryPolicy(p: Linux['memoryPolicy']): void {
  if (!p) return;
  const mode = MPOL_MODES[p.mode] | (p.flags ?? []).reduce((a, f) => a | MPOL_FLAGS[f], 0);
  const mask = p.nodes ? nodeMask(p.nodes) : null;
  libc.syscallBuf('set_mempolicy', mode, mask, mask ? mask.length * 8 + 1 : 0, `linux.memoryPolicy: set_mempolicy ${p.mode} ${p.nodes ?? ''}`);
}
