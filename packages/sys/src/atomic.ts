// Records on disk, either whole or absent: written to a temp file beside the target, then renamed over
// it, so a reader sees the old file or the new one, never half of one, whenever the writer dies.
// fsync before the rename (the default) also survives a power loss: docker's image store, containerd's
// content store and the supervisor's records want that; hull's state.json does not (see its store).
import fs from 'node:fs';
import path from 'node:path';

// fs.promises, not node:fs/promises: hull's state store uses the sync half, and loading the promise
// API (with readline and watchers behind it) would cost every hull command.

export interface AtomicOptions {
  /** The new file's mode (default 0o644). */
  mode?: number;
  /** Flush the data to disk before the rename (default true). */
  fsync?: boolean;
}

let seq = 0;
/** A temp name in the target's directory (a rename across filesystems is not atomic); pid and a counter keep writers apart. */
function tempName(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${++seq}.tmp`);
}

export async function writeFileAtomic(file: string, data: string | Uint8Array, o: AtomicOptions = {}): Promise<void> {
  const tmp = tempName(file);
  const fh = await fs.promises.open(tmp, 'w', o.mode ?? 0o644);
  try {
    try {
      await fh.writeFile(data);
      if (o.fsync !== false) await fh.sync();
    } finally {
      await fh.close();
    }
    await fs.promises.rename(tmp, file);
  } catch (e) {
    await fs.promises.rm(tmp, { force: true });
    throw e;
  }
}

export function writeFileAtomicSync(file: string, data: string | Uint8Array, o: AtomicOptions = {}): void {
  const tmp = tempName(file);
  const fd = fs.openSync(tmp, 'w', o.mode ?? 0o644);
  try {
    try {
      fs.writeFileSync(fd, data);
      if (o.fsync !== false) fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}

/** A JSON record written so, or undefined when the file does not exist. */
export async function readJson<T>(file: string): Promise<T | undefined> {
  let text: string;
  try {
    text = await fs.promises.readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  return JSON.parse(text) as T;
}

export function readJsonSync<T>(file: string): T | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  return JSON.parse(text) as T;
}
