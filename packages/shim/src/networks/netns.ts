// Named network namespaces: an nsfs bind mount on a file, as `ip netns add`
// makes them, but under the supervisor's state dir. The namespace outlives
// every process in it (a container can be created, stopped and started in
// it) until the file is unmounted.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { MNT_DETACH } from '@hull/sys/constants';
import { umount2 } from '@hull/sys/libc';
import { ShimError, GrpcCode } from '../errors';

/** Makes a new network namespace pinned at `file` (which must not exist). */
export function createNetns(file: string): void {
  fs.writeFileSync(file, '', { flag: 'wx', mode: 0o444 });
  // util-linux's unshare makes the namespace and bind-mounts it on the file:
  // a thread of this (multi-threaded) daemon must not change its own namespace.
  const r = spawnSync('unshare', [`--net=${file}`, 'true'], { encoding: 'utf8', env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' } });
  if (r.status !== 0) {
    fs.rmSync(file, { force: true });
    const why = r.error ? r.error.message : (r.stderr || `exit ${r.status}`).trim();
    throw new ShimError(GrpcCode.INTERNAL, 'ENETNS', `create network namespace ${file}: ${why}`, { file });
  }
}

/** Unmounts and removes the file; the namespace ends with its last user. A missing file is not an error. */
export function removeNetns(file: string): void {
  try {
    umount2(file, MNT_DETACH);
  } catch (e) {
    // Not mounted (a create that failed half-way, a second removal): just the file.
    if (!/EINVAL|ENOENT/.test((e as Error).message)) throw e;
  }
  fs.rmSync(file, { force: true });
}
