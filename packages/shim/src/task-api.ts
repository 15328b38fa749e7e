// containerd.task.v2.Task over a Supervisor: one table of handlers, served
// by both transports (gRPC in hull-shim, ttrpc in containerd-shim-hull-v2).
// Messages are the protos' plain objects (snake_case).
import type { Supervisor } from './supervisor';

export type Msg = Record<string, any>;
export type Handler = (req: Msg) => Promise<Msg> | Msg;

export interface TaskApiOptions {
  /** Shutdown: whether the daemon will stop (`now`, or no tasks left). */
  shutdown(now: boolean): boolean;
  /** Stats' Any for a task: each transport's clients decode their own shape. */
  stats(id: string): { type_url: string; value: Buffer };
}

export function taskHandlers(sup: Supervisor, o: TaskApiOptions): Record<string, Handler> {
  const empty = {};
  return {
    State: (r) => sup.state(r.id, r.exec_id),
    Create: (r) => sup.create({
      id: r.id, bundle: r.bundle, rootfs: r.rootfs ?? [], terminal: r.terminal, stdin: r.stdin, stdout: r.stdout, stderr: r.stderr, checkpoint: r.checkpoint,
    }),
    Start: (r) => sup.start(r.id, r.exec_id),
    Delete: (r) => sup.delete(r.id, r.exec_id),
    Pids: async (r) => ({ processes: await sup.pids(r.id) }),
    Pause: async (r) => { await sup.pause(r.id); return empty; },
    Resume: async (r) => { await sup.resume(r.id); return empty; },
    Checkpoint: async (r) => { await sup.checkpoint(r.id, r.path); return empty; },
    Kill: async (r) => { await sup.kill(r.id, r.exec_id, r.signal, r.all); return empty; },
    Exec: async (r) => {
      await sup.exec({ id: r.id, execId: r.exec_id, terminal: r.terminal, stdin: r.stdin, stdout: r.stdout, stderr: r.stderr, spec: r.spec });
      return empty;
    },
    ResizePty: (r) => { sup.resizePty(r.id, r.exec_id, r.width, r.height); return empty; },
    CloseIO: (r) => { sup.closeIO(r.id, r.exec_id, r.stdin); return empty; },
    Update: async (r) => { await sup.update(r.id, r.resources); return empty; },
    Wait: (r) => sup.wait(r.id, r.exec_id),
    Stats: (r) => ({ stats: o.stats(r.id) }),
    Connect: (r) => sup.connect(r.id),
    Shutdown: (r) => { o.shutdown(Boolean(r.now)); return empty; },
  };
}
