// The "tmpcopyup" mount option of tmpfs: the new tmpfs starts with a copy of
// what the image had at its destination (as runc does), so e.g. a tmpfs on
// /etc keeps the image's files. Runs in the init, synchronous calls only.
import fs from 'node:fs';
import path from 'node:path';
import { HullError } from '../errors';
import * as libc from '../sys/libc';
import { MS, O } from '../sys/constants';

/**
 * Mounts a tmpfs over the directory `target`, then copies the directory's
 * former contents into it, keeping types, modes, owners and times. The old
 * contents stay reachable through an fd opened before the mount (the new
 * mount hides them from path lookups). A read-only tmpfs is filled first,
 * then made read-only. The tmpfs's root gets the directory's mode unless the
 * options set a mode= (its owner stays the init's, as with runc).
 */
export function mountTmpfsCopyUp(source: string, target: string, dest: string, flags: number, data: string | null): void {
  let dirFd: number;
  try {
    dirFd = libc.open(target, O.RDONLY | O.DIRECTORY | O.CLOEXEC);
  } catch (e) {
    throw new HullError('ETMPCOPYUP', `tmpcopyup on ${dest}: open the image's directory: ${(e as Error).message}`);
  }
  try {
    libc.mount(source, target, 'tmpfs', flags & ~MS.RDONLY, data, `mount tmpfs on ${dest}`);
    const from = `/proc/self/fd/${dirFd}`;
    const st = fs.statSync(from);
    if (!(data ?? '').split(',').some((d) => d.startsWith('mode='))) fs.chmodSync(target, st.mode & 0o7777);
    copyDir(from, target, dest);
    if (flags & MS.RDONLY) libc.mount(null, target, null, MS.REMOUNT | flags, data, `remount tmpfs on ${dest} read-only`);
  } finally {
    libc.close(dirFd);
  }
}

function copyDir(from: string, to: string, dest: string): void {
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    const src = path.join(from, entry.name);
    const dst = path.join(to, entry.name);
    try {
      copyEntry(src, dst, dest);
    } catch (e) {
      if (e instanceof HullError) throw e;
      const rel = path.posix.join(dest, path.relative(to, dst));
      throw new HullError('ETMPCOPYUP', `tmpcopyup on ${dest}: copy ${rel}: ${(e as NodeJS.ErrnoException).code ?? e}`);
    }
  }
}

function copyEntry(src: string, dst: string, dest: string): void {
  const st = fs.lstatSync(src);
  if (st.isDirectory()) {
    fs.mkdirSync(dst);
    copyDir(src, dst, dest);
  } else if (st.isSymbolicLink()) {
    fs.symlinkSync(fs.readlinkSync(src), dst);
  } else if (st.isFile()) {
    fs.copyFileSync(src, dst);
  } else if (st.isFIFO() || st.isCharacterDevice() || st.isBlockDevice()) {
    libc.mknod(dst, st.mode, st.rdev);
  } else {
    return; // a socket means nothing without its listener
  }
  copyOwnership(dst, st, st.isSymbolicLink());
  // chown clears set-id bits: the mode comes after it. A symlink has no mode of its own.
  if (!st.isSymbolicLink()) fs.chmodSync(dst, st.mode & 0o7777);
  fs.lutimesSync(dst, st.atime, st.mtime);
}

function copyOwnership(p: string, st: fs.Stats, link: boolean): void {
  try {
    if (link) fs.lchownSync(p, st.uid, st.gid);
    else fs.chownSync(p, st.uid, st.gid);
  } catch (e) {
    // An id not mapped into the init's user namespace reads as the overflow id,
    // which cannot be given back (EINVAL): the copy stays the init's.
    if ((e as NodeJS.ErrnoException).code !== 'EINVAL') throw e;
  }
}
