// save and load: image archives as `docker save` writes them since docker 25
// — an OCI image layout (oci-layout, index.json, blobs/sha256/...) that also
// carries docker's manifest.json — so one tar is read by `docker load`,
// `skopeo copy oci-archive:` and `docker-archive:`. load reads that, the
// classic docker-archive (manifest.json, <id>/layer.tar) and plain OCI layouts.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as tar from 'tar-stream';
import { invalid } from './errors';
import { cleanEntryName } from './unpack';

export interface ArchiveImage {
  /** References to give the image (docker.io/library/x:tag form or familiar). */
  names: string[];
  manifest: Buffer;
  manifestDigest: string;
  config: Buffer;
  configDigest: string;
  layers: { digest: string; size: number; path: string }[];
}

type H = Partial<tar.Header> & { name: string };

function add(pack: tar.Pack, header: H, body: Buffer | string): Promise<void> {
  return new Promise((resolve, reject) => pack.entry(header as tar.Header, body, (e) => (e ? reject(e) : resolve())));
}

function addFile(pack: tar.Pack, name: string, file: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const size = fs.statSync(file).size;
    const sink = pack.entry({ name, size, mode: 0o644, mtime: new Date(0) } as tar.Header, (e) => (e ? reject(e) : resolve()));
    const src = fs.createReadStream(file);
    src.on('error', reject);
    src.pipe(sink);
  });
}

/** blob path of a digest inside the layout. */
const blob = (digest: string) => `blobs/sha256/${digest.slice(7)}`;

export async function writeArchive(out: string, images: ArchiveImage[], blobPath: (digest: string) => string): Promise<void> {
  const tmp = `${out}.${process.pid}.tmp`;
  const pack = tar.pack();
  const file = fs.createWriteStream(tmp, { mode: 0o644 });
  const piping = pipeline(pack, file);
  try {
    const written = new Set<string>();
    const put = async (digest: string, data?: Buffer) => {
      if (written.has(digest)) return;
      written.add(digest);
      if (data) await add(pack, { name: blob(digest), size: data.length, mode: 0o644, mtime: new Date(0) }, data);
      else await addFile(pack, blob(digest), blobPath(digest));
    };
    await add(pack, { name: 'blobs/', type: 'directory', mode: 0o755, mtime: new Date(0) }, '');
    await add(pack, { name: 'blobs/sha256/', type: 'directory', mode: 0o755, mtime: new Date(0) }, '');
    const index = { schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [] as object[] };
    const dockerManifest: object[] = [];
    for (const img of images) {
      for (const l of img.layers) await put(l.digest);
      await put(img.configDigest, img.config);
      await put(img.manifestDigest, img.manifest);
      const mediaType = (JSON.parse(img.manifest.toString()) as { mediaType?: string }).mediaType ?? 'application/vnd.oci.image.manifest.v1+json';
      const names = img.names.length ? img.names : [''];
      for (const n of names) {
        index.manifests.push({
          mediaType, digest: img.manifestDigest, size: img.manifest.length,
          ...(n ? { annotations: { 'io.containerd.image.name': n, 'org.opencontainers.image.ref.name': n.slice(n.lastIndexOf(':') + 1) } } : {}),
        });
      }
      dockerManifest.push({ Config: blob(img.configDigest), RepoTags: img.names, Layers: img.layers.map((l) => blob(l.digest)) });
    }
    await add(pack, { name: 'oci-layout', mode: 0o644, mtime: new Date(0) }, JSON.stringify({ imageLayoutVersion: '1.0.0' }));
    await add(pack, { name: 'index.json', mode: 0o644, mtime: new Date(0) }, JSON.stringify(index));
    await add(pack, { name: 'manifest.json', mode: 0o644, mtime: new Date(0) }, JSON.stringify(dockerManifest));
    pack.finalize();
    await piping;
    await fsp.rename(tmp, out);
  } catch (e) {
    pack.destroy();
    await piping.catch(() => undefined);
    await fsp.rm(tmp, { force: true });
    throw e;
  }
}

/**
 * Extracts an archive's regular files into `dir` (names cleaned; symlinks,
 * which classic docker archives use for repeated layers, are recorded, not
 * created). Returns a resolver from archive names to files.
 */
export async function extractArchive(input: Readable, dir: string): Promise<(name: string) => string> {
  const links = new Map<string, string>();
  const extract = tar.extract();
  const consume = (async () => {
    for await (const e of extract) {
      const parts = cleanEntryName(e.header.name, 'archive entry');
      const name = parts.join('/');
      if (e.header.type === 'symlink' && parts.length) {
        const target = cleanEntryName(path.posix.join(path.posix.dirname(name), e.header.linkname ?? ''), 'archive symlink').join('/');
        links.set(name, target);
        e.resume();
      } else if ((e.header.type === 'file' || e.header.type === 'contiguous-file') && parts.length) {
        const p = path.join(dir, ...parts);
        await fsp.mkdir(path.dirname(p), { recursive: true });
        await pipeline(e as unknown as Readable, fs.createWriteStream(p, { mode: 0o600 }));
      } else e.resume();
    }
  })();
  await Promise.all([consume, pipeline(input, extract)]);
  return (name: string) => {
    let n = cleanEntryName(name, 'archive name').join('/');
    for (let i = 0; i < 16 && links.has(n); i++) n = links.get(n)!;
    const p = path.join(dir, n);
    if (!fs.existsSync(p)) throw invalid(`archive: ${name}: not in the archive`);
    return p;
  };
}
