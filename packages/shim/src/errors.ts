// Shim errors carry the gRPC status code containerd's clients expect.
import { HullError, type ErrorContext } from '@hull/sys/errors';

export const GrpcCode = {
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  FAILED_PRECONDITION: 9,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
} as const;

export class ShimError extends HullError {
  constructor(readonly grpcCode: number, code: string, message: string, context: ErrorContext = {}) {
    super(code, message, context);
  }
}

export const invalid = (message: string, context?: ErrorContext) => new ShimError(GrpcCode.INVALID_ARGUMENT, 'EINVAL', message, context);
export const notFound = (message: string, context?: ErrorContext) => new ShimError(GrpcCode.NOT_FOUND, 'ENOTFOUND', message, context);
export const exists = (message: string, context?: ErrorContext) => new ShimError(GrpcCode.ALREADY_EXISTS, 'EEXIST', message, context);
export const precondition = (message: string, context?: ErrorContext) => new ShimError(GrpcCode.FAILED_PRECONDITION, 'ESTATUS', message, context);
export const unimplemented = (message: string, context?: ErrorContext) => new ShimError(GrpcCode.UNIMPLEMENTED, 'ENOTSUP', message, context);
/** The runtime binary failed; the message ends with its own last error. */
export const runtimeFailed = (message: string, context?: ErrorContext) => new ShimError(GrpcCode.UNKNOWN, 'ERUNTIME', message, context);

export function grpcCodeOf(e: unknown): number {
  return e instanceof ShimError ? e.grpcCode : GrpcCode.UNKNOWN;
}
