// hull in-process: with `--runtime hull` the supervisor drives @hull/runtime
// as a library (one StateStore, the CLI's root and format) instead of starting
// the `hull` CLI per call. Only the clone of hull-init is not ours: the
// container's monitor does it (spawn mode of native/hull-monitor), so the
// init is the monitor's child from its first instruction and outlives us.
import * as hull from '@hull/runtime';
import { close, read } from '@hull/sys/libc';
import { pipe } from '@hull/sys/process';
import { notFound, precondition, exists, type ShimError } from './errors';
import type { Logger } from './log';
import type { MonitorArgs } from './monitor';
import { classify } from './runtime';
import { RuntimeThreads } from './runtimeThreads';

export class InProcessHull {
  readonly store: hull.StateStore;
  readonly log: hull.Log;
  /** Where create and exec run: off the daemon's thread (they block on the init and on hooks). */
  readonly threads: RuntimeThreads;

  constructor(root: string | undefined, log: Logger) {
    this.store = new hull.StateStore(root ?? hull.DEFAULT_ROOT);
    this.threads = new RuntimeThreads(this.store.root, log);
    this.log = {
      debug: (m: string) => log.debug(m),
      info: (m: string) => log.info(m),
      warn: (m: string) => log.warn(m),
      error: (m: string) => log.error(m),
    };
  }

  /** Runs one runtime operation; its HullError becomes the shim's error (code kept). */
  async call<T>(what: string, id: string, fn: () => T | Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw shimErrorOf(`hull ${what} ${id}`, e, { id });
    }
  }
}

export function shimErrorOf(what: string, e: unknown, context: Record<string, unknown>): ShimError {
  const msg = `${what}: ${hull.errorMessage(e)}`;
  if (e instanceof hull.NotFoundError) return notFound(msg, context);
  if (e instanceof hull.StatusError) return precondition(msg, context);
  if (e instanceof hull.ExistsError) return exists(msg, context);
  return classify(msg, context);
}

export interface MonitorSpawn {
  exitFile: string;
  pidFile: string;
  /** The monitor's fds 0-9 as ProcIo.makePipes lays them out (7: the console socket's other end, if any; 8, 9: logs). */
  slots: Array<number | 'ignore' | 'pipe'>;
  /** Starts the monitor (on the daemon's main thread, which owns it) and returns its pid; the fds in `args` stay open until it returns. */
  start(args: MonitorArgs): number;
}

/**
 * A Spawner for the runtime's create and exec: starts the monitor in spawn
 * mode with hull-init's fds, and reads the clone's pid and exec result
 * from it. `go()` tells the monitor the create is over (it then reads the
 * pid file); our death tells it the same.
 */
export function monitorSpawner(m: MonitorSpawn): { spawner: hull.Spawner; go(): void } {
  let goW = -1;
  const spawner: hull.Spawner = (req) => {
    if (req.fds[0] !== 0 || req.fds[1] !== 1 || req.fds[2] !== 2) throw new Error('monitor spawn: hull-init\'s fds 0-2 are the monitor\'s stdio');
    const join = req.join ?? [];
    const sync = req.syncFd === undefined ? -1 : req.fds.indexOf(req.syncFd);
    const [reportR, reportW] = pipe();
    const [goR, w] = pipe();
    goW = w;
    let monitorPid: number;
    try {
      const slots = [...m.slots];
      while (slots.length < 10) slots.push('ignore');
      monitorPid = m.start({
        exitFile: m.exitFile, pidFile: m.pidFile, consoleSocket: typeof m.slots[7] === 'number' ? '=' : undefined,
        command: ['--spawn', String(req.cloneFlags ?? 0), String(join.length), String(req.fds.length), String(sync),
          req.rootIds ? '1' : '0', String(req.dumpable ?? -1), ...req.argv],
        stdio: [...slots, reportW, goR, req.execFd ?? 'ignore', ...join, ...req.fds.slice(3)],
      });
    } finally {
      close(reportW);
      close(goR);
    }
    const buf = Buffer.alloc(8);
    const n = readFully(reportR, buf.subarray(0, 4));
    const pid = n === 4 ? buf.readInt32LE(0) : 0;
    if (pid <= 0) {
      close(reportR);
      throw pid < 0 ? hull.spawnStepError(req.path, 1, -pid) : new Error(`hull-monitor ${monitorPid}: ended before it cloned hull-init`);
    }
    return {
      pid,
      result() {
        const got = readFully(reportR, buf);
        close(reportR);
        if (got === 8) throw hull.spawnStepError(req.path, buf.readInt32LE(0), buf.readInt32LE(4));
      },
    };
  };
  return {
    spawner,
    go() {
      if (goW >= 0) close(goW);
      goW = -1;
    },
  };
}

/** Blocking reads until `buf` is full or EOF; returns the bytes read. */
function readFully(fd: number, buf: Buffer): number {
  let off = 0;
  while (off < buf.length) {
    const n = read(fd, buf.subarray(off));
    if (n <= 0) break;
    off += n;
  }
  return off;
}
