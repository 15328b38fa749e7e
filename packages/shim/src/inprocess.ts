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
import { noMonitor, RuntimeThreads, type RuntimeJob } from './runtimeThreads';

/** Where the runtime's blocking calls (create, exec, start, delete) run. */
export interface JobRunner {
  /** `startMonitor` starts, on the daemon's main thread, the monitor a create or exec asks for; returns its pid. */
  run(job: RuntimeJob, startMonitor?: (args: MonitorArgs) => number): Promise<void>;
  close(): void;
}

export class InProcessHull {
  readonly store: hull.StateStore;
  readonly log: hull.Log;
  readonly jobs: JobRunner;

  /**
   * `threads`: run the blocking calls on worker threads, so a hanging hook holds
   * one call, not the event loop (hull-shim). Without, they run here, as one
   * container's containerd shim can afford (no thread's start or memory to pay).
   */
  constructor(root: string | undefined, log: Logger, opts: { threads: boolean }) {
    this.store = new hull.StateStore(root ?? hull.DEFAULT_ROOT);
    this.log = {
      debug: (m: string) => log.debug(m),
      info: (m: string) => log.info(m),
      warn: (m: string) => log.warn(m),
      error: (m: string) => log.error(m),
    };
    this.jobs = opts.threads ? new RuntimeThreads(this.store.root, log) : {
      run: async (job, startMonitor = noMonitor) => {
        try {
          await runJob(this.store, this.log, job, startMonitor);
        } catch (e) {
          throw jobError(job, e);
        }
      },
      close() {},
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

/** Runs one of the runtime's blocking calls (on whichever thread calls it). */
export async function runJob(store: hull.StateStore, log: hull.Log, job: RuntimeJob, startMonitor: (args: MonitorArgs) => number): Promise<void> {
  switch (job.op) {
    case 'start': return hull.start(store, job.id, log);
    case 'delete': return hull.delete(store, job.id, job.force, log);
    case 'kill': return hull.kill(store, job.id, job.signal, job.all);
    case 'pause': return hull.pause(store, job.id);
    case 'resume': return hull.resume(store, job.id);
    case 'update': return void hull.update(store, job.id, job.resources, log);
  }
  const spawn = monitorSpawner({ ...job.spawn, start: startMonitor });
  try {
    if (job.op === 'create') {
      hull.create(store, { id: job.id, bundle: job.bundle, pidFile: job.pidFile, consoleFd: job.consoleFd, spawner: spawn.spawner, host: 'hull-shim' }, log).channel.close();
    } else {
      await hull.exec(store, { id: job.id, process: job.process, detach: true, pidFile: job.pidFile, consoleFd: job.consoleFd, spawner: spawn.spawner }, log);
    }
  } finally {
    // The monitor goes on: adopts the process the pid file names, or ends.
    spawn.go();
  }
}

/** A job's failure as the shim reports it (the runtime's cleanup errors kept). */
export function jobError(job: RuntimeJob, e: unknown): ShimError {
  const err = shimErrorOf(`hull ${job.op} ${job.id}`, e, { id: job.id });
  if (e instanceof hull.HullError) err.cleanup.push(...e.cleanup);
  return err;
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
