// /proc/<pid>/mountinfo, the one parser: the cgroup layout, the rootfs compiler (the mount a path is on,
// the host's proc and sysfs to hide) and delete (mounts left below a rootfs) all read it.
import fs from 'node:fs';

export interface MountEntry {
  mountPoint: string;
  fsType: string;
  superOptions: string[];
}

/** Mount points escape space, tab, newline and backslash as \ooo. */
function unescapeMount(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

/** "id parent major:minor root mount-point options [optional...] - fstype source super-options" lines. */
export function parseMountinfo(text: string): MountEntry[] {
  const out: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    const left = line.slice(0, sep).split(' ');
    const right = line.slice(sep + 3).split(' ');
    out.push({ mountPoint: unescapeMount(left[4] ?? ''), fsType: right[0], superOptions: (right[2] ?? '').split(',') });
  }
  return out;
}

/** This process's mounts, in mount order. */
export function readMountinfo(): MountEntry[] {
  return parseMountinfo(fs.readFileSync('/proc/self/mountinfo', 'utf8'));
}
