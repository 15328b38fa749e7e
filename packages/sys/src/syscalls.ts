// The calls of every container's lifecycle (the lock, kill, the exec fifo, the sync socket, waitpid,
// umount), through hull's own addon (native/hull.node, N-API) rather than koffi: `start`, `state`,
// `kill` and `delete` load nothing else native, and koffi's load and first declaration cost each
// of them about 15 ms. libc.ts re-exports these, so there is one binding of each.
import path from 'node:path';
import { SysError } from './errors';
import { errnoName } from './errno';

/** Where hull.node lives: native/ at the repo root (of a copy of the runtime too: it goes by this file). */
export const ADDON_PATH = path.resolve(__dirname, '../../../native/hull.node');

/** hull.node's functions (native/hull_node.c): results, or -errno. */
export interface Addon {
  flock(fd: number, op: number): number;
  kill(pid: number, sig: number): number;
  umask(mask: number): number;
  mkfifo(path: string, mode: number): number;
  open(path: string, flags: number, mode: number): number;
  close(fd: number): number;
  write(fd: number, buf: Buffer): number;
  socketpair(domain: number, type: number): [number, number] | number;
  waitpid(pid: number, options: number): [number, number] | number;
  umount2(target: string, flags: number): number;
  spawn(path: string, argv: string[], envp: string[], cloneFlags: number, join: number[], fds: number[],
    syncFd: number, waitSync: number, rootIds: number, execFd: number, dumpable: number): [number, number] | number;
  spawnResult(fd: number): [number, number];
  sealedCopy(path: string): number;
}

let loaded: Addon | undefined;
export function addon(): Addon {
  // A path, not a module name: the bundle and a copied runtime find it the same way.
  loaded ??= require(ADDON_PATH) as Addon;
  return loaded;
}

/** `ret`, or a SysError when it is -errno. */
export function checked(ret: number, syscall: string, detail?: string): number {
  if (ret < 0) throw new SysError(syscall, -ret, errnoName(-ret), detail);
  return ret;
}

function checkedPair(ret: [number, number] | number, syscall: string, detail?: string): [number, number] {
  if (typeof ret === 'number') throw new SysError(syscall, -ret, errnoName(-ret), detail);
  return ret;
}

export const LOCK_EX = 2;
export const LOCK_NB = 4;
/** flock(2), again while a signal interrupts it. */
export function flock(fd: number, op: number, detail?: string): void {
  checked(addon().flock(fd, op), 'flock', detail);
}
export function kill(pid: number, sig: number): void {
  checked(addon().kill(pid, sig), 'kill', `kill ${pid}`);
}
/** kill() that reports instead of throwing: 0 or the errno. */
export function tryKill(pid: number, sig: number): number {
  const ret = addon().kill(pid, sig);
  return ret < 0 ? -ret : 0;
}
export function umask(mask: number): number {
  return addon().umask(mask);
}
export function mkfifo(path: string, mode: number): void {
  checked(addon().mkfifo(path, mode), 'mkfifo', `mkfifo ${path}`);
}
export function open(path: string, flags: number, mode = 0): number {
  return checked(addon().open(path, flags, mode), 'open', `open ${path}`);
}
export function close(fd: number): void {
  addon().close(fd);
}
export function write(fd: number, buf: Buffer): number {
  return checked(addon().write(fd, buf), 'write');
}
export function socketpair(domain: number, type: number): [number, number] {
  return checkedPair(addon().socketpair(domain, type), 'socketpair');
}
/** waitpid(pid, options): [pid, status]; pid 0 with WNOHANG when still running. */
export function waitpid(pid: number, options: number): [number, number] {
  return checkedPair(addon().waitpid(pid, options), 'waitpid', `waitpid ${pid}`);
}
export function umount2(target: string, flags: number): void {
  checked(addon().umount2(target, flags), 'umount2', `umount ${target}`);
}
