// The base of the HullError family: every failure carries a code and the
// context that names what is at fault. Errors are printed once, at the edge
// (the runtime's CLI, the supervisor's gRPC status, hullctl). The runtime,
// the supervisor, images and hullctl subclass HullError for their own kinds.

export type ErrorContext = Record<string, unknown>;

export class HullError extends Error {
  readonly code: string;
  readonly context: ErrorContext;
  /** Errors met while cleaning up after this one, kept beside the cause. */
  readonly cleanup: Error[] = [];

  constructor(code: string, message: string, context: ErrorContext = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.context = context;
  }

  /** Prefix the message with what we were doing: "create c1: " + message. */
  wrap(prefix: string): this {
    this.message = `${prefix}: ${this.message}`;
    return this;
  }
}

/** The caller asked for something that makes no sense (bad flag, bad signal). */
export class UsageError extends HullError {
  constructor(message: string, context: ErrorContext = {}) {
    super('EUSAGE', message, context);
  }
}

/** A syscall failed: names the call, what it acted on, and the errno. */
export class SysError extends HullError {
  constructor(readonly syscall: string, readonly errno: number, readonly errnoName: string, detail?: string) {
    super(errnoName, `${detail ?? syscall}: ${errnoName}`, { syscall, errno });
  }
}

export function isHullError(e: unknown): e is HullError {
  return e instanceof HullError;
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
