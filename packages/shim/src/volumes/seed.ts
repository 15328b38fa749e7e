// Where a new volume's first content comes from: the image's content at the
// volume's destination (docker's copy-up), that path resolved inside the
// container's root as the container would see it. Pure (hullctl uses it too).
import fs from 'node:fs';
import path from 'node:path';

/** docker resolves a volume's destination inside the rootfs, symlinks included, never above it: '' when there is nothing. */
export function seedPath(rootfs: string, destination: string): string {
  const parts = destination.split('/').filter(Boolean);
  let current = rootfs;
  let hops = 0;
  while (parts.length > 0) {
    const part = parts.shift()!;
    if (part === '.') continue;
    // Never above the rootfs: ".." there stays there, as in a chroot.
    if (part === '..') {
      if (current !== rootfs) current = path.dirname(current);
      continue;
    }
    const next = path.join(current, part);
    let st;
    try {
      st = fs.lstatSync(next);
    } catch {
      return '';
    }
    if (st.isSymbolicLink()) {
      if (++hops > 40) return '';
      const target = fs.readlinkSync(next);
      parts.unshift(...target.split('/').filter(Boolean));
      if (path.isAbsolute(target)) current = rootfs;
      continue;
    }
    current = next;
  }
  return current === rootfs ? '' : current;
}
