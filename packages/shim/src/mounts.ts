// Mounts a task's rootfs list (containerd.types.Mount) onto <bundle>/rootfs.
import fs from 'node:fs';
import { MNT_DETACH, MS } from '@hull/sys/constants';
import { mount, umount2 } from '@hull/sys/libc';
import { invalid } from './errors';

export interface MountSpec {
  type: string;
  source: string;
  target?: string;
  options: string[];
}

// option -> [sets the flag?, flag]
const FLAGS: Record<string, [boolean, number]> = {
  ro: [true, MS.RDONLY], rw: [false, MS.RDONLY], nosuid: [true, MS.NOSUID], suid: [false, MS.NOSUID], nodev: [true, MS.NODEV], dev: [false, MS.NODEV],
  noexec: [true, MS.NOEXEC], exec: [false, MS.NOEXEC], sync: [true, MS.SYNCHRONOUS], async: [false, MS.SYNCHRONOUS], dirsync: [true, MS.DIRSYNC],
  noatime: [true, MS.NOATIME], atime: [false, MS.NOATIME], nodiratime: [true, MS.NODIRATIME], diratime: [false, MS.NODIRATIME],
  bind: [true, MS.BIND], rbind: [true, MS.BIND | MS.REC], relatime: [true, MS.RELATIME], strictatime: [true, MS.STRICTATIME],
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
      const bind = (flags & MS.BIND) !== 0 || m.type === 'bind';
      mount(m.source || m.type, target, bind ? null : m.type, bind ? flags & ~MS.RDONLY : flags, data || null,
        `rootfs[${i}]: mount ${m.type} ${m.source} on ${target}`);
      done++;
      // A bind ignores MS_RDONLY on the first call: it takes a remount.
      if (bind && flags & MS.RDONLY) mount(null, target, null, MS.REMOUNT | MS.BIND | MS.RDONLY | (flags & ~(MS.BIND | MS.REC)), null, `rootfs[${i}]: remount ${target} read-only`);
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
