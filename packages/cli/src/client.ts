// hullctl's handle on hull-shim: the shim package's gRPC client
// (@hull/shim/client), with gRPC failures turned into what hullctl prints.
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { connect, type ShimClient as Connection } from '@hull/shim/client';
import type { Envelope, TaskInfo, Timestamp } from '@hull/shim/messages';
import { CliError, NoSuchContainerError, SupervisorDownError } from './errors';

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

  async list(ids: string[] = []): Promise<TaskInfo[]> {
    try {
      return ((await this.conn.hull('List', { ids })) as { tasks: TaskInfo[] }).tasks;
    } catch (e) {
      throw grpcError(e, this.address);
    }
  }

  subscribe(req: { topics?: string[]; container_id?: string }): grpc.ClientReadableStream<Envelope> {
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
