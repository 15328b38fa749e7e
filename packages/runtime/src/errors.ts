// The HullError family: every failure carries a code and the context that
// names what is at fault. Errors are printed once, at the CLI edge.

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

/** config.json is malformed: the message starts with the JSON path at fault. */
export class ConfigError extends HullError {
  constructor(readonly path: string, message: string, context: ErrorContext = {}) {
    super('EINVALIDCONFIG', path ? `${path}: ${message}` : message, { path, ...context });
  }
}

/** The caller asked for something that makes no sense (bad flag, bad signal). */
export class UsageError extends HullError {
  constructor(message: string, context: ErrorContext = {}) {
    super('EUSAGE', message, context);
  }
}

/** No container with this id, or one already exists. */
export class ContainerError extends HullError {}

export class NotFoundError extends ContainerError {
  constructor(id: string) {
    super('ENOTFOUND', `container "${id}" does not exist`, { id });
  }
}

export class ExistsError extends ContainerError {
  constructor(id: string) {
    super('EEXIST', `container "${id}" already exists`, { id });
  }
}

/** An operation not allowed in the container's current status. */
export class StatusError extends ContainerError {
  constructor(id: string, op: string, status: string, allowed: string[]) {
    super('ESTATUS', `cannot ${op} container "${id}" in status ${status}: it must be ${allowed.join(' or ')}`, { id, op, status });
  }
}

/** A syscall failed: names the call, what it acted on, and the errno. */
export class SysError extends HullError {
  constructor(readonly syscall: string, readonly errno: number, readonly errnoName: string, detail?: string) {
    super(errnoName, `${detail ?? syscall}: ${errnoName}`, { syscall, errno });
  }
}

/** The container's init reported a failure, or died. */
export class InitError extends HullError {}

export class HookError extends HullError {}

export class CgroupError extends HullError {}

export function isHullError(e: unknown): e is HullError {
  return e instanceof HullError;
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
