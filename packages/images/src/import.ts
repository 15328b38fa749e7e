// import: a tarball (a container's flat filesystem, `docker export`'s output
// or any root filesystem tar, plain or compressed as docker takes it) as a new one-layer image, as
// `docker import` makes it: the tar as given is the layer; the config has the
// platform, the `-c` changes and one history entry whose comment is the
// message (docker's default: "Imported from SOURCE").
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { applyChanges } from './changes';
import { gzipLayer, type GzipLayer } from './commit';
import type { ContentStore } from './content';
import { invalid } from './errors';
import { MEDIA, hostPlatform, parsePlatform, type ImageConfig, type Manifest } from './manifest';
import { decompressor } from './decompress';

export interface ImportOptions {
  /** Dockerfile instructions applied to the config (CMD, ENTRYPOINT, ENV, …). */
  changes?: string[];
  /** The history entry's comment (default "Imported from SOURCE"). */
  message?: string;
  /** os/arch[/variant] of the image; the host's when empty. */
  platform?: string;
  /** How the source is named in the default message ("-" for stdin). */
  label?: string;
}

export const isUrl = (s: string) => /^https?:\/\//i.test(s);

/** Downloads an http(s) tarball into a scratch file of the store (docker import URL). */
export async function download(content: ContentStore, url: string): Promise<string> {
  let res: Response;
  try {
    res = await fetch(url, { redirect: 'follow' });
  } catch (e) {
    throw invalid(`import ${url}: ${(e as Error & { cause?: Error }).cause?.message ?? (e as Error).message}`, { url });
  }
  if (!res.ok || !res.body) {
    await res.body?.cancel().catch(() => undefined);
    throw invalid(`import ${url}: the server answered ${res.status} ${res.statusText}`.trimEnd(), { url, status: res.status });
  }
  const tmp = content.tempPath('import');
  try {
    await pipeline(Readable.fromWeb(res.body as import('node:stream/web').ReadableStream), fs.createWriteStream(tmp, { mode: 0o600 }));
    return tmp;
  } catch (e) {
    await fsp.rm(tmp, { force: true });
    throw invalid(`import ${url}: download failed: ${(e as Error).message}`, { url });
  }
}

/** The tarball in `file` as a gzip layer (not yet in the store: the caller unpacks it first, which proves it a tar). */
export async function layerOfTarball(content: ContentStore, file: string, what: string): Promise<GzipLayer> {
  if (fs.statSync(file).size === 0) throw invalid(`import ${what}: empty file: not a tar archive`);
  return gzipLayer(content, (out) => pipeline(fs.createReadStream(file), decompressor(), out)).catch((e: Error) => {
    throw invalid(`import ${what}: ${e.message}`);
  });
}

/** The config and manifest of an image of that one layer. */
export function importedImage(layer: { digest: string; diffId: string; size: number }, o: ImportOptions): { config: ImageConfig; manifest: (configDigest: string, configSize: number) => Manifest } {
  const created = new Date().toISOString();
  const platform = o.platform ? parsePlatform(o.platform) : hostPlatform();
  const config: ImageConfig = {
    architecture: platform.architecture,
    os: platform.os,
    ...(platform.variant ? { variant: platform.variant } : {}),
    created,
    config: applyChanges({}, o.changes ?? []),
    rootfs: { type: 'layers', diff_ids: [layer.diffId] },
    history: [{ created, comment: o.message || `Imported from ${o.label ?? '-'}` }],
  };
  const manifest = (configDigest: string, configSize: number): Manifest => ({
    schemaVersion: 2,
    mediaType: MEDIA.dockerManifest,
    config: { mediaType: MEDIA.dockerConfig, digest: configDigest, size: configSize },
    layers: [{ mediaType: MEDIA.dockerLayerGzip, digest: layer.digest, size: layer.size }],
  });
  return { config, manifest };
}
