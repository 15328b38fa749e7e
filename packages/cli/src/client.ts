// hullctl's handle on hull-shim: the shim package's gRPC client
// (@hull/shim/client), with gRPC failures turned into what hullctl prints.
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { connect, type ShimClient as Connection } from '@hull/shim/client';
import type { Envelope, TaskInfo, Timestamp } from '@hull/shim/messages';
import { CliError, NoSuchContainerError, SupervisorDownError } from './errors';

const IMAGES_SERVICE = 'hull.images.v1.Images';

type Obj = Record<string, unknown>;

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
  private readonly conn: Connection;

  constructor(readonly address: string) {
    this.conn = connect(address.startsWith('unix:') ? address : path.resolve(address));
  }

  /** A Task API call; `ref` is the user's name for the container, for "No such container". */
  async call<T = Obj>(method: string, req: Obj, ref?: string): Promise<T> {
    try {
      return (await this.conn.task(method, req)) as T;
    } catch (e) {
      throw grpcError(e, this.address, ref);
    }
  }

  /** A call to another service on the socket: hull.volumes.v1.Volumes, hull.networks.v1.Networks. */
  async service<T = Obj>(name: string, method: string, req: Obj): Promise<T> {
    try {
      return (await this.conn.call(name, method, req)) as T;
    } catch (e) {
      throw grpcError(e, this.address);
    }
  }

  /** A unary hull.images.v1.Images call; a conflict (image in use, ambiguous ID) exits 1, as docker's. */
  async image<T = Obj>(method: string, req: Obj): Promise<T> {
    try {
      return (await this.conn.call(IMAGES_SERVICE, method, req)) as T;
    } catch (e) {
      const err = grpcError(e, this.address);
      if (err instanceof CliError && err.context.grpcCode === grpc.status.FAILED_PRECONDITION) throw new CliError(err.message, 1, 'ECONFLICT', err.context);
      throw err;
    }
  }

  /** A streaming hull.images.v1.Images call (Pull, Push): each message to `onMessage`; resolves with the last. */
  imageStream<T = Obj>(method: string, req: Obj, onMessage: (m: T) => void): Promise<T> {
    return new Promise((resolve, reject) => {
      const call = this.conn.stream(IMAGES_SERVICE, method, req);
      let last: T | undefined;
      call.on('data', (m: T) => { last = m; onMessage(m); });
      call.on('error', (e) => reject(grpcError(e, this.address)));
      call.on('end', () => resolve(last as T));
    });
  }

  /** A bidirectional stream to a service on the socket (hull.build.v1.Builder Build); errors are the caller's to map with grpcError. */
  duplex(service: string, method: string): grpc.ClientDuplexStream<Obj, Obj> {
    return this.conn.duplex(service, method) as grpc.ClientDuplexStream<Obj, Obj>;
  }

  async list(ids: string[] = []): Promise<TaskInfo[]> {
    try {
      return ((await this.conn.hull('List', { ids })) as { tasks: TaskInfo[] }).tasks;
    } catch (e) {
      throw grpcError(e, this.address);
    }
  }

  subscribe(req: { topics?: string[]; container_id?: string; since?: Timestamp; until?: Timestamp }): grpc.ClientReadableStream<Envelope> {
    return this.conn.subscribe(req) as unknown as grpc.ClientReadableStream<Envelope>;
  }

  close(): void {
    this.conn.close();
  }
}

export function toDate(t: Timestamp | null | undefined): Date | undefined {
  if (!t || (!t.seconds && !t.nanos)) return undefined;
  return new Date(t.seconds * 1000 + Math.floor(t.nanos / 1e6));
}
