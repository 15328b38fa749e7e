// Volumes in the supervisor's state dir, as docker's local driver keeps them:
// <state-dir>/volumes/<name>/volume.json and the data in _data. A volume
// records the containers holding it; it cannot be removed while one does.
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { exists, invalid, notFound, precondition } from '../errors';
import { readJson, Serial, writeJsonAtomic } from '../jsonfile';
import { track } from '../spawned';
import { seedPath } from './seed';
import { removeStaleViews, withImageView } from './view';

// docker's rule for volume names.
export const VOLUME_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;
const CONTAINER_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

export interface VolumeRecord {
  name: string;
  labels: Record<string, string>;
  createdAt: string;
  anonymous: boolean;
  usedBy: string[];
  /** Seeded once (or found non-empty): later mounts never copy into it. */
  seeded: boolean;
}

export interface VolumeInfo extends VolumeRecord {
  mountpoint: string;
}

export class VolumeStore {
  readonly dir: string;
  private readonly serial = new Serial();

  constructor(stateDir: string) {
    this.dir = path.join(stateDir, 'volumes');
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    removeStaleViews(this.dir);
  }

  private recordFile(name: string): string {
    return path.join(this.dir, name, 'volume.json');
  }

  mountpoint(name: string): string {
    return path.join(this.dir, name, '_data');
  }

  private read(name: string): VolumeRecord | undefined {
    if (!VOLUME_NAME.test(name)) return undefined;
    return readJson<VolumeRecord>(this.recordFile(name));
  }

  private get(name: string): VolumeRecord {
    const rec = this.read(name);
    if (!rec) throw notFound(`get ${name}: no such volume`, { volume: name });
    return rec;
  }

  private info(rec: VolumeRecord): VolumeInfo {
    return { ...rec, mountpoint: this.mountpoint(rec.name) };
  }

  private make(name: string, labels: Record<string, string>, anonymous: boolean): VolumeRecord {
    const dir = path.join(this.dir, name);
    try {
      fs.mkdirSync(dir, { mode: 0o701 });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw exists(`volume ${name}: already exists`, { volume: name });
      throw e;
    }
    try {
      fs.mkdirSync(path.join(dir, '_data'), { mode: 0o755 });
      const rec: VolumeRecord = { name, labels, createdAt: new Date().toISOString(), anonymous, usedBy: [], seeded: false };
      writeJsonAtomic(this.recordFile(name), rec);
      return rec;
    } catch (e) {
      fs.rmSync(dir, { recursive: true, force: true });
      throw e;
    }
  }

  private checkName(name: string): void {
    if (!VOLUME_NAME.test(name)) {
      throw invalid(`create ${name}: "${name}" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`, { volume: name });
    }
  }

  /** docker volume create: an existing name is returned as it is, as docker does. */
  create(name: string, labels: Record<string, string> = {}): Promise<VolumeInfo> {
    return this.serial.run(() => {
      if (!name) return this.info(this.make(crypto.randomBytes(32).toString('hex'), labels, true));
      this.checkName(name);
      const old = this.read(name);
      return this.info(old ?? this.make(name, labels, false));
    });
  }

  list(danglingOnly = false): VolumeInfo[] {
    const out: VolumeInfo[] = [];
    for (const name of fs.readdirSync(this.dir).sort()) {
      const rec = this.read(name);
      if (rec && (!danglingOnly || rec.usedBy.length === 0)) out.push(this.info(rec));
    }
    return out;
  }

  inspect(name: string): VolumeInfo {
    return this.info(this.get(name));
  }

  remove(name: string): Promise<void> {
    return this.serial.run(() => {
      const rec = this.get(name);
      if (rec.usedBy.length > 0) {
        throw precondition(`remove ${name}: volume is in use - [${rec.usedBy.join(', ')}]`, { volume: name, usedBy: rec.usedBy });
      }
      this.destroy(name);
    });
  }

  private destroy(name: string): void {
    // The record goes first: a crash half-way leaves no volume that looks whole.
    fs.rmSync(this.recordFile(name), { force: true });
    fs.rmSync(path.join(this.dir, name), { recursive: true, force: true });
  }

  prune(all: boolean): Promise<{ removed: string[]; bytes: number }> {
    return this.serial.run(() => {
      const removed: string[] = [];
      let bytes = 0;
      for (const v of this.list(true)) {
        if (!all && !v.anonymous) continue;
        bytes += diskUsage(v.mountpoint);
        this.destroy(v.name);
        removed.push(v.name);
      }
      return { removed, bytes };
    });
  }

  /**
   * The volume for a container's mount: made on first use, seeded while it is
   * new and empty from `seedFrom` (a directory), or from `image.path` inside
   * the union of `image.layers` (an image's layer directories, top first).
   */
  acquire(containerId: string, name: string, seedFrom: string, image?: { layers: string[]; path: string }): Promise<VolumeInfo> {
    if (!CONTAINER_ID.test(containerId)) return Promise.reject(invalid(`container id ${JSON.stringify(containerId)}: invalid`));
    if (seedFrom && !path.isAbsolute(seedFrom)) return Promise.reject(invalid(`seed_from ${JSON.stringify(seedFrom)}: must be an absolute path`));
    if (image?.layers.length) {
      const bad = image.layers.find((l) => !path.isAbsolute(l) || l.includes(':') || l.includes(',') || !isDir(l));
      if (bad !== undefined) return Promise.reject(invalid(`seed_layers: ${JSON.stringify(bad)}: not an absolute path of a directory`));
    }
    return this.serial.run(async () => {
      if (name) this.checkName(name);
      const old = name ? this.read(name) : undefined;
      let rec = old ?? this.make(name || crypto.randomBytes(32).toString('hex'), {}, !name);
      const target = this.mountpoint(rec.name);
      if (!rec.seeded && isEmptyDir(target) && (seedFrom || image?.layers.length)) {
        try {
          if (image?.layers.length) {
            await withImageView(this.dir, image.layers, async (root) => {
              const from = seedPath(root, image.path);
              if (from && isDir(from)) await copyTree(from, target);
            });
          } else if (isDir(seedFrom)) await copyTree(seedFrom, target);
        } catch (e) {
          if (!old) this.destroy(rec.name);
          throw e;
        }
      }
      rec = { ...rec, seeded: true, usedBy: rec.usedBy.includes(containerId) ? rec.usedBy : [...rec.usedBy, containerId] };
      writeJsonAtomic(this.recordFile(rec.name), rec);
      return this.info(rec);
    });
  }

  /** Gives back every volume `containerId` holds; removes its anonymous ones if asked. */
  release(containerId: string, removeAnonymous: boolean): Promise<string[]> {
    return this.serial.run(() => {
      const removed: string[] = [];
      for (const v of this.list()) {
        if (!v.usedBy.includes(containerId)) continue;
        const { mountpoint: _m, ...rec } = v;
        rec.usedBy = rec.usedBy.filter((id) => id !== containerId);
        if (removeAnonymous && rec.anonymous && rec.usedBy.length === 0) {
          this.destroy(rec.name);
          removed.push(rec.name);
        } else writeJsonAtomic(this.recordFile(rec.name), rec);
      }
      return removed;
    });
  }
}

function isDir(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function isEmptyDir(p: string): boolean {
  return fs.readdirSync(p).length === 0;
}

/** cp -a: owners, modes, times, links and special files, as docker's copy-up keeps them. */
function copyTree(from: string, to: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const cp = track(spawn('cp', ['-a', '--', `${from}/.`, `${to}/`], { stdio: ['ignore', 'ignore', 'pipe'] }));
    let err = '';
    cp.stderr.on('data', (b: Buffer) => (err += b.toString()));
    cp.on('error', reject);
    cp.on('close', (code) => (code === 0 ? resolve() : reject(invalid(`seed volume from ${from}: ${err.trim() || `cp exited ${code}`}`))));
  });
}

function diskUsage(dir: string): number {
  let total = 0;
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else total += fs.lstatSync(p).size;
    }
  };
  try {
    walk(dir);
  } catch { /* gone meanwhile */ }
  return total;
}
