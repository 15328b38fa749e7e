// Image errors: each names the reference, digest or path at fault and says
// what happened. `kind` is what a server maps to a status (gRPC, exit code).
import { HullError, type ErrorContext } from '@hull/sys/errors';

export type ImageErrorKind = 'invalid' | 'not-found' | 'conflict' | 'unauthorized' | 'unavailable' | 'corrupt';

export class ImageError extends HullError {
  constructor(readonly kind: ImageErrorKind, code: string, message: string, context: ErrorContext = {}, options?: { cause?: unknown }) {
    super(code, message, context, options);
  }
}

export const invalid = (message: string, context?: ErrorContext) => new ImageError('invalid', 'EINVAL', message, context);
export const notFound = (message: string, context?: ErrorContext) => new ImageError('not-found', 'ENOTFOUND', message, context);
export const conflict = (message: string, context?: ErrorContext) => new ImageError('conflict', 'ECONFLICT', message, context);
export const unauthorized = (message: string, context?: ErrorContext) => new ImageError('unauthorized', 'EUNAUTHORIZED', message, context);
export const unavailable = (message: string, context?: ErrorContext, cause?: unknown) => new ImageError('unavailable', 'EUNAVAILABLE', message, context, { cause });
export const corrupt = (message: string, context?: ErrorContext) => new ImageError('corrupt', 'EDIGEST', message, context);
