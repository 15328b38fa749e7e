// Decisions about the image's rootfs and the config's mounts that keep the
// runtime's work inside the container: made at create, before anything is
// mounted, from lstat inside the rootfs (the init resolves again by fd).
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../errors';
import type { Spec } from './types';

/** Normalised mount destination ("/dev/", "//dev" and "/dev/." are "/dev"). */
function dest(d: string): string {
  return path.posix.normalize('/' + d).replace(/\/+$/, '') || '/';
}

/**
 * runc's needsSetupDev: a bind mount at /dev brings its own nodes, and no
 * device is made, removed or chowned there (it may be the host's /dev).
 */
export function needsDevSetup(spec: Spec): boolean {
  return !(spec.mounts ?? []).some((m) => isBind(m) && dest(m.destination) === '/dev');
}

function isBind(m: { type?: string; options?: string[] }): boolean {
  return m.type === 'bind' || (m.options ?? []).some((o) => o === 'bind' || o === 'rbind');
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
  checkDevBind(spec);
  (spec.mounts ?? []).forEach((m, i) => {
    if (m.type !== 'proc' && m.type !== 'sysfs') return;
    const link = symlinkOnPath(rootfs, m.destination);
    if (link) {
      throw new ConfigError(`mounts[${i}].destination`, `filesystem "${m.type}" must be mounted on ordinary directory (${link} is a symlink in the rootfs)`).wrap('config.json');
    }
  });
}

/**
 * The wave-1 init sets devices up (mknod, chown, a ptmx symlink) under any
 * /dev mount, a bind of a host directory included. Until the setup program
 * follows needsDevSetup (issue 10), a bind mount at /dev is refused rather
 * than have the init rewrite the directory it comes from.
 */
export const INIT_HONOURS_DEV_BIND = false;

export function checkDevBind(spec: Spec): void {
  if (INIT_HONOURS_DEV_BIND || needsDevSetup(spec)) return;
  const i = (spec.mounts ?? []).findIndex((m) => isBind(m) && dest(m.destination) === '/dev');
  throw new ConfigError(`mounts[${i}]`, `a bind mount at /dev (source ${JSON.stringify(spec.mounts![i].source ?? '')}) is not supported yet: the init would set devices up in the directory it comes from`).wrap('config.json');
}
