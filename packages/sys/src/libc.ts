// libc through koffi: the only place hull declares C functions of libc (but for the few of every
// container's lifecycle, which hull.node makes: syscalls.ts).
// Every wrapper throws SysError (syscall, errno name, what it acted on) on
// failure, so callers never look at -1 or errno themselves.
import koffi from 'koffi';
import { SysError } from './errors';
import { errnoName } from './errno';
import { check, retry } from './call';
import { libc } from './libraries';
import { SYS } from './constants';
import { close } from './syscalls';

// The lifecycle's calls are hull.node's (syscalls.ts): one binding of each, re-exported here.
export { close, flock, kill, LOCK_EX, LOCK_NB, mkfifo, open, socketpair, tryKill, umask, umount2, waitpid, write } from './syscalls';
export { SYS } from './constants';

type CFunction = ReturnType<typeof libc.func>;

// struct iovec and struct msghdr for sendmsg/recvmsg, made with their first use. Anonymous types:
// koffi's type names are process-wide, and a module may be evaluated more than once in one process
// (jest does that).
let msghdrType: unknown;
function msghdr() {
  if (!msghdrType) {
    const Iovec = koffi.struct({ base: 'void *', len: 'size_t' });
    msghdrType = koffi.struct({
      name: 'void *',
      namelen: 'uint32_t',
      iov: koffi.pointer(Iovec),
      iovlen: 'size_t',
      control: 'void *',
      controllen: 'size_t',
      flags: 'int',
    });
  }
  return msghdrType as ReturnType<typeof koffi.struct>;
}

/**
 * A table of C functions, each declared with koffi on its first call: declaring all of libc's up front
 * cost every command some 10 ms, and a command calls a handful.
 */
function declareLazily<K extends string>(prototypes: Record<K, string | (() => CFunction)>): Record<K, CFunction> {
  const table = {} as Record<K, CFunction>;
  for (const name of Object.keys(prototypes) as K[]) {
    Object.defineProperty(table, name, {
      configurable: true,
      get() {
        const proto = prototypes[name];
        const f = typeof proto === 'string' ? libc.func(proto) : proto();
        Object.defineProperty(table, name, { value: f });
        return f;
      },
    });
  }
  return table;
}

const fn = declareLazily({
  mount: 'int mount(const char *src, const char *target, const char *fstype, unsigned long flags, const char *data)',
  unshare: 'int unshare(int flags)',
  setns: 'int setns(int fd, int nstype)',
  chdir: 'int chdir(const char *path)',
  fchdir: 'int fchdir(int fd)',
  chroot: 'int chroot(const char *path)',
  sethostname: 'int sethostname(const char *name, size_t len)',
  setdomainname: 'int setdomainname(const char *name, size_t len)',
  prctl: 'int prctl(int option, unsigned long a2, unsigned long a3, unsigned long a4, unsigned long a5)',
  setresuid: 'int setresuid(uint32_t r, uint32_t e, uint32_t s)',
  setresgid: 'int setresgid(uint32_t r, uint32_t e, uint32_t s)',
  setgroups: 'int setgroups(size_t n, const uint32_t *list)',
  prlimit: 'int prlimit(int pid, int resource, const void *limit, void *old)',
  fcntl: 'int fcntl(int fd, int cmd, int arg)',
  ioctlPtr: 'int ioctl(int fd, unsigned long req, void *arg)',
  ioctlInt: 'int ioctl(int fd, unsigned long req, int arg)',
  openat: 'int openat(int dirfd, const char *path, int flags, uint32_t mode)',
  read: 'long read(int fd, void *buf, size_t n)',
  mknod: 'int mknod(const char *path, uint32_t mode, uint64_t dev)',
  symlink: 'int symlink(const char *target, const char *path)',
  getpid: 'int getpid()',
  setsid: 'int setsid()',
  personality: 'int personality(unsigned long persona)',
  sendmsg: () => libc.func('sendmsg', 'long', ['int', koffi.pointer(msghdr()), 'int']),
  recvmsg: () => libc.func('recvmsg', 'long', ['int', koffi.inout(koffi.pointer(msghdr())), 'int']),
  connect: 'int connect(int fd, const void *addr, uint32_t len)',
  bind: 'int bind(int fd, const void *addr, uint32_t len)',
  listen: 'int listen(int fd, int backlog)',
  accept4: 'int accept4(int fd, void *addr, void *len, int flags)',
  setsockopt: 'int setsockopt(int fd, int level, int name, const void *val, uint32_t len)',
  sendto: 'long sendto(int fd, const void *buf, size_t len, int flags, const void *addr, uint32_t alen)',
  recvfrom: 'long recvfrom(int fd, void *buf, size_t len, int flags, void *addr, void *alen)',
  pipe2: 'int pipe2(_Out_ int *fds, int flags)',
  posix_openpt: 'int posix_openpt(int flags)',
  grantpt: 'int grantpt(int fd)',
  unlockpt: 'int unlockpt(int fd)',
  ptsname_r: 'int ptsname_r(int fd, char *buf, size_t len)',
  setpriority: 'int setpriority(int which, uint32_t who, int prio)',
  syscall6: 'long syscall(long nr, long a1, long a2, long a3, long a4, long a5)',
  syscallPtr: 'long syscall(long nr, const char *a1, const char *a2)',
  syscallIntStr: 'long syscall(long nr, long a1, const char *a2)',
  syscallBuf: 'long syscall(long nr, long a1, void *a2, long a3)',
  syscallBuf2: 'long syscall(long nr, void *a1, void *a2)',
  syscallSetattr: 'long syscall(long nr, int dfd, const char *path, unsigned int flags, void *attr, size_t size)',
  dup3: 'int dup3(int old, int new, int flags)',
  statfs: 'int statfs(const char *path, void *buf)',
  socket: 'int socket(int domain, int type, int proto)',
  getsockopt: 'int getsockopt(int fd, int level, int name, void *value, _Inout_ uint32_t *len)',
  lsetxattr: 'int lsetxattr(const char *path, const char *name, const void *value, size_t size, int flags)',
  lgetxattr: 'long lgetxattr(const char *path, const char *name, void *value, size_t size)',
  llistxattr: 'long llistxattr(const char *path, void *list, size_t size)',
});

export function mount(src: string | null, target: string, fstype: string | null, flags: number, data: string | null, detail?: string): void {
  check(fn.mount(src, target, fstype, flags, data), 'mount', detail ?? `mount ${src ?? fstype ?? ''} on ${target}`);
}
export function unshare(flags: number): void {
  check(fn.unshare(flags), 'unshare');
}
export function setns(fd: number, nstype: number, detail?: string): void {
  check(fn.setns(fd, nstype), 'setns', detail);
}
export function chdir(path: string): void {
  check(fn.chdir(path), 'chdir', `chdir ${path}`);
}
export function fchdir(fd: number): void {
  check(fn.fchdir(fd), 'fchdir');
}
export function chroot(path: string): void {
  check(fn.chroot(path), 'chroot', `chroot ${path}`);
}
export function pivotRoot(newRoot: string, putOld: string): void {
  check(fn.syscallPtr(SYS.pivot_root, newRoot, putOld), 'pivot_root', `pivot_root ${newRoot}`);
}
export function sethostname(name: string): void {
  check(fn.sethostname(name, Buffer.byteLength(name)), 'sethostname', `sethostname ${name}`);
}
export function setdomainname(name: string): void {
  check(fn.setdomainname(name, Buffer.byteLength(name)), 'setdomainname', `setdomainname ${name}`);
}
export function prctl(option: number, a2 = 0, a3 = 0, a4 = 0, a5 = 0, detail?: string): number {
  return check(fn.prctl(option, a2, a3, a4, a5), 'prctl', detail);
}
export function setresuid(uid: number): void {
  check(fn.setresuid(uid, uid, uid), 'setresuid', `setresuid ${uid}`);
}
export function setresgid(gid: number): void {
  check(fn.setresgid(gid, gid, gid), 'setresgid', `setresgid ${gid}`);
}
export function setgroups(gids: number[]): void {
  check(fn.setgroups(gids.length, gids.length ? new Uint32Array(gids) : null), 'setgroups', `setgroups ${gids.join(',')}`);
}
/** Sets a resource limit of the calling process (pid 0) or another. */
export function prlimit(pid: number, resource: number, soft: bigint, hard: bigint, detail?: string): void {
  const buf = Buffer.alloc(16);
  buf.writeBigUInt64LE(soft, 0);
  buf.writeBigUInt64LE(hard, 8);
  check(fn.prlimit(pid, resource, buf, null), 'prlimit', detail);
}
export function fcntl(fd: number, cmd: number, arg = 0): number {
  return check(fn.fcntl(fd, cmd, arg), 'fcntl', `fcntl fd ${fd}`);
}
export function ioctl(fd: number, req: number, arg: Buffer | number, detail?: string): number {
  const ret = typeof arg === 'number' ? fn.ioctlInt(fd, req, arg) : fn.ioctlPtr(fd, req, arg);
  return check(ret, 'ioctl', detail);
}
export function openat(dirfd: number, path: string, flags: number, mode = 0): number {
  return check(fn.openat(dirfd, path, flags, mode), 'openat', `open ${path}`);
}
export function read(fd: number, buf: Buffer): number {
  return check(fn.read(fd, buf, buf.length), 'read');
}
export function mknod(path: string, mode: number, dev: bigint | number): void {
  check(fn.mknod(path, mode, dev), 'mknod', `mknod ${path}`);
}
/** Sets an extended attribute on the path itself (a symlink is not followed). */
export function lsetxattr(path: string, name: string, value: Buffer): void {
  check(fn.lsetxattr(path, name, value, value.length, 0), 'lsetxattr', `lsetxattr ${name} on ${path}`);
}
/** An extended attribute's value, or undefined when the path has none by that name. */
export function lgetxattr(path: string, name: string): Buffer | undefined {
  const buf = Buffer.alloc(65536);
  const n = Number(fn.lgetxattr(path, name, buf, buf.length));
  if (n < 0) {
    const err = errnoName(koffi.errno());
    if (err === 'ENODATA' || err === 'ENOTSUP') return undefined;
    check(n, 'lgetxattr', `lgetxattr ${name} on ${path}`);
  }
  return buf.subarray(0, n);
}
/** The names of a path's extended attributes (a symlink is not followed). */
export function llistxattr(path: string): string[] {
  const buf = Buffer.alloc(65536);
  const n = Number(fn.llistxattr(path, buf, buf.length));
  if (n < 0) {
    if (errnoName(koffi.errno()) === 'ENOTSUP') return [];
    check(n, 'llistxattr', `llistxattr ${path}`);
  }
  return buf.subarray(0, n).toString('latin1').split('\0').filter(Boolean);
}
export function getpid(): number {
  return fn.getpid();
}
export function setsid(): void {
  check(fn.setsid(), 'setsid');
}
export function personality(persona: number): number {
  return check(fn.personality(persona), 'personality', `personality 0x${persona.toString(16)}`);
}
export function setpriority(which: number, who: number, prio: number): void {
  check(fn.setpriority(which, who, prio), 'setpriority');
}
/** One struct msghdr, as an object koffi lays out (iov: [{ base, len }]). */
export interface MsgHdr {
  name: Buffer | null;
  namelen: number;
  iov: Array<{ base: Buffer; len: number }>;
  iovlen: number;
  control: Buffer | null;
  controllen: number;
  flags: number;
}
/** sendmsg(2), again while a signal interrupts it: the bytes sent. */
export function sendmsg(fd: number, msg: MsgHdr, flags: number, detail?: string): number {
  return check(retry(() => fn.sendmsg(fd, msg, flags)), 'sendmsg', detail);
}
/** recvmsg(2), again while a signal interrupts it: the bytes read; `msg`'s controllen and flags are updated. */
export function recvmsg(fd: number, msg: MsgHdr, flags: number, detail?: string): number {
  return check(retry(() => fn.recvmsg(fd, msg, flags)), 'recvmsg', detail);
}
export function bind(fd: number, addr: Buffer, len: number, detail?: string): void {
  check(fn.bind(fd, addr, len), 'bind', detail);
}
export function listen(fd: number, backlog: number, detail?: string): void {
  check(fn.listen(fd, backlog), 'listen', detail);
}
/** connect(2), again while a signal interrupts it. */
export function connect(fd: number, addr: Buffer, len: number, detail?: string): void {
  check(retry(() => fn.connect(fd, addr, len)), 'connect', detail);
}
/** accept4(2) without the peer's address, again while a signal interrupts it: the new fd. */
export function accept4(fd: number, flags: number, detail?: string): number {
  return check(retry(() => fn.accept4(fd, null, null, flags)), 'accept4', detail);
}
export function setsockopt(fd: number, level: number, name: number, value: Buffer, detail?: string): void {
  check(fn.setsockopt(fd, level, name, value, value.length), 'setsockopt', detail);
}
/** sendto(2), again while a signal interrupts it: the bytes sent. */
export function sendto(fd: number, buf: Buffer, flags: number, addr: Buffer, detail?: string): number {
  return check(retry(() => fn.sendto(fd, buf, buf.length, flags, addr, addr.length)), 'sendto', detail);
}
/** recvfrom(2) without the sender's address, again while a signal interrupts it: the bytes read (with MSG_TRUNC, the full length). */
export function recvfrom(fd: number, buf: Buffer, flags: number, detail?: string): number {
  return check(retry(() => fn.recvfrom(fd, buf, buf.length, flags, null, null)), 'recvfrom', detail);
}
/** A pipe: [readFd, writeFd], made with pipe2(flags). */
export function pipe2(flags: number): [number, number] {
  const fds = [0, 0];
  check(fn.pipe2(fds, flags), 'pipe2');
  return [fds[0], fds[1]];
}
/** Opens a new pty master; returns [masterFd, slavePath]. */
export function openpt(flags: number): [number, string] {
  const fd = check(fn.posix_openpt(flags), 'posix_openpt');
  try {
    check(fn.grantpt(fd), 'grantpt');
    check(fn.unlockpt(fd), 'unlockpt');
    const buf = Buffer.alloc(128);
    const err = fn.ptsname_r(fd, buf, buf.length);
    if (err !== 0) throw new SysError('ptsname_r', err, errnoName(err));
    return [fd, buf.toString('utf8', 0, buf.indexOf(0))];
  } catch (e) {
    close(fd);
    throw e;
  }
}
export function closeRange(first: number, last: number, flags: number): void {
  check(fn.syscall6(SYS.close_range, first, last, flags, 0, 0), 'close_range');
}
/** A raw syscall with integer arguments. */
export function syscall(name: keyof typeof SYS, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0, detail?: string): number {
  return check(fn.syscall6(SYS[name], a1, a2, a3, a4, a5), name, detail);
}
/** A raw syscall of the shape (int, void *, size). */
export function syscallBuf(name: keyof typeof SYS, a1: number, buf: Buffer | null, a3: number, detail?: string): number {
  return check(fn.syscallBuf(SYS[name], a1, buf, a3), name, detail);
}
export function capget(hdr: Buffer, data: Buffer): void {
  check(fn.syscallBuf2(SYS.capget, hdr, data), 'capget');
}
export function capset(hdr: Buffer, data: Buffer): void {
  check(fn.syscallBuf2(SYS.capset, hdr, data), 'capset');
}
export function socket(domain: number, type: number, proto = 0, detail?: string): number {
  return check(fn.socket(domain, type, proto), 'socket', detail);
}
/** The pid, uid and gid of a unix socket's peer as of connect (SO_PEERCRED). */
export function peerCredentials(fd: number): { pid: number; uid: number; gid: number } {
  const cred = Buffer.alloc(12);
  check(fn.getsockopt(fd, 1 /* SOL_SOCKET */, 17 /* SO_PEERCRED */, cred, [cred.length]), 'getsockopt', 'SO_PEERCRED');
  return { pid: cred.readInt32LE(0), uid: cred.readUInt32LE(4), gid: cred.readUInt32LE(8) };
}

/** The MS_* flags a mount was made with (statfs f_flags, translated). */
export function mountFlags(path: string): number {
  const buf = Buffer.alloc(120);
  check(fn.statfs(path, buf), 'statfs', `statfs ${path}`);
  const st = Number(buf.readBigUInt64LE(80));
  // ST_RDONLY..ST_MANDLOCK, ST_NOATIME, ST_NODIRATIME share MS_* bits; two do not.
  let ms = st & (1 | 2 | 4 | 8 | 16 | 64 | 1024 | 2048);
  if (st & 4096) ms |= 0x200000; // ST_RELATIME -> MS_RELATIME
  if (st & 8192) ms |= 0x100; // ST_NOSYMFOLLOW -> MS_NOSYMFOLLOW
  return ms;
}
export function dup3(oldfd: number, newfd: number, flags = 0): void {
  check(fn.dup3(oldfd, newfd, flags), 'dup3', `dup fd ${oldfd} to ${newfd}`);
}
/** mount_setattr(AT_FDCWD, path, AT_RECURSIVE, {attr_set, attr_clr}): attributes on a whole mount tree. */
export function mountSetattr(path: string, set: number, clr: number, detail?: string): void {
  const attr = Buffer.alloc(32);
  attr.writeBigUInt64LE(BigInt(set), 0);
  attr.writeBigUInt64LE(BigInt(clr), 8);
  check(fn.syscallSetattr(SYS.mount_setattr, -100, path, 0x8000, attr, attr.length), 'mount_setattr', detail ?? `mount_setattr ${path}`);
}
/** keyctl(KEYCTL_JOIN_SESSION_KEYRING, name): a new session keyring; its serial. */
export function joinSessionKeyring(name: string): number {
  return check(fn.syscallIntStr(SYS.keyctl, 1, name), 'keyctl', `join session keyring ${name}`);
}

// The new mount API for id-mapped mounts: a detached copy of a tree
// (open_tree), its attributes set while detached (mount_setattr on the fd),
// then attached (move_mount).
const mountApi = declareLazily({
  openTree: 'long syscall(long nr, int dfd, const char *path, unsigned int flags)',
  moveMount: 'long syscall(long nr, int from_dfd, const char *from_path, int to_dfd, const char *to_path, unsigned int flags)',
});
export const OPEN_TREE_CLONE = 0x1;
export const AT_RECURSIVE = 0x8000;
export const AT_EMPTY_PATH = 0x1000;
const MOVE_MOUNT_F_EMPTY_PATH = 0x4;

/** open_tree(AT_FDCWD, path, flags | OPEN_TREE_CLOEXEC): an fd of a (with OPEN_TREE_CLONE, detached) mount. */
export function openTree(path: string, flags: number, detail?: string): number {
  return check(mountApi.openTree(SYS.open_tree, -100, path, flags | 0o2000000), 'open_tree', detail ?? `open_tree ${path}`);
}
/** move_mount(fd, "", AT_FDCWD, target, F_EMPTY_PATH): attaches a detached mount at target. */
export function moveMount(fd: number, target: string, detail?: string): void {
  check(mountApi.moveMount(SYS.move_mount, fd, '', -100, target, MOVE_MOUNT_F_EMPTY_PATH), 'move_mount', detail ?? `move_mount to ${target}`);
}
/** mount_setattr(fd, "", AT_EMPTY_PATH | flags, {set, clr, 0, usernsFd}): attributes of the mount behind fd. */
export function mountSetattrFd(fd: number, flags: number, set: number, clr: number, usernsFd: number, detail?: string): void {
  const attr = Buffer.alloc(32);
  attr.writeBigUInt64LE(BigInt(set), 0);
  attr.writeBigUInt64LE(BigInt(clr), 8);
  attr.writeBigUInt64LE(BigInt(usernsFd), 24);
  check(fn.syscallSetattr(SYS.mount_setattr, fd, '', AT_EMPTY_PATH | flags, attr, attr.length), 'mount_setattr', detail ?? `mount_setattr fd ${fd}`);
}
