// gRPC handlers: containerd.task.v2.Task and hull.shim.v1.Hull over a Supervisor.
import * as grpc from '@grpc/grpc-js';
import { grpcCodeOf } from './errors';
import type { Envelope } from './events';
import type { Logger } from './log';
import { HULL_SERVICE, TASK_SERVICE, serviceDefinition } from './proto';
import type { Supervisor } from './supervisor';

type Msg = Record<string, any>;
type Handler = (req: Msg) => Promise<Msg> | Msg;

// A subscriber this far behind is dropped rather than buffered without bound.
const MAX_PENDING_EVENTS = 10000;

export function unary(log: Logger, name: string, fn: Handler): grpc.handleUnaryCall<Msg, Msg> {
  return (call, callback) => {
    Promise.resolve()
      .then(() => fn(call.request))
      .then((res) => callback(null, res), (e: Error) => {
        const code = grpcCodeOf(e);
        if (code === grpc.status.UNKNOWN || code === grpc.status.INTERNAL) log.warn(`${name} failed`, { error: e.message });
        callback({ code, details: e.message });
      });
  };
}

export function addServices(server: grpc.Server, sup: Supervisor, log: Logger, shutdown: (now: boolean) => boolean): void {
  const empty = {};
  const task: Record<string, Handler> = {
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
    Stats: (r) => ({ stats: sup.stats(r.id) }),
    Connect: (r) => sup.connect(r.id),
    Shutdown: (r) => { shutdown(Boolean(r.now)); return empty; },
  };
  const impl: grpc.UntypedServiceImplementation = {};
  for (const [name, fn] of Object.entries(task)) impl[name] = unary(log, name, fn);
  server.addService(serviceDefinition(TASK_SERVICE), impl);

  server.addService(serviceDefinition(HULL_SERVICE), {
    List: unary(log, 'List', (r) => ({ tasks: sup.list(r.ids ?? []) })),
    Subscribe: (call: grpc.ServerWritableStream<Msg, Msg>) => {
      const topics = new Set<string>(call.request.topics ?? []);
      const only: string = call.request.container_id ?? '';
      const stop = sup.events.subscribe((env: Envelope, containerId: string) => {
        if (topics.size && !topics.has(env.topic)) return;
        if (only && only !== containerId) return;
        if (call.writableLength > MAX_PENDING_EVENTS) {
          stop();
          call.destroy(Object.assign(new Error('subscriber too slow: events dropped'), { code: grpc.status.RESOURCE_EXHAUSTED }));
          return;
        }
        call.write(env);
      });
      call.on('cancelled', stop);
      call.on('close', stop);
      call.on('error', stop);
      // Headers now, so a client knows it is subscribed before the first event.
      call.sendMetadata(new grpc.Metadata());
    },
  });
}
