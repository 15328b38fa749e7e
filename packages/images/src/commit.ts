// commit: a container's upper dir as a new layer on top of its image, with
// docker's history entry; the layer is stored gzip-compressed like a pulled
// one, and unpacked from that blob (so what the image holds is what a pull
// of it would give).
import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import { PassThrough, Transform, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import { applyChanges } from './changes';
import type { ContentStore } from './content';
import { MEDIA, type ImageConfig, type Manifest } from './manifest';
import { packUpper } from './pack';

class Digester extends Transform {
  private readonly hash = crypto.createHash('sha256');
  size = 0;
  override _transform(chunk: Buffer, _e: BufferEncoding, cb: (e?: Error | null, d?: Buffer) => void): void {
    this.hash.update(chunk);
    this.size += chunk.length;
    cb(null, chunk);
  }
  get digest(): string {
    return `sha256:${this.hash.digest('hex')}`;
  }
}

export interface CommitOptions {
  message?: string;
  author?: string;
  changes?: string[];
  /** History's created_by: the container's command. */
  createdBy?: string;
}

export interface GzipLayer {
  /** The compressed layer, a scratch file of the content store: the caller adopts or removes it. */
  tmp: string;
  /** sha256 of the gzip stream (the blob). */
  digest: string;
  /** sha256 of the tar (the layer's DiffID). */
  diffId: string;
  /** Compressed size. */
  size: number;
}

/** Compresses the tar `write` produces into a scratch file of the content store, hashing both sides. */
export async function gzipLayer(content: ContentStore, write: (tar: Writable) => Promise<void>): Promise<GzipLayer> {
  const tmp = content.tempPath('layer');
  const raw = new Digester();
  const gz = new Digester();
  const tarStream = new PassThrough();
  try {
    await Promise.all([
      write(tarStream).catch((e: Error) => { tarStream.destroy(e); throw e; }),
      pipeline(tarStream, raw, zlib.createGzip(), gz, fs.createWriteStream(tmp, { mode: 0o600 })),
    ]);
    return { tmp, digest: gz.digest, diffId: raw.digest, size: gz.size };
  } catch (e) {
    await fsp.rm(tmp, { force: true });
    throw e;
  }
}

/** Moves a compressed layer into the store (or drops it when the store has it). */
export async function adoptLayer(content: ContentStore, layer: GzipLayer): Promise<void> {
  if (content.has(layer.digest)) await fsp.rm(layer.tmp, { force: true });
  else await content.adopt(layer.tmp, layer.digest);
}

/** Packs `upper` into a gzip layer in the content store: its digest, diff ID and size. */
export async function storeLayer(content: ContentStore, upper: string): Promise<{ digest: string; diffId: string; size: number }> {
  const layer = await gzipLayer(content, (out) => packUpper(upper, out));
  await adoptLayer(content, layer);
  return { digest: layer.digest, diffId: layer.diffId, size: layer.size };
}

/** The config and manifest of parent + one layer. */
export function childImage(parent: ImageConfig, parentManifest: Manifest, parentMediaType: string, layer: { digest: string; diffId: string; size: number }, o: CommitOptions): { config: ImageConfig; manifest: (configDigest: string, configSize: number) => Manifest } {
  const created = new Date().toISOString();
  const config: ImageConfig = {
    ...parent,
    created,
    ...(o.author ? { author: o.author } : {}),
    config: applyChanges(parent.config, o.changes ?? []),
    rootfs: { type: 'layers', diff_ids: [...(parent.rootfs?.diff_ids ?? []), layer.diffId] },
    history: [...(parent.history ?? []), { created, created_by: o.createdBy ?? '', ...(o.author ? { author: o.author } : {}), ...(o.message ? { comment: o.message } : {}) }],
  };
  // The child is of the parent's kind: OCI stays OCI, docker stays docker.
  const oci = parentMediaType === MEDIA.ociManifest;
  const manifest = (configDigest: string, configSize: number): Manifest => ({
    schemaVersion: 2,
    mediaType: oci ? MEDIA.ociManifest : MEDIA.dockerManifest,
    config: { mediaType: oci ? MEDIA.ociConfig : MEDIA.dockerConfig, digest: configDigest, size: configSize },
    layers: [
      ...parentManifest.layers.map((l) => ({ mediaType: l.mediaType, digest: l.digest, size: l.size })),
      { mediaType: oci ? MEDIA.ociLayerGzip : MEDIA.dockerLayerGzip, digest: layer.digest, size: layer.size },
    ],
  });
  return { config, manifest };
}
