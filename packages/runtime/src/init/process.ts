// Settings of the container process the init applies on itself before
// execve: rlimits, oom_score_adj, sysctl, the executable's lookup, HOME.
import fs from 'node:fs';
import path from 'node:path';
import { HullError } from '../errors';
import type { POSIXRlimit } from '../spec/types';
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
