// What the init and the exec entry share: the channel to the parent (its fd
// number in the environment), a logger that sends lines over it, and the
// outermost catch that reports a failure before exiting.
import { errorMessage } from '../errors';
import type { Level, Log } from '../log';
import { SyncChannel } from '../sync';
import { SYNC_FD_ENV } from './config';

export const channel = new SyncChannel(Number(process.env[SYNC_FD_ENV]));

function send(level: Level, msg: string): void {
  try {
    channel.send({ type: 'log', level, msg });
  } catch {
    // the parent is gone (after `create` returned): nowhere to log
  }
}

export const logger: Log = {
  debug: (m) => send('debug', m),
  info: (m) => send('info', m),
  warn: (m) => send('warning', m),
  error: (m) => send('error', m),
};

/** The parent's first message: the entry's configuration. */
export function receiveConfig<T>(): T {
  const first = channel.recv<{ type: string; config: T }>();
  if (!first || first.type !== 'config') throw new Error(`sync: expected config, got ${first?.type ?? 'EOF'}`);
  return first.config;
}

/** Runs the entry; any failure goes to the parent as an error frame, then exit 1. */
export function runEntry(main: () => void): void {
  try {
    main();
  } catch (e) {
    try {
      channel.send({ type: 'error', msg: errorMessage(e), code: (e as { code?: string }).code });
    } catch {
      // parent gone
    }
    process.exit(1);
  }
}
