import type { Argv } from 'yargs';
import type { Context } from '../main';
import { applyOptions, type Options } from '../options';

export const options: Options = {
  bundle: { alias: 'b', type: 'string', default: '.', describe: 'path to the root of the bundle directory' },
  'console-socket': { type: 'string', describe: 'path to an AF_UNIX socket which will receive a file descriptor referencing the master end of the console\'s pseudoterminal' },
  'pid-file': { type: 'string', describe: 'specify the file to write the process id to' },
  'no-pivot': { type: 'boolean', default: false, describe: 'do not use pivot root to jail process inside rootfs' },
  'no-new-keyring': { type: 'boolean', default: false, describe: 'do not create a new session keyring for the container' },
  'preserve-fds': { type: 'number', default: 0, describe: 'pass N additional file descriptors to the container (stdio + $LISTEN_FDS + N in total)' },
};

export const builder = (y: Argv) => applyOptions(y, options);

export interface CreateArgs {
  'container-id': string;
  bundle: string;
  'console-socket'?: string;
  'pid-file'?: string;
  'no-pivot': boolean;
  'no-new-keyring': boolean;
  'preserve-fds': number;
}

/** runc passes LISTEN_FDS (socket activation) through on top of --preserve-fds. */
export function preservedFds(args: CreateArgs): number {
  const listen = Number(process.env.LISTEN_FDS ?? 0);
  const n = (Number.isInteger(args['preserve-fds']) ? args['preserve-fds'] : 0) + (Number.isInteger(listen) && listen > 0 ? listen : 0);
  if (n < 0) throw new (require('../../errors').UsageError)('--preserve-fds must be a non-negative number');
  return n;
}

export function createOptions(ctx: Context, args: CreateArgs) {
  return {
    id: args['container-id'],
    bundle: args.bundle,
    pidFile: args['pid-file'],
    consoleSocket: args['console-socket'],
    noPivot: args['no-pivot'],
    noNewKeyring: args['no-new-keyring'],
    preserveFds: preservedFds(args),
    debug: ctx.debug,
  };
}

export function handler(ctx: Context, args: CreateArgs): void {
  const { create } = require('../../container/create') as typeof import('../../container/create');
  create(ctx.store, createOptions(ctx, args), ctx.log).channel.close();
}
