// Resolving a container path inside the rootfs: every symlink met on the
// way is followed as if the rootfs were "/", so a link in the image can
// never lead a mount or a device out of it.
import fs from 'node:fs';
import path from 'node:path';
import { HullError } from '../errors';

const MAX_LINKS = 255;

export function resolveInRoot(root: string, unsafe: string): string {
  const done: string[] = [];
  let todo = unsafe.split('/');
  let links = 0;
  while (todo.length) {
    const part = todo.shift()!;
    if (part === '' || part === '.') continue;
    if (part === '..') {
      done.pop();
      continue;
    }
    const candidate = path.join(root, ...done, part);
    let st: fs.Stats | undefined;
    try {
      st = fs.lstatSync(candidate);
    } catch {
      st = undefined; // missing: the rest is taken literally
    }
    if (st?.isSymbolicLink()) {
      if (++links > MAX_LINKS) throw new HullError('ELOOP', `resolve ${unsafe} in rootfs: too many symlinks`);
      const target = fs.readlinkSync(candidate);
      if (target.startsWith('/')) done.length = 0;
      todo = [...target.split('/'), ...todo];
      continue;
    }
    done.push(part);
  }
  return path.join(root, ...done);
}

/**
 * A failed mkdir/create as an error naming the container path, not the host's
 * (`what`: "mount tmpfs on /etc/passwd"). EEXIST from mkdir -p means a file is
 * where a directory must be.
 */
function inRootError(e: unknown, what: string): HullError {
  const code = (e as NodeJS.ErrnoException).code ?? 'EIO';
  if (code === 'EEXIST' || code === 'ENOTDIR') return new HullError('ENOTDIR', `${what}: ENOTDIR (a file is in the way)`);
  return new HullError(code, `${what}: ${code}`);
}

/** mkdir -p inside the rootfs, each component resolved safely. */
export function mkdirInRoot(root: string, unsafe: string, mode = 0o755, what = `mkdir ${unsafe} in the rootfs`): string {
  const target = resolveInRoot(root, unsafe);
  try {
    fs.mkdirSync(target, { recursive: true, mode });
  } catch (e) {
    throw inRootError(e, what);
  }
  return target;
}

/** Makes an empty file (for a file bind mount) inside the rootfs. */
export function touchInRoot(root: string, unsafe: string, what = `create ${unsafe} in the rootfs`): string {
  const target = resolveInRoot(root, unsafe);
  try {
    fs.mkdirSync(path.dirname(target), { recursive: true, mode: 0o755 });
    if (!fs.existsSync(target)) fs.closeSync(fs.openSync(target, fs.constants.O_CREAT | fs.constants.O_WRONLY, 0o644));
  } catch (e) {
    throw inRootError(e, what);
  }
  return target;
}
