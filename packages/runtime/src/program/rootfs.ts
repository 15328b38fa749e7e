// The container's filesystem as setup-program ops: propagation, the rootfs
// bind, every mount of config.json, /dev, then pivot_root (or MS_MOVE +
// chroot), propagation of the new "/", sysctls, read-only and masked paths.
// Every destination is resolved by hull-init inside the rootfs (openat2
// RESOLVE_IN_ROOT) and mounted through its fd; a mount that needs more steps
// (a remount, attributes) resolves the destination again to reach the new mount.
import fs from 'node:fs';
import path from 'node:path';
import { HullError } from '../errors';
import type { Mount, Spec } from '../spec/types';
import { MOUNT_OPTIONS, parseMountOptions } from '../spec/mountOptions';
import { MNT_DETACH, MS, O } from '@hull/sys/constants';
import { F, type ProgramBuilder, type Reg } from './format';
import { readMountinfo } from '../mountinfo';

const ENOTDIR = 20, EPERM = 1, ELOOP = 40, ENODEV = 19, EEXIST = 17, EINVAL = 22;
const AT_RECURSIVE = 0x8000;
const IN_THE_WAY = { hint: ' (a file is in the way)', hintErrno: ENOTDIR };

const ROOT_PROPAGATION: Record<string, number> = {
  shared: MS.SHARED, rshared: MS.SHARED | MS.REC,
  slave: MS.SLAVE, rslave: MS.SLAVE | MS.REC,
  private: MS.PRIVATE, rprivate: MS.PRIVATE | MS.REC,
  unbindable: MS.UNBINDABLE, runbindable: MS.UNBINDABLE | MS.REC,
};

export interface RootfsPlan {
  rootfs: string;
  /** A relative bind source is relative to the bundle (the spec). */
  bundle: string;
  spec: Spec;
  /** What the cgroup mount shows: directory name ("" for v2) → the container's host cgroup directory. */
  cgroupDirs: Record<string, string>;
  /** In a new user namespace: devices are bound from the host, not made. */
  userns: boolean;
  /** No mount namespace in the config: the mounts are made in the host's (delete unmounts them). */
  hostMountNs: boolean;
  noPivot: boolean;
  /** Bind mounts the parent made detached (id-mapped ones; every bind of a container with a user
   *  namespace, whose sources it may not be able to read), by mount index: their fds' registers. */
  premade: Map<number, Reg>;
}

/** MS_* flags the options explicitly clear (rw, suid, dev, exec...): a remount must not keep them. */
function clearedFlags(options: string[] = []): number {
  let out = 0;
  for (const o of options) {
    const opt = Object.hasOwn(MOUNT_OPTIONS, o) ? MOUNT_OPTIONS[o] : undefined;
    if (opt && !opt.recursive && !opt.propagation && opt.clear) out |= opt.flag;
  }
  return out;
}

export interface PreparedRootfs {
  /** The rootfs directory. */
  root: Reg;
  /** A read-only /dev is made writable for its devices and remounted read-only at the end (as runc). */
  devReadonly?: { flags: number };
}

/** Everything before pivot_root. */
export function compileRootfs(b: ProgramBuilder, plan: RootfsPlan): PreparedRootfs {
  const { rootfs, spec } = plan;
  const linux = spec.linux ?? {};
  if (!plan.hostMountNs) {
    // Nothing done here may reach the host's mount tree: rslave, unless the config asks for
    // private or shared. The exact rootfsPropagation is applied to "/" after pivot_root:
    // "unbindable" now would forbid the binds below.
    const wanted = linux.rootfsPropagation ? ROOT_PROPAGATION[linux.rootfsPropagation] : 0;
    const initial = wanted & (MS.PRIVATE | MS.SHARED) ? (wanted & (MS.PRIVATE | MS.SHARED)) | MS.REC : MS.SLAVE | MS.REC;
    b.add({ op: 'MOUNT', desc: `make / ${linux.rootfsPropagation ?? 'rslave'}`, s: [undefined, '/'], a: [initial] });
    // pivot_root refuses a shared parent of the new root. After the change above it is shared
    // only if the config asked for shared: then it is made private (a slave parent keeps
    // receiving the host's mounts, as "slave" means).
    if (initial & MS.SHARED) {
      const parent = findMountPoint(rootfs);
      b.add({ op: 'MOUNT', desc: `make ${parent} private`, s: [undefined, parent], a: [MS.PRIVATE] });
    }
    b.add({ op: 'MOUNT', desc: `bind rootfs ${rootfs}`, s: [rootfs, rootfs, 'bind'], a: [MS.BIND | MS.REC] });
  }
  const root = b.reg();
  b.add({ op: 'OPEN', desc: `open rootfs ${rootfs}`, s: [rootfs], a: [O.PATH | O.DIRECTORY, root.n] });
  const t = b.reg();
  const t2 = b.reg();
  const ctx: MountCtx = { b, plan, root, t, t2 };
  const prepared: PreparedRootfs = { root };

  let dev: Mount | undefined;
  (spec.mounts ?? []).forEach((m, i) => {
    const isDev = path.posix.normalize(m.destination) === '/dev';
    if (isDev) dev = m;
    const o = parseMountOptions(m.options);
    if (isDev && !isBindMount(m) && o.flags & MS.RDONLY) {
      prepared.devReadonly = { flags: o.flags & ~(MS.BIND | MS.REC) };
      mountOne(ctx, { ...m, options: [...(m.options ?? []), 'rw'] }, i);
    } else {
      mountOne(ctx, m, i);
    }
  });
  // Over a /dev bound from the host nothing is made: the host's directory is not the container's (runc agrees).
  const devBound = dev !== undefined && isBindMount(dev);
  if (dev && !devBound) {
    compileDevices(ctx, linux.devices ?? [], true);
    compileDevLinks(ctx);
  } else if (!devBound && linux.devices?.length) {
    compileDevices(ctx, linux.devices, false);
  }
  const cwd = spec.process?.cwd;
  if (cwd) {
    // Made if missing; something else than a directory there is the config's fault.
    b.add({ op: 'RESOLVE', desc: `process.cwd: mkdir ${cwd}`, flags: F.MKDIR | F.DIR, s: [cwd], a: [root.fd, t.n, 0o755], ...IN_THE_WAY });
    b.add({ op: 'CLOSE', desc: 'close', a: [t.fd] });
  }
  return prepared;
}

/** The rootfs becomes "/": pivot_root, --no-pivot's MS_MOVE + chroot, or only chroot without a mount namespace. */
export function compileEnterRootfs(b: ProgramBuilder, plan: RootfsPlan, root: Reg): void {
  if (plan.hostMountNs) b.add({ op: 'CHROOT', desc: `chroot ${plan.rootfs}`, a: [root.fd] });
  else if (plan.noPivot) {
    hideHostProcAndSys(b, plan.rootfs);
    b.add({ op: 'MOVE_ROOT', desc: `move ${plan.rootfs} to /`, s: [plan.rootfs] });
  }
  else b.add({ op: 'PIVOT', desc: `pivot_root ${plan.rootfs}`, a: [root.fd] });
  b.add({ op: 'CLOSE', desc: 'close', a: [root.fd] });
}

/** After pivot_root: "/"'s propagation, sysctls, read-only and masked paths, a read-only /dev and "/". */
export function compileFinishRootfs(b: ProgramBuilder, plan: RootfsPlan, prepared: PreparedRootfs): void {
  const { spec } = plan;
  const linux = spec.linux ?? {};
  if (!plan.hostMountNs && linux.rootfsPropagation) {
    b.add({ op: 'MOUNT', desc: `make / ${linux.rootfsPropagation}`, s: [undefined, '/'], a: [ROOT_PROPAGATION[linux.rootfsPropagation]] });
  }
  for (const [key, value] of Object.entries(linux.sysctl ?? {})) {
    const file = path.join('/proc/sys', key.replace(/\./g, '/'));
    b.add({ op: 'WRITE', desc: `linux.sysctl: write ${key}=${value} (${file})`, flags: F.NOFOLLOW, s: [file, value], a: [Buffer.byteLength(value)] });
  }
  const top = b.reg();
  b.add({ op: 'OPEN', desc: 'open /', s: ['/'], a: [O.PATH | O.DIRECTORY, top.n] });
  for (const p of linux.readonlyPaths ?? []) b.add({ op: 'RO_PATH', desc: `bind ${p} read-only`, s: [p], a: [top.fd] });
  for (const p of linux.maskedPaths ?? []) {
    b.add({ op: 'MASK', desc: `mask ${p}`, s: [p], a: [top.fd], hint: ' (the container\'s /dev/null is not the null device)', hintErrno: ENODEV });
  }
  if (prepared.devReadonly) {
    const dev = b.reg();
    b.add({ op: 'RESOLVE', desc: 'open /dev', s: ['/dev'], a: [top.fd, dev.n] });
    // A bind remount, as runc's: the mount is read-only, its tmpfs stays as it was mounted.
    b.add({ op: 'MOUNT', desc: 'remount /dev read-only', flags: F.TGT_FD | F.KEEP_LOCKED, a: [MS.BIND | MS.REMOUNT | prepared.devReadonly.flags, dev.fd] });
    b.add({ op: 'CLOSE', desc: 'close', a: [dev.fd] });
  }
  b.add({ op: 'CLOSE', desc: 'close', a: [top.fd] });
  if (spec.root?.readonly) b.add({ op: 'MOUNT', desc: 'remount / read-only', flags: F.KEEP_LOCKED, s: [undefined, '/'], a: [MS.BIND | MS.REMOUNT | MS.RDONLY, 0, 0, 0] });
}

interface MountCtx {
  b: ProgramBuilder;
  plan: RootfsPlan;
  root: Reg;
  /** Scratch registers: the destination, and the mount made on it. */
  t: Reg;
  t2: Reg;
}

function isBindMount(m: Mount): boolean {
  return m.type === 'bind' || (parseMountOptions(m.options).flags & MS.BIND) !== 0;
}

/** Resolves `dest` again into t2: the mount just made there. */
function reopen(ctx: MountCtx, dest: string): void {
  ctx.b.add({ op: 'RESOLVE', desc: `open ${dest}`, s: [dest], a: [ctx.root.fd, ctx.t2.n] });
}

function close(ctx: MountCtx, r: Reg): void {
  ctx.b.add({ op: 'CLOSE', desc: 'close', a: [r.fd] });
}

function mountOne(ctx: MountCtx, m: Mount, index: number): void {
  const { b, plan, root, t, t2 } = ctx;
  const o = parseMountOptions(m.options);
  const isBind = isBindMount(m);
  const type = m.type ?? (isBind ? 'bind' : undefined);
  const dest = path.posix.normalize(m.destination);
  if (type === 'cgroup' || type === 'cgroup2') return mountCgroup(ctx, m, dest, o.flags);
  const flags = o.flags & ~(MS.BIND | MS.REC | MS.REMOUNT);
  let remade = false;
  if (isBind) {
    const source = path.resolve(plan.bundle, m.source ?? '');
    let st: fs.Stats;
    try {
      st = fs.statSync(source);
    } catch (e) {
      throw new HullError('ENOENT', `mount ${m.source} on ${dest}: source: ${(e as NodeJS.ErrnoException).code ?? e}`);
    }
    const what = `mount ${m.source} on ${dest}`;
    b.add({ op: 'RESOLVE', desc: what, flags: st.isDirectory() ? F.MKDIR | F.DIR : F.MKFILE | F.MKDIR, s: [dest], a: [root.fd, t.n, 0o755], ...IN_THE_WAY });
    const premade = plan.premade.get(index);
    if (premade) {
      b.add({ op: 'MOVE_MOUNT', desc: what, a: [premade.fd, t.fd] });
      b.add({ op: 'CLOSE', desc: 'close', a: [premade.fd] });
    } else {
      b.add({ op: 'MOUNT', desc: what, flags: F.TGT_FD, s: [source, undefined, 'bind'], a: [MS.BIND | (o.flags & MS.REC), t.fd] });
    }
    // Bind mounts take their flags only on a remount.
    if (flags) {
      reopen(ctx, dest);
      remade = true;
      b.add({
        op: 'MOUNT', desc: `remount ${dest} (${(m.options ?? []).join(',')})`, flags: F.TGT_FD | F.KEEP_LOCKED,
        a: [MS.BIND | MS.REMOUNT | flags, t2.fd, 0, clearedFlags(m.options)],
      });
    }
  } else {
    const what = `mount ${type ?? m.source ?? 'none'} on ${dest}`;
    // proc and sysfs only on an ordinary directory: through a symlink they would land where it points.
    const ordinary = type === 'proc' || type === 'sysfs';
    b.add({
      op: 'RESOLVE', desc: what, flags: F.MKDIR | F.DIR | (ordinary ? F.ORDINARY : 0), s: [dest], a: [root.fd, t.n, 0o755],
      ...(ordinary ? { hint: ` (filesystem "${type}" must be mounted on ordinary directory)`, hintErrno: ELOOP } : IN_THE_WAY),
    });
    const data = o.data.length ? o.data.join(',') : undefined;
    if (type === 'tmpfs' && o.extensions.includes('tmpcopyup')) {
      // The new tmpfs starts with what the image had there; t still reaches the image's directory.
      b.add({ op: 'MOUNT', desc: what, flags: F.TGT_FD, s: [m.source ?? 'tmpfs', undefined, 'tmpfs', data], a: [flags & ~MS.RDONLY, t.fd] });
      reopen(ctx, dest);
      remade = true;
      const keepMode = !(data ?? '').split(',').some((d) => d.startsWith('mode='));
      b.add({ op: 'COPYUP', desc: `tmpcopyup on ${dest}`, a: [t.fd, t2.fd, keepMode ? 1 : 0] });
      if (flags & MS.RDONLY) b.add({ op: 'MOUNT', desc: `remount tmpfs on ${dest} read-only`, flags: F.TGT_FD, s: [undefined, undefined, undefined, data], a: [MS.REMOUNT | flags, t2.fd] });
    } else if (type === 'sysfs') {
      // Without a new network namespace the kernel refuses sysfs: bind the host's, read-only (as runc).
      b.add({ op: 'MOUNT', desc: what, flags: F.TGT_FD | F.ALT, hintErrno: EPERM, skip: 3, s: [m.source ?? 'sysfs', undefined, 'sysfs', data], a: [flags, t.fd] });
      b.add({ op: 'MOUNT', desc: `bind /sys on ${dest}`, flags: F.TGT_FD, s: ['/sys', undefined, 'bind'], a: [MS.BIND | MS.REC, t.fd] });
      reopen(ctx, dest);
      b.add({ op: 'MOUNT', desc: `remount ${dest} ro`, flags: F.TGT_FD, a: [MS.BIND | MS.REMOUNT | MS.RDONLY | MS.NOSUID | MS.NODEV | MS.NOEXEC, t2.fd] });
      close(ctx, t2);
    } else {
      b.add({ op: 'MOUNT', desc: what, flags: F.TGT_FD, s: [m.source ?? type ?? 'none', undefined, type, data], a: [flags, t.fd] });
    }
  }
  if (o.attrSet || o.attrClr || o.propagation.length) {
    if (!remade) reopen(ctx, dest);
    remade = true;
    if (o.attrSet || o.attrClr) b.add({ op: 'SETATTR', desc: `set ${(m.options ?? []).join(',')} on ${dest}`, a: [o.attrSet, t2.fd, o.attrClr, AT_RECURSIVE] });
    for (const p of o.propagation) b.add({ op: 'MOUNT', desc: `set propagation of ${dest}`, flags: F.TGT_FD, a: [p, t2.fd] });
  }
  close(ctx, t);
  if (remade) close(ctx, t2);
}

// The container's own cgroup directories, bound read-only (or as the mount
// says) under a tmpfs for v1 or directly for v2: no process needs to be in
// the cgroup for this, so the init can join last.
function mountCgroup(ctx: MountCtx, m: Mount, dest: string, optFlags: number): void {
  const { b, root, t, t2 } = ctx;
  const entries = Object.entries(ctx.plan.cgroupDirs);
  const flags = optFlags & (MS.RDONLY | MS.NOSUID | MS.NODEV | MS.NOEXEC);
  b.add({ op: 'RESOLVE', desc: `mount cgroup on ${dest}`, flags: F.MKDIR | F.DIR, s: [dest], a: [root.fd, t.n, 0o755], ...IN_THE_WAY });
  const bindRemount = (source: string, at: string, target: Reg) => {
    b.add({ op: 'MOUNT', desc: `mount cgroup ${source} on ${at}`, flags: F.TGT_FD, s: [source, undefined, 'bind'], a: [MS.BIND, target.fd] });
    if (!flags) return;
    reopen(ctx, at);
    b.add({ op: 'MOUNT', desc: `remount cgroup ${at}`, flags: F.TGT_FD, a: [MS.BIND | MS.REMOUNT | flags, t2.fd] });
    close(ctx, t2);
  };
  if (entries.length === 1 && entries[0][0] === '') {
    bindRemount(entries[0][1], dest, t);
    close(ctx, t);
    return;
  }
  b.add({ op: 'MOUNT', desc: `mount tmpfs on ${dest}`, flags: F.TGT_FD, s: ['tmpfs', undefined, 'tmpfs', 'mode=755'], a: [MS.NOSUID | MS.NODEV | MS.NOEXEC, t.fd] });
  close(ctx, t);
  for (const [name, hostDir] of entries) {
    const at = path.posix.join(dest, name);
    b.add({ op: 'RESOLVE', desc: `mkdir ${at}`, flags: F.MKDIR | F.DIR, s: [at], a: [root.fd, t.n, 0o755] });
    bindRemount(hostDir, at, t);
    close(ctx, t);
    // A co-mounted hierarchy ("cpu,cpuacct") is also reachable under each name.
    if (name.includes(',')) {
      for (const alias of name.split(',')) {
        b.add({ op: 'SYMLINK', desc: `symlink ${path.posix.join(dest, alias)}`, flags: F.IGNORE_ERRNO, hintErrno: EEXIST, s: [name, path.posix.join(dest, alias)], a: [root.fd] });
      }
    }
  }
  if (flags & MS.RDONLY) {
    reopen(ctx, dest);
    b.add({ op: 'MOUNT', desc: `remount ${dest} ro`, flags: F.TGT_FD, s: [undefined, undefined, undefined, 'mode=755'], a: [MS.REMOUNT | flags, t2.fd] });
    close(ctx, t2);
  }
}

interface Device {
  path: string;
  type: string;
  major?: number;
  minor?: number;
  fileMode?: number;
  uid?: number;
  gid?: number;
}

const DEFAULT_DEVICES: Device[] = [
  { path: '/dev/null', type: 'c', major: 1, minor: 3 },
  { path: '/dev/zero', type: 'c', major: 1, minor: 5 },
  { path: '/dev/full', type: 'c', major: 1, minor: 7 },
  { path: '/dev/random', type: 'c', major: 1, minor: 8 },
  { path: '/dev/urandom', type: 'c', major: 1, minor: 9 },
  { path: '/dev/tty', type: 'c', major: 5, minor: 0 },
];

function makedev(major: number, minor: number): bigint {
  const ma = BigInt(major), mi = BigInt(minor);
  return ((ma & 0xfffn) << 8n) | ((ma & ~0xfffn) << 32n) | (mi & 0xffn) | ((mi & ~0xffn) << 12n);
}

function compileDevices(ctx: MountCtx, devices: Device[], withDefaults: boolean): void {
  const { b, plan, root, t } = ctx;
  const list = withDefaults ? [...DEFAULT_DEVICES.filter((d) => !devices.some((x) => x.path === d.path)), ...devices] : devices;
  if (plan.userns) {
    // mknod is refused in a user namespace: bind the host's node instead.
    for (const d of list) {
      b.add({ op: 'RESOLVE', desc: `bind device ${d.path}`, flags: F.MKFILE | F.MKDIR, s: [d.path], a: [root.fd, t.n, 0o755] });
      b.add({ op: 'MOUNT', desc: `bind device ${d.path}`, flags: F.TGT_FD, s: [d.path, undefined, 'bind'], a: [MS.BIND, t.fd] });
      close(ctx, t);
    }
    return;
  }
  const umask = process.umask();
  b.add({ op: 'UMASK', desc: 'umask 0', a: [0] });
  for (const d of list) {
    const typeBits = d.type === 'b' ? 0o060000 : d.type === 'p' ? 0o010000 : 0o020000;
    const mode = typeBits | ((d.fileMode ?? 0o666) & 0o7777);
    const dev = d.type === 'p' ? 0n : makedev(d.major ?? 0, d.minor ?? 0);
    const owner = (BigInt(d.uid ?? 0) << 32n) | BigInt(d.gid ?? 0);
    b.add({ op: 'MKNOD', desc: `linux.devices: mknod ${d.path}`, flags: F.REPLACE, s: [d.path], a: [root.fd, mode, dev, owner] });
  }
  b.add({ op: 'UMASK', desc: 'umask', a: [umask] });
}

function compileDevLinks(ctx: MountCtx): void {
  const { b, root } = ctx;
  const links: [string, string][] = [
    ['/proc/self/fd', 'fd'], ['/proc/self/fd/0', 'stdin'], ['/proc/self/fd/1', 'stdout'], ['/proc/self/fd/2', 'stderr'],
  ];
  if (fs.existsSync('/proc/kcore')) links.push(['/proc/kcore', 'core']);
  for (const [target, name] of links) {
    b.add({ op: 'SYMLINK', desc: `symlink /dev/${name}`, flags: F.IGNORE_ERRNO, hintErrno: EEXIST, s: [target, `/dev/${name}`], a: [root.fd] });
  }
  // The ptmx of the container's own devpts instance.
  b.add({ op: 'SYMLINK', desc: 'symlink /dev/ptmx', flags: F.REPLACE, s: ['pts/ptmx', '/dev/ptmx'], a: [root.fd] });
}

/**
 * Without pivot_root the host's mounts stay in the container's mount namespace, below its
 * chroot: a fully visible procfs or sysfs there would let a process in a new user namespace
 * mount its own (the kernel allows it where one is already visible). Each is detached, or,
 * where the kernel keeps it locked, covered with an empty tmpfs (runc does the same).
 */
function hideHostProcAndSys(b: ProgramBuilder, rootfs: string): void {
  const inside = rootfs.endsWith('/') ? rootfs : rootfs + '/';
  // Deepest first: a mount below another goes before it.
  const targets = readMountinfo().filter((m) => (m.fsType === 'proc' || m.fsType === 'sysfs') && m.mountPoint !== rootfs && !m.mountPoint.startsWith(inside)).reverse();
  for (const { mountPoint } of targets) {
    b.add({ op: 'UMOUNT', desc: `detach the host's ${mountPoint}`, flags: F.ALT, hintErrno: EINVAL, skip: 1, s: [mountPoint], a: [MNT_DETACH] });
    b.add({ op: 'MOUNT', desc: `cover the host's ${mountPoint}`, s: ['tmpfs', mountPoint, 'tmpfs', 'size=0'], a: [MS.RDONLY | MS.NOSUID | MS.NODEV | MS.NOEXEC] });
  }
}

/** The mount point `p` is on, from this process's mountinfo (the init's is a copy of it). */
function findMountPoint(p: string): string {
  let best = '/';
  for (const { mountPoint: mp } of readMountinfo()) {
    if (mp && (p === mp || p.startsWith(mp.endsWith('/') ? mp : mp + '/')) && mp.length >= best.length) best = mp;
  }
  return best;
}

