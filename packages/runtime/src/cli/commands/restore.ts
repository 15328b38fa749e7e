// `hull restore ID`: bring a checkpointed container back with criu (runc's
// flags); in the foreground, exit with the container's status.
import type { Argv } from 'yargs';
import type { Context } from '../main';
import { criuFlags, criuOptions, type CriuArgs } from './checkpoint';

export const builder = (y: Argv) =>
  criuFlags(y)
    .option('image-path', { type: 'string', default: '', describe: 'path to criu image files for restoring' })
    .option('console-socket', { type: 'string', describe: 'path to an AF_UNIX socket which will receive a file descriptor referencing the master end of the console\'s pseudoterminal' })
    .option('bundle', { alias: 'b', type: 'string', default: '.', describe: 'path to the root of the bundle directory' })
    .option('detach', { alias: 'd', type: 'boolean', default: false, describe: 'detach from the container\'s process' })
    .option('pid-file', { type: 'string', describe: 'specify the file to write the process id to' })
    .option('no-subreaper', { type: 'boolean', default: false, describe: 'disable the use of the subreaper used to reap reparented processes' })
    .option('no-pivot', { type: 'boolean', default: false, describe: 'do not use pivot root to jail process inside rootfs.  This should be used whenever the rootfs is on top of a ramdisk' })
    .option('lsm-profile', { type: 'string', default: '', describe: 'Specify an LSM profile to be used during restore in the form of TYPE:NAME.' })
    .option('lsm-mount-context', { type: 'string', default: '', describe: 'Specify an LSM mount context to be used during restore.' });

interface RestoreArgs extends CriuArgs {
  'console-socket'?: string;
  bundle: string;
  detach: boolean;
  'pid-file'?: string;
  'lsm-profile': string;
  'lsm-mount-context': string;
}

export async function handler(ctx: Context, args: RestoreArgs): Promise<number> {
  const { restore } = require('../../container/restore') as typeof import('../../container/restore');
  return restore(
    ctx.store,
    {
      ...criuOptions(args),
      id: args['container-id'],
      bundle: args.bundle,
      detach: args.detach,
      pidFile: args['pid-file'],
      consoleSocket: args['console-socket'],
      lsmProfile: args['lsm-profile'] || undefined,
      lsmMountContext: args['lsm-mount-context'] || undefined,
    },
    ctx.log,
  );
}
