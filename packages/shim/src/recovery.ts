// Recovery: after a daemon restart, the tasks recorded in the state dir are
// taken back with their stdio (from the monitors, which kept it). A task
// whose create never finished is handed back to be undone.
import fsp from 'node:fs/promises';
import path from 'node:path';
import { attachFromMonitor } from './launch';
import type { Logger } from './log';
import { readExitFile, startTime } from './monitor';
import { ProcIo } from './stdio';
import { Task, type Proc } from './task';

export interface Recovered {
  tasks: Task[];
  /** Tasks the previous daemon died creating. */
  incomplete: Task[];
}

export async function recoverTasks(tasksDir: string, log: Logger): Promise<Recovered> {
  const out: Recovered = { tasks: [], incomplete: [] };
  for (const id of await fsp.readdir(tasksDir)) {
    const dir = path.join(tasksDir, id);
    let t: Task;
    try {
      t = await Task.load(dir);
    } catch (e) {
      log.warn('dropping a task directory without a readable record', { dir, error: (e as Error).message });
      await fsp.rm(dir, { recursive: true, force: true });
      continue;
    }
    if (t.rec.init.pid <= 0) {
      out.incomplete.push(t);
      continue;
    }
    for (const p of t.procs()) reattach(p, log);
    out.tasks.push(t);
    log.info('recovered', { id, status: t.rec.init.status });
  }
  return out;
}

function reattach(p: Proc, log: Logger): void {
  if (p.rec.exit || p.rec.pid <= 0) return;
  if (readExitFile(p.exitFile) || startTime(p.rec.monitorPid) !== p.rec.monitorStart) return;
  // stdin was our pipe alone: the process saw EOF when we died. A pty's master is kept by the monitor.
  const io = new ProcIo({ ...p.rec, stdin: p.rec.terminal ? p.rec.stdin : '' });
  try {
    io.open(false);
    attachFromMonitor(p, io);
    p.io = io;
  } catch (e) {
    io.destroy();
    log.warn('cannot reattach stdio', { id: p.task.rec.id, execId: p.rec.execId, error: (e as Error).message });
  }
}
