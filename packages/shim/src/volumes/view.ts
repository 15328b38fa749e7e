// An image's content as a container would see it, for seeding a volume: the
// union of its layers mounted read-only in a scratch directory (overlayfs
// does the merging: whiteouts and opaque directories are its own rules).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { mountAll, unmountAll } from '../mounts';

const SEED_PREFIX = '.seed-';

/**
 * Runs `fn` with the union of `layers` (top first, overlayfs' lowerdir order)
 * mounted read-only in a scratch directory under `dir`; unmounted after.
 */
export async function withImageView<T>(dir: string, layers: string[], fn: (root: string) => Promise<T>): Promise<T> {
  const scratch = path.join(dir, `${SEED_PREFIX}${crypto.randomBytes(8).toString('hex')}`);
  const mnt = path.join(scratch, 'm');
  const empty = path.join(scratch, 'e');
  fs.mkdirSync(mnt, { recursive: true, mode: 0o700 });
  fs.mkdirSync(empty);
  let mounted = 0;
  try {
    // overlayfs without an upper dir wants two lower dirs at least: an empty one goes at the bottom.
    mounted = mountAll([{ type: 'overlay', source: 'overlay', options: ['ro', `lowerdir=${[...layers, empty].join(':')}`] }], mnt);
    return await fn(mnt);
  } finally {
    unmountAll(mnt, mounted);
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

/** Scratch views a crash left behind: unmounted, then removed (only empty directories are removed). */
export function removeStaleViews(dir: string): void {
  for (const n of fs.readdirSync(dir)) {
    if (!n.startsWith(SEED_PREFIX)) continue;
    const scratch = path.join(dir, n);
    try {
      unmountAll(path.join(scratch, 'm'), 1);
    } catch { /* not mounted */ }
    for (const sub of ['m', 'e']) try { fs.rmdirSync(path.join(scratch, sub)); } catch { /* gone already */ }
    try { fs.rmdirSync(scratch); } catch { /* left for a look */ }
  }
}
