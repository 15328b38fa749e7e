// The task model: what task.json records of a task and its exec processes,
// the live objects around those records, their atomic persistence, and the
// one table of legal state changes (an illegal one is an IllegalTransition).
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { writeFileAtomic } from '@hull/sys/atomic';
import type { StatusName } from './constants';
import { GrpcCode, ShimError } from './errors';
import type { MountSpec } from './mounts';
import type { ProcIo, StdioSpec } from './stdio';

export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

export type Timestamp = { seconds: number; nanos: number };

export interface ExitRecord {
  status: number;
  at: [number, number];
}

export interface ProcRecord extends StdioSpec {
  /** '' for the task's init process. */
  execId: string;
  status: StatusName;
  pid: number;
  monitorPid: number;
  monitorStart?: string;
  exit?: ExitRecord;
  startedAt?: number;
}

export interface TaskRecord {
  id: string;
  bundle: string;
  runtime: string;
  rootfs: MountSpec[];
  /** How many rootfs mounts are stacked on <bundle>/rootfs. */
  mounted: number;
  createdAt: number;
  cgroups?: Record<string, string>;
  init: ProcRecord;
  execs: Record<string, ProcRecord>;
}

/** What may happen to a process in each state, and the state it leads to. */
export type Op = 'start' | 'exec' | 'pause' | 'resume' | 'update' | 'checkpoint' | 'delete' | 'exit';

const TRANSITIONS: Record<StatusName, Partial<Record<Op, StatusName>>> = {
  // delete of a created process kills it first (it waits on the exec fifo).
  created: { start: 'running', update: 'created', delete: 'stopped', exit: 'stopped' },
  // exec: the task's init must be running for an exec process to be added or started.
  running: { exec: 'running', pause: 'paused', update: 'running', checkpoint: 'running', exit: 'stopped' },
  paused: { resume: 'running', update: 'paused', checkpoint: 'paused', exit: 'stopped' },
  stopped: { delete: 'stopped' },
};

export class IllegalTransition extends ShimError {
  constructor(readonly what: string, readonly op: Op, readonly status: StatusName) {
    super(GrpcCode.FAILED_PRECONDITION, 'ESTATUS', `${what}: cannot ${op}: it is ${status}`, { op, status });
  }
}

/** The state `op` leads `p` to; throws IllegalTransition when `op` is not allowed now. */
export function transition(p: Proc, op: Op): StatusName {
  const next = TRANSITIONS[p.rec.status][op];
  if (!next) throw new IllegalTransition(p.name, op, p.rec.status);
  return next;
}

export class Proc {
  child?: ChildProcess;
  io?: ProcIo;
  /** Set while a start is in flight: the exit waits for it, so events stay in order. */
  starting?: Promise<unknown>;
  finishing = false;
  readonly exited: Promise<void>;
  private resolveExited!: () => void;

  constructor(readonly task: Task, readonly rec: ProcRecord) {
    this.exited = new Promise((r) => { this.resolveExited = r; });
    if (rec.exit) this.resolveExited();
  }
  markExited(): void {
    this.resolveExited();
  }
  /** File names in the task directory: init.* or exec-<id>.* */
  get stem(): string {
    return this.rec.execId ? `exec-${this.rec.execId}` : 'init';
  }
  get exitFile(): string {
    return path.join(this.task.dir, `${this.stem}.exit`);
  }
  get pidFile(): string {
    return path.join(this.task.dir, `${this.stem}.pid`);
  }
  get name(): string {
    return this.rec.execId ? `exec ${this.rec.execId} of task ${this.task.rec.id}` : `task ${this.task.rec.id}`;
  }
}

export class Task {
  readonly init: Proc;
  readonly execs = new Map<string, Proc>();
  watcher?: { close(): void };
  private queue: Promise<unknown> = Promise.resolve();
  private writes: Promise<unknown> = Promise.resolve();

  constructor(readonly dir: string, readonly rec: TaskRecord) {
    this.init = new Proc(this, rec.init);
    for (const e of Object.values(rec.execs)) this.execs.set(e.execId, new Proc(this, e));
  }

  /** The init first, then the exec processes. */
  procs(): Proc[] {
    return [this.init, ...this.execs.values()];
  }

  /** Runs state-changing operations of one task one at a time. */
  lock<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => {});
    return run;
  }

  /** Writes task.json atomically (temp file, fsync, rename), in call order. */
  persist(): Promise<void> {
    const data = JSON.stringify(this.rec);
    const file = path.join(this.dir, 'task.json');
    const write = this.writes.then(() => writeFileAtomic(file, data, { mode: 0o600 }));
    this.writes = write.catch(() => {});
    return write;
  }

  /** Reads a task's record back from its directory. */
  static async load(dir: string): Promise<Task> {
    return new Task(dir, JSON.parse(await fsp.readFile(path.join(dir, 'task.json'), 'utf8')) as TaskRecord);
  }
}

export function ts(at: [number, number]): Timestamp {
  return { seconds: at[0], nanos: at[1] };
}

export function msTs(ms: number): Timestamp {
  return { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 };
}
