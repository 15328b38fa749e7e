// Paths inside an image's root file system, resolved as the container
// would see them: symlinks are followed with the rootfs as `/`, so a link to
// `/etc` or `../../..` never leads out to the host's files.
import fs from 'node:fs';
import path from 'node:path';
import { lookupUser, type ReadEtc } from '@hull/images/user';
import { BuildError } from './errors';

const MAX_LINKS = 40;

/** The host path of `p` (absolute in the container) under `root`, every symlink on the way resolved inside root. */
export function resolveIn(root: string, p: string, followLast = true): string {
  const todo = p.split('/').filter(Boolean);
  const done: string[] = [];
  let links = 0;
  while (todo.length) {
    const part = todo.shift()!;
    if (part === '.') continue;
    if (part === '..') {
      done.pop();
      continue;
    }
    const host = path.join(root, ...done, part);
    let st: fs.Stats | undefined;
    try {
      st = fs.lstatSync(host);
    } catch { /* missing: the rest is taken as written */ }
    if (st?.isSymbolicLink() && (todo.length > 0 || followLast)) {
      if (++links > MAX_LINKS) throw new BuildError(`${p}: too many levels of symbolic links`, 'invalid');
      const target = fs.readlinkSync(host);
      if (target.startsWith('/')) done.length = 0;
      todo.unshift(...target.split('/').filter(Boolean));
      continue;
    }
    done.push(part);
  }
  return path.join(root, ...done);
}

/** mkdir -p inside root; new directories get `mode` and `owner`. */
export function mkdirIn(root: string, p: string, owner?: { uid: number; gid: number }, mode = 0o755): string {
  const parts = p.split('/').filter(Boolean);
  let cur = '/';
  for (const part of parts) {
    cur = path.posix.join(cur, part);
    const host = resolveIn(root, cur);
    const st = fs.statSync(host, { throwIfNoEntry: false });
    if (!st) {
      fs.mkdirSync(host, { mode });
      fs.chmodSync(host, mode);
      if (owner) fs.chownSync(host, owner.uid, owner.gid);
    } else if (!st.isDirectory()) throw new BuildError(`mkdir ${cur}: not a directory`, 'failed');
  }
  return resolveIn(root, p);
}

/** USER or --chown's `user[:group]`, looked up in the image's /etc/passwd and /etc/group (read inside root). */
export function resolveUser(root: string, spec: string, what: string): { uid: number; gid: number } {
  const read: ReadEtc = (file) => {
    try {
      return fs.readFileSync(resolveIn(root, `/etc/${file}`), 'utf8');
    } catch {
      return undefined;
    }
  };
  try {
    // --chown=1000 means 1000:1000 (docker); USER 1000 runs with gid 0 unless passwd says otherwise.
    const { uid, gid } = lookupUser(spec, read, what !== 'USER');
    return { uid, gid };
  } catch (e) {
    throw new BuildError(`${what}: ${(e as Error).message}`, 'failed');
  }
}
