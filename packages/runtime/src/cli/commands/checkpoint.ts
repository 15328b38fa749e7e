// `hull checkpoint ID`: save a running container with criu (runc's flags).
import type { Argv } from 'yargs';
import type { Context } from '../main';

/** Flags checkpoint and restore share (runc's names and help). */
export const criuFlags = (y: Argv) =>
  y
    .option('image-path', { type: 'string', default: '', describe: 'path for saving criu image files' })
    .option('work-path', { type: 'string', default: '', describe: 'path for saving work files and logs' })
    .option('tcp-established', { type: 'boolean', default: false, describe: 'allow open tcp connections' })
    .option('ext-unix-sk', { type: 'boolean', default: false, describe: 'allow external unix sockets' })
    .option('shell-job', { type: 'boolean', default: false, describe: 'allow shell jobs' })
    .option('file-locks', { type: 'boolean', default: false, describe: 'handle file locks, for safety' })
    .option('manage-cgroups-mode', { type: 'string', default: '', describe: 'cgroups mode: soft|full|strict|ignore (default: soft)' })
    // One value per flag, repeatable (runc's string slice); an array option would swallow the container id.
    .option('empty-ns', { type: 'string', describe: 'create a namespace, but don\'t restore its properties' })
    .option('auto-dedup', { type: 'boolean', default: false, describe: 'enable auto deduplication of memory images' })
    .option('lazy-pages', { type: 'boolean', default: false, describe: 'use userfaultfd to lazily restore memory pages' });

export const builder = (y: Argv) =>
  criuFlags(y)
    .option('parent-path', { type: 'string', default: '', describe: 'path for previous criu image files in pre-dump' })
    .option('leave-running', { type: 'boolean', default: false, describe: 'leave the process running after checkpointing' })
    .option('tcp-skip-in-flight', { type: 'boolean', default: false, describe: 'skip in-flight tcp connections' })
    .option('link-remap', { type: 'boolean', default: false, describe: 'allow one to link unlinked files back when possible' })
    .option('status-fd', { type: 'number', default: -1, describe: 'criu writes \\0 to this FD once lazy-pages is ready' })
    .option('page-server', { type: 'string', default: '', describe: 'ADDRESS:PORT of the page server' })
    .option('pre-dump', { type: 'boolean', default: false, describe: 'dump container\'s memory information only, leave the container running after this' });

export interface CriuArgs {
  'container-id': string;
  criu?: string;
  'image-path': string;
  'work-path': string;
  'tcp-established': boolean;
  'ext-unix-sk': boolean;
  'shell-job': boolean;
  'file-locks': boolean;
  'manage-cgroups-mode': string;
  'empty-ns'?: string | string[];
  'auto-dedup': boolean;
  'lazy-pages': boolean;
}

interface CheckpointArgs extends CriuArgs {
  'parent-path': string;
  'leave-running': boolean;
  'tcp-skip-in-flight': boolean;
  'link-remap': boolean;
  'status-fd': number;
  'page-server': string;
  'pre-dump': boolean;
}

/** The options both commands share, from the flags. */
export function criuOptions(args: CriuArgs) {
  const { defaultImagePath } = require('../../container/checkpoint') as typeof import('../../container/checkpoint');
  return {
    criu: args.criu || undefined,
    imagePath: args['image-path'] || defaultImagePath(),
    workPath: args['work-path'] || undefined,
    tcpEstablished: args['tcp-established'],
    extUnixSk: args['ext-unix-sk'],
    shellJob: args['shell-job'],
    fileLocks: args['file-locks'],
    manageCgroupsMode: args['manage-cgroups-mode'],
    emptyNs: ([] as string[]).concat(args['empty-ns'] ?? []).map(String),
    autoDedup: args['auto-dedup'],
    lazyPages: args['lazy-pages'],
  };
}

export function handler(ctx: Context, args: CheckpointArgs): void {
  const { checkpoint } = require('../../container/checkpoint') as typeof import('../../container/checkpoint');
  checkpoint(
    ctx.store,
    args['container-id'],
    {
      ...criuOptions(args),
      parentPath: args['parent-path'] || undefined,
      leaveRunning: args['leave-running'],
      tcpSkipInFlight: args['tcp-skip-in-flight'],
      linkRemap: args['link-remap'],
      statusFd: args['status-fd'] >= 0 ? args['status-fd'] : undefined,
      pageServer: args['page-server'] || undefined,
      preDump: args['pre-dump'],
    },
    ctx.log,
  );
}
