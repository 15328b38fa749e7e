// gRPC handlers: containerd.task.v2.Task and hull.shim.v1.Hull over a Supervisor.
import * as grpc from '@grpc/grpc-js';
import { grpcCodeOf } from './errors';
import type { Envelope } from './events';
import type { Logger } from './log';
import { HULL_SERVICE, TASK_SERVICE, serviceDefinition } from './proto';
import type { Supervisor } from './supervisor';
import { taskHandlers, type Handler, type Msg } from './task-api';

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
  const task = taskHandlers(sup, { shutdown, stats: (id) => sup.stats(id) });
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
