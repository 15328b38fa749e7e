// The in-process runtime's create, exec, start and delete run on worker
// threads. They are synchronous in @hull/runtime: they block on hull-init's
// reports, on hooks (prestart, createRuntime, poststart, poststop; up to their
// timeouts), on the kernel's mounts. On the daemon's thread one hanging hook
// would stall every RPC; here it holds one thread. kill, pause, resume and
// update go there too: they wait for the container's lock (flock), which a
// hung start or delete holds.
//
// A thread costs a Node start with the runtime loaded (0.1-0.2 s of CPU, cold
// JIT) and ~18 MB, so they are kept warm and reused: one is started with the
// daemon, more on demand up to one per core (BUSY_THREADS: more only compete
// for the cores). A pool that is stuck, not merely busy (jobs waiting and no
// job ended for STUCK_MS: hooks hanging), gets one more thread per STUCK_MS,
// up to MAX_THREADS. Threads above KEEP_THREADS retire after IDLE_MS idle.
import os from 'node:os';
import path from 'node:path';
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import type { Process } from '@hull/runtime/spec';
import { runtimeFailed, ShimError } from './errors';
import type { Logger } from './log';
import type { MonitorArgs } from './monitor';

const BUSY_THREADS = Math.max(2, os.availableParallelism());
export const MAX_THREADS = 16;
const KEEP_THREADS = 1;
const STUCK_MS = 500;
const IDLE_MS = 10_000;

/** What hull-monitor's spawn mode needs besides the runtime's request (see monitorSpawner). */
export interface SpawnSlots {
  exitFile: string;
  pidFile: string;
  slots: Array<number | 'ignore' | 'pipe'>;
}

export type RuntimeJob =
  | { op: 'create'; id: string; bundle: string; pidFile: string; consoleFd?: number; spawn: SpawnSlots }
  | { op: 'exec'; id: string; process: Process; pidFile: string; consoleFd?: number; spawn: SpawnSlots }
  | { op: 'start'; id: string }
  | { op: 'delete'; id: string; force: boolean }
  | { op: 'kill'; id: string; signal: number; all: boolean }
  | { op: 'pause' | 'resume'; id: string }
  | { op: 'update'; id: string; resources: Record<string, unknown> };

export interface ThreadData {
  root: string;
  /** [0]: set to 1 by the main thread once its answer to a monitor request is on `reply`. */
  flag: SharedArrayBuffer;
}

export type ToThreadReply = { pid: number } | { error: string };

export type FromThread =
  | { t: 'log'; level: 'debug' | 'info' | 'warn' | 'error'; m: string }
  | { t: 'monitor'; args: MonitorArgs }
  | { t: 'done' }
  | { t: 'failed'; grpcCode: number; code: string; message: string; context: Record<string, unknown>; cleanup: string[] };

interface Job {
  job: RuntimeJob;
  /** Starts the monitor the thread asks for; returns its pid. */
  startMonitor: (args: MonitorArgs) => number;
  resolve: () => void;
  reject: (e: Error) => void;
}

export function noMonitor(): number {
  throw new Error('this call starts no monitor');
}

class RuntimeThread {
  readonly worker: Worker;
  private readonly answered: Int32Array;
  private readonly reply: MessagePort;
  current?: Job;
  idleTimer?: NodeJS.Timeout;

  constructor(root: string, private readonly log: Logger, private readonly ended: (t: RuntimeThread, why?: Error) => void) {
    const flag = new SharedArrayBuffer(4);
    this.answered = new Int32Array(flag);
    const { port1, port2 } = new MessageChannel();
    this.reply = port1;
    this.worker = new Worker(path.join(__dirname, 'runtimeThread.js'), {
      workerData: { root, flag, reply: port2 } satisfies ThreadData & { reply: MessagePort },
      transferList: [port2],
    });
    this.worker.unref();
    this.worker.on('message', (m: FromThread) => this.onMessage(m));
    this.worker.on('error', (e) => this.end(e));
    this.worker.on('exit', (code) => this.end(new Error(`runtime thread exited with ${code}`)));
  }

  private onMessage(m: FromThread): void {
    const job = this.current;
    switch (m.t) {
      case 'log':
        this.log[m.level](m.m);
        return;
      case 'monitor': {
        let answer: ToThreadReply;
        try {
          if (!job) throw new Error('no job');
          answer = { pid: job.startMonitor(m.args) };
        } catch (e) {
          answer = { error: `start hull-monitor: ${(e as Error).message}` };
        }
        this.reply.postMessage(answer);
        Atomics.store(this.answered, 0, 1);
        Atomics.notify(this.answered, 0);
        return;
      }
      case 'done':
        this.current = undefined;
        job?.resolve();
        this.ended(this);
        return;
      case 'failed': {
        this.current = undefined;
        const err = new ShimError(m.grpcCode, m.code, m.message, m.context);
        err.cleanup.push(...m.cleanup.map((c) => new Error(c)));
        job?.reject(err);
        this.ended(this);
      }
    }
  }

  run(job: Job): void {
    this.current = job;
    this.worker.postMessage(job.job);
  }

  private end(why: Error): void {
    const job = this.current;
    this.current = undefined;
    job?.reject(runtimeFailed(`hull ${job.job.op} ${job.job.id}: ${why.message}`, { id: job.job.id }));
    this.ended(this, why);
  }
}

export class RuntimeThreads {
  private readonly all = new Set<RuntimeThread>();
  private readonly idle: RuntimeThread[] = [];
  private readonly waiting: Job[] = [];
  private closed = false;
  /** When a thread last ended a job (or the first job waited). */
  private lastEnded = Date.now();
  private stuckTimer?: NodeJS.Timeout;

  constructor(private readonly root: string, private readonly log: Logger) {
    this.idle.push(this.spawn()); // warm: the first create does not pay for a thread's start
  }

  /** Runs `job` on a free thread; `startMonitor` runs here, on the main thread, when the job (create, exec) asks for its monitor. */
  run(job: RuntimeJob, startMonitor: (args: MonitorArgs) => number = noMonitor): Promise<void> {
    if (this.closed) return Promise.reject(runtimeFailed(`hull ${job.op} ${job.id}: the daemon is stopping`, { id: job.id }));
    return new Promise((resolve, reject) => {
      const j: Job = { job, startMonitor, resolve, reject };
      const t = this.idle.pop() ?? (this.all.size < BUSY_THREADS ? this.spawn() : undefined);
      if (t) return this.start(t, j);
      if (!this.waiting.length) this.lastEnded = Date.now();
      this.waiting.push(j);
      this.watchStuck();
    });
  }

  /** While jobs wait: one more thread whenever none has ended a job for STUCK_MS. */
  private watchStuck(): void {
    if (this.stuckTimer || this.closed) return;
    this.stuckTimer = setTimeout(() => {
      this.stuckTimer = undefined;
      if (!this.waiting.length || this.closed) return;
      if (Date.now() - this.lastEnded >= STUCK_MS && this.all.size < MAX_THREADS) {
        this.log.info('runtime threads all held: starting one more', { threads: this.all.size + 1 });
        this.lastEnded = Date.now();
        this.start(this.spawn(), this.waiting.shift()!);
      }
      if (this.waiting.length) this.watchStuck();
    }, STUCK_MS).unref();
  }

  /** Threads now (busy and idle). */
  get size(): number {
    return this.all.size;
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.stuckTimer);
    for (const t of this.all) void t.worker.terminate();
    this.all.clear();
    this.idle.length = 0;
  }

  private spawn(): RuntimeThread {
    const t = new RuntimeThread(this.root, this.log, (thread, died) => this.freed(thread, died));
    this.all.add(t);
    return t;
  }

  private start(t: RuntimeThread, j: Job): void {
    clearTimeout(t.idleTimer);
    t.worker.ref(); // a job in flight keeps the daemon's loop alive
    t.run(j);
  }

  /** A thread finished its job, or died (then it is dropped and a waiting job gets a new one). */
  private freed(t: RuntimeThread, died?: Error): void {
    t.worker.unref();
    this.lastEnded = Date.now();
    if (died) {
      if (!this.all.delete(t)) return;
      const i = this.idle.indexOf(t);
      if (i >= 0) this.idle.splice(i, 1);
      if (!this.closed) this.log.warn('runtime thread ended', { error: died.message });
      const next = this.waiting.shift();
      if (next && !this.closed) this.start(this.spawn(), next);
      return;
    }
    const next = this.waiting.shift();
    if (next) return this.start(t, next);
    this.idle.push(t);
    if (this.all.size > KEEP_THREADS) {
      t.idleTimer = setTimeout(() => {
        const i = this.idle.indexOf(t);
        if (i < 0 || this.all.size <= KEEP_THREADS) return;
        this.idle.splice(i, 1);
        this.all.delete(t);
        t.worker.postMessage('retire');
      }, IDLE_MS).unref();
    }
  }
}
