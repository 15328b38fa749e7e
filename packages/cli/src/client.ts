// The gRPC client for hull-shim: containerd's Task service and the Hull
// service, loaded from the shim's .proto files. Every hullctl action goes
// through here; gRPC failures become hullctl errors.
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import protobuf from 'protobufjs';
import { CliError, NoSuchContainerError, SupervisorDownError } from './errors';

export const DEFAULT_ADDRESS = '/run/hull/hull-shim.sock';

const TASK_PROTO = 'github.com/containerd/containerd/api/runtime/task/v2/shim.proto';
const HULL_PROTO = 'hull/shim/v1/hull.proto';
const EVENTS_PROTO = 'github.com/containerd/containerd/api/events/task.proto';
const IMAGES_PROTO = 'hull/images/v1/images.proto';

export const STATUS = { UNKNOWN: 0, CREATED: 1, RUNNING: 2, STOPPED: 3, PAUSED: 4, PAUSING: 5 } as const;
export const PROCESS_SPEC_TYPE = 'types.containerd.io/opencontainers/runtime-spec/1/Process';

export interface Timestamp {
  seconds: number;
  nanos: number;
}

export interface TaskInfo {
  id: string;
  bundle: string;
  pid: number;
  status: number;
  exit_status: number;
  exited_at: Timestamp | null;
  created_at: Timestamp | null;
  started_at: Timestamp | null;
  terminal: boolean;
  stdin: string;
  stdout: string;
  stderr: string;
  execs: { exec_id: string; pid: number; status: number; exit_status: number }[];
  runtime: string;
}

export interface Envelope {
  timestamp: Timestamp | null;
  namespace: string;
  topic: string;
  event: { type_url: string; value: Buffer } | null;
}

type Obj = Record<string, unknown>;

function protoDir(): string {
  return path.join(path.dirname(require.resolve('@hull/shim/package.json')), 'proto');
}

let root: protobuf.Root | undefined;
function loadRoot(): protobuf.Root {
  if (root) return root;
  const dir = protoDir();
  const r = new protobuf.Root();
  r.resolvePath = (_origin, target) => path.join(dir, target);
  r.loadSync([TASK_PROTO, HULL_PROTO, EVENTS_PROTO, IMAGES_PROTO], { keepCase: true });
  r.resolveAll();
  return (root = r);
}

const TO_OBJECT: protobuf.IConversionOptions = { longs: Number, enums: Number, defaults: true, arrays: true };

function serviceDefinition(name: string): grpc.ServiceDefinition {
  const svc = loadRoot().lookupService(name);
  const def: Record<string, grpc.MethodDefinition<Obj, Obj>> = {};
  for (const m of svc.methodsArray) {
    const req = m.resolvedRequestType!;
    const res = m.resolvedResponseType!;
    def[m.name] = {
      path: `/${name}/${m.name}`,
      requestStream: !!m.requestStream,
      responseStream: !!m.responseStream,
      requestSerialize: (o: Obj) => Buffer.from(req.encode(req.fromObject(o)).finish()),
      requestDeserialize: (b: Buffer) => req.toObject(req.decode(b), TO_OBJECT),
      responseSerialize: (o: Obj) => Buffer.from(res.encode(res.fromObject(o)).finish()),
      responseDeserialize: (b: Buffer) => res.toObject(res.decode(b), TO_OBJECT),
    };
  }
  return def;
}

/** Turns a gRPC failure into what hullctl prints; `ref` names the container asked for. */
export function grpcError(e: unknown, address: string, ref?: string): Error {
  const err = e as grpc.ServiceError;
  if (typeof err?.code !== 'number') return e as Error;
  switch (err.code) {
    case grpc.status.UNAVAILABLE:
      return new SupervisorDownError(address, e);
    case grpc.status.NOT_FOUND:
      if (ref !== undefined) return new NoSuchContainerError(ref);
      return new CliError(err.details, 1, 'ENOTFOUND');
    case grpc.status.UNAUTHENTICATED:
      return new CliError(err.details, 1, 'EUNAUTHORIZED');
    default:
      return new CliError(err.details || err.message, 125, `EGRPC${err.code}`, { grpcCode: err.code });
  }
}

export class ShimClient {
  private readonly task: grpc.Client;
  private readonly hull: grpc.Client;
  private imagesClient?: grpc.Client;

  constructor(readonly address: string) {
    const target = address.startsWith('unix:') ? address : `unix://${path.resolve(address)}`;
    const creds = grpc.credentials.createInsecure();
    const Task = grpc.makeGenericClientConstructor(serviceDefinition('containerd.task.v2.Task'), 'Task');
    const Hull = grpc.makeGenericClientConstructor(serviceDefinition('hull.shim.v1.Hull'), 'Hull');
    this.task = new Task(target, creds);
    this.hull = new Hull(target, creds, { channelOverride: this.task.getChannel() });
  }

  private unary<T>(client: grpc.Client, method: string, req: Obj, ref?: string): Promise<T> {
    return new Promise((resolve, reject) => {
      const fn = (client as unknown as Record<string, Function>)[method]!;
      fn.call(client, req, (err: grpc.ServiceError | null, res: T) => (err ? reject(grpcError(err, this.address, ref)) : resolve(res)));
    });
  }

  /** A Task API call; `ref` is the user's name for the container, for "No such container". */
  call<T = Obj>(method: string, req: Obj, ref?: string): Promise<T> {
    return this.unary<T>(this.task, method, req, ref);
  }

  private images(): grpc.Client {
    if (!this.imagesClient) {
      const Images = grpc.makeGenericClientConstructor(serviceDefinition('hull.images.v1.Images'), 'Images');
      this.imagesClient = new Images(this.task.getChannel().getTarget(), grpc.credentials.createInsecure(), { channelOverride: this.task.getChannel() });
    }
    return this.imagesClient;
  }

  /** A unary hull.images.v1.Images call; a conflict (image in use, ambiguous ID) exits 1, as docker's. */
  image<T = Obj>(method: string, req: Obj): Promise<T> {
    return this.unary<T>(this.images(), method, req).catch((e: unknown) => {
      if (e instanceof CliError && e.context.grpcCode === grpc.status.FAILED_PRECONDITION) throw new CliError(e.message, 1, 'ECONFLICT', e.context);
      throw e;
    });
  }

  /** A streaming hull.images.v1.Images call (Pull, Push): each message to `onMessage`; resolves with the last. */
  imageStream<T = Obj>(method: string, req: Obj, onMessage: (m: T) => void): Promise<T> {
    return new Promise((resolve, reject) => {
      const fn = (this.images() as unknown as Record<string, Function>)[method]!;
      const call = fn.call(this.images(), req) as grpc.ClientReadableStream<T>;
      let last: T | undefined;
      call.on('data', (m: T) => { last = m; onMessage(m); });
      call.on('error', (e) => reject(grpcError(e, this.address)));
      call.on('end', () => resolve(last as T));
    });
  }

  async list(ids: string[] = []): Promise<TaskInfo[]> {
    const res = await this.unary<{ tasks: TaskInfo[] }>(this.hull, 'List', { ids });
    return res.tasks;
  }

  subscribe(req: { topics?: string[]; container_id?: string }): grpc.ClientReadableStream<Envelope> {
    const fn = (this.hull as unknown as Record<string, Function>)['Subscribe']!;
    return fn.call(this.hull, req) as grpc.ClientReadableStream<Envelope>;
  }

  close(): void {
    this.task.close();
    this.hull.close();
    this.imagesClient?.close();
  }
}

/** Decodes an event's Any payload (containerd.events.TaskExit, ...). */
export function decodeEvent(env: Envelope): Obj {
  if (!env.event?.type_url) return {};
  const type = loadRoot().lookupType(env.event.type_url.replace(/^.*\//, ''));
  return type.toObject(type.decode(env.event.value), TO_OBJECT);
}

export function toDate(t: Timestamp | null | undefined): Date | undefined {
  if (!t || (!t.seconds && !t.nanos)) return undefined;
  return new Date(t.seconds * 1000 + Math.floor(t.nanos / 1e6));
}
