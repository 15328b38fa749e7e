// gRPC handlers: containerd.task.v2.Task and hull.shim.v1.Hull over a Supervisor.
import * as grpc from '@grpc/grpc-js';
import { grpcCodeOf } from './errors';
import type { Envelope } from './events';
import type { Logger } from './log';
import { HULL_SERVICE, TASK_SERVICE, serviceDefinition } from './proto';
import type { Supervisor } from './supervisor';
import { taskHandlers, type Handler, type Msg } from './task-api';

// A subscriber this far behind is dropped rather than buffered without bound.
const MAX_PENDING_EVENTS = 20000; // more than a full replay (the bus keeps at most 15000)

function toMs(t: { seconds: number; nanos: number }): number {
  return Number(t.seconds) * 1000 + Number(t.nanos) / 1e6;
}

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
      const after = Number(call.request.after_sequence ?? 0);
      const since = call.request.since ?? undefined;
      const until = call.request.until ? toMs(call.request.until) : undefined;
      let timer: NodeJS.Timeout | undefined;
      let ended = false;
      let stop = () => {};
      const end = () => {
        if (ended) return;
        ended = true;
        stop();
        clearTimeout(timer);
        call.end();
      };
      // Headers first, so a client knows it is subscribed before the first event.
      call.sendMetadata(new grpc.Metadata());
      const unsubscribe = sup.events.subscribe((env: Envelope, containerId: string) => {
        if (ended) return;
        if (until !== undefined && toMs(env.timestamp) > until) return end();
        if (topics.size && !topics.has(env.topic)) return;
        if (only && only !== containerId) return;
        if (call.writableLength > MAX_PENDING_EVENTS) {
          ended = true;
          stop();
          call.destroy(Object.assign(new Error('subscriber too slow: events dropped'), { code: grpc.status.RESOURCE_EXHAUSTED }));
          return;
        }
        call.write(env);
      }, after > 0 || since ? { afterSequence: after > 0 ? after : undefined, time: since ?? undefined } : undefined);
      stop = () => { unsubscribe(); };
      if (ended) return void stop(); // `until` came during the replay
      // A time further than a timer reaches (24 days) is as good as never.
      if (until !== undefined && until - Date.now() < 2 ** 31) timer = setTimeout(end, Math.max(0, until - Date.now()));
      call.on('cancelled', () => { ended = true; stop(); clearTimeout(timer); });
      call.on('close', () => { stop(); clearTimeout(timer); });
      call.on('error', () => { stop(); clearTimeout(timer); });
    },
  });
}
