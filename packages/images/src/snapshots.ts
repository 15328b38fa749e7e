// Snapshots: the union file system. Each layer is unpacked once into its own
// directory (<root>/layers/<diffID hex>), complete before it is visible (an
// unpack goes to a temp directory that is renamed), and shared by every image
// that has it. A container's rootfs is overlay(lowerdir=its image's layers,
// top first; upperdir and workdir of its own, <root>/containers/<id>). What
// uses a layer is computed from the image records and the container
// snapshots, never counted by hand, so no count can drift after a crash.
import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { readJson, writeFileAtomic } from '@hull/sys/atomic';
import { conflict, corrupt, invalid, notFound } from './errors';
import { unpackLayer } from './unpack';

/** A containerd.types.Mount: what the supervisor mounts on <bundle>/rootfs. */
export interface Mount {
  type: string;
  source: string;
  options: string[];
}

export interface SnapshotRecord {
  id: string;
  /** The image it was made from. */
  image: string;
  /** DiffIDs, bottom first. */
  layers: string[];
  created: string;
}

const ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

function hex(diffId: string): string {
  return diffId.replace(/^sha256:/, '');
}

export class Snapshots {
  readonly layersDir: string;
  readonly containersDir: string;
  private readonly inflight = new Map<string, Promise<void>>();

  constructor(readonly root: string) {
    this.layersDir = path.join(root, 'layers');
    this.containersDir = path.join(root, 'containers');
    fs.mkdirSync(this.layersDir, { recursive: true, mode: 0o700 });
    fs.mkdirSync(this.containersDir, { recursive: true, mode: 0o700 });
    // Unpacks a crash interrupted are garbage.
    for (const n of fs.readdirSync(this.layersDir)) if (n.startsWith('.tmp-')) fs.rmSync(path.join(this.layersDir, n), { recursive: true, force: true });
  }

  layerPath(diffId: string): string {
    return path.join(this.layersDir, hex(diffId));
  }

  hasLayer(diffId: string): boolean {
    return fs.existsSync(this.layerPath(diffId));
  }

  /**
   * Unpacks a layer unless it is there; the tar must hash to `diffId`.
   * Concurrent calls for one layer share one unpack.
   */
  async ensureLayer(diffId: string, open: () => Readable, label: string): Promise<boolean> {
    if (this.hasLayer(diffId)) return false;
    let p = this.inflight.get(diffId);
    if (!p) {
      p = this.unpack(diffId, open, label).finally(() => this.inflight.delete(diffId));
      this.inflight.set(diffId, p);
    }
    await p;
    return true;
  }

  private async unpack(diffId: string, open: () => Readable, label: string): Promise<void> {
    const tmp = path.join(this.layersDir, `.tmp-${hex(diffId).slice(0, 12)}-${crypto.randomBytes(4).toString('hex')}`);
    await fsp.mkdir(tmp, { mode: 0o755 });
    try {
      const res = await unpackLayer(open(), tmp, label);
      if (res.diffId !== diffId) throw corrupt(`${label}: diff ID mismatch: the config says ${diffId}, the layer's tar is ${res.diffId}`, { diffId, actual: res.diffId });
      await fsp.rename(tmp, this.layerPath(diffId));
    } catch (e) {
      await fsp.rm(tmp, { recursive: true, force: true });
      throw e;
    }
  }

  async removeLayer(diffId: string): Promise<void> {
    await fsp.rm(this.layerPath(diffId), { recursive: true, force: true });
  }

  listLayers(): string[] {
    return fs.readdirSync(this.layersDir).filter((n) => /^[a-f0-9]{64}$/.test(n)).map((n) => `sha256:${n}`);
  }

  private dir(id: string): string {
    if (!ID.test(id)) throw invalid(`snapshot ${JSON.stringify(id)}: must match ${ID.source}`);
    return path.join(this.containersDir, id);
  }

  upperDir(id: string): string {
    return path.join(this.dir(id), 'upper');
  }

  async get(id: string): Promise<SnapshotRecord | undefined> {
    return readJson<SnapshotRecord>(path.join(this.dir(id), 'snapshot.json'));
  }

  async must(id: string): Promise<SnapshotRecord> {
    const s = await this.get(id);
    if (!s) throw notFound(`snapshot ${id}: not found`, { id });
    return s;
  }

  async list(): Promise<SnapshotRecord[]> {
    const out: SnapshotRecord[] = [];
    for (const n of fs.readdirSync(this.containersDir)) {
      const s = await readJson<SnapshotRecord>(path.join(this.containersDir, n, 'snapshot.json')).catch(() => undefined);
      if (s) out.push(s);
    }
    return out;
  }

  /** Makes a container's upper and work dirs over `layers` (bottom first); returns the mounts. */
  async prepare(id: string, image: string, layers: string[]): Promise<Mount[]> {
    const dir = this.dir(id);
    for (const l of layers) if (!this.hasLayer(l)) throw notFound(`snapshot ${id}: layer ${l} is not unpacked`, { layer: l });
    try {
      await fsp.mkdir(dir, { mode: 0o700 });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw conflict(`snapshot ${id}: already exists`, { id });
      throw e;
    }
    try {
      await fsp.mkdir(path.join(dir, 'upper'), { mode: 0o755 });
      await fsp.mkdir(path.join(dir, 'work'), { mode: 0o700 });
      // overlayfs wants at least one lower dir: an image without layers gets an empty one.
      if (layers.length === 0) await fsp.mkdir(path.join(dir, 'empty'), { mode: 0o755 });
      const rec: SnapshotRecord = { id, image, layers, created: new Date().toISOString() };
      await writeFileAtomic(path.join(dir, 'snapshot.json'), JSON.stringify(rec), { mode: 0o600 });
      return this.mounts(rec);
    } catch (e) {
      await fsp.rm(dir, { recursive: true, force: true });
      throw e;
    }
  }

  /** The lower dirs of a snapshot, top layer first (overlayfs' order). */
  lowerDirs(rec: SnapshotRecord): string[] {
    if (rec.layers.length === 0) return [path.join(this.dir(rec.id), 'empty')];
    return rec.layers.map((l) => this.layerPath(l)).reverse();
  }

  mounts(rec: SnapshotRecord): Mount[] {
    const dir = this.dir(rec.id);
    const options = [
      `lowerdir=${this.lowerDirs(rec).join(':')}`,
      `upperdir=${path.join(dir, 'upper')}`,
      `workdir=${path.join(dir, 'work')}`,
    ];
    return [{ type: 'overlay', source: 'overlay', options }];
  }

  async remove(id: string): Promise<boolean> {
    const dir = this.dir(id);
    if (!fs.existsSync(dir)) return false;
    await fsp.rm(dir, { recursive: true, force: true });
    return true;
  }
}
