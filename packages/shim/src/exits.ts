// Exits: a process's exit is the monitor's exit file, seen through a watch
// on the task directory, the monitor's own exit, or (for monitors of a
// previous daemon, not our children) a poll. Recorded once, in event order.
import fs from 'node:fs';
import type { EventBus } from './events';
import { now } from './events';
import type { Logger } from './log';
import { readExitFile, startTime } from './monitor';
import { oomKills } from './stats';
import { transition, ts, type ExitRecord, type Proc, type Task } from './task';

const POLL_MS = 2000;

export class Exits {
  private poller?: NodeJS.Timeout;

  constructor(private readonly events: EventBus, private readonly log: Logger) {}

  /** Watches a task's directory for exit files. */
  watch(t: Task): void {
    try {
      const w = fs.watch(t.dir, (_ev, file) => {
        const name = String(file ?? '');
        if (!name.endsWith('.exit')) return;
        const stem = name.slice(0, -5);
        const p = stem === 'init' ? t.init : t.execs.get(stem.slice(5));
        if (p) this.check(p);
      });
      w.on('error', () => {});
      t.watcher = w;
    } catch (e) {
      this.log.warn('cannot watch task directory; relying on polling', { id: t.rec.id, error: (e as Error).message });
    }
  }

  /** Looks for the monitor's exit file; records the exit once. */
  check(p: Proc): void {
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

  private async finish(p: Proc, ex: ExitRecord): Promise<void> {
    await p.starting?.catch(() => {});
    // Output written before the exit reaches the client before the exit event.
    // A sink still flushing to a late reader keeps its fds until Delete.
    await p.io?.drained(5000);
    const t = p.task;
    // Published before the record is saved, once: a daemon killed in between
    // finds the event in the journal after its restart and only saves the record.
    p.rec.status = transition(p, 'exit');
    p.rec.exit = ex;
    const key = `exit ${t.rec.id} ${p.rec.execId} ${p.rec.pid} ${p.rec.monitorPid}@${p.rec.monitorStart}`;
    if (!this.events.published(key)) {
      if (!p.rec.execId && t.rec.cgroups && oomKills(t.rec.cgroups) > 0) this.events.publish('/tasks/oom', { container_id: t.rec.id });
      this.events.publish('/tasks/exit', {
        container_id: t.rec.id, id: p.rec.execId || t.rec.id, pid: p.rec.pid, exit_status: ex.status, exited_at: ts(ex.at),
      }, key);
    }
    await t.persist();
    p.markExited();
    this.log.info('exited', { id: t.rec.id, execId: p.rec.execId || undefined, status: ex.status });
  }

  /** Monitors of recovered processes are not our children (no exit event): look now and then. */
  poll(tasks: () => Iterable<Task>): void {
    this.poller = setInterval(() => {
      for (const t of tasks()) for (const p of t.procs()) if (!p.child) this.check(p);
    }, POLL_MS);
    this.poller.unref();
  }

  close(): void {
    if (this.poller) clearInterval(this.poller);
  }
}
