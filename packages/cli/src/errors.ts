// hullctl's errors. Each carries the exit code docker would give:
// 125 for hullctl's own failures, 1 for "No such container", 126/127 when
// the container's command cannot be run or found.
import { HullError, type ErrorContext } from '@hull/sys/errors';

export const EXIT_CLI = 125;
export const EXIT_CANNOT_INVOKE = 126;
export const EXIT_NOT_FOUND = 127;

export class CliError extends HullError {
  constructor(message: string, readonly exitCode = EXIT_CLI, code = 'ECLI', context: ErrorContext = {}, options?: { cause?: unknown }) {
    super(code, message, context, options);
  }
}

/** A malformed flag or argument: printed with a pointer to the command's help. */
export class FlagError extends CliError {
  constructor(message: string, readonly command?: string) {
    super(message, EXIT_CLI, 'EUSAGE');
  }
}

/** `invalid argument "12q" for "-m, --memory" flag: invalid size: '12q'` */
export function invalidFlag(value: string, flag: string, why: string): FlagError {
  return new FlagError(`invalid argument "${value}" for "${flag}" flag: ${why}`);
}

export class NoSuchContainerError extends CliError {
  constructor(readonly ref: string) {
    super(`No such container: ${ref}`, 1, 'ENOTFOUND', { ref });
  }
}

/** The supervisor's socket does not answer. */
export class SupervisorDownError extends CliError {
  constructor(readonly address: string, cause?: unknown) {
    super(
      `cannot connect to the hull supervisor at ${address}: is hull-shim running? Start it with: hull-shim serve --address ${address}`,
      EXIT_CLI, 'ENOSUPERVISOR', { address }, { cause },
    );
  }
}

/** A supervisor's refusal exits 1, as docker's "Error response from daemon" does (125 stays for hullctl's own failures). */
export function daemonError(e: unknown): unknown {
  if (e instanceof CliError && !(e instanceof SupervisorDownError) && e.exitCode === EXIT_CLI) return new CliError(e.message, 1, e.code, e.context, { cause: e });
  return e;
}
