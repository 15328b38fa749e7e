// The build cache: (parent image, instruction as run, checksums of what it
// copied, build args it saw) → the image that step made. A miss at one step
// changes every later parent, so everything after it misses too, as in
// docker. Entries whose image is gone (rmi, prune) are simply misses.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomicSync } from '@hull/sys/atomic';

// Images kept per key: enough that pruning the newest chain leaves an older one usable.
const KEEP = 8;

export class BuildCache {
  constructor(readonly dir: string) {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  }

  static key(parts: string[]): string {
    return crypto.createHash('sha256').update(parts.join('\0')).digest('hex');
  }

  /** The images built for `key`, newest first (a --no-cache build adds one; a removed one is skipped by the caller). */
  get(key: string): string[] {
    try {
      return fs.readFileSync(path.join(this.dir, key), 'utf8').split('\n').filter(Boolean).reverse();
    } catch {
      return [];
    }
  }

  put(key: string, imageId: string): void {
    const ids = [...this.get(key).reverse().filter((id) => id !== imageId), imageId].slice(-KEEP);
    writeFileAtomicSync(path.join(this.dir, key), `${ids.join('\n')}\n`, { mode: 0o600 });
  }
}
