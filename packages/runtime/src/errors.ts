// The runtime's kinds of HullError (bad config, no such container, wrong status,
// init and hook failures, cgroups). Errors are printed once, at the CLI edge.

import { HullError, type ErrorContext } from '@hull/sys/errors';

// The base (HullError, UsageError, SysError) lives in @hull/sys, which every package shares.
export { HullError, UsageError, SysError, isHullError, errorMessage, type ErrorContext } from '@hull/sys/errors';

/** config.json is malformed: the message starts with the JSON path at fault. */
export class ConfigError extends HullError {
  constructor(readonly path: string, message: string, context: ErrorContext = {}) {
    super('EINVALIDCONFIG', path ? `${path}: ${message}` : message, { path, ...context });
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

/** The container's init reported a failure, or died. */
export class InitError extends HullError {}

export class HookError extends HullError {}

export class CgroupError extends HullError {}
