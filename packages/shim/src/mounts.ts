// Mounts a task's rootfs list (containerd.types.Mount) onto <bundle>/rootfs.
import fs from 'node:fs';
import { mount, umount2 } from '@hull/sys/libc';
import { invalid } from './errors';

export interface MountSpec {
  type: string;
  source: string;
  target?: string;
  options: string[];
}

const MS_RDONLY = 1;
const MS_REMOUNT = 32;
const MS_BIND = 4096;
const MS_REC = 16384;
const MNT_DETACH = 2;

// option -> [sets the flag?, flag]
const FLAGS: Record<string, [boolean, number]> = {
  ro: [true, MS_RDONLY], rw: [false, MS_RDONLY], nosuid: [true, 2], suid: [false, 2], nodev: [true, 4], dev: [false, 4],
  noexec: [true, 8], exec: [false, 8], sync: [true, 16], async: [false, 16], dirsync: [true, 128],
  noatime: [true, 1024], atime: [false, 1024], nodiratime: [true, 2048], diratime: [false, 2048],
  bind: [true, MS_BIND], rbind: [true, MS_BIND | MS_REC], relatime: [true, 1 << 21], strictatime: [true, 1 << 24],
  defaults: [false, 0],
};

export function parseOptions(options: string[]): { flags: number; data: string } {
  let flags = 0;
  const data: string[] = [];
  for (const o of options) {
    const f = FLAGS[o];
    if (!f) data.push(o);
    else if (f[0]) flags |= f[1];
    else flags &= ~f[1];
  }
  return { flags, data: data.join(',') };
}

/** Mounts each in order onto `target`; on failure unmounts what it did and throws. Returns the count mounted. */
export function mountAll(mounts: MountSpec[], target: string): number {
  fs.mkdirSync(target, { recursive: true });
  let done = 0;
  try {
    for (const [i, m] of mounts.entries()) {
      if (!m.type) throw invalid(`rootfs[${i}].type: empty`);
      const { flags, data } = parseOptions(m.options ?? []);
      const bind = (flags & MS_BIND) !== 0 || m.type === 'bind';
      mount(m.source || m.type, target, bind ? null : m.type, bind ? flags & ~MS_RDONLY : flags, data || null,
        `rootfs[${i}]: mount ${m.type} ${m.source} on ${target}`);
      done++;
      // A bind ignores MS_RDONLY on the first call: it takes a remount.
      if (bind && flags & MS_RDONLY) mount(null, target, null, MS_REMOUNT | MS_BIND | MS_RDONLY | (flags & ~(MS_BIND | MS_REC)), null, `rootfs[${i}]: remount ${target} read-only`);
    }
  } catch (e) {
    unmountAll(target, done);
    throw e;
  }
  return done;
}

export function unmountAll(target: string, count: number): void {
  for (let i = 0; i < count; i++) {
    try {
      umount2(target, 0);
    } catch {
      umount2(target, MNT_DETACH);
    }
  }
}
