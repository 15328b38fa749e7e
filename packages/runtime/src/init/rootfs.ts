// The container's filesystem, built by the init inside its new mount
// namespace: propagation, the rootfs bind, every mount of config.json,
// /dev, then pivot_root (or MS_MOVE + chroot), masked and read-only paths.
import fs from 'node:fs';
import path from 'node:path';
import { HullError } from '../errors';
import type { Mount, Spec } from '../spec/types';
import { MOUNT_OPTIONS, parseMountOptions, type ParsedMountOptions } from '../spec/mountOptions';
import * as libc from '../sys/libc';
import { MS, MNT_DETACH, O } from '../sys/constants';
import { mkdirInRoot, resolveInRoot, touchInRoot } from './paths';
import { attachIdmapped, receiveIdmappedMounts } from './idmap';
import { mountTmpfsCopyUp } from './tmpcopyup';
import { SYNC_FD_ENV } from './config';

const ROOT_PROPAGATION: Record<string, number> = {
  shared: MS.SHARED, rshared: MS.SHARED | MS.REC,
  slave: MS.SLAVE, rslave: MS.SLAVE | MS.REC,
  private: MS.PRIVATE, rprivate: MS.PRIVATE | MS.REC,
  unbindable: MS.UNBINDABLE, runbindable: MS.UNBINDABLE | MS.REC,
};

/** MS_* flags the options explicitly clear (rw, suid, dev, exec...): a remount must not keep them. */
function clearedFlags(options: string[] = []): number {
  let out = 0;
  for (const o of options) {
    const opt = Object.hasOwn(MOUNT_OPTIONS, o) ? MOUNT_OPTIONS[o] : undefined;
    if (opt && !opt.recursive && !opt.propagation && opt.clear) out |= opt.flag;
  }
  return out;
}

export interface CgroupView {
  /** Directory names under the cgroup mount (v1: "memory", "cpu,cpuacct"...; v2: "") → host directory. */
  dirs: Record<string, string>;
}

export interface RootfsOptions {
  rootfs: string;
  /** The spec: a relative bind source is relative to the bundle. */
  bundle: string;
  spec: Spec;
  cgroups: CgroupView;
  /** In a new user namespace: devices are bind-mounted from the host, not made. */
  userns: boolean;
  /** No mount namespace in the config: the mounts are made in the host's (delete unmounts them). */
  hostMountNs?: boolean;
}

/** Everything before pivot_root. Runs in the init's new mount namespace. */
export function prepareRootfs(opts: RootfsOptions): void {
  const { rootfs, spec } = opts;
  const linux = spec.linux ?? {};
  // Nothing done here may reach the host's mount tree: rslave, unless the config asks for
  // private or shared. The exact rootfsPropagation is applied to "/" after pivot_root
  // (applyRootPropagation): "unbindable" now would forbid the binds below.
  // In the host's mount namespace none of this may happen: its propagation is not ours.
  if (!opts.hostMountNs) {
    const wanted = linux.rootfsPropagation ? ROOT_PROPAGATION[linux.rootfsPropagation] : 0;
    const initial = wanted & (MS.PRIVATE | MS.SHARED) ? (wanted & (MS.PRIVATE | MS.SHARED)) | MS.REC : MS.SLAVE | MS.REC;
    libc.mount(null, '/', null, initial, null, 'make / ' + (linux.rootfsPropagation ?? 'rslave'));
    makeParentPrivate(rootfs);
    libc.mount(rootfs, rootfs, 'bind', MS.BIND | MS.REC, null, `bind rootfs ${rootfs}`);
  }

  // Id-mapped mounts come ready-made from the parent (see idmap.ts).
  const idmapped = receiveIdmappedMounts(spec, Number(process.env[SYNC_FD_ENV]));
  let devMounted = false;
  (spec.mounts ?? []).forEach((m, i) => {
    mountOne(rootfs, m, opts, idmapped.get(i));
    if (path.posix.normalize(m.destination) === '/dev') devMounted = true;
  });
  if (devMounted) {
    createDevices(rootfs, linux.devices ?? [], opts.userns, true);
    createDevSymlinks(rootfs);
  } else if (linux.devices?.length) {
    createDevices(rootfs, linux.devices, opts.userns, false);
  }
  const cwd = spec.process?.cwd;
  if (cwd) makeCwd(rootfs, cwd);
}

/** The process's cwd is created if missing; something else than a directory there is the config's fault. */
function makeCwd(rootfs: string, cwd: string): void {
  const target = resolveInRoot(rootfs, cwd);
  let st: fs.Stats | undefined;
  try {
    st = fs.statSync(target);
  } catch {
    st = undefined;
  }
  if (st && !st.isDirectory()) throw new HullError('ENOTDIR', `process.cwd: ${cwd}: ENOTDIR (not a directory)`);
  if (st) return;
  try {
    fs.mkdirSync(target, { recursive: true, mode: 0o755 });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'EIO';
    // EEXIST/ENOTDIR: a file where a parent directory should be.
    throw new HullError(code === 'EEXIST' ? 'ENOTDIR' : code, `process.cwd: mkdir ${cwd}: ${code === 'EEXIST' ? 'ENOTDIR' : code}`);
  }
}

/** pivot_root refuses a shared parent of the new root; only then is it made private (a
 *  slave parent keeps receiving the host's mounts, as rootfsPropagation "slave" means). */
function makeParentPrivate(rootfs: string): void {
  const parent = findMountPoint(rootfs);
  if (!parent.shared) return;
  libc.mount(null, parent.path, null, MS.PRIVATE, null, `make ${parent.path} private`);
}

function findMountPoint(p: string): { path: string; shared: boolean } {
  let best = { path: '/', shared: false };
  for (const line of fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const fields = line.split(' ');
    const mp = unescapeMount(fields[4] ?? '');
    if (mp && (p === mp || p.startsWith(mp.endsWith('/') ? mp : mp + '/')) && mp.length >= best.path.length) {
      // Optional fields run from the 7th up to the "-" separator.
      best = { path: mp, shared: fields.slice(6, fields.indexOf('-')).some((f) => f.startsWith('shared:')) };
    }
  }
  return best;
}

/** linux.rootfsPropagation on the new "/", after pivot_root (as runc applies it). */
export function applyRootPropagation(propagation: string | undefined): void {
  if (propagation) libc.mount(null, '/', null, ROOT_PROPAGATION[propagation], null, `make / ${propagation}`);
}

function unescapeMount(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

function mountOne(rootfs: string, m: Mount, opts: RootfsOptions, idmappedFd?: number): void {
  const o = parseMountOptions(m.options);
  const isBind = (o.flags & MS.BIND) !== 0 || m.type === 'bind';
  const type = m.type ?? (isBind ? 'bind' : undefined);
  if (type === 'cgroup' || type === 'cgroup2') return mountCgroup(rootfs, m, o, opts.cgroups);
  const dest = path.posix.normalize(m.destination);
  const flags = o.flags & ~(MS.BIND | MS.REC | MS.REMOUNT);
  let target: string;
  if (isBind) {
    const source = path.resolve(opts.bundle, m.source ?? '');
    let st: fs.Stats;
    try {
      st = fs.statSync(source);
    } catch (e) {
      throw new HullError('ENOENT', `mount ${m.source} on ${dest}: source: ${(e as NodeJS.ErrnoException).code ?? e}`);
    }
    const what = `mount ${m.source} on ${dest}`;
    target = st.isDirectory() ? mkdirInRoot(rootfs, dest, 0o755, what) : touchInRoot(rootfs, dest, what);
    if (idmappedFd !== undefined) attachIdmapped(idmappedFd, target, dest);
    else libc.mount(source, target, 'bind', MS.BIND | (o.flags & MS.REC), null, `mount ${m.source} on ${dest}`);
    // Bind mounts take their flags only on a remount.
    if (flags) {
      const keep = lockedFlags(target) & ~clearedFlags(m.options);
      libc.mount(null, target, null, MS.BIND | MS.REMOUNT | flags | keep, null, `remount ${dest} (${(m.options ?? []).join(',')})`);
    }
  } else {
    target = mkdirInRoot(rootfs, dest, 0o755, `mount ${type ?? m.source} on ${dest}`);
    const data = o.data.length ? o.data.join(',') : null;
    try {
      if (type === 'tmpfs' && o.extensions.includes('tmpcopyup')) mountTmpfsCopyUp(m.source ?? 'tmpfs', target, dest, flags, data);
      else libc.mount(m.source ?? type ?? 'none', target, type ?? null, flags, data, `mount ${type ?? m.source} on ${dest}`);
    } catch (e) {
      // sysfs without a new network namespace is refused: bind the host's, read-only (as runc does).
      if (type === 'sysfs' && (e as { errno?: number }).errno === 1) {
        libc.mount('/sys', target, 'bind', MS.BIND | MS.REC, null, `bind /sys on ${dest}`);
        libc.mount(null, target, null, MS.BIND | MS.REMOUNT | MS.RDONLY | MS.NOSUID | MS.NODEV | MS.NOEXEC, null, `remount ${dest} ro`);
      } else throw e;
    }
  }
  if (o.attrSet || o.attrClr) libc.mountSetattr(target, o.attrSet, o.attrClr, `set ${(m.options ?? []).join(',')} on ${dest}`);
  for (const p of o.propagation) libc.mount(null, target, null, p, null, `set propagation of ${dest}`);
}

/** Flags a remount must keep: in a user namespace the kernel locks those of the source mount. */
function lockedFlags(target: string): number {
  return libc.mountFlags(target) & (MS.NOSUID | MS.NODEV | MS.NOEXEC | MS.RDONLY | MS.NOATIME | MS.NODIRATIME | MS.RELATIME);
}

// The container's own cgroup directories, bound read-only (or as the mount
// says) under a tmpfs for v1 or directly for v2: no process needs to be in
// the cgroup for this, so the init can join last.
function mountCgroup(rootfs: string, m: Mount, o: ParsedMountOptions, view: CgroupView): void {
  const dest = path.posix.normalize(m.destination);
  const entries = Object.entries(view.dirs);
  const flags = o.flags & (MS.RDONLY | MS.NOSUID | MS.NODEV | MS.NOEXEC);
  const target = mkdirInRoot(rootfs, dest);
  if (entries.length === 1 && entries[0][0] === '') {
    bindRemount(entries[0][1], target, flags, dest);
    return;
  }
  libc.mount('tmpfs', target, 'tmpfs', MS.NOSUID | MS.NODEV | MS.NOEXEC, 'mode=755', `mount tmpfs on ${dest}`);
  for (const [name, hostDir] of entries) {
    const sub = path.join(target, name);
    fs.mkdirSync(sub, { recursive: true, mode: 0o755 });
    bindRemount(hostDir, sub, flags, `${dest}/${name}`);
    // A co-mounted hierarchy ("cpu,cpuacct") is also reachable under each name.
    if (name.includes(',')) {
      for (const alias of name.split(',')) {
        const link = path.join(target, alias);
        if (!fs.existsSync(link)) fs.symlinkSync(name, link);
      }
    }
  }
  if (flags & MS.RDONLY) libc.mount(null, target, null, MS.REMOUNT | flags, 'mode=755', `remount ${dest} ro`);
}

function bindRemount(source: string, target: string, flags: number, dest: string): void {
  libc.mount(source, target, 'bind', MS.BIND, null, `mount cgroup ${source} on ${dest}`);
  if (flags) libc.mount(null, target, null, MS.BIND | MS.REMOUNT | flags, null, `remount cgroup ${dest}`);
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

function createDevices(rootfs: string, devices: Device[], userns: boolean, withDefaults: boolean): void {
  const list = withDefaults ? [...DEFAULT_DEVICES.filter((d) => !devices.some((x) => x.path === d.path)), ...devices] : devices;
  const old = libc.umask(0);
  try {
    for (const d of list) {
      const target = resolveInRoot(rootfs, d.path);
      fs.mkdirSync(path.dirname(target), { recursive: true, mode: 0o755 });
      if (userns) {
        // mknod is refused in a user namespace: bind the host's node instead.
        touchInRoot(rootfs, d.path);
        libc.mount(d.path, target, 'bind', MS.BIND, null, `bind device ${d.path}`);
        continue;
      }
      const typeBits = d.type === 'b' ? 0o060000 : d.type === 'p' ? 0o010000 : 0o020000;
      const mode = typeBits | ((d.fileMode ?? 0o666) & 0o7777);
      try {
        fs.rmSync(target, { force: true });
      } catch {
        // a directory in the way: mknod reports it
      }
      try {
        libc.mknod(target, mode, d.type === 'p' ? 0n : makedev(d.major ?? 0, d.minor ?? 0));
      } catch (e) {
        // Name the container's path, not the host's.
        throw new HullError((e as HullError).code ?? 'EIO', `linux.devices: mknod ${d.path}: ${(e as HullError).code ?? e}${fs.existsSync(target) ? ' (something is in the way)' : ''}`);
      }
      fs.chownSync(target, d.uid ?? 0, d.gid ?? 0);
    }
  } finally {
    libc.umask(old);
  }
}

function createDevSymlinks(rootfs: string): void {
  const links: [string, string][] = [
    ['/proc/self/fd', 'fd'], ['/proc/self/fd/0', 'stdin'], ['/proc/self/fd/1', 'stdout'], ['/proc/self/fd/2', 'stderr'],
  ];
  if (fs.existsSync('/proc/kcore')) links.push(['/proc/kcore', 'core']);
  const dev = resolveInRoot(rootfs, '/dev');
  for (const [target, name] of links) {
    try {
      fs.symlinkSync(target, path.join(dev, name));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  // The ptmx of the container's own devpts instance.
  const ptmx = path.join(dev, 'ptmx');
  fs.rmSync(ptmx, { force: true });
  fs.symlinkSync('pts/ptmx', ptmx);
}

/** Makes the rootfs "/": pivot_root, or with noPivot MS_MOVE + chroot. */
export function enterRootfs(rootfs: string, noPivot: boolean, hostMountNs = false): void {
  if (hostMountNs) {
    // Sharing the host's mount namespace: only this process's root changes.
    libc.chroot(rootfs);
    libc.chdir('/');
    return;
  }
  if (noPivot) {
    libc.chdir(rootfs);
    libc.mount(rootfs, '/', null, MS.MOVE, null, `move ${rootfs} to /`);
    libc.chroot('.');
    libc.chdir('/');
    return;
  }
  const oldRoot = libc.open('/', O.DIRECTORY | O.RDONLY | O.CLOEXEC);
  const newRoot = libc.open(rootfs, O.DIRECTORY | O.RDONLY | O.CLOEXEC);
  try {
    libc.fchdir(newRoot);
    // pivot_root(".", ".") stacks the old root under the new one; unmounting "." then drops it.
    libc.pivotRoot('.', '.');
    libc.fchdir(oldRoot);
    libc.mount(null, '.', null, MS.SLAVE | MS.REC, null, 'make old root rslave');
    libc.umount2('.', MNT_DETACH);
    libc.chdir('/');
  } finally {
    libc.close(oldRoot);
    libc.close(newRoot);
  }
}

/** maskedPaths: /dev/null over files, an empty read-only tmpfs over directories. */
export function maskPaths(paths: string[] = []): void {
  for (const p of paths) {
    let st: fs.Stats;
    try {
      st = fs.statSync(p);
    } catch {
      continue; // the spec: paths that do not exist are ignored
    }
    if (st.isDirectory()) libc.mount('tmpfs', p, 'tmpfs', MS.RDONLY, null, `mask ${p}`);
    else libc.mount('/dev/null', p, null, MS.BIND, null, `mask ${p}`);
  }
}

export function readonlyPaths(paths: string[] = []): void {
  for (const p of paths) {
    if (!fs.existsSync(p)) continue;
    libc.mount(p, p, null, MS.BIND | MS.REC, null, `bind ${p} read-only`);
    libc.mount(null, p, null, MS.BIND | MS.REMOUNT | MS.RDONLY | lockedFlags(p), null, `remount ${p} read-only`);
  }
}

export function readonlyRoot(): void {
  libc.mount(null, '/', null, MS.BIND | MS.REMOUNT | MS.RDONLY | lockedFlags('/'), null, 'remount / read-only');
}

/** Mount points strictly below `dir` in this mount namespace, deepest first. */
export function mountsBelow(dir: string): string[] {
  const prefix = dir.endsWith('/') ? dir : dir + '/';
  return fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n')
    .map((l) => unescapeMount(l.split(' ')[4] ?? ''))
    .filter((mp) => mp.startsWith(prefix))
    .reverse();
}

/** Undoes the mounts a container without a mount namespace made in the host's (all but `keep`). */
export function unmountBelow(dir: string, keep: string[] = []): void {
  for (const mp of mountsBelow(dir)) {
    if (!keep.includes(mp)) libc.umount2(mp, MNT_DETACH);
  }
}
