// A small client for hull-shim: both services on one socket, promise calls.
import * as grpc from '@grpc/grpc-js';
import { HULL_SERVICE, TASK_SERVICE, serviceDefinition } from './proto';

type Msg = Record<string, any>;

export interface ShimClient {
  /** Calls a containerd.task.v2.Task method (Create, Start, Wait, ...). */
  task(method: string, request: Msg, options?: grpc.CallOptions): Promise<Msg>;
  /** Calls a unary hull.shim.v1.Hull method (List). */
  hull(method: string, request: Msg, options?: grpc.CallOptions): Promise<Msg>;
  /** A unary call to any service the daemon serves (hull.networks.v1.Networks, ...). */
  call(service: string, method: string, request: Msg, options?: grpc.CallOptions): Promise<Msg>;
  /** A server-streaming call to any service the daemon serves (hull.images.v1.Images Pull, Push). */
  stream(service: string, method: string, request: Msg): grpc.ClientReadableStream<Msg>;
  /** A bidirectional streaming call (hull.build.v1.Builder Build). */
  duplex(service: string, method: string): grpc.ClientDuplexStream<Msg, Msg>;
  /** Hull.Subscribe: a stream of Envelope messages; cancel() it to stop. */
  subscribe(request?: Msg): grpc.ClientReadableStream<Msg>;
  close(): void;
}

/** `address` is a socket path or a grpc address (unix:///path). */
export function connect(address: string): ShimClient {
  const target = address.includes(':') ? address : `unix://${address}`;
  const creds = grpc.credentials.createInsecure();
  const TaskClient = grpc.makeGenericClientConstructor(serviceDefinition(TASK_SERVICE), 'Task');
  const HullClient = grpc.makeGenericClientConstructor(serviceDefinition(HULL_SERVICE), 'Hull');
  const task = new TaskClient(target, creds) as unknown as Record<string, Function> & grpc.Client;
  const hull = new HullClient(target, creds, { channelOverride: task.getChannel() }) as unknown as Record<string, Function> & grpc.Client;
  const unary = (c: Record<string, Function>, method: string, request: Msg, options: grpc.CallOptions = {}) =>
    new Promise<Msg>((resolve, reject) => {
      if (typeof c[method] !== 'function') return reject(new Error(`no such method: ${method}`));
      c[method](request, options, (err: grpc.ServiceError | null, res: Msg) => (err ? reject(err) : resolve(res)));
    });
  const others = new Map<string, Record<string, Function> & grpc.Client>();
  const other = (name: string) => {
    let c = others.get(name);
    if (!c) {
      const Client = grpc.makeGenericClientConstructor(serviceDefinition(name), name);
      c = new Client(target, creds, { channelOverride: task.getChannel() }) as unknown as Record<string, Function> & grpc.Client;
      others.set(name, c);
    }
    return c;
  };
  return {
    call: (s, m, r, o) => unary(other(s), m, r, o),
    stream: (s, m, r) => {
      const c = other(s);
      if (typeof c[m] !== 'function') throw new Error(`no such method: ${m}`);
      return c[m](r) as grpc.ClientReadableStream<Msg>;
    },
    duplex: (s, m) => {
      const c = other(s);
      if (typeof c[m] !== 'function') throw new Error(`no such method: ${m}`);
      return c[m]() as grpc.ClientDuplexStream<Msg, Msg>;
    },
    task: (m, r, o) => unary(task, m, r, o),
    hull: (m, r, o) => unary(hull, m, r, o),
    subscribe: (request = {}) => hull.Subscribe(request) as grpc.ClientReadableStream<Msg>,
    close: () => { task.close(); hull.close(); for (const c of others.values()) c.close(); },
  };
}
