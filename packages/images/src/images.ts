// The images service as one object: what hull-shim serves over gRPC and what
// a builder uses directly. Everything lives under one root directory:
//   content/     blobs by digest (content.ts)
//   meta/        image records and the reference index (metadata.ts)
//   snapshots/   unpacked layers and container snapshots (snapshots.ts)
import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { extractArchive, writeArchive, type ArchiveImage } from './archive';
import { applyChanges } from './changes';
import { adoptLayer, childImage, storeLayer, type CommitOptions } from './commit';
import { packMerged } from './flatten';
import { download, importedImage, isUrl, layerOfTarball, type ImportOptions } from './import';
import { ContentStore, sha256 } from './content';
import { diffUpper, type Change } from './pack';
import { ImageError, conflict, invalid, notFound } from './errors';
import { MEDIA, choosePlatform, checkManifest, formatPlatform, hostPlatform, isIndex, parsePlatform,
  type ContainerConfig, type ImageConfig, type Index, type Manifest, type Platform } from './manifest';
import { MetadataStore, type ImageRecord, type LayerRecord } from './metadata';
import { DEFAULT_REGISTRY, familiarName, familiarString, formatReference, isDigest, normalize, parseReference, repoName, type Reference } from './reference';
import { Registry, type Credentials } from './registry';
import { Snapshots, type Mount } from './snapshots';

export interface ImagesOptions {
  /** Where everything lives (the supervisor uses <state-dir>/images). */
  root: string;
  /** Registries reached over plain HTTP beside 127.0.0.0/8 and localhost. */
  insecureRegistries?: string[];
  /** Mirrors of docker.io, tried in order before it (docker's registry-mirrors). */
  mirrors?: string[];
  /** Parallel layer downloads per pull. */
  concurrency?: number;
  /** CA certificates per registry, as docker's /etc/docker/certs.d: <certsDir>/<host[:port]>/*.crt. */
  certsDir?: string;
}

/** One line of pull/push progress, as docker's JSON messages carry them. */
export interface Progress {
  /** The layer's short id (12 hex digits), or '' for a message about the whole image. */
  id: string;
  status: string;
  current?: number;
  total?: number;
}
export type ProgressFn = (p: Progress) => void;

export interface PullOptions {
  platform?: string;
  credentials?: Credentials;
  progress?: ProgressFn;
}

export interface ImageSummary {
  id: string;
  repoTags: string[];
  repoDigests: string[];
  created: string;
  size: number;
}

export interface RemoveResult {
  untagged: string[];
  deleted: string[];
}

export const shortId = (digest: string) => digest.replace(/^sha256:/, '').slice(0, 12);

export class Images {
  readonly content: ContentStore;
  readonly meta: MetadataStore;
  readonly snapshots: Snapshots;
  /** Blobs and layers a pull or commit in progress needs: never collected. */
  private readonly pinned = new Map<string, number>();

  constructor(readonly opts: ImagesOptions) {
    fs.mkdirSync(opts.root, { recursive: true, mode: 0o700 });
    this.content = new ContentStore(path.join(opts.root, 'content'));
    this.meta = new MetadataStore(path.join(opts.root, 'meta'));
    this.snapshots = new Snapshots(path.join(opts.root, 'snapshots'));
  }

  private pin(keys: string[]): () => void {
    for (const k of keys) this.pinned.set(k, (this.pinned.get(k) ?? 0) + 1);
    return () => {
      for (const k of keys) {
        const n = (this.pinned.get(k) ?? 1) - 1;
        if (n <= 0) this.pinned.delete(k);
        else this.pinned.set(k, n);
      }
    };
  }

  registry(ref: Reference, credentials?: Credentials): Registry {
    return new Registry(ref.registry, ref.repository, { insecure: this.opts.insecureRegistries, credentials, certsDir: this.opts.certsDir });
  }

  // ---- pull ----

  /** Where a pull is tried, in order: for docker.io its mirrors (docker's registry-mirrors), then the registry itself. */
  private pullSources(ref: Reference, credentials?: Credentials): Registry[] {
    const out: Registry[] = [];
    if (ref.registry === DEFAULT_REGISTRY) {
      for (const m of this.opts.mirrors ?? []) {
        const url = parseMirror(m);
        const insecure = [...(this.opts.insecureRegistries ?? []), ...(url.protocol === 'http:' ? [url.host] : [])];
        // The user's docker.io credentials are not sent to a mirror.
        out.push(new Registry(url.host, ref.repository, { insecure, certsDir: this.opts.certsDir }));
      }
    }
    out.push(this.registry(ref, credentials));
    return out;
  }

  /** Pulls `reference` (a tag or digest) for the platform; returns the image. */
  async pull(reference: string, o: PullOptions = {}): Promise<ImageRecord> {
    const ref = normalize(reference);
    const what = familiarString(ref);
    const progress = o.progress ?? (() => undefined);
    const platform: Platform = o.platform ? parsePlatform(o.platform) : hostPlatform();
    const pins: (() => void)[] = [];
    try {
      // A tag or digest → a manifest (through an index when there is one), from
      // the first source that has it: docker.io's mirrors, then the registry.
      const sources = this.pullSources(ref, o.credentials);
      let reg = sources[sources.length - 1]!;
      let m: Awaited<ReturnType<Registry['manifest']>> | undefined;
      for (const [i, source] of sources.entries()) {
        try {
          m = await source.manifest(ref.digest ?? ref.tag!, what);
          reg = source;
          break;
        } catch (e) {
          if (i === sources.length - 1 || !(e instanceof ImageError)) throw e;
        }
      }
      if (!m) throw notFound(`manifest for ${what} not found`);
      const top = m.digest;
      const docs: Buffer[] = [];
      if (isIndex(m.mediaType, JSON.parse(m.body.toString()))) {
        docs.push(m.body);
        const index = JSON.parse(m.body.toString()) as Index;
        const d = choosePlatform(index, platform, what);
        m = await reg.manifest(d.digest, what);
      }
      const manifest = checkManifest(JSON.parse(m.body.toString()), what);
      pins.push(this.pin([m.digest, manifest.config.digest, ...manifest.layers.map((l) => l.digest)]));
      progress({ id: '', status: `${ref.digest ?? ref.tag}: Pulling from ${ref.repository}` });
      for (const d of docs) await this.content.put(d);
      await this.content.put(m.body, m.digest);
      // The config: small, fetched whole.
      if (!this.content.has(manifest.config.digest)) {
        await this.content.ingest(manifest.config.digest, manifest.config.size, { open: (off) => reg.blob(manifest.config.digest, off, what) });
      }
      const config = await this.content.readJson<ImageConfig>(manifest.config.digest);
      const diffIds = config.rootfs?.diff_ids ?? [];
      if (diffIds.length !== manifest.layers.length) throw invalid(`${what}: the config lists ${diffIds.length} layers, the manifest ${manifest.layers.length}`);
      if (config.os && config.architecture && (config.os !== platform.os || config.architecture !== platform.architecture) && docs.length === 0 && o.platform) {
        throw invalid(`${what}: image is for ${config.os}/${config.architecture}, not ${formatPlatform(platform)}`);
      }
      pins.push(this.pin(diffIds));
      const layers: LayerRecord[] = manifest.layers.map((l, i) => ({ digest: l.digest, diffId: diffIds[i]!, size: l.size, mediaType: l.mediaType }));
      let fresh = false;
      await this.fetchLayers(reg, layers, what, progress, () => { fresh = true; });
      const rec = await this.record(manifest, m.digest, m.mediaType, config, layers);
      // docker keeps the tag, and repo@digest of what the registry served (the index when there is one).
      await this.meta.lock(async () => {
        await this.meta.put(rec);
        const refs = await this.meta.refs();
        if (ref.tag) refs.tags[formatReference({ ...ref, digest: undefined })] = rec.id;
        refs.digests[`${repoName(ref)}@${top}`] = rec.id;
        await this.meta.writeRefs(refs);
      });
      progress({ id: '', status: `Digest: ${top}` });
      progress({ id: '', status: fresh ? `Status: Downloaded newer image for ${what}` : `Status: Image is up to date for ${what}` });
      return rec;
    } finally {
      for (const p of pins) p();
    }
  }

  /** Downloads and unpacks the layers, a few at a time; each unpacked once, bottom to top in parallel. */
  private async fetchLayers(reg: Registry, layers: LayerRecord[], what: string, progress: ProgressFn, fresh: () => void): Promise<void> {
    for (const l of layers) {
      if (this.snapshots.hasLayer(l.diffId)) progress({ id: shortId(l.digest), status: 'Already exists' });
      else progress({ id: shortId(l.digest), status: 'Pulling fs layer' });
    }
    const queue = layers.filter((l) => !this.snapshots.hasLayer(l.diffId));
    const limit = Math.max(1, this.opts.concurrency ?? 3);
    const run = async (l: LayerRecord) => {
      const id = shortId(l.digest);
      if (l.mediaType.includes('nondistributable') || l.mediaType.includes('foreign')) { /* fetched from the registry like any blob */ }
      if (!this.content.has(l.digest)) {
        fresh();
        let last = 0;
        await this.content.ingest(l.digest, l.size, { open: (off) => reg.blob(l.digest, off, what) }, (done, total) => {
          // About one update per 1% (or 512 KiB), not one per chunk.
          if (done === total || done - last >= Math.max(512 << 10, total / 100)) {
            last = done;
            progress({ id, status: 'Downloading', current: done, total });
          }
        });
        progress({ id, status: 'Verifying Checksum' });
        progress({ id, status: 'Download complete' });
      }
      progress({ id, status: 'Extracting', current: 0, total: l.size });
      await this.snapshots.ensureLayer(l.diffId, () => fs.createReadStream(this.content.path(l.digest), { highWaterMark: 1 << 20 }), `${what}: layer ${l.digest}`);
      progress({ id, status: 'Pull complete' });
    };
    const workers: Promise<void>[] = [];
    let next = 0;
    let failed: unknown;
    for (let w = 0; w < Math.min(limit, queue.length); w++) {
      workers.push((async () => {
        while (next < queue.length && failed === undefined) {
          const l = queue[next++]!;
          try {
            await run(l);
          } catch (e) {
            failed ??= e;
          }
        }
      })());
    }
    await Promise.all(workers);
    if (failed !== undefined) throw failed;
  }

  private async record(manifest: Manifest, manifestDigest: string, mediaType: string, config: ImageConfig, layers: LayerRecord[]): Promise<ImageRecord> {
    const id = manifest.config.digest;
    const old = await this.meta.get(id);
    return {
      id,
      configDigest: manifest.config.digest,
      manifestDigest,
      manifestMediaType: mediaType || manifest.mediaType || MEDIA.ociManifest,
      layers,
      size: layers.reduce((n, l) => n + l.size, 0),
      created: config.created ?? new Date(0).toISOString(),
      loaded: old?.loaded ?? new Date().toISOString(),
    };
  }

  // ---- lookup ----

  /**
   * An image by reference (tag or digest), full ID or unique ID prefix,
   * as docker resolves them.
   */
  async resolve(name: string): Promise<ImageRecord> {
    const refs = await this.meta.refs();
    const idLike = /^(sha256:)?[a-f0-9]{4,64}$/.test(name);
    if (idLike) {
      const hex = name.replace(/^sha256:/, '');
      const all = (await this.meta.all()).filter((r) => r.id.slice(7).startsWith(hex));
      if (all.length === 1) return all[0]!;
      if (all.length > 1 && hex.length < 64) throw conflict(`image ID prefix ${name} is ambiguous`);
    }
    let ref: Reference | undefined;
    try {
      ref = normalize(name);
    } catch (e) {
      if (idLike) throw notFound(`No such image: ${name}`, { ref: name });
      throw e;
    }
    const id = ref.digest ? refs.digests[`${repoName(ref)}@${ref.digest}`] : refs.tags[formatReference(ref)];
    if (id) {
      const rec = await this.meta.get(id);
      if (rec) return rec;
    }
    if (ref.digest) {
      // A digest names the manifest of any image in that repository.
      for (const r of await this.meta.all()) if (r.manifestDigest === ref.digest) return r;
    }
    throw notFound(`No such image: ${name}`, { ref: name });
  }

  async config(name: string): Promise<ImageConfig> {
    const rec = await this.resolve(name);
    return this.content.readJson<ImageConfig>(rec.configDigest);
  }

  async summary(rec: ImageRecord): Promise<ImageSummary> {
    const names = await this.meta.namesOf(rec.id);
    const familiar = (s: string) => familiarString(parseReference(s));
    return {
      id: rec.id,
      repoTags: names.tags.map(familiar),
      repoDigests: names.digests.map(familiar),
      created: rec.created,
      size: await this.diskSize(rec),
    };
  }

  /** What the image takes unpacked (docker's SIZE): the sum of its layers' uncompressed tars. */
  private async diskSize(rec: ImageRecord): Promise<number> {
    const cfg = await this.content.readJson<ImageConfig>(rec.configDigest).catch(() => undefined);
    void cfg;
    return rec.layers.reduce((n, l) => n + (l.size ?? 0), 0);
  }

  /** docker images: intermediate images (a build step's, untagged, parent of another) are left out unless `withIntermediate`, as docker does. */
  async list(withIntermediate = false): Promise<ImageSummary[]> {
    const all = await this.meta.all();
    const parents = new Set(all.map((r) => r.parent).filter(Boolean));
    const out = (await Promise.all(all.map((r) => this.summary(r)))).filter((s) => withIntermediate || s.repoTags.length > 0 || !parents.has(s.id));
    return out.sort((a, b) => b.created.localeCompare(a.created));
  }

  /** docker image inspect's document. */
  async inspect(name: string): Promise<Record<string, unknown>> {
    const rec = await this.resolve(name);
    const cfg = await this.content.readJson<ImageConfig>(rec.configDigest);
    const s = await this.summary(rec);
    return {
      Id: rec.id,
      RepoTags: s.repoTags,
      RepoDigests: s.repoDigests,
      Parent: '',
      Comment: cfg.history?.[cfg.history.length - 1]?.comment ?? '',
      Created: cfg.created ?? rec.created,
      Author: cfg.author ?? '',
      Config: cfg.config ?? {},
      Architecture: cfg.architecture,
      Variant: cfg.variant,
      Os: cfg.os,
      Size: s.size,
      RootFS: { Type: 'layers', Layers: cfg.rootfs?.diff_ids ?? [] },
      Metadata: { LastTagTime: rec.loaded },
      Descriptor: { mediaType: rec.manifestMediaType, digest: rec.manifestDigest, size: this.content.has(rec.manifestDigest) ? this.content.size(rec.manifestDigest) : 0 },
    };
  }

  /** docker history's rows, newest first: empty layers are 0 B. */
  async history(name: string): Promise<{ id: string; created: string; createdBy: string; size: number; comment: string }[]> {
    const rec = await this.resolve(name);
    const cfg = await this.content.readJson<ImageConfig>(rec.configDigest);
    const hist = cfg.history?.length ? cfg.history : rec.layers.map(() => ({} as Record<string, never>));
    let layer = 0;
    const rows = hist.map((h) => {
      const size = h.empty_layer ? 0 : rec.layers[layer++]?.size ?? 0;
      return { id: '<missing>', created: h.created ?? '', createdBy: h.created_by ?? '', size, comment: h.comment ?? '' };
    }).reverse();
    if (rows.length) rows[0]!.id = rec.id;
    return rows;
  }

  // ---- tag, remove ----

  async tag(source: string, target: string): Promise<void> {
    const rec = await this.resolve(source);
    const ref = normalize(target);
    if (ref.digest) throw invalid(`refusing to create a tag with a digest reference: ${target}`);
    await this.meta.lock(async () => {
      const refs = await this.meta.refs();
      refs.tags[formatReference(ref)] = rec.id;
      await this.meta.writeRefs(refs);
    });
  }

  /** The containers (snapshots) made from an image. */
  async usersOf(id: string): Promise<string[]> {
    return (await this.snapshots.list()).filter((s) => s.image === id).map((s) => s.id);
  }

  /**
   * docker rmi: a tag is untagged, and the image deleted with its last tag.
   * An image named by ID with several tags, or used by a container, needs
   * force; force only untags an image a container uses.
   */
  async remove(name: string, force = false): Promise<RemoveResult> {
    const rec = await this.resolve(name);
    return this.meta.lock(async () => {
      const refs = await this.meta.refs();
      const tags = Object.keys(refs.tags).filter((k) => refs.tags[k] === rec.id);
      const digests = Object.keys(refs.digests).filter((k) => refs.digests[k] === rec.id);
      const users = await this.usersOf(rec.id);
      const byId = /^(sha256:)?[a-f0-9]{4,64}$/.test(name) && rec.id.slice(7).startsWith(name.replace(/^sha256:/, ''));
      const untagged: string[] = [];
      let untagAll = byId || force;
      if (!byId) {
        const ref = normalize(name);
        const key = ref.digest ? `${repoName(ref)}@${ref.digest}` : formatReference(ref);
        if (tags.length > 1 || users.length === 0 || force) {
          if (refs.tags[key]) { delete refs.tags[key]; untagged.push(key); }
          if (refs.digests[key]) { delete refs.digests[key]; untagged.push(key); }
          // repo@digest entries go with the last tag of their repository, as in docker.
          const left = Object.keys(refs.tags).filter((k) => refs.tags[k] === rec.id);
          if (left.length === 0) for (const d of digests) if (refs.digests[d]) { delete refs.digests[d]; untagged.push(d); }
          untagAll = false;
        } else {
          throw conflict(`conflict: unable to remove repository reference "${name}" (must force) - container ${users[0]!.slice(0, 12)} is using its referenced image ${shortId(rec.id)}`);
        }
      } else if (!force && tags.length > 1) {
        throw conflict(`conflict: unable to delete ${shortId(rec.id)} (must be forced) - image is referenced in multiple repositories`);
      }
      if (untagAll) {
        if (users.length && !force) throw conflict(`conflict: unable to delete ${shortId(rec.id)} (cannot be forced) - image is being used by running container ${users[0]!.slice(0, 12)}`);
        for (const k of [...tags, ...digests]) { delete refs.tags[k]; delete refs.digests[k]; untagged.push(k); }
      }
      await this.meta.writeRefs(refs);
      const deleted: string[] = [];
      const stillNamed = Object.values(refs.tags).includes(rec.id) || Object.values(refs.digests).includes(rec.id);
      if (!stillNamed && users.length === 0) {
        await this.meta.delete(rec.id);
        deleted.push(rec.id, ...(await this.collect()));
      }
      const familiar = (s: string) => familiarString(parseReference(s));
      return { untagged: untagged.map(familiar), deleted };
    });
  }

  /**
   * Removes blobs and unpacked layers no image, container or pull in
   * progress needs; returns the layers' diff IDs removed.
   */
  private async collect(): Promise<string[]> {
    const images = await this.meta.all();
    const snaps = await this.snapshots.list();
    const keepBlobs = new Set(this.pinned.keys());
    const keepLayers = new Set(this.pinned.keys());
    const refs = await this.meta.refs();
    for (const k of Object.keys(refs.digests)) keepBlobs.add(k.slice(k.indexOf('@') + 1));
    for (const r of images) {
      keepBlobs.add(r.configDigest).add(r.manifestDigest);
      for (const l of r.layers) { keepBlobs.add(l.digest); keepLayers.add(l.diffId); }
    }
    for (const s of snaps) for (const l of s.layers) keepLayers.add(l);
    for (const d of this.content.list()) if (!keepBlobs.has(d)) await this.content.delete(d);
    const removed: string[] = [];
    for (const l of this.snapshots.listLayers()) {
      if (keepLayers.has(l)) continue;
      await this.snapshots.removeLayer(l);
      removed.push(l);
    }
    return removed;
  }

  /** docker image prune: dangling images (no tag), or with all every image no container uses. */
  async prune(all = false): Promise<{ deleted: string[]; reclaimed: number }> {
    const used = new Set((await this.snapshots.list()).map((s) => s.image));
    const refs = await this.meta.refs();
    const tagged = new Set(Object.values(refs.tags));
    const deleted: string[] = [];
    let reclaimed = 0;
    // Dangling is untagged with no child (a build's intermediate images are not): removing a
    // leaf can make its parent one, so again until nothing goes, as docker deletes untagged parents.
    for (let again = true; again;) {
      again = false;
      const records = await this.meta.all();
      const parents = new Set(records.map((r) => r.parent).filter(Boolean));
      for (const r of records) {
        if (used.has(r.id) || (!all && (tagged.has(r.id) || parents.has(r.id)))) continue;
        reclaimed += r.size;
        const res = await this.remove(r.id, true);
        deleted.push(...res.untagged.map((u) => `untagged: ${u}`), ...res.deleted.map((d) => `deleted: ${d}`));
        again = !all;
      }
    }
    return { deleted, reclaimed };
  }

  // ---- push ----

  /** Pushes a tagged image: blobs the registry lacks, then the manifest. Returns the manifest digest. */
  async push(reference: string, o: { credentials?: Credentials; progress?: ProgressFn } = {}): Promise<string> {
    const ref = normalize(reference);
    const what = familiarString(ref);
    const progress = o.progress ?? (() => undefined);
    const rec = await this.resolve(reference).catch((e) => {
      if (e instanceof ImageError && e.kind === 'not-found') throw notFound(`An image does not exist locally with the tag: ${familiarName(ref)}`);
      throw e;
    });
    const reg = this.registry(ref, o.credentials);
    progress({ id: '', status: `The push refers to repository [${familiarName(ref)}]` });
    const blobs = [...rec.layers.map((l) => ({ digest: l.digest, size: l.size })), { digest: rec.configDigest, size: this.content.size(rec.configDigest) }];
    for (const b of blobs.slice(0, -1).reverse()) progress({ id: shortId(b.digest), status: 'Preparing' });
    for (const b of blobs) {
      const id = shortId(b.digest);
      const layer = b.digest !== rec.configDigest;
      if (await reg.hasBlob(b.digest, what)) {
        if (layer) progress({ id, status: 'Layer already exists' });
        continue;
      }
      if (layer) progress({ id, status: 'Pushing', current: 0, total: b.size });
      await reg.uploadBlob(b.digest, b.size, () => fs.createReadStream(this.content.path(b.digest)), what);
      if (layer) progress({ id, status: 'Pushed' });
    }
    const manifest = await this.content.read(rec.manifestDigest);
    await reg.putManifest(ref.tag ?? rec.manifestDigest, manifest, rec.manifestMediaType, what);
    await this.meta.lock(async () => {
      const refs = await this.meta.refs();
      refs.digests[`${repoName(ref)}@${rec.manifestDigest}`] = rec.id;
      await this.meta.writeRefs(refs);
    });
    progress({ id: '', status: `${ref.tag ?? 'latest'}: digest: ${rec.manifestDigest} size: ${manifest.length}` });
    return rec.id;
  }

  /** The tags of a repository (pull --all-tags). */
  async tags(repository: string, credentials?: Credentials): Promise<string[]> {
    const ref = parseReference(repository);
    if (ref.tag || ref.digest) throw invalid(`tag can't be used with --all-tags/-a: ${repository}`);
    return this.registry(ref, credentials).tags(familiarName(ref));
  }

  /** Checks credentials against a registry's /v2/ (hullctl login). */
  async login(registry: string, credentials: Credentials): Promise<string> {
    const reg = new Registry(parseReference(`${registry}/x`).registry, '', { insecure: this.opts.insecureRegistries, credentials, retries: 1, certsDir: this.opts.certsDir });
    await reg.ping(registry);
    return 'Login Succeeded';
  }

  // ---- commit, diff ----

  /** A container's changes as a new image on top of its own; tagged when `reference` is given. */
  async commit(containerId: string, reference: string | undefined, o: CommitOptions = {}): Promise<string> {
    const snap = await this.snapshots.must(containerId);
    const parent = await this.meta.must(snap.image);
    const ref = reference ? normalize(reference) : undefined;
    if (ref?.digest) throw invalid(`refusing to create a tag with a digest reference: ${reference}`);
    const parentConfig = await this.content.readJson<ImageConfig>(parent.configDigest);
    const parentManifest = await this.content.readJson<Manifest>(parent.manifestDigest);
    const layer = await storeLayer(this.content, this.snapshots.upperDir(containerId));
    const unpin = this.pin([layer.digest, layer.diffId]);
    try {
      await this.snapshots.ensureLayer(layer.diffId, () => fs.createReadStream(this.content.path(layer.digest)), `commit ${containerId}`);
      const { config, manifest } = childImage(parentConfig, parentManifest, parent.manifestMediaType, layer, o);
      const configBuf = Buffer.from(JSON.stringify(config));
      const configDigest = await this.content.put(configBuf);
      const m = manifest(configDigest, configBuf.length);
      const manifestBuf = Buffer.from(JSON.stringify(m));
      const manifestDigest = await this.content.put(manifestBuf);
      const layers = [...parent.layers, { digest: layer.digest, diffId: layer.diffId, size: layer.size, mediaType: m.layers[m.layers.length - 1]!.mediaType }];
      const rec = await this.record(m, manifestDigest, m.mediaType!, config, layers);
      await this.meta.lock(async () => {
        await this.meta.put(rec);
        if (ref) {
          const refs = await this.meta.refs();
          refs.tags[formatReference(ref)] = rec.id;
          await this.meta.writeRefs(refs);
        }
      });
      return rec.id;
    } finally {
      unpin();
    }
  }

  /**
   * A child image for a builder: `parent`'s layers plus, when `upper` is
   * given, that directory as one more layer (whiteouts back to OCI form), and
   * the config the caller made (its rootfs.diff_ids are set here; its
   * history entry is the caller's: `empty_layer` when there is no `upper`).
   * `parent` undefined is `scratch`. Returns the new image's ID.
   */
  async writeImage(config: ImageConfig, parent: ImageRecord | undefined, upper?: string): Promise<string> {
    const layers = [...(parent?.layers ?? [])];
    const mediaType = parent?.manifestMediaType ?? MEDIA.ociManifest;
    const oci = mediaType === MEDIA.ociManifest;
    let unpin = () => {};
    try {
      if (upper) {
        const layer = await storeLayer(this.content, upper);
        unpin = this.pin([layer.digest, layer.diffId]);
        await this.snapshots.ensureLayer(layer.diffId, () => fs.createReadStream(this.content.path(layer.digest)), 'build step');
        layers.push({ digest: layer.digest, diffId: layer.diffId, size: layer.size, mediaType: oci ? MEDIA.ociLayerGzip : MEDIA.dockerLayerGzip });
      }
      const full: ImageConfig = { ...config, rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) } };
      const configBuf = Buffer.from(JSON.stringify(full));
      const configDigest = await this.content.put(configBuf);
      const m: Manifest = {
        schemaVersion: 2,
        mediaType: oci ? MEDIA.ociManifest : MEDIA.dockerManifest,
        config: { mediaType: oci ? MEDIA.ociConfig : MEDIA.dockerConfig, digest: configDigest, size: configBuf.length },
        layers: layers.map((l) => ({ mediaType: l.mediaType, digest: l.digest, size: l.size })),
      };
      const manifestDigest = await this.content.put(Buffer.from(JSON.stringify(m)));
      const rec = { ...(await this.record(m, manifestDigest, m.mediaType!, full, layers)), ...(parent ? { parent: parent.id } : {}) };
      await this.meta.lock(() => this.meta.put(rec));
      return rec.id;
    } finally {
      unpin();
    }
  }

  async diff(containerId: string): Promise<Change[]> {
    const snap = await this.snapshots.must(containerId);
    return diffUpper(this.snapshots.upperDir(containerId), this.snapshots.lowerDirs(snap));
  }

  // ---- import, export ----

  /**
   * docker import: a tarball (a file on this host, or an http(s) URL) as a
   * one-layer image, tagged when `reference` is given; returns its ID. A bad
   * tarball leaves nothing behind: the layer reaches the store only once it
   * has been unpacked whole.
   */
  async importTarball(source: string, reference: string | undefined, o: ImportOptions = {}): Promise<string> {
    const ref = reference ? normalize(reference) : undefined;
    if (ref?.digest) throw invalid(`refusing to create a tag with a digest reference: ${reference}`);
    if (o.platform) parsePlatform(o.platform);
    applyChanges({}, o.changes ?? []);
    const what = o.label ?? source;
    let file = source;
    let downloaded = false;
    if (isUrl(source)) {
      file = await download(this.content, source);
      downloaded = true;
    } else {
      if (!path.isAbsolute(source)) throw invalid(`import: ${source}: must be an absolute path`);
      if (!fs.existsSync(source)) throw notFound(`import: open ${what}: no such file`);
    }
    try {
      const layer = await layerOfTarball(this.content, file, what);
      const unpin = this.pin([layer.digest, layer.diffId]);
      try {
        await this.snapshots.ensureLayer(layer.diffId, () => fs.createReadStream(layer.tmp), `import ${what}`).catch((e: Error) => {
          throw e instanceof ImageError ? e : invalid(`import ${what}: not a tar archive: ${e.message}`);
        });
        await adoptLayer(this.content, layer);
        const { config, manifest } = importedImage(layer, { ...o, label: o.label ?? source });
        const configBuf = Buffer.from(JSON.stringify(config));
        const configDigest = await this.content.put(configBuf);
        const m = manifest(configDigest, configBuf.length);
        const manifestBuf = Buffer.from(JSON.stringify(m));
        const manifestDigest = await this.content.put(manifestBuf);
        const rec = await this.record(m, manifestDigest, m.mediaType!, config, [{ digest: layer.digest, diffId: layer.diffId, size: layer.size, mediaType: MEDIA.dockerLayerGzip }]);
        await this.meta.lock(async () => {
          await this.meta.put(rec);
          if (ref) {
            const refs = await this.meta.refs();
            refs.tags[formatReference(ref)] = rec.id;
            await this.meta.writeRefs(refs);
          }
        });
        return rec.id;
      } finally {
        await fsp.rm(layer.tmp, { force: true });
        unpin();
      }
    } finally {
      if (downloaded) await fsp.rm(file, { force: true });
    }
  }

  /**
   * docker export: a container's flat filesystem (its upper dir over its
   * image's layers; or `rootfs`, for a container not made from an image) as a
   * tar written to `file`, an absolute path on this host.
   */
  async exportContainer(containerId: string, file: string, rootfs?: string): Promise<void> {
    if (!path.isAbsolute(file)) throw invalid(`export: ${file}: must be an absolute path`);
    let dirs: string[];
    const snap = await this.snapshots.get(containerId);
    if (snap) dirs = [this.snapshots.upperDir(containerId), ...this.snapshots.lowerDirs(snap)];
    else if (rootfs) {
      if (!path.isAbsolute(rootfs) || !fs.statSync(rootfs, { throwIfNoEntry: false })?.isDirectory()) throw invalid(`export ${containerId}: rootfs ${rootfs}: not a directory`);
      dirs = [rootfs];
    } else throw notFound(`export ${containerId}: no snapshot of that container (and no rootfs given)`, { id: containerId });
    try {
      await packMerged(dirs, fs.createWriteStream(file, { mode: 0o600 }));
    } catch (e) {
      await fsp.rm(file, { force: true });
      throw e;
    }
  }

  // ---- save, load ----

  /** Writes images (by reference or ID) to one archive at `file` (see archive.ts). */
  async save(names: string[], file: string, format = 'docker-archive'): Promise<void> {
    if (!['docker-archive', 'oci-archive'].includes(format)) throw invalid(`save: format ${JSON.stringify(format)}: use docker-archive or oci-archive`);
    if (!names.length) throw invalid('save: no image named');
    if (!path.isAbsolute(file)) throw invalid(`save: ${file}: must be an absolute path`);
    const list: ArchiveImage[] = [];
    for (const n of names) {
      const rec = await this.resolve(n);
      const tagged = /^(sha256:)?[a-f0-9]{4,64}$/.test(n) ? (await this.meta.namesOf(rec.id)).tags : [formatReference(normalize(n))];
      list.push({
        names: tagged.map((t) => familiarString(parseReference(t))),
        manifest: await this.content.read(rec.manifestDigest), manifestDigest: rec.manifestDigest,
        config: await this.content.read(rec.configDigest), configDigest: rec.configDigest,
        layers: rec.layers.map((l) => ({ digest: l.digest, size: l.size, path: this.content.path(l.digest) })),
      });
    }
    await writeArchive(file, list, (d) => this.content.path(d));
  }

  /** Loads every image of an archive (docker-archive, classic or OCI-shaped, or an OCI layout tar); returns docker's "Loaded image" lines. */
  async load(file: string): Promise<string[]> {
    if (!path.isAbsolute(file)) throw invalid(`load: ${file}: must be an absolute path`);
    if (!fs.existsSync(file)) throw notFound(`load: ${file}: no such file`);
    const dir = this.content.tempPath('load');
    await fsp.mkdir(dir, { mode: 0o700 });
    const pins: (() => void)[] = [];
    try {
      const find = await extractArchive(fs.createReadStream(file), dir);
      const exists = (n: string) => { try { find(n); return true; } catch { return false; } };
      const loaded: string[] = [];
      if (exists('manifest.json')) {
        const entries = JSON.parse(await fsp.readFile(find('manifest.json'), 'utf8')) as { Config: string; RepoTags?: string[] | null; Layers: string[] }[];
        for (const e of entries) {
          const configBuf = await fsp.readFile(find(e.Config));
          const rec = await this.importImage(configBuf, e.Layers.map((l) => find(l)), undefined, pins);
          loaded.push(...(await this.nameLoaded(rec.id, e.RepoTags ?? [])));
        }
      } else if (exists('index.json')) {
        const index = JSON.parse(await fsp.readFile(find('index.json'), 'utf8')) as Index;
        for (const d of index.manifests) {
          let desc = d;
          let body = await fsp.readFile(find(`blobs/sha256/${desc.digest.slice(7)}`));
          if (isIndex(desc.mediaType, JSON.parse(body.toString()))) {
            desc = choosePlatform(JSON.parse(body.toString()) as Index, hostPlatform(), file);
            body = await fsp.readFile(find(`blobs/sha256/${desc.digest.slice(7)}`));
          }
          const m = checkManifest(JSON.parse(body.toString()), file);
          const configBuf = await fsp.readFile(find(`blobs/sha256/${m.config.digest.slice(7)}`));
          const rec = await this.importImage(configBuf, m.layers.map((l) => find(`blobs/sha256/${l.digest.slice(7)}`)), body, pins);
          const name = d.annotations?.['io.containerd.image.name'] ?? d.annotations?.['org.opencontainers.image.ref.name'];
          loaded.push(...(await this.nameLoaded(rec.id, name && name.includes(':') || name?.includes('/') ? [name] : [])));
        }
      } else throw invalid(`load: ${file}: neither a docker archive (manifest.json) nor an OCI layout (index.json)`);
      return loaded;
    } finally {
      for (const p of pins) p();
      await fsp.rm(dir, { recursive: true, force: true });
    }
  }

  private async nameLoaded(id: string, names: string[]): Promise<string[]> {
    if (!names.length) return [`Loaded image ID: ${id}`];
    await this.meta.lock(async () => {
      const refs = await this.meta.refs();
      for (const n of names) refs.tags[formatReference(normalize(n))] = id;
      await this.meta.writeRefs(refs);
    });
    return names.map((n) => `Loaded image: ${familiarString(normalize(n))}`);
  }

  /** Stores a config and its layer files (tar or gzip) as an image; reuses `manifest` when given. */
  private async importImage(configBuf: Buffer, layerFiles: string[], manifestBuf: Buffer | undefined, pins: (() => void)[]): Promise<ImageRecord> {
    const config = JSON.parse(configBuf.toString()) as ImageConfig;
    const diffIds = config.rootfs?.diff_ids ?? [];
    if (diffIds.length !== layerFiles.length) throw invalid(`load: the config lists ${diffIds.length} layers, the archive ${layerFiles.length}`);
    const configDigest = await this.content.put(configBuf);
    pins.push(this.pin([configDigest, ...diffIds]));
    const layers: LayerRecord[] = [];
    for (const [i, f] of layerFiles.entries()) {
      const digest = await fileDigest(f);
      const size = fs.statSync(f).size;
      const head = Buffer.alloc(2);
      const fd = fs.openSync(f, 'r');
      fs.readSync(fd, head, 0, 2, 0);
      fs.closeSync(fd);
      const gz = head[0] === 0x1f && head[1] === 0x8b;
      pins.push(this.pin([digest]));
      if (!this.content.has(digest)) await fsp.copyFile(f, this.content.path(digest) + '.tmp').then(() => this.content.adopt(this.content.path(digest) + '.tmp', digest));
      await this.snapshots.ensureLayer(diffIds[i]!, () => fs.createReadStream(this.content.path(digest)), `load: layer ${i + 1}`);
      layers.push({ digest, diffId: diffIds[i]!, size, mediaType: gz ? MEDIA.dockerLayerGzip : 'application/vnd.docker.image.rootfs.diff.tar' });
    }
    let manifest: Manifest;
    if (manifestBuf) manifest = checkManifest(JSON.parse(manifestBuf.toString()), 'load');
    else {
      manifest = {
        schemaVersion: 2, mediaType: MEDIA.dockerManifest,
        config: { mediaType: MEDIA.dockerConfig, digest: configDigest, size: configBuf.length },
        layers: layers.map((l) => ({ mediaType: l.mediaType, digest: l.digest, size: l.size })),
      };
      manifestBuf = Buffer.from(JSON.stringify(manifest));
    }
    const manifestDigest = await this.content.put(manifestBuf);
    if (manifest.mediaType === undefined) manifest.mediaType = MEDIA.ociManifest;
    const rec = await this.record(manifest, manifestDigest, manifest.mediaType, config, layers.map((l, i) => ({ ...l, mediaType: manifest.layers[i]?.mediaType ?? l.mediaType })));
    await this.meta.lock(() => this.meta.put(rec));
    return rec;
  }

  // ---- containers' root filesystems ----

  /** A container's snapshot over an image; returns the mounts for Task.Create and the image config. */
  async prepare(containerId: string, name: string): Promise<{ mounts: Mount[]; image: ImageRecord; config: ImageConfig; lowerDirs: string[] }> {
    const image = await this.resolve(name);
    const config = await this.content.readJson<ImageConfig>(image.configDigest);
    const mounts = await this.snapshots.prepare(containerId, image.id, image.layers.map((l) => l.diffId));
    const rec = (await this.snapshots.get(containerId))!;
    return { mounts, image, config, lowerDirs: this.snapshots.lowerDirs(rec) };
  }

  async removeSnapshot(containerId: string): Promise<boolean> {
    return this.snapshots.remove(containerId);
  }

  /** docker system df's image part. */
  async df(): Promise<{ images: number; active: number; size: number; reclaimable: number; containers: number; containersSize: number }> {
    const all = await this.meta.all();
    const snaps = await this.snapshots.list();
    const used = new Set(snaps.map((s) => s.image));
    const size = all.reduce((n, r) => n + r.size, 0);
    const reclaimable = all.filter((r) => !used.has(r.id)).reduce((n, r) => n + r.size, 0);
    let containersSize = 0;
    for (const s of snaps) containersSize += duSync(this.snapshots.upperDir(s.id));
    return { images: all.length, active: used.size, size, reclaimable, containers: snaps.length, containersSize };
  }
}

/** A registry mirror: http(s)://host[:port], nothing else. */
export function parseMirror(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw invalid(`registry mirror ${JSON.stringify(text)}: not a URL (expected http(s)://host[:port])`);
  }
  if (!['http:', 'https:'].includes(url.protocol) || (url.pathname !== '/' && url.pathname !== '') || url.search || url.username) {
    throw invalid(`registry mirror ${JSON.stringify(text)}: expected http(s)://host[:port] with no path`);
  }
  return url;
}

/** Bytes used by the regular files under a directory. */
export function duSync(dir: string): number {
  let n = 0;
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) n += duSync(p);
    else if (e.isFile()) n += fs.lstatSync(p).size;
  }
  return n;
}

async function fileDigest(file: string): Promise<string> {
  const h = crypto.createHash('sha256');
  for await (const c of fs.createReadStream(file)) h.update(c as Buffer);
  return `sha256:${h.digest('hex')}`;
}

export type { ContainerConfig, ImageConfig, ImageRecord, Mount, Change, CommitOptions, ImportOptions };
export { isDigest };
