// The content store: blobs by digest (<root>/blobs/sha256/<hex>), verified
// before they become visible. A download is written to <root>/ingest/<hex>,
// hashed as it arrives, fsynced and renamed into place only when its digest
// matches; an interrupted download stays in ingest/ and the next one asks the
// server only for the rest (an HTTP Range request). Two pulls of one blob in
// this process share one download.
import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '@hull/sys/atomic';
import { corrupt, invalid, notFound } from './errors';
import { isDigest } from './reference';

export interface IngestSource {
  /** The bytes from `offset` on; `start` is where the server really started (0 if it ignored the Range). */
  open(offset: number): Promise<{ start: number; body: AsyncIterable<Uint8Array> }>;
}

export type IngestProgress = (done: number, total: number) => void;

export function sha256(data: Buffer | string): string {
  return `sha256:${crypto.createHash('sha256').update(data).digest('hex')}`;
}

function hexOf(digest: string): string {
  if (!isDigest(digest)) throw invalid(`digest ${JSON.stringify(digest)}: not sha256:<64 hex digits>`, { digest });
  return digest.slice('sha256:'.length);
}

interface Inflight {
  done: Promise<void>;
  listeners: Set<IngestProgress>;
}

export class ContentStore {
  readonly blobs: string;
  readonly ingestDir: string;
  private readonly inflight = new Map<string, Inflight>();

  constructor(readonly root: string) {
    this.blobs = path.join(root, 'blobs', 'sha256');
    this.ingestDir = path.join(root, 'ingest');
    fs.mkdirSync(this.blobs, { recursive: true, mode: 0o700 });
    fs.mkdirSync(this.ingestDir, { recursive: true, mode: 0o700 });
  }

  path(digest: string): string {
    return path.join(this.blobs, hexOf(digest));
  }

  has(digest: string): boolean {
    return fs.existsSync(this.path(digest));
  }

  size(digest: string): number {
    try {
      return fs.statSync(this.path(digest)).size;
    } catch {
      throw notFound(`content ${digest}: not found`, { digest });
    }
  }

  async read(digest: string): Promise<Buffer> {
    try {
      return await fsp.readFile(this.path(digest));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw notFound(`content ${digest}: not found`, { digest });
      throw e;
    }
  }

  async readJson<T>(digest: string): Promise<T> {
    return JSON.parse((await this.read(digest)).toString('utf8')) as T;
  }

  /** Every blob's digest. */
  list(): string[] {
    return fs.readdirSync(this.blobs).filter((n) => /^[a-f0-9]{64}$/.test(n)).map((n) => `sha256:${n}`);
  }

  async delete(digest: string): Promise<void> {
    await fsp.rm(this.path(digest), { force: true });
  }

  /** Stores bytes in hand (manifests, configs); returns their digest. `expected` is checked when given. */
  async put(data: Buffer, expected?: string): Promise<string> {
    const digest = sha256(data);
    if (expected && expected !== digest) throw corrupt(`content: digest mismatch: expected ${expected}, got ${digest}`, { expected, digest });
    if (this.has(digest)) return digest;
    await writeFileAtomic(this.path(digest), data, { mode: 0o600 });
    return digest;
  }

  /** Moves a file whose digest the caller computed into the store (commit's layers). */
  async adopt(file: string, digest: string): Promise<void> {
    const fd = await fsp.open(file, 'r+');
    try {
      await fd.sync();
    } finally {
      await fd.close();
    }
    await fsp.rename(file, this.path(digest));
  }

  /** A scratch file in the store's filesystem (so adopt() is a rename). */
  tempPath(stem: string): string {
    return path.join(this.ingestDir, `${stem}-${crypto.randomBytes(8).toString('hex')}`);
  }

  /** How many bytes of `digest` a past download left behind. */
  partialSize(digest: string): number {
    try {
      return fs.statSync(path.join(this.ingestDir, hexOf(digest))).size;
    } catch {
      return 0;
    }
  }

  /**
   * Fetches a blob into the store unless it is there: verified, then visible.
   * Concurrent calls for one digest share one download (each gets progress).
   */
  async ingest(digest: string, size: number, source: IngestSource, progress?: IngestProgress): Promise<void> {
    if (this.has(digest)) {
      progress?.(size, size);
      return;
    }
    let f = this.inflight.get(digest);
    if (!f) {
      const listeners = new Set<IngestProgress>();
      const done = this.download(digest, size, source, (d, t) => { for (const l of listeners) l(d, t); })
        .finally(() => this.inflight.delete(digest));
      f = { done, listeners };
      this.inflight.set(digest, f);
    }
    if (progress) f.listeners.add(progress);
    try {
      await f.done;
    } finally {
      if (progress) f.listeners.delete(progress);
    }
  }

  private async download(digest: string, size: number, source: IngestSource, progress: IngestProgress): Promise<void> {
    const partial = path.join(this.ingestDir, hexOf(digest));
    let hash = crypto.createHash('sha256');
    // What a past download left: hash it, then ask only for the rest.
    let offset = 0;
    if (fs.existsSync(partial)) {
      for await (const chunk of fs.createReadStream(partial)) {
        hash.update(chunk as Buffer);
        offset += (chunk as Buffer).length;
      }
    }
    const fh = await fsp.open(partial, 'a', 0o600);
    try {
      if (!(size > 0 && offset >= size)) {
        const { start, body } = await source.open(offset);
        if (start !== offset) {
          // The server ignored the Range and sends everything: start over.
          await fh.truncate(0);
          hash = crypto.createHash('sha256');
          offset = 0;
        }
        progress(offset, size);
        for await (const chunk of body) {
          await fh.write(chunk);
          hash.update(chunk);
          offset += chunk.length;
          progress(offset, size);
          if (size > 0 && offset > size) break;
        }
      }
      await fh.sync();
    } finally {
      await fh.close();
    }
    await this.commit(digest, size, partial, hash.digest('hex'), offset);
  }

  private async commit(digest: string, size: number, partial: string, hex: string, got: number): Promise<void> {
    if (size > 0 && got !== size) {
      if (got > size) await fsp.rm(partial, { force: true });
      throw corrupt(`content ${digest}: size mismatch: expected ${size} bytes, got ${got}`, { digest, size, got });
    }
    if (`sha256:${hex}` !== digest) {
      await fsp.rm(partial, { force: true });
      throw corrupt(`content ${digest}: digest mismatch: the data's digest is sha256:${hex}`, { digest, actual: `sha256:${hex}` });
    }
    await fsp.rename(partial, this.path(digest));
  }
}
