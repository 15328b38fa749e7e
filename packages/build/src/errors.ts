// Build errors: `kind` is what the supervisor maps to a gRPC status; a
// failing step carries its line and, for RUN, the exit code.
import { HullError, type ErrorContext } from '@hull/sys/errors';

export type BuildErrorKind = 'invalid' | 'not-found' | 'failed';

export class BuildError extends HullError {
  constructor(message: string, readonly kind: BuildErrorKind = 'failed', context: ErrorContext = {}, options?: { cause?: unknown }) {
    super(kind === 'invalid' ? 'EINVAL' : kind === 'not-found' ? 'ENOTFOUND' : 'EBUILD', message, context, options);
  }
}
