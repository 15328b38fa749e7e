// Views: the Task API's and hull.shim.v1's read-only shapes of tasks and
// processes (containerd.task.v2 StateResponse, ConnectResponse, hull TaskInfo).
import { STATUS_CODE, VERSION } from './constants';
import { msTs, ts, type Proc, type Task } from './task';

export function stateView(p: Proc): Record<string, unknown> {
  const r = p.rec;
  return {
    id: p.task.rec.id, bundle: p.task.rec.bundle, pid: r.pid, status: STATUS_CODE[r.status], stdin: r.stdin, stdout: r.stdout, stderr: r.stderr,
    terminal: r.terminal, exit_status: r.exit?.status ?? 0, exited_at: r.exit ? ts(r.exit.at) : null, exec_id: r.execId,
  };
}

export function connectView(t: Task | undefined): Record<string, unknown> {
  return { shim_pid: process.pid, task_pid: t?.init.rec.pid ?? 0, version: VERSION };
}

export function taskInfoView(t: Task): Record<string, unknown> {
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
}

/** DeleteResponse of a process. */
export function deletedView(p: Proc): { pid: number; exit_status: number; exited_at: ReturnType<typeof ts> | null } {
  return { pid: p.rec.pid, exit_status: p.rec.exit?.status ?? 0, exited_at: p.rec.exit ? ts(p.rec.exit.at) : null };
}
