// Who owns a shim's state directory (/run/containerd/hull-shim/<key>): the
// daemon serving it holds an flock on the directory itself for its whole life,
// so the kernel lets go the moment the daemon dies, kill -9 included, and no
// pid (which may be recycled) has to be trusted. `start` holds it while it
// binds the socket, `delete` while it cleans up after a dead daemon, and a
// reclaimer while it removes a dead daemon's leftovers: none of them can pull
// the directory or the socket from under a daemon that is starting.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { SHIM_RECORD, SOCKET_DIR, STATE_BASE, type ShimRecord } from './paths';

const EAGAIN = 11;
/** How long `start`, `delete` and a new daemon wait for a state dir: one that is stopping lets go once its events are flushed. */
export const LOCK_WAIT_MS = 15000;
/** A state directory's name: the first 32 hex digits of its socket's name (see shimPlace). */
const STATE_NAME = /^[0-9a-f]{32}$/;

/** Whether a daemon answers on `socket` (one bound by `start` does before its daemon runs). */
export function connectable(socket: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(socket);
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}

export interface StateLock {
  release(): void;
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Locks `dir` (made first when `create`), waiting up to `waitMs` for whoever
 * holds it. Undefined when it does not exist (and not `create`) or stays held.
 * A directory removed or replaced while we waited is locked again at its path.
 */
export function lockStateDir(dir: string, o: { create: boolean; waitMs: number }): StateLock | undefined {
  const deadline = Date.now() + o.waitMs;
  for (;;) {
    if (o.create) fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    let fd: number;
    try {
      fd = fs.openSync(dir, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT' && !o.create) return undefined;
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw e;
    }
    // Loaded here: a `start` sharing a live daemon, a `delete` after a clean shutdown never lock.
    const { flock, LOCK_EX, LOCK_NB } = require('@hull/sys/syscalls') as typeof import('@hull/sys/syscalls');
    for (;;) {
      try {
        flock(fd, LOCK_EX | LOCK_NB, `lock ${dir}`);
        break;
      } catch (e) {
        if ((e as { errno?: number }).errno !== EAGAIN || Date.now() >= deadline) {
          fs.closeSync(fd);
          if ((e as { errno?: number }).errno === EAGAIN) return undefined;
          throw e;
        }
        sleepSync(5);
      }
    }
    const held = fs.fstatSync(fd);
    let now: fs.Stats | undefined;
    try {
      now = fs.statSync(dir);
    } catch { /* removed by the one we waited for */ }
    if (now && now.ino === held.ino && now.dev === held.dev) {
      let open = true;
      return { release: () => { if (open) fs.closeSync(fd); open = false; } };
    }
    fs.closeSync(fd);
    if (!now && !o.create) return undefined;
  }
}

/** The socket of a state directory: recorded by its daemon, else found by name (the daemon died before recording it). */
export function socketOf(stateDir: string): string | undefined {
  try {
    return (JSON.parse(fs.readFileSync(path.join(stateDir, SHIM_RECORD), 'utf8')) as ShimRecord).socket;
  } catch { /* no record */ }
  const name = path.basename(stateDir);
  try {
    const found = fs.readdirSync(SOCKET_DIR).find((s) => s.length === 64 && s.startsWith(name));
    return found && path.join(SOCKET_DIR, found);
  } catch {
    return undefined;
  }
}

/** Whether tasks are recorded in a state directory (containerd's `delete` still has them to clean up). */
function hasTasks(stateDir: string): boolean {
  try {
    return fs.readdirSync(path.join(stateDir, 'tasks')).length > 0;
  } catch {
    return false;
  }
}

/**
 * With `stateDir` locked by the caller: removes it and its socket when no
 * daemon answers there and no task is left in it. Returns whether it did.
 */
export async function removeIfDead(stateDir: string, socket: string | undefined): Promise<boolean> {
  // Answering: a `start` bound the socket for a daemon that has not taken the lock yet.
  if (socket && await connectable(socket)) return false;
  if (hasTasks(stateDir)) return false;
  if (socket) fs.rmSync(socket, { force: true });
  fs.rmSync(stateDir, { recursive: true, force: true });
  return true;
}

/**
 * The state directories of dead daemons that left no task behind (a daemon
 * killed before its first task or after its last), removed; those of live
 * daemons, and those with tasks for containerd's `delete`, are left alone.
 * Returns the directories removed.
 */
export async function reclaimDead(except: string, base = STATE_BASE): Promise<string[]> {
  let names: string[];
  try {
    names = fs.readdirSync(base);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const dir = path.join(base, name);
    if (!STATE_NAME.test(name) || dir === except) continue;
    const lock = lockStateDir(dir, { create: false, waitMs: 0 });
    if (!lock) continue; // a live daemon's, or someone else is at it
    try {
      if (await removeIfDead(dir, socketOf(dir))) removed.push(dir);
    } finally {
      lock.release();
    }
  }
  return removed;
}
