// Running one command's handler: its context (state store, logger), its exit code, and its error
// printed once, as runc prints it. main.ts comes here after its parse; a hot command's own bundle
// (scripts/bundle.js: bundle-<command>.js, that command's code alone) comes here straight.
import type { Argv } from 'yargs';
import { errorMessage } from '../errors';
import { Logger } from '../log';
import { DEFAULT_ROOT, StateStore } from '../state/store';
import { type FastCommand, parseFast } from './fast';
import type { Options } from './options';

export interface Context {
  store: StateStore;
  log: Logger;
  debug: boolean;
}

export type Handler<T> = (ctx: Context, args: T) => Promise<number | void> | number | void;

export interface CommandModule {
  builder?: (y: Argv) => Argv;
  /** The command's own options (fast.ts reads them; yargs gets them through `builder`). */
  options?: Options;
  /** Exit code when the handler fails (default 1). */
  FAILURE_EXIT_CODE?: number;
  handler: Handler<Record<string, unknown>>;
}

/** A hot command, parsed without yargs (fast.ts). */
export async function runFast(f: FastCommand, mod: CommandModule): Promise<number> {
  const format = f.globals['log-format'] === 'json' ? 'json' : 'text';
  const logger = new Logger({ file: f.globals.log as string | undefined, format, debug: Boolean(f.globals.debug) });
  try {
    const ctx: Context = { store: new StateStore((f.globals.root as string | undefined) ?? DEFAULT_ROOT), log: logger, debug: Boolean(f.globals.debug) };
    const code = await mod.handler(ctx, f.args);
    return typeof code === 'number' ? code : 0;
  } catch (e) {
    report(e, logger, format);
    return mod.FAILURE_EXIT_CODE ?? 1;
  } finally {
    logger.close();
  }
}

/**
 * The way into a hot command's own bundle: its exit code, or undefined when the command line is not
 * one fast.ts takes (help, an unusual flag, a mistake): the whole CLI then parses it with yargs.
 */
export function hotMain(command: string, mod: CommandModule, argv: string[]): Promise<number> | undefined {
  const fast = parseFast(argv, (c) => (c === command ? mod.options ?? {} : undefined));
  return fast ? runFast(fast, mod) : undefined;
}

export function report(e: unknown, logger: Logger | undefined, format: 'text' | 'json'): void {
  const msg = errorMessage(e);
  const log = logger ?? new Logger({ format });
  log.error(msg);
  for (const c of (e as { cleanup?: Error[] }).cleanup ?? []) log.error(`cleanup: ${c.message}`);
  // runc: with --log the file gets the structured line and stderr the plain message.
  if (log.toFile) process.stderr.write(msg + '\n');
}
