// The state root (--root, default /run/hull): one directory per container
// holding state.json (written atomically: temp file, rename), the
// exec fifo and a lock so two commands on one container never interleave.
import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomicSync } from '@hull/sys/atomic';
import { ExistsError, NotFoundError, UsageError } from '../errors';
import { isoTime } from '../time';
import type { Spec } from '../spec/types';

/** runc's rule: /run/<name> for root, $XDG_RUNTIME_DIR/<name> for anyone else who has one. */
export const DEFAULT_ROOT = process.geteuid?.() !== 0 && process.env.XDG_RUNTIME_DIR ? `${process.env.XDG_RUNTIME_DIR}/hull` : '/run/hull';
export const EXEC_FIFO = 'exec.fifo';
const STATE_FILE = 'state.json';
const LOCK_FILE = '.lock';

export type Status = 'creating' | 'created' | 'running' | 'stopped' | 'paused';

/** What hull keeps about a container between commands. */
export interface ContainerRecord {
  ociVersion: string;
  id: string;
  /** The init's pid (the container process after start); 0 while creating. */
  pid: number;
  /** /proc/<pid>/stat start time: tells a reused pid from ours. */
  startTime: string;
  bundle: string;
  rootfs: string;
  annotations: Record<string, string>;
  /** ISO time of create. */
  created: string;
  /** Set only while create runs (with the creating command's pid); afterwards the status is computed. */
  creating?: boolean;
  creatorPid?: number;
  /** The creator is a long-lived process running create as a library (its name, e.g. hull-shim), not a `hull create`. */
  creatorHost?: string;
  /** Whether `start` already ran (poststart and the fifo are gone). */
  started?: boolean;
  cgroupPaths: Record<string, string>;
  /** Per hierarchy, the topmost cgroup directory create made: delete removes up to it, never above. */
  cgroupCreated?: Record<string, string>;
  /** Without a mount namespace: mount points below the rootfs that existed before create (kept at delete). */
  hostMountsKept?: string[];
  /** The config as validated at create: exec and delete need it after the bundle may be gone. */
  spec: Spec;
}

/** The record of a container whose create (or restore) is under way in this process. */
export function creatingRecord(id: string, spec: Spec, bundle: string, rootfs: string, host?: string): ContainerRecord {
  return {
    ociVersion: spec.ociVersion,
    id,
    pid: 0,
    startTime: '',
    bundle,
    rootfs,
    annotations: spec.annotations ?? {},
    created: isoTime(),
    creating: true,
    creatorPid: process.pid,
    ...(host ? { creatorHost: host } : {}),
    cgroupPaths: {},
    spec,
  };
}

// runc's rule: letters, digits, _ + - . and not "." or "..".
const ID_RE = /^[\w+\-.]+$/;

export function validateId(id: string): void {
  if (!id) throw new UsageError('container id cannot be empty');
  if (!ID_RE.test(id) || id === '.' || id === '..' || id.length > 1024) {
    throw new UsageError(`invalid container id "${id}": it may hold letters, digits, "_", "+", "-" and "." only`);
  }
}

export class StateStore {
  constructor(readonly root: string = DEFAULT_ROOT) {}

  dir(id: string): string {
    validateId(id);
    return path.join(this.root, id);
  }

  fifoPath(id: string): string {
    return path.join(this.dir(id), EXEC_FIFO);
  }

  /** Reserves the id: the directory is made atomically; an existing one is an error. */
  reserve(id: string): string {
    const dir = this.dir(id);
    fs.mkdirSync(this.root, { recursive: true, mode: 0o711 });
    try {
      fs.mkdirSync(dir, { mode: 0o711 });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new ExistsError(id);
      throw e;
    }
    return dir;
  }

  exists(id: string): boolean {
    return fs.existsSync(path.join(this.dir(id), STATE_FILE));
  }

  read(id: string): ContainerRecord {
    const file = path.join(this.dir(id), STATE_FILE);
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new NotFoundError(id);
      throw e;
    }
    return JSON.parse(text) as ContainerRecord;
  }

  write(rec: ContainerRecord): void {
    // No fsync (runc does none either): state describes processes, which a power loss ends anyway,
    // and on a disk-backed /run each fsync cost a create several milliseconds.
    writeFileAtomicSync(path.join(this.dir(rec.id), STATE_FILE), JSON.stringify(rec), { mode: 0o600, fsync: false });
  }

  remove(id: string): void {
    const dir = this.dir(id);
    // A state directory is flat (state.json, the fifo, the lock): its entries are unlinked one by one,
    // without loading Node's rimraf (a millisecond of every delete). A directory among them goes whole.
    let names: string[];
    try {
      names = fs.readdirSync(dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw e;
    }
    for (const name of names) {
      const entry = path.join(dir, name);
      try {
        fs.unlinkSync(entry);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EISDIR') fs.rmSync(entry, { recursive: true, force: true });
        else if (code !== 'ENOENT') throw e;
      }
    }
    try {
      fs.rmdirSync(dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }

  ids(): string[] {
    let names: string[];
    try {
      names = fs.readdirSync(this.root);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
    return names.filter((n) => ID_RE.test(n) && fs.existsSync(path.join(this.root, n, STATE_FILE))).sort();
  }

  /** The container's lock if no other command holds it now; undefined when one does. */
  tryLock(id: string): (() => void) | undefined {
    try {
      return this.lock(id, false);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EWOULDBLOCK' || code === 'EAGAIN') return undefined;
      throw e;
    }
  }

  /** Holds the container's lock for the rest of this process (released at exit or by the returned function). */
  lock(id: string, wait = true): () => void {
    const dir = this.dir(id);
    let fd: number;
    try {
      fd = fs.openSync(path.join(dir, LOCK_FILE), fs.constants.O_RDWR | fs.constants.O_CREAT, 0o600);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new NotFoundError(id);
      throw e;
    }
    // Loaded here so commands that never lock do not load the addon.
    const { flock, LOCK_EX, LOCK_NB } = require('@hull/sys/syscalls') as typeof import('@hull/sys/syscalls');
    try {
      flock(fd, wait ? LOCK_EX : LOCK_EX | LOCK_NB, `lock container ${id}`);
    } catch (e) {
      fs.closeSync(fd);
      throw e;
    }
    let held = true;
    return () => {
      if (held) fs.closeSync(fd);
      held = false;
    };
  }
}
