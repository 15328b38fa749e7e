// Mounts a container without a mount namespace leaves in the host's: what is
// below its rootfs, and how delete takes them away.
import * as libc from '@hull/sys/syscalls';
import { MNT_DETACH } from '@hull/sys/constants';
import { readMountinfo } from '../mountinfo';

/** Mount points strictly below `dir` in this mount namespace, deepest first. */
export function mountsBelow(dir: string): string[] {
  const prefix = dir.endsWith('/') ? dir : dir + '/';
  return readMountinfo().map((m) => m.mountPoint).filter((mp) => mp.startsWith(prefix)).reverse();
}

/** Undoes the mounts a container without a mount namespace made in the host's (all but `keep`). */
export function unmountBelow(dir: string, keep: string[] = []): void {
  for (const mp of mountsBelow(dir)) {
    if (!keep.includes(mp)) libc.umount2(mp, MNT_DETACH);
  }
}
