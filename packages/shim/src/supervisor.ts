// The supervisor's operations on the tasks and exec processes the daemon
// owns. The pieces live beside it: the task model and its transition table
// (task.ts), launching under a monitor (launch.ts), exits (exits.ts),
// recovery after a restart (recovery.ts), the API's shapes (views.ts).
// Transports (service.ts for gRPC, v2/ for ttrpc) only translate messages.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import * as hull from '@hull/runtime';
import { TIOCSWINSZ } from '@hull/sys/constants';
import { ioctl } from '@hull/sys/libc';
import { invalid, notFound, exists, precondition, unimplemented, ShimError } from './errors';
import { EventBus, EventJournal, taskAnnotations } from './events';
import { Exits } from './exits';
import { Launcher } from './launch';
import type { Logger } from './log';
import { monitorGone, readExitFile } from './monitor';
import { mountAll, unmountAll, type MountSpec } from './mounts';
import { recoverTasks } from './recovery';
import type { Runtime } from './runtime';
import { cgroupsOf, readStats } from './stats';
import { checkStdio, type StdioSpec } from './stdio';
import { ID_PATTERN, Proc, Task, transition, type ProcRecord, type TaskRecord, type Timestamp } from './task';
import { connectView, deletedView, stateView, taskInfoView } from './views';

export { ID_PATTERN };

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
  readonly events: EventBus;
  private readonly tasks = new Map<string, Task>();
  private readonly reserved = new Set<string>();
  private readonly runtime: Runtime;
  private readonly log: Logger;
  private readonly tasksDir: string;
  private readonly launcher: Launcher;
  private readonly exits: Exits;

  constructor(opts: SupervisorOptions) {
    this.runtime = opts.runtime;
    this.log = opts.log;
    this.tasksDir = path.join(opts.stateDir, 'tasks');
    fs.mkdirSync(this.tasksDir, { recursive: true, mode: 0o700 });
    this.launcher = new Launcher(opts.runtime, opts.stateDir);
    // Kept across restarts, so a subscriber that comes back gets what it missed.
    this.events = new EventBus(new EventJournal(path.join(opts.stateDir, 'events')));
    this.exits = new Exits(this.events, opts.log);
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
    for (const t of this.tasks.values()) for (const p of t.procs()) if (!p.rec.exit) n++;
    return n;
  }

  taskCount(): number {
    return this.tasks.size;
  }

  // ---- create, start, exec ----

  async create(req: CreateRequest): Promise<{ pid: number }> {
    const { id } = req;
    if (!ID_PATTERN.test(id)) throw invalid(`id ${JSON.stringify(id)}: must match ${ID_PATTERN.source}`);
    if (!path.isAbsolute(req.bundle)) throw invalid(`bundle ${JSON.stringify(req.bundle)}: must be an absolute path`);
    const annotations = taskAnnotations(req.bundle);
    if (!annotations) throw invalid(`bundle ${req.bundle}: no config.json`);
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
      this.exits.watch(task);
      const p = task.init;
      const lib = this.runtime.lib;
      if (lib) {
        await this.launcher.launchInProcess(p, { op: 'create', id, bundle: req.bundle, pidFile: p.pidFile }, () => this.exits.check(p));
      } else {
        await this.launcher.launch(p, (console) => ['create', '--bundle', req.bundle, '--pid-file', p.pidFile, ...console, id], () => this.exits.check(p));
      }
      this.cgroups(task);
      await task.persist();
      this.tasks.set(id, task);
      this.events.annotate(id, annotations);
      this.events.publish('/tasks/create', {
        container_id: id, bundle: req.bundle, rootfs: req.rootfs,
        io: { stdin: req.stdin, stdout: req.stdout, stderr: req.stderr, terminal: req.terminal }, checkpoint: '', pid: p.rec.pid,
      });
      this.exits.check(p);
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
    // In-process, a create cut short by our death left its runtime state (and init, cgroup) behind too.
    if (task.rec.init.pid > 0 || this.runtime.lib) await this.runtimeDelete(task.rec.id, true).catch((e: ShimError) => { if (e.grpcCode !== 5) keep(e); });
    try {
      unmountAll(path.join(task.rec.bundle, 'rootfs'), task.rec.mounted);
    } catch (e) { keep(e); }
    await fsp.rm(task.dir, { recursive: true, force: true }).catch(keep);
  }

  async start(id: string, execId: string): Promise<{ pid: number }> {
    const p = this.proc(id, execId);
    return p.task.lock(async () => {
      const next = transition(p, 'start');
      // The exit waits for all of this, so its event and state come after the start's.
      const starting = (async () => {
        if (execId) await this.startExec(p);
        else await this.startInit(p);
        p.rec.status = next;
        p.rec.startedAt = Date.now();
        await p.task.persist();
        this.events.publish(execId ? '/tasks/exec-started' : '/tasks/start', { container_id: id, ...(execId ? { exec_id: execId } : {}), pid: p.rec.pid });
      })();
      p.starting = starting;
      await starting;
      if (execId) this.exits.check(p);
      return { pid: p.rec.pid };
    });
  }

  private async startInit(p: Proc): Promise<void> {
    const lib = this.runtime.lib;
    if (lib) await lib.jobs.run({ op: 'start', id: p.task.rec.id });
    else await this.runtime.run(['start', p.task.rec.id]);
    this.cgroups(p.task);
  }

  private async startExec(p: Proc): Promise<void> {
    const t = p.task;
    transition(t.init, 'exec');
    const spec = path.join(t.dir, `${p.stem}.json`);
    const lib = this.runtime.lib;
    if (lib) {
      const proc = JSON.parse(await fsp.readFile(spec, 'utf8'));
      return this.launcher.launchInProcess(p, { op: 'exec', id: t.rec.id, process: proc, pidFile: p.pidFile }, () => this.exits.check(p));
    }
    await this.launcher.launch(p, (console) => ['exec', '--detach', '--process', spec, '--pid-file', p.pidFile, ...console, t.rec.id], () => this.exits.check(p));
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
      transition(t.init, 'exec');
      const rec: ProcRecord = { execId: req.execId, terminal: req.terminal, stdin: req.stdin, stdout: req.stdout, stderr: req.stderr, status: 'created', pid: 0, monitorPid: 0 };
      const p = new Proc(t, rec);
      await fsp.writeFile(path.join(t.dir, `${p.stem}.json`), JSON.stringify(spec), { mode: 0o600 });
      t.execs.set(req.execId, p);
      t.rec.execs[req.execId] = rec;
      await t.persist();
      this.events.publish('/tasks/exec-added', { container_id: req.id, exec_id: req.execId });
    });
  }

  async wait(id: string, execId: string): Promise<{ exit_status: number; exited_at: Timestamp }> {
    const p = this.proc(id, execId);
    await p.exited;
    const out = deletedView(p);
    return { exit_status: out.exit_status, exited_at: out.exited_at! };
  }

  // ---- delete, kill ----

  async delete(id: string, execId: string): Promise<ReturnType<typeof deletedView>> {
    const p = this.proc(id, execId);
    const t = p.task;
    return t.lock(async () => {
      transition(p, 'delete');
      if (execId) return this.deleteExec(p);
      if (!this.tasks.has(id)) throw notFound(`task ${JSON.stringify(id)}: not found`);
      if (!p.rec.exit) {
        // Created but never started: the init waits on the exec fifo; kill it.
        await this.runtimeDelete(id, true);
        await p.exited;
      } else {
        await this.runtimeDelete(id, false).catch((e: ShimError) => {
          if (e.grpcCode !== 5) throw e; // already gone from the runtime's state
        });
      }
      await Promise.all([...t.procs()].map(monitorOf).map((m) => monitorGone(m)));
      this.tasks.delete(id);
      t.watcher?.close();
      for (const proc of t.procs()) proc.io?.destroy();
      unmountAll(path.join(t.rec.bundle, 'rootfs'), t.rec.mounted);
      await fsp.rm(t.dir, { recursive: true, force: true });
      const out = deletedView(p);
      this.events.publish('/tasks/delete', { container_id: id, ...out, id: '' });
      this.log.info('deleted', { id });
      return out;
    });
  }

  private runtimeDelete(id: string, force: boolean): Promise<unknown> {
    const lib = this.runtime.lib;
    if (lib) return lib.jobs.run({ op: 'delete', id, force });
    return this.runtime.run(['delete', ...(force ? ['--force'] : []), id]);
  }

  private async deleteExec(p: Proc): Promise<ReturnType<typeof deletedView>> {
    const t = p.task;
    await monitorGone(monitorOf(p));
    t.execs.delete(p.rec.execId);
    delete t.rec.execs[p.rec.execId];
    p.io?.destroy();
    await t.persist();
    for (const ext of ['json', 'pid', 'exit']) await fsp.rm(path.join(t.dir, `${p.stem}.${ext}`), { force: true });
    const out = deletedView(p);
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
      const lib = this.runtime.lib;
      if (lib) await lib.jobs.run({ op: 'kill', id, signal: sig, all });
      else await this.runtime.run(['kill', ...(all ? ['--all'] : []), id, String(sig)]);
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

  // ---- pause, resume, update, checkpoint ----

  async pause(id: string): Promise<void> {
    const t = this.task(id);
    await t.lock(async () => {
      const next = transition(t.init, 'pause');
      const lib = this.runtime.lib;
      if (lib) await lib.jobs.run({ op: 'pause', id });
      else await this.runtime.run(['pause', id]);
      t.init.rec.status = next;
      await t.persist();
      this.events.publish('/tasks/paused', { container_id: id });
    });
  }

  async resume(id: string): Promise<void> {
    const t = this.task(id);
    await t.lock(async () => {
      const next = transition(t.init, 'resume');
      const lib = this.runtime.lib;
      if (lib) await lib.jobs.run({ op: 'resume', id });
      else await this.runtime.run(['resume', id]);
      t.init.rec.status = t.init.rec.exit ? 'stopped' : next;
      await t.persist();
      this.events.publish('/tasks/resumed', { container_id: id });
    });
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
      transition(t.init, 'update');
      const file = path.join(t.dir, 'resources.json');
      await fsp.writeFile(file, Buffer.from(resources.value), { mode: 0o600 });
      const lib = this.runtime.lib;
      if (lib) await lib.jobs.run({ op: 'update', id, resources: JSON.parse(Buffer.from(resources.value).toString()) });
      else await this.runtime.run(['update', '--resources', file, id]);
    });
  }

  async checkpoint(id: string, imagePath: string): Promise<void> {
    const t = this.task(id);
    if (!imagePath) throw invalid(`task ${id}: checkpoint path: empty`);
    await t.lock(async () => {
      transition(t.init, 'checkpoint');
      try {
        await this.runtime.run(['checkpoint', '--image-path', imagePath, id]);
      } catch (e) {
        if (/unknown command|no help topic|not supported|unimplemented/i.test((e as Error).message)) throw unimplemented(`task ${id}: ${this.runtime.name} cannot checkpoint: ${(e as Error).message}`);
        throw e;
      }
      this.events.publish('/tasks/checkpointed', { container_id: id, checkpoint: imagePath });
    });
  }

  // ---- pids, stats, io ----

  async pids(id: string): Promise<Array<{ pid: number; info: null }>> {
    const t = this.task(id);
    if (t.init.rec.exit) return [];
    let pids: number[];
    try {
      const lib = this.runtime.lib;
      pids = JSON.parse(lib ? await lib.call('ps', id, () => hull.ps(lib.store, id, 'json', [])) : await this.runtime.run(['ps', '--format', 'json', id])) ?? [];
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

  /** The task's cgroups (controller -> path), for the stats views. */
  taskCgroups(id: string): Record<string, string> {
    const cgroups = this.cgroups(this.task(id));
    if (!cgroups) throw precondition(`task ${id}: no cgroup known`);
    return cgroups;
  }

  stats(id: string): { type_url: string; value: Buffer } {
    return { type_url: 'hull.shim.v1.Stats+json', value: Buffer.from(JSON.stringify(readStats(this.taskCgroups(id)))) };
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
    return stateView(this.proc(id, execId));
  }

  connect(id: string): Record<string, unknown> {
    return connectView(id ? this.task(id) : undefined);
  }

  list(ids: string[]): Record<string, unknown>[] {
    const want = ids.length ? new Set(ids) : undefined;
    return [...this.tasks.values()].filter((t) => !want || want.has(t.rec.id)).map(taskInfoView);
  }

  // ---- restart ----

  /** Takes back every task recorded in the state dir; undoes creates that never finished. */
  async recover(): Promise<void> {
    const { tasks, incomplete } = await recoverTasks(this.tasksDir, this.log);
    for (const t of incomplete) {
      this.log.warn('removing a task whose create never finished', { id: t.rec.id });
      await this.discard(t, new Error('incomplete create'));
    }
    for (const t of tasks) {
      this.tasks.set(t.rec.id, t);
      this.events.annotate(t.rec.id, taskAnnotations(t.rec.bundle) ?? {});
    }
  }

  /** Once serving: watch recovered tasks for exits (those that happened while we were down first). */
  watchRecovered(): void {
    for (const t of this.tasks.values()) {
      this.exits.watch(t);
      for (const p of t.procs()) this.exits.check(p);
    }
    this.exits.poll(() => this.tasks.values());
  }

  close(): void {
    this.runtime.lib?.jobs.close();
    this.exits.close();
    this.events.close();
    for (const t of this.tasks.values()) {
      t.watcher?.close();
      for (const p of t.procs()) p.io?.destroy();
    }
  }
}

function monitorOf(p: Proc): { child?: Proc['child']; pid: number; start?: string } {
  return { child: p.child, pid: p.rec.monitorPid, start: p.rec.monitorStart };
}
