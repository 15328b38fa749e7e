// Decisions about the image's rootfs and the config's mounts that keep the
// runtime's work inside the container: made at create, before anything is
// mounted, from lstat inside the rootfs (the setup program resolves again by fd).
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../errors';
import type { Spec } from './types';

/** Normalised mount destination ("/dev/", "//dev" and "/dev/." are "/dev"). */
function dest(d: string): string {
  return path.posix.normalize('/' + d).replace(/\/+$/, '') || '/';
}

/**
 * The first symlink met walking `rel` (a container path) component by
 * component from the rootfs, without following any; undefined when none.
 */
export function symlinkOnPath(rootfs: string, rel: string): string | undefined {
  let cur = rootfs;
  let shown = '';
  for (const part of dest(rel).split('/').filter(Boolean)) {
    cur = path.join(cur, part);
    shown += '/' + part;
    let st: fs.Stats;
    try {
      st = fs.lstatSync(cur);
    } catch {
      return undefined; // missing: the init makes a directory
    }
    if (st.isSymbolicLink()) return shown;
    if (!st.isDirectory()) return undefined; // a file: the mount fails with ENOTDIR
  }
  return undefined;
}

/**
 * Checks the rootfs against the config before create mounts anything:
 * proc and sysfs must land on ordinary directories (CVE-2019-16884: a
 * symlink at /proc sends procfs, and every mask and sysctl after it,
 * elsewhere). runc checks the last component; hull every one.
 */
export function checkRootfsLayout(spec: Spec, rootfs: string): void {
  (spec.mounts ?? []).forEach((m, i) => {
    if (m.type !== 'proc' && m.type !== 'sysfs') return;
    const link = symlinkOnPath(rootfs, m.destination);
    if (link) {
      throw new ConfigError(`mounts[${i}].destination`, `filesystem "${m.type}" must be mounted on ordinary directory (${link} is a symlink in the rootfs)`).wrap('config.json');
    }
  });
}

