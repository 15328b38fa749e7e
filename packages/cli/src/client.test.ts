import * as grpc from '@grpc/grpc-js';
import { grpcError, toDate } from './client';
import { CliError, NoSuchContainerError, SupervisorDownError } from './errors';

const err = (code: number, details: string) => Object.assign(new Error(`${code} X: ${details}`), { code, details, metadata: new grpc.Metadata() });

describe('gRPC failures as hullctl errors', () => {
  it('UNAVAILABLE: the supervisor is not running, and how to start it', () => {
    const e = grpcError(err(grpc.status.UNAVAILABLE, 'No connection established'), '/run/x.sock');
    expect(e).toBeInstanceOf(SupervisorDownError);
    expect(e.message).toBe('cannot connect to the hull supervisor at /run/x.sock: is hull-shim running? Start it with: hull-shim serve --address /run/x.sock');
    expect((e as CliError).exitCode).toBe(125);
  });
  it('NOT_FOUND names the container as the user wrote it, exit 1', () => {
    const e = grpcError(err(grpc.status.NOT_FOUND, 'task "abc": not found'), '/s', 'web');
    expect(e).toBeInstanceOf(NoSuchContainerError);
    expect(e.message).toBe('No such container: web');
    expect((e as CliError).exitCode).toBe(1);
  });
  it('anything else keeps the supervisor\'s words, exit 125', () => {
    const e = grpcError(err(grpc.status.FAILED_PRECONDITION, 'task c1: cannot delete: it is running'), '/s', 'c1') as CliError;
    expect(e.message).toBe('task c1: cannot delete: it is running');
    expect(e.exitCode).toBe(125);
    const plain = new Error('not grpc');
    expect(grpcError(plain, '/s')).toBe(plain);
  });
  it('timestamps: unset is undefined', () => {
    expect(toDate(null)).toBeUndefined();
    expect(toDate({ seconds: 0, nanos: 0 })).toBeUndefined();
    expect(toDate({ seconds: 1, nanos: 5e8 })?.getTime()).toBe(1500);
  });
});
