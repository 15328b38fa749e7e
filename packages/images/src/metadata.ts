// Image metadata, as docker's image store keeps it: one JSON record per image
// (named by its ID, the config's digest) and one index of references
// (repositories.json: "repo:tag" and "repo@digest" → image ID), each written
// atomically. Changes are serialised by one lock (one supervisor owns a store).
import fs from 'node:fs';
import path from 'node:path';
import { readJson, writeFileAtomic } from '@hull/sys/atomic';
import { notFound } from './errors';

export interface LayerRecord {
  /** Digest of the blob as stored and pushed (compressed). */
  digest: string;
  /** Digest of the uncompressed tar (config.rootfs.diff_ids). */
  diffId: string;
  size: number;
  mediaType: string;
}

export interface ImageRecord {
  /** The config's digest. */
  id: string;
  configDigest: string;
  manifestDigest: string;
  manifestMediaType: string;
  layers: LayerRecord[];
  /** Sum of the compressed layer sizes and the config. */
  size: number;
  created: string;
  /** When it came into this store. */
  loaded: string;
  /** The image a build step made this one from (docker's Parent): intermediate images are hidden from `images`. */
  parent?: string;
}

interface RefIndex {
  /** "registry/repo:tag" → image id */
  tags: Record<string, string>;
  /** "registry/repo@sha256:manifest" → image id */
  digests: Record<string, string>;
}

export class MetadataStore {
  private readonly imagesDir: string;
  private readonly refsFile: string;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(readonly root: string) {
    this.imagesDir = path.join(root, 'images');
    this.refsFile = path.join(root, 'repositories.json');
    fs.mkdirSync(this.imagesDir, { recursive: true, mode: 0o700 });
  }

  /** Runs `fn` alone: metadata changes never interleave. */
  lock<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private file(id: string): string {
    return path.join(this.imagesDir, `${id.replace(/^sha256:/, '')}.json`);
  }

  async get(id: string): Promise<ImageRecord | undefined> {
    return readJson<ImageRecord>(this.file(id));
  }

  async must(id: string): Promise<ImageRecord> {
    const r = await this.get(id);
    if (!r) throw notFound(`No such image: ${id}`, { id });
    return r;
  }

  async put(rec: ImageRecord): Promise<void> {
    await writeFileAtomic(this.file(rec.id), JSON.stringify(rec, null, 2), { mode: 0o600 });
  }

  async delete(id: string): Promise<void> {
    await fs.promises.rm(this.file(id), { force: true });
  }

  async all(): Promise<ImageRecord[]> {
    const out: ImageRecord[] = [];
    for (const n of fs.readdirSync(this.imagesDir)) {
      if (!/^[a-f0-9]{64}\.json$/.test(n)) continue;
      const r = await readJson<ImageRecord>(path.join(this.imagesDir, n));
      if (r) out.push(r);
    }
    return out;
  }

  async refs(): Promise<RefIndex> {
    return (await readJson<RefIndex>(this.refsFile)) ?? { tags: {}, digests: {} };
  }

  async writeRefs(refs: RefIndex): Promise<void> {
    await writeFileAtomic(this.refsFile, JSON.stringify(refs, null, 2), { mode: 0o600 });
  }

  /** The references naming `id`: its tags and its digests. */
  async namesOf(id: string): Promise<{ tags: string[]; digests: string[] }> {
    const r = await this.refs();
    return {
      tags: Object.keys(r.tags).filter((k) => r.tags[k] === id).sort(),
      digests: Object.keys(r.digests).filter((k) => r.digests[k] === id).sort(),
    };
  }
}
