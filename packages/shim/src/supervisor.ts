// The supervisor: every task and exec process the daemon owns, their records
// on disk, their monitors, stdio and events. The gRPC layer (service.ts) only
// translates messages; every rule lives here.
import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { ioctl } from '@hull/runtime/sys/libc';
import { pidfdOpen, pidfdGetfd, closeFd } from '@hull/runtime/sys/process';
import { STATUS_CODE, VERSION, type StatusName } from './constants';
import { invalid, notFound, exists, precondition, unimplemented, runtimeFailed, ShimError } from './errors';
import { EventBus, now } from './events';
import type { Logger } from './log';
import { startMonitor, readExitFile, startTime } from './monitor';
import { mountAll, unmountAll, type MountSpec } from './mounts';
import { Runtime, lastRuntimeError } from './runtime';
import { cgroupsOf, readStats, oomKills } from './stats';
import { ProcIo, checkStdio, MONITOR_STDOUT_FD, MONITOR_STDERR_FD, MONITOR_MASTER_FD, type StdioSpec } from './stdio';

export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;
const TIOCSWINSZ = 0x5414;

type Timestamp = { seconds: number; nanos: number };

interface ProcRecord extends StdioSpec {
  /** '' for the task's init process. */
  execId: string;
  status: StatusName;
  pid: number;
  monitorPid: number;
  monitorStart?: string;
  exit?: { status: number; at: [number, number] };
  startedAt?: number;
}

interface TaskRecord {
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

class Proc {
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

class Task {
  readonly init: Proc;
  readonly execs = new Map<string, Proc>();
  watcher?: fs.FSWatcher;
  private queue: Promise<unknown> = Promise.resolve();
  private writes: Promise<unknown> = Promise.resolve();
  private writeSeq = 0;

  constructor(readonly dir: string, readonly rec: TaskRecord) {
    this.init = new Proc(this, rec.init);
    for (const e of Object.values(rec.execs)) this.execs.set(e.execId, new Proc(this, e));
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
    const tmp = `${file}.${++this.writeSeq}.tmp`;
    const write = this.writes.then(async () => {
      const fh = await fsp.open(tmp, 'w', 0o600);
      try {
        await fh.writeFile(data);
        await fh.sync();
      } finally {
        await fh.close();
      }
      await fsp.rename(tmp, file);
    });
    this.writes = write.catch(() => {});
    return write;
  }
}

export interface SupervisorOptions {
  stateDir: string;
  runtime: Runtime;
  log: Logger;
}

export interface CreateRequest extends StdioSpec {
  id: string;
  bundle: string;
  rootfs: MountSpec[];
  checkpoint: string;
}

export class Supervisor {
  readonly events = new EventBus();
  private readonly tasks = new Map<string, Task>();
  private readonly reserved = new Set<string>();
  private readonly runtime: Runtime;
  private readonly log: Logger;
  private readonly tasksDir: string;
  private readonly consoleDir: string;
  private poller?: NodeJS.Timeout;

  constructor(opts: SupervisorOptions) {
    this.runtime = opts.runtime;
    this.log = opts.log;
    this.tasksDir = path.join(opts.stateDir, 'tasks');
    // Socket paths are limited to 107 bytes; fall back to /tmp for deep state dirs.
    const consoleDir = path.join(opts.stateDir, 'console');
    this.consoleDir = consoleDir.length < 80 ? consoleDir : path.join(os.tmpdir(), 'hull-shim-console');
    fs.mkdirSync(this.tasksDir, { recursive: true, mode: 0o700 });
    fs.mkdirSync(this.consoleDir, { recursive: true, mode: 0o700 });
  }

  // ---- lookup ----

  private task(id: string): Task {
    const t = this.tasks.get(id);
    if (!t) throw notFound(`task ${JSON.stringify(id)}: not found`, { id });
    return t;
  }

  private proc(id: string, execId: string): Proc {
    const t = this.task(id);
    if (!execId) return t.init;
    const p = t.execs.get(execId);
    if (!p) throw notFound(`exec ${JSON.stringify(execId)} of task ${id}: not found`, { id, execId });
    return p;
  }

  /** Processes whose exit is not recorded yet (tasks' inits and execs). */
  liveCount(): number {
    let n = 0;
    for (const t of this.tasks.values()) for (const p of [t.init, ...t.execs.values()]) if (!p.rec.exit) n++;
    return n;
  }

  taskCount(): number {
    return this.tasks.size;
  }

  // ---- create, start ----

  async create(req: CreateRequest): Promise<{ pid: number }> {
    const { id } = req;
    if (!ID_PATTERN.test(id)) throw invalid(`id ${JSON.stringify(id)}: must match ${ID_PATTERN.source}`);
    if (!path.isAbsolute(req.bundle)) throw invalid(`bundle ${JSON.stringify(req.bundle)}: must be an absolute path`);
    if (!fs.existsSync(path.join(req.bundle, 'config.json'))) throw invalid(`bundle ${req.bundle}: no config.json`);
    if (req.checkpoint) throw unimplemented(`task ${id}: restore from a checkpoint is not supported`);
    checkStdio(req);
    if (this.tasks.has(id) || this.reserved.has(id)) throw exists(`task ${JSON.stringify(id)}: already exists`, { id });
    this.reserved.add(id);
    const dir = path.join(this.tasksDir, id);
    const rec: TaskRecord = {
      id, bundle: req.bundle, runtime: this.runtime.binary, rootfs: req.rootfs, mounted: 0, createdAt: Date.now(),
      init: { execId: '', terminal: req.terminal, stdin: req.stdin, stdout: req.stdout, stderr: req.stderr, status: 'created', pid: 0, monitorPid: 0 },
      execs: {},
    };
    let task: Task | undefined;
    try {
      try {
        fs.mkdirSync(dir, { mode: 0o700 });
      } catch (e) {
        throw (e as NodeJS.ErrnoException).code === 'EEXIST' ? exists(`task ${JSON.stringify(id)}: state directory ${dir} already exists`, { id }) : e;
      }
      task = new Task(dir, rec);
      // Recorded before the runtime runs: a crash from here on is cleaned up on restart.
      await task.persist();
      if (req.rootfs.length) {
        rec.mounted = mountAll(req.rootfs, path.join(req.bundle, 'rootfs'));
        await task.persist();
      }
      this.watch(task);
      const p = task.init;
      await this.launch(p, (console) => ['create', '--bundle', req.bundle, '--pid-file', p.pidFile, ...console, id]);
      this.cgroups(task);
      await task.persist();
      this.tasks.set(id, task);
      this.events.publish('/tasks/create', {
        container_id: id, bundle: req.bundle, rootfs: req.rootfs,
        io: { stdin: req.stdin, stdout: req.stdout, stderr: req.stderr, terminal: req.terminal }, checkpoint: '', pid: p.rec.pid,
      });
      this.checkExit(p);
      this.log.info('created', { id, pid: p.rec.pid });
      return { pid: p.rec.pid };
    } catch (e) {
      if (task) await this.discard(task, e as Error);
      throw e;
    } finally {
      this.reserved.delete(id);
    }
  }

  /** Undoes a create that failed half-way; cleanup errors stay beside the cause. */
  private async discard(task: Task, cause: Error): Promise<void> {
    task.watcher?.close();
    task.init.io?.destroy();
    const keep = (e: unknown) => { if (cause instanceof ShimError) cause.cleanup.push(e as Error); };
    if (task.rec.init.pid > 0) await this.runtime.run(['delete', '--force', task.rec.id]).catch(keep);
    try {
      unmountAll(path.join(task.rec.bundle, 'rootfs'), task.rec.mounted);
    } catch (e) { keep(e); }
    await fsp.rm(task.dir, { recursive: true, force: true }).catch(keep);
  }

  /**
   * Runs a runtime command (create, exec) under a new monitor and wires the
   * process's stdio. `args` gets the console-socket flags to splice in.
   */
  private async launch(p: Proc, args: (console: string[]) => string[]): Promise<void> {
    const io = new ProcIo(p.rec).open();
    const consoleSocket = p.rec.terminal ? path.join(this.consoleDir, `${crypto.randomBytes(8).toString('hex')}.sock`) : undefined;
    const runtimeArgs = args(consoleSocket ? ['--console-socket', consoleSocket] : []);
    const logFile = path.join(p.task.dir, 'runtime.log');
    await fsp.rm(p.exitFile, { force: true });
    await fsp.rm(p.pidFile, { force: true });
    let slots: Array<number | 'ignore' | 'pipe'>;
    let mon: ReturnType<typeof startMonitor>;
    try {
      slots = io.makePipes();
      mon = startMonitor({
        exitFile: p.exitFile, pidFile: p.pidFile, consoleSocket,
        command: [this.runtime.binary, ...this.runtime.globalArgs(logFile), ...runtimeArgs],
        stdio: slots,
      });
      io.spawned();
    } catch (e) {
      io.destroy();
      throw e;
    }
    const what = `${this.runtime.name} ${runtimeArgs[0]} ${p.task.rec.id}`;
    let report;
    try {
      report = await mon.report;
    } catch (e) {
      io.destroy();
      throw runtimeFailed(`${what}: ${(e as Error).message}`, { id: p.task.rec.id });
    }
    if (report.runtimeStatus !== 0 || report.pid <= 0) {
      io.destroy();
      if (consoleSocket) await fsp.rm(consoleSocket, { force: true });
      const log = await fsp.readFile(logFile, 'utf8').catch(() => '');
      const msg = lastRuntimeError(log) || (report.runtimeStatus === 127 << 8 ? `cannot execute ${this.runtime.binary}` : `exited with wait status ${report.runtimeStatus}`);
      throw runtimeFailed(`${what}: ${msg}`, { id: p.task.rec.id });
    }
    p.rec.pid = report.pid;
    p.rec.monitorPid = mon.pid;
    p.rec.monitorStart = startTime(mon.pid);
    p.child = mon.child;
    p.io = io;
    mon.child.on('exit', () => this.checkExit(p));
    if (p.rec.terminal && report.master >= 0) this.takePty(p, io);
  }

  /** Takes the pty master from the monitor (twice: one fd to read, one to write). */
  private takePty(p: Proc, io: ProcIo): void {
    const pidfd = pidfdOpen(p.rec.monitorPid);
    try {
      const r = pidfdGetfd(pidfd, MONITOR_MASTER_FD);
      io.attachPty(r, pidfdGetfd(pidfd, MONITOR_MASTER_FD));
    } finally {
      closeFd(pidfd);
    }
  }

  async start(id: string, execId: string): Promise<{ pid: number }> {
    const p = this.proc(id, execId);
    return p.task.lock(async () => {
      if (p.rec.status !== 'created' || p.rec.exit) throw precondition(`${p.name}: cannot start: it is ${p.rec.status}`, { id, execId });
      const starting = execId ? this.startExec(p) : this.startInit(p);
      p.starting = starting;
      await starting;
      return { pid: p.rec.pid };
    });
  }

  private async startInit(p: Proc): Promise<void> {
    const id = p.task.rec.id;
    await this.runtime.run(['start', id]);
    this.cgroups(p.task);
    p.rec.status = 'running';
    p.rec.startedAt = Date.now();
    await p.task.persist();
    this.events.publish('/tasks/start', { container_id: id, pid: p.rec.pid });
  }

  private async startExec(p: Proc): Promise<void> {
    const t = p.task;
    if (t.init.rec.status !== 'running') throw precondition(`${p.name}: cannot start: task ${t.rec.id} is ${t.init.rec.status}`);
    const spec = path.join(t.dir, `${p.stem}.json`);
    await this.launch(p, (console) => ['exec', '--detach', '--process', spec, '--pid-file', p.pidFile, ...console, t.rec.id]);
    p.rec.status = 'running';
    p.rec.startedAt = Date.now();
    await t.persist();
    this.events.publish('/tasks/exec-started', { container_id: t.rec.id, exec_id: p.rec.execId, pid: p.rec.pid });
    this.checkExit(p);
  }

  async exec(req: StdioSpec & { id: string; execId: string; spec?: { type_url: string; value: Buffer } | null }): Promise<void> {
    const t = this.task(req.id);
    if (!ID_PATTERN.test(req.execId)) throw invalid(`exec_id ${JSON.stringify(req.execId)}: must match ${ID_PATTERN.source}`);
    checkStdio(req);
    if (!req.spec?.value?.length) throw invalid(`exec ${req.execId}: spec: missing (a runtime-spec Process as JSON)`);
    let spec: Record<string, unknown>;
    try {
      spec = JSON.parse(Buffer.from(req.spec.value).toString());
    } catch (e) {
      throw invalid(`exec ${req.execId}: spec: not JSON: ${(e as Error).message}`);
    }
    if (!spec || typeof spec !== 'object' || !Array.isArray(spec.args) || spec.args.length === 0) throw invalid(`exec ${req.execId}: spec.args: must be a non-empty array`);
    if (req.terminal !== Boolean(spec.terminal)) spec.terminal = req.terminal;
    await t.lock(async () => {
      if (t.execs.has(req.execId)) throw exists(`exec ${JSON.stringify(req.execId)} of task ${req.id}: already exists`);
      if (t.init.rec.status !== 'running') throw precondition(`task ${req.id}: cannot exec: it is ${t.init.rec.status}`);
      const rec: ProcRecord = { execId: req.execId, terminal: req.terminal, stdin: req.stdin, stdout: req.stdout, stderr: req.stderr, status: 'created', pid: 0, monitorPid: 0 };
      const p = new Proc(t, rec);
      await fsp.writeFile(path.join(t.dir, `${p.stem}.json`), JSON.stringify(spec), { mode: 0o600 });
      t.execs.set(req.execId, p);
      t.rec.execs[req.execId] = rec;
      await t.persist();
      this.events.publish('/tasks/exec-added', { container_id: req.id, exec_id: req.execId });
    });
  }

  // ---- exits ----

  private watch(t: Task): void {
    try {
      t.watcher = fs.watch(t.dir, (_ev, file) => {
        const name = String(file ?? '');
        if (!name.endsWith('.exit')) return;
        const stem = name.slice(0, -5);
        const p = stem === 'init' ? t.init : t.execs.get(stem.slice(5));
        if (p) this.checkExit(p);
      });
      t.watcher.on('error', () => {});
    } catch (e) {
      this.log.warn('cannot watch task directory; relying on polling', { id: t.rec.id, error: (e as Error).message });
    }
  }

  /** Looks for the monitor's exit file; records the exit once. */
  private checkExit(p: Proc): void {
    if (p.rec.exit || p.finishing || p.rec.pid <= 0) return;
    let ex = readExitFile(p.exitFile);
    if (!ex) {
      const monitorGone = p.child
        ? p.child.exitCode !== null || p.child.signalCode !== null
        : startTime(p.rec.monitorPid) !== p.rec.monitorStart;
      if (!monitorGone) return;
      ex = readExitFile(p.exitFile);
      if (!ex) {
        this.log.warn('monitor died before the process: exit status unknown, recording 255', { id: p.task.rec.id, execId: p.rec.execId, monitor: p.rec.monitorPid });
        const t = now();
        ex = { status: 255, at: [t.seconds, t.nanos] };
      }
    }
    p.finishing = true;
    void this.finish(p, ex).catch((e) => this.log.error('recording an exit failed', { id: p.task.rec.id, error: (e as Error).message }));
  }

  private async finish(p: Proc, ex: { status: number; at: [number, number] }): Promise<void> {
    await p.starting?.catch(() => {});
    // Output written before the exit reaches the client before the exit event.
    await p.io?.drained(5000);
    // A sink still flushing to a late reader keeps its fds until Delete.
    const t = p.task;
    if (!p.rec.execId && t.rec.cgroups && oomKills(t.rec.cgroups) > 0) this.events.publish('/tasks/oom', { container_id: t.rec.id });
    p.rec.exit = ex;
    p.rec.status = 'stopped';
    await t.persist();
    this.events.publish('/tasks/exit', {
      container_id: t.rec.id, id: p.rec.execId || t.rec.id, pid: p.rec.pid, exit_status: ex.status, exited_at: ts(ex.at),
    });
    p.markExited();
    this.log.info('exited', { id: t.rec.id, execId: p.rec.execId || undefined, status: ex.status });
  }

  async wait(id: string, execId: string): Promise<{ exit_status: number; exited_at: Timestamp }> {
    const p = this.proc(id, execId);
    await p.exited;
    return { exit_status: p.rec.exit!.status, exited_at: ts(p.rec.exit!.at) };
  }

  // ---- delete, kill ----

  async delete(id: string, execId: string): Promise<{ pid: number; exit_status: number; exited_at: Timestamp | null }> {
    const p = this.proc(id, execId);
    const t = p.task;
    return t.lock(async () => {
      if (execId) return this.deleteExec(p);
      if (p.rec.status === 'running' || p.rec.status === 'paused') throw precondition(`task ${id}: cannot delete: it is ${p.rec.status} (kill it and wait first)`, { id });
      if (!this.tasks.has(id)) throw notFound(`task ${JSON.stringify(id)}: not found`);
      if (!p.rec.exit) {
        // Created but never started: the init waits on the exec fifo; kill it.
        await this.runtime.run(['delete', '--force', id]);
        await p.exited;
      } else {
        await this.runtime.run(['delete', id]).catch((e: ShimError) => {
          if (e.grpcCode !== 5) throw e; // already gone from the runtime's state
        });
      }
      this.tasks.delete(id);
      t.watcher?.close();
      for (const proc of [t.init, ...t.execs.values()]) proc.io?.destroy();
      unmountAll(path.join(t.rec.bundle, 'rootfs'), t.rec.mounted);
      await fsp.rm(t.dir, { recursive: true, force: true });
      const out = { pid: p.rec.pid, exit_status: p.rec.exit!.status, exited_at: ts(p.rec.exit!.at) };
      this.events.publish('/tasks/delete', { container_id: id, ...out, id: '' });
      this.log.info('deleted', { id });
      return out;
    });
  }

  private async deleteExec(p: Proc): Promise<{ pid: number; exit_status: number; exited_at: Timestamp | null }> {
    const t = p.task;
    if (p.rec.status === 'running') throw precondition(`${p.name}: cannot delete: it is running`);
    t.execs.delete(p.rec.execId);
    delete t.rec.execs[p.rec.execId];
    p.io?.destroy();
    await t.persist();
    for (const ext of ['json', 'pid', 'exit']) await fsp.rm(path.join(t.dir, `${p.stem}.${ext}`), { force: true });
    const out = { pid: p.rec.pid, exit_status: p.rec.exit?.status ?? 0, exited_at: p.rec.exit ? ts(p.rec.exit.at) : null };
    this.events.publish('/tasks/delete', { container_id: t.rec.id, ...out, id: p.rec.execId });
    return out;
  }

  async kill(id: string, execId: string, signal: number, all: boolean): Promise<void> {
    const p = this.proc(id, execId);
    const sig = signal || 15;
    if (sig < 0 || sig > 64) throw invalid(`signal ${signal}: out of range`);
    if (p.rec.exit || readExitFile(p.exitFile)) throw notFound(`${p.name}: process already finished`, { id, execId });
    if (p.rec.pid <= 0) throw precondition(`${p.name}: cannot kill: it is not started`);
    if (!execId) {
      await this.runtime.run(['kill', ...(all ? ['--all'] : []), id, String(sig)]);
      return;
    }
    // The monitor has not reaped it (no exit file), so the pid still names our process.
    try {
      process.kill(p.rec.pid, sig);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ESRCH') throw notFound(`${p.name}: process already finished`);
      throw e;
    }
  }

  // ---- pause, resume, pids, stats, update, checkpoint, io ----

  async pause(id: string): Promise<void> {
    const t = this.task(id);
    await t.lock(async () => {
      if (t.init.rec.status !== 'running') throw precondition(`task ${id}: cannot pause: it is ${t.init.rec.status}`);
      await this.runtime.run(['pause', id]);
      t.init.rec.status = 'paused';
      await t.persist();
      this.events.publish('/tasks/paused', { container_id: id });
    });
  }

  async resume(id: string): Promise<void> {
    const t = this.task(id);
    await t.lock(async () => {
      if (t.init.rec.status !== 'paused') throw precondition(`task ${id}: cannot resume: it is ${t.init.rec.status}`);
      await this.runtime.run(['resume', id]);
      t.init.rec.status = t.init.rec.exit ? 'stopped' : 'running';
      await t.persist();
      this.events.publish('/tasks/resumed', { container_id: id });
    });
  }

  async pids(id: string): Promise<Array<{ pid: number; info: null }>> {
    const t = this.task(id);
    if (t.init.rec.exit) return [];
    let pids: number[];
    try {
      pids = JSON.parse(await this.runtime.run(['ps', '--format', 'json', id])) ?? [];
    } catch {
      pids = this.cgroupProcs(t);
    }
    return pids.map((pid) => ({ pid, info: null }));
  }

  /** The pids in the task's cgroup, when the runtime has no `ps`. */
  private cgroupProcs(t: Task): number[] {
    const cg = this.cgroups(t);
    if (!cg) return [];
    const candidates = [cg.pids !== undefined ? `/sys/fs/cgroup/pids${cg.pids}` : '', cg[''] !== undefined ? `/sys/fs/cgroup/unified${cg['']}` : ''];
    for (const d of candidates.filter(Boolean)) {
      try {
        return fs.readFileSync(path.join(d, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number);
      } catch { /* next */ }
    }
    return [];
  }

  /**
   * The task's cgroups as its init sees them now (hull's init joins them only
   * just before it execs the container process), else as last seen.
   */
  private cgroups(t: Task): Record<string, string> | undefined {
    if (!t.init.rec.exit && t.init.rec.pid > 0) {
      try {
        t.rec.cgroups = cgroupsOf(t.init.rec.pid);
      } catch { /* exited meanwhile */ }
    }
    return t.rec.cgroups;
  }

  stats(id: string): { type_url: string; value: Buffer } {
    const t = this.task(id);
    const cgroups = this.cgroups(t);
    if (!cgroups) throw precondition(`task ${id}: no cgroup known`);
    return { type_url: 'hull.shim.v1.Stats+json', value: Buffer.from(JSON.stringify(readStats(cgroups))) };
  }

  async update(id: string, resources?: { type_url: string; value: Buffer } | null): Promise<void> {
    const t = this.task(id);
    if (!resources?.value?.length) throw invalid(`task ${id}: resources: missing (LinuxResources JSON)`);
    try {
      JSON.parse(Buffer.from(resources.value).toString());
    } catch (e) {
      throw invalid(`task ${id}: resources: not JSON: ${(e as Error).message}`);
    }
    await t.lock(async () => {
      if (t.init.rec.exit) throw precondition(`task ${id}: cannot update: it is stopped`);
      const file = path.join(t.dir, 'resources.json');
      await fsp.writeFile(file, Buffer.from(resources.value), { mode: 0o600 });
      await this.runtime.run(['update', '--resources', file, id]);
    });
  }

  async checkpoint(id: string, imagePath: string): Promise<void> {
    const t = this.task(id);
    if (!imagePath) throw invalid(`task ${id}: checkpoint path: empty`);
    await t.lock(async () => {
      if (t.init.rec.status !== 'running' && t.init.rec.status !== 'paused') throw precondition(`task ${id}: cannot checkpoint: it is ${t.init.rec.status}`);
      try {
        await this.runtime.run(['checkpoint', '--image-path', imagePath, id]);
      } catch (e) {
        if (/unknown command|no help topic|not supported|unimplemented/i.test((e as Error).message)) throw unimplemented(`task ${id}: ${this.runtime.name} cannot checkpoint: ${(e as Error).message}`);
        throw e;
      }
      this.events.publish('/tasks/checkpointed', { container_id: id, checkpoint: imagePath });
    });
  }

  closeIO(id: string, execId: string, stdin: boolean): void {
    const p = this.proc(id, execId);
    if (stdin) p.io?.closeStdin();
  }

  resizePty(id: string, execId: string, width: number, height: number): void {
    const p = this.proc(id, execId);
    if (!p.rec.terminal) throw precondition(`${p.name}: has no terminal`);
    if (p.io?.master === undefined) return; // exited: nothing to resize
    const ws = Buffer.alloc(8);
    ws.writeUInt16LE(height, 0);
    ws.writeUInt16LE(width, 2);
    ioctl(p.io.master, TIOCSWINSZ, ws, `resize pty of ${p.name}`);
  }

  // ---- queries ----

  state(id: string, execId: string): Record<string, unknown> {
    const p = this.proc(id, execId);
    const r = p.rec;
    return {
      id, bundle: p.task.rec.bundle, pid: r.pid, status: STATUS_CODE[r.status], stdin: r.stdin, stdout: r.stdout, stderr: r.stderr,
      terminal: r.terminal, exit_status: r.exit?.status ?? 0, exited_at: r.exit ? ts(r.exit.at) : null, exec_id: execId,
    };
  }

  connect(id: string): Record<string, unknown> {
    const t = id ? this.task(id) : undefined;
    return { shim_pid: process.pid, task_pid: t?.init.rec.pid ?? 0, version: VERSION };
  }

  list(ids: string[]): Record<string, unknown>[] {
    const want = ids.length ? new Set(ids) : undefined;
    return [...this.tasks.values()].filter((t) => !want || want.has(t.rec.id)).map((t) => {
      const r = t.init.rec;
      return {
        id: t.rec.id, bundle: t.rec.bundle, pid: r.pid, status: STATUS_CODE[r.status], exit_status: r.exit?.status ?? 0,
        exited_at: r.exit ? ts(r.exit.at) : null, created_at: msTs(t.rec.createdAt), started_at: r.startedAt ? msTs(r.startedAt) : null,
        terminal: r.terminal, stdin: r.stdin, stdout: r.stdout, stderr: r.stderr, runtime: t.rec.runtime,
        execs: [...t.execs.values()].map((e) => ({
          exec_id: e.rec.execId, pid: e.rec.pid, status: STATUS_CODE[e.rec.status], exit_status: e.rec.exit?.status ?? 0,
          exited_at: e.rec.exit ? ts(e.rec.exit.at) : null, terminal: e.rec.terminal,
        })),
      };
    });
  }

  // ---- restart ----

  /**
   * Takes back every task recorded in the state dir after a restart: records,
   * stdio (from the monitors). Exits are looked at by watch(), once serving.
   */
  async recover(): Promise<void> {
    for (const id of await fsp.readdir(this.tasksDir)) {
      const dir = path.join(this.tasksDir, id);
      let rec: TaskRecord;
      try {
        rec = JSON.parse(await fsp.readFile(path.join(dir, 'task.json'), 'utf8'));
      } catch (e) {
        this.log.warn('dropping a task directory without a readable record', { dir, error: (e as Error).message });
        await fsp.rm(dir, { recursive: true, force: true });
        continue;
      }
      const t = new Task(dir, rec);
      if (rec.init.pid <= 0) {
        // The daemon died inside Create: finish undoing it.
        this.log.warn('removing a task whose create never finished', { id });
        await this.discard(t, new Error('incomplete create'));
        continue;
      }
      this.tasks.set(id, t);
      for (const p of [t.init, ...t.execs.values()]) this.reattach(p);
      this.log.info('recovered', { id, status: rec.init.status });
    }
  }

  /** Once serving: watch recovered tasks for exits (those that happened while we were down first). */
  watchRecovered(): void {
    for (const t of this.tasks.values()) {
      this.watch(t);
      for (const p of [t.init, ...t.execs.values()]) this.checkExit(p);
    }
    // Monitors of recovered processes are not our children (no exit event): look now and then too.
    this.poller = setInterval(() => {
      for (const t of this.tasks.values()) for (const p of [t.init, ...t.execs.values()]) if (!p.child) this.checkExit(p);
    }, 2000);
    this.poller.unref();
  }

  private reattach(p: Proc): void {
    if (p.rec.exit || p.rec.pid <= 0) return;
    if (readExitFile(p.exitFile) || startTime(p.rec.monitorPid) !== p.rec.monitorStart) return;
    // stdin was our pipe alone: the process saw EOF when we died. A pty's master is kept by the monitor.
    const io = new ProcIo({ ...p.rec, stdin: p.rec.terminal ? p.rec.stdin : '' });
    try {
      io.open();
      const pidfd = pidfdOpen(p.rec.monitorPid);
      try {
        if (p.rec.terminal) io.attachPty(pidfdGetfd(pidfd, MONITOR_MASTER_FD), pidfdGetfd(pidfd, MONITOR_MASTER_FD));
        else io.attachOutputs(p.rec.stdout ? pidfdGetfd(pidfd, MONITOR_STDOUT_FD) : undefined, p.rec.stderr ? pidfdGetfd(pidfd, MONITOR_STDERR_FD) : undefined);
      } finally {
        closeFd(pidfd);
      }
      p.io = io;
    } catch (e) {
      io.destroy();
      this.log.warn('cannot reattach stdio', { id: p.task.rec.id, execId: p.rec.execId, error: (e as Error).message });
    }
  }

  close(): void {
    if (this.poller) clearInterval(this.poller);
    for (const t of this.tasks.values()) {
      t.watcher?.close();
      for (const p of [t.init, ...t.execs.values()]) p.io?.destroy();
    }
  }
}

function ts(at: [number, number]): Timestamp {
  return { seconds: at[0], nanos: at[1] };
}

function msTs(ms: number): Timestamp {
  return { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 };
}
