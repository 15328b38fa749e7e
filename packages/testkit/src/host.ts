// Host probes for tests. Machines of one kind differ (a kernel without BFQ
// has no blkio weight, a CI container lacks CAP_SYS_RESOURCE): a test that
// needs such a feature asks here first. Each probe returns what this machine
// lacks, in words for the skip summary, or undefined when the feature is
// there. Probes look at the host itself (its files, a write on a scratch
// cgroup, its capability bits), never at the code under test.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** What the host lacks, as a phrase for the skip summary ("needs root", "no criu"), or undefined. */
export type Missing = string | undefined;

const cache = new Map<string, Missing>();
function once(key: string, probe: () => Missing): Missing {
  if (!cache.has(key)) cache.set(key, probe());
  return cache.get(key);
}

export const isRoot = process.getuid?.() === 0;

export function missingRoot(): Missing {
  return isRoot ? undefined : 'needs root';
}

/** `cmd args` exits 0 (by default `cmd --version`: the command is installed). */
export function missingCommand(cmd: string, args: string[] = ['--version']): Missing {
  return once(`cmd ${cmd} ${args.join(' ')}`, () => {
    const r = spawnSync(cmd, args, { stdio: 'ignore', timeout: 60_000 });
    if (r.error) return `no ${cmd} (${(r.error as NodeJS.ErrnoException).code})`;
    return r.status === 0 ? undefined : `no working ${cmd} (\`${[cmd, ...args].join(' ')}\` exits ${r.status ?? r.signal})`;
  });
}

const CAPABILITIES: Record<string, number> = { CAP_SYS_ADMIN: 21, CAP_SYS_RESOURCE: 24, CAP_NET_ADMIN: 12, CAP_SYS_PTRACE: 19, CAP_CHECKPOINT_RESTORE: 40 };

/** The capability is in this process's effective set. */
export function missingCapability(name: keyof typeof CAPABILITIES | string): Missing {
  const bit = CAPABILITIES[name];
  if (bit === undefined) throw new Error(`missingCapability: unknown capability ${name}`);
  const eff = /^CapEff:\s*([0-9a-f]+)$/m.exec(fs.readFileSync('/proc/self/status', 'utf8'))?.[1] ?? '0';
  return (BigInt(`0x${eff}`) >> BigInt(bit)) & 1n ? undefined : `needs ${name} (not in this process's effective capabilities)`;
}

const LIMIT_ROWS: Record<string, string> = {
  RLIMIT_NOFILE: 'Max open files', RLIMIT_NPROC: 'Max processes', RLIMIT_CORE: 'Max core file size',
  RLIMIT_STACK: 'Max stack size', RLIMIT_MEMLOCK: 'Max locked memory', RLIMIT_NICE: 'Max nice priority', RLIMIT_RTPRIO: 'Max realtime priority',
};

/** This process's hard limit for `resource` (Infinity for unlimited), from /proc/self/limits. */
export function hardLimit(resource: string): number {
  const row = LIMIT_ROWS[resource];
  if (!row) throw new Error(`hardLimit: unknown resource ${resource}`);
  const line = fs.readFileSync('/proc/self/limits', 'utf8').split('\n').find((l) => l.startsWith(row));
  const hard = line?.slice(row.length).trim().split(/\s+/)[1];
  return hard === undefined || hard === 'unlimited' ? Infinity : Number(hard);
}

/** A child of this process may set `resource`'s hard limit to `hard`: it is no raise, or CAP_SYS_RESOURCE allows one. */
export function missingRlimit(resource: string, hard: number): Missing {
  const now = hardLimit(resource);
  if (hard <= now) return undefined;
  if (resource === 'RLIMIT_NOFILE') {
    const nrOpen = Number(fs.readFileSync('/proc/sys/fs/nr_open', 'utf8'));
    if (hard > nrOpen) return `needs an ${resource} hard limit of ${hard}, above fs.nr_open (${nrOpen})`;
  }
  const cap = missingCapability('CAP_SYS_RESOURCE');
  return cap && `raises the ${resource} hard limit from ${now} to ${hard}: ${cap}`;
}

/** The kernel offers namespaces of `type` (/proc/self/ns/<type>: time, cgroup, ...). */
export function missingNamespace(type: string): Missing {
  const file = { network: 'net', mount: 'mnt' }[type] ?? type;
  return fs.existsSync(`/proc/self/ns/${file}`) ? undefined : `no ${type} namespaces (no /proc/self/ns/${file}: kernel ${os.release()})`;
}

/** The running kernel is at least `major.minor`. */
export function missingKernel(major: number, minor: number, what: string): Missing {
  const [a, b] = os.release().split(/[.-]/).map(Number);
  return a > major || (a === major && b >= minor) ? undefined : `needs ${what} (Linux ${major}.${minor}; this is ${os.release()})`;
}

/** Both ends of a veth pair can be made (in a scratch network namespace: the host's is untouched). */
export function missingVeth(): Missing {
  return once('veth', () => {
    if (!isRoot) return missingRoot();
    const ip = missingCommand('ip', ['-V']);
    if (ip) return `${ip}, to probe veth support`;
    const r = spawnSync('unshare', ['--net', 'ip', 'link', 'add', 'hullprobe0', 'type', 'veth', 'peer', 'name', 'hullprobe1'], { encoding: 'utf8' });
    return r.status === 0 ? undefined : `no veth network devices (${r.stderr.trim() || `ip link add exits ${r.status}`})`;
  });
}

/** `criu check` passes; otherwise criu's first stated reason, without its "Error (file:line): " prefix. */
export function missingCriu(): Missing {
  return once('criu', () => {
    const r = spawnSync('criu', ['check'], { encoding: 'utf8' });
    if (r.error) return `no criu (${(r.error as NodeJS.ErrnoException).code})`;
    if (r.status === 0) return undefined;
    const reasons = `${r.stdout}\n${r.stderr}`.split('\n')
      .map((l) => /Error \([^)]*\):\s*(.*)$/.exec(l)?.[1])
      .filter((m): m is string => !!m && !/^exited, status=/.test(m));
    return `no working criu (\`criu check\`: ${reasons[0] ?? `exit ${r.status}`})`;
  });
}

// ---- cgroups -------------------------------------------------------------

interface Hierarchy {
  dir: string;
  v2: boolean;
}

/** Where `controller` is mounted: its v1 hierarchy, else a cgroup2 mount that offers it. */
function hierarchy(controller: string): Hierarchy | undefined {
  const v2: string[] = [];
  for (const line of fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const [pre, post] = line.split(' - ');
    if (!post) continue;
    const [fstype, , superOpts] = post.split(' ');
    const mountPoint = pre.split(' ')[4];
    if (fstype === 'cgroup' && superOpts.split(',').includes(controller)) return { dir: mountPoint, v2: false };
    if (fstype === 'cgroup2') v2.push(mountPoint);
  }
  for (const dir of v2) {
    const offered = fs.readFileSync(path.join(dir, 'cgroup.controllers'), 'utf8').trim().split(/\s+/);
    if (offered.includes(controller)) return { dir, v2: true };
  }
  return undefined;
}

/** The host's cgroup version, as a runtime would pick it: 2 when /sys/fs/cgroup is the cgroup2 mount. */
export function cgroupVersion(): 1 | 2 {
  return fs.existsSync('/sys/fs/cgroup/cgroup.controllers') ? 2 : 1;
}

/** A cgroup of `controller` can be made here (v1 hierarchy, or cgroup2 offering it). */
export function missingCgroupController(controller: string): Missing {
  return hierarchy(controller) ? undefined : `no ${controller} cgroup controller (neither a v1 hierarchy nor cgroup2 offers it)`;
}

let scratchSeq = 0;

/** Runs `probe` in a new, empty cgroup of `controller`, removed afterwards. */
function inScratchCgroup(controller: string, probe: (dir: string, h: Hierarchy) => Missing): Missing {
  const h = hierarchy(controller);
  if (!h) return missingCgroupController(controller);
  if (!isRoot) return missingRoot(); // probing takes a scratch cgroup
  const dir = path.join(h.dir, `hull-probe-${process.pid}-${scratchSeq++}`);
  try {
    if (h.v2) {
      // As a runtime does: the controller must be enabled for the children of the root.
      try {
        fs.writeFileSync(path.join(h.dir, 'cgroup.subtree_control'), `+${controller}`);
      } catch (e) {
        return `cannot enable ${controller} in ${h.dir}/cgroup.subtree_control (${(e as NodeJS.ErrnoException).code})`;
      }
    }
    fs.mkdirSync(dir);
    return probe(dir, h);
  } finally {
    try {
      fs.rmdirSync(dir);
    } catch {
      // Never made.
    }
  }
}

/**
 * A new cgroup of `controller` has one of `files` (the first found is used) and, with `value`,
 * takes that value. `hint` says why a host may lack it ("no BFQ I/O scheduler").
 */
export function missingCgroupFile(controller: string, files: string | string[], opts: { value?: string; hint?: string } = {}): Missing {
  const names = typeof files === 'string' ? [files] : files;
  return once(`cgroup ${controller} ${names.join('|')}=${opts.value ?? ''}`, () =>
    inScratchCgroup(controller, (dir) => {
      const hint = opts.hint ? ` (${opts.hint})` : '';
      const file = names.find((f) => fs.existsSync(path.join(dir, f)));
      if (!file) return `no ${names.join(' or ')} in a new ${controller} cgroup${hint}`;
      if (opts.value === undefined) return undefined;
      try {
        fs.writeFileSync(path.join(dir, file), opts.value);
        return undefined;
      } catch (e) {
        return `cannot write ${file} (writing "${opts.value}" in a new ${controller} cgroup: ${(e as NodeJS.ErrnoException).code})${hint}`;
      }
    }),
  );
}

/** Which file in a cgroup of `controller` exists first of `files`, or undefined (a scratch cgroup is made to look). */
export function cgroupFileOf(controller: string, files: string[]): string | undefined {
  let found: string | undefined;
  inScratchCgroup(controller, (dir) => {
    found = files.find((f) => fs.existsSync(path.join(dir, f)));
    return undefined;
  });
  return found;
}

export interface BlockDevice {
  major: number;
  minor: number;
}

let throttleDev: BlockDevice | null | undefined;

/**
 * A whole block device whose I/O can be throttled here (blkio.throttle.* on v1, io.max on v2): the disk
 * under / first, then any other. undefined when there is none (a container on overlay with no disks).
 */
export function throttleDevice(): BlockDevice | undefined {
  if (throttleDev !== undefined) return throttleDev ?? undefined;
  throttleDev = null;
  const candidates: string[] = [];
  const rootDev = fs.statSync('/').dev;
  const rootLink = `/sys/dev/block/${Math.floor(rootDev / 256) & 0xfff}:${(rootDev & 0xff) | ((rootDev >> 12) & 0xfff00)}`;
  if (fs.existsSync(rootLink)) {
    const real = fs.realpathSync(rootLink);
    candidates.push(fs.existsSync(path.join(real, 'partition')) ? path.dirname(real) : real);
  }
  for (const name of fs.existsSync('/sys/block') ? fs.readdirSync('/sys/block') : []) candidates.push(fs.realpathSync(path.join('/sys/block', name)));
  const controller = cgroupVersion() === 2 ? 'io' : 'blkio';
  for (const sys of candidates) {
    const devFile = path.join(sys, 'dev');
    if (!fs.existsSync(devFile)) continue;
    const [major, minor] = fs.readFileSync(devFile, 'utf8').trim().split(':').map(Number);
    const works = !inScratchCgroup(controller, (dir, h) => {
      try {
        if (h.v2) fs.writeFileSync(path.join(dir, 'io.max'), `${major}:${minor} rbps=1048576`);
        else fs.writeFileSync(path.join(dir, 'blkio.throttle.read_bps_device'), `${major}:${minor} 1048576`);
        return undefined;
      } catch (e) {
        return (e as NodeJS.ErrnoException).code;
      }
    });
    if (works) {
      throttleDev = { major, minor };
      break;
    }
  }
  return throttleDev ?? undefined;
}

export function missingThrottleDevice(): Missing {
  if (!isRoot) return missingRoot();
  return once('throttle', () => (throttleDevice() ? undefined : `no block device takes an I/O throttle (none in /sys/block does in a new ${cgroupVersion() === 2 ? 'io' : 'blkio'} cgroup)`));
}

/** Huge pages of `size` (as the kernel names them: 2048kB) and a hugetlb controller to limit them. */
export function missingHugepages(size = '2048kB'): Missing {
  if (!fs.existsSync(`/sys/kernel/mm/hugepages/hugepages-${size}`)) return `no ${size} huge pages (no /sys/kernel/mm/hugepages/hugepages-${size})`;
  return missingCgroupController('hugetlb');
}

/** A user namespace with root mapped can be made (`unshare --user --map-root-user`). */
export function missingUserNamespaces(): Missing {
  return once('userns', () => {
    const r = spawnSync('unshare', ['--user', '--map-root-user', 'true'], { encoding: 'utf8' });
    if (r.error) return `no unshare(1) (${(r.error as NodeJS.ErrnoException).code}) to probe user namespaces`;
    return r.status === 0 ? undefined : `no user namespaces (unshare --user: ${r.stderr.trim() || `exit ${r.status}`})`;
  });
}

/**
 * A process over its cgroup's memory limit is killed rather than swapped out: the host has no swap, or
 * the test limits swap too (`swapLimited`), which needs swap accounting.
 */
export function missingOomKill(swapLimited = false): Missing {
  const areas = fs.readFileSync('/proc/swaps', 'utf8').trim().split('\n').length - 1;
  if (areas === 0) return undefined;
  const swapped = `the host swaps (${areas} swap area${areas === 1 ? '' : 's'} in /proc/swaps): a process over its memory limit would swap, not be killed`;
  if (!swapLimited) return swapped;
  const accounting = missingCgroupFile('memory', cgroupVersion() === 2 ? 'memory.swap.max' : 'memory.memsw.limit_in_bytes', { hint: 'swap accounting is off in this kernel' });
  return accounting && `${accounting}, and ${swapped}`;
}
