import type { Argv } from 'yargs';
import type { Context } from '../main';
import type { Process } from '../../spec/types';
import { applyOptions, type Options } from '../options';

export const options: Options = {
  'console-socket': { type: 'string', describe: 'path to an AF_UNIX socket which will receive a file descriptor referencing the master end of the console\'s pseudoterminal' },
  cwd: { type: 'string', describe: 'current working directory in the container' },
  env: { alias: 'e', type: 'string', many: true, describe: 'set environment variables' },
  tty: { alias: 't', type: 'boolean', default: false, describe: 'allocate a pseudo-TTY' },
  user: { alias: 'u', type: 'string', describe: 'UID (format: <uid>[:<gid>])' },
  'additional-gids': { alias: 'g', type: 'number', many: true, describe: 'additional gids' },
  process: { alias: 'p', type: 'string', describe: 'path to the process.json' },
  detach: { alias: 'd', type: 'boolean', default: false, describe: 'detach from the container\'s process' },
  'pid-file': { type: 'string', describe: 'specify the file to write the process id to' },
  'process-label': { type: 'string', describe: 'set the asm process label for the process commonly used with selinux' },
  apparmor: { type: 'string', describe: 'set the apparmor profile for the process' },
  'no-new-privs': { type: 'boolean', default: false, describe: 'set the no new privileges value for the process' },
  cap: { alias: 'c', type: 'string', many: true, describe: 'add a capability to the bounding set for the process' },
  'preserve-fds': { type: 'number', default: 0, describe: 'pass N additional file descriptors to the container (stdio + $LISTEN_FDS + N in total)' },
  cgroup: { type: 'string', many: true, describe: 'run the process in an (existing) sub-cgroup(s). Format is [<controller>:]<cgroup>.' },
  'ignore-paused': { type: 'boolean', default: false, describe: 'allow exec in a paused container' },
};

export const builder = (y: Argv) => applyOptions(y, options);

/** runc: a failure of the runtime itself exits 255, so it never reads as the process's own exit status. */
export const FAILURE_EXIT_CODE = 255;


interface ExecArgs {
  'container-id': string;
  _: (string | number)[];
  'console-socket'?: string;
  cwd?: string;
  env?: string | string[];
  tty: boolean;
  user?: string;
  'additional-gids'?: number | number[];
  process?: string;
  detach: boolean;
  'pid-file'?: string;
  'process-label'?: string;
  apparmor?: string;
  'no-new-privs': boolean;
  cap?: string | string[];
  'preserve-fds': number;
  cgroup?: string | string[];
  'ignore-paused': boolean;
}

/** A repeatable flag: absent, once (a value) or several times (an array). */
function many<T>(v: T | T[] | undefined): T[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** runc's rule: --process replaces everything; otherwise the container's process, changed by the flags. */
function buildProcess(ctx: Context, args: ExecArgs, command: string[]): Process {
  const { UsageError } = require('../../errors') as typeof import('../../errors');
  if (args.process) {
    const { loadProcessFile } = require('../../spec/load') as typeof import('../../spec/load');
    return loadProcessFile(args.process);
  }
  if (!command.length) throw new UsageError('exec: a command is required (hull exec [options] <container-id> <command> [args...])');
  const base = ctx.store.read(args['container-id']).spec.process;
  const p: Process = JSON.parse(JSON.stringify(base ?? { cwd: '/', user: { uid: 0, gid: 0 } }));
  p.args = command;
  p.terminal = args.tty;
  if (args.cwd) p.cwd = args.cwd;
  p.env = [...(p.env ?? []), ...many(args.env)];
  if (args.user !== undefined) {
    const m = /^(\d+)(?::(\d+))?$/.exec(args.user);
    if (!m) throw new UsageError(`exec: --user ${JSON.stringify(args.user)}: expected <uid>[:<gid>]`);
    p.user = { ...p.user, uid: Number(m[1]), gid: m[2] !== undefined ? Number(m[2]) : 0 };
  }
  const gids = many(args['additional-gids']);
  if (gids.length) p.user = { ...(p.user ?? { uid: 0, gid: 0 }), additionalGids: gids };
  if (args['no-new-privs']) p.noNewPrivileges = true;
  if (args.apparmor) p.apparmorProfile = args.apparmor;
  if (args['process-label']) p.selinuxLabel = args['process-label'];
  const addCaps = many(args.cap);
  if (addCaps.length) {
    const { isCapabilityName } = require('../../spec/capabilities') as typeof import('../../spec/capabilities');
    const caps = (p.capabilities ??= {});
    for (const c of addCaps) {
      if (!isCapabilityName(c)) throw new UsageError(`exec: --cap ${c}: unknown capability`);
      for (const set of ['bounding', 'effective', 'permitted', 'inheritable', 'ambient'] as const) {
        caps[set] = [...new Set([...(caps[set] ?? []), c])];
      }
    }
  }
  return p;
}

export async function handler(ctx: Context, args: ExecArgs): Promise<number> {
  const { exec } = require('../../container/exec') as typeof import('../../container/exec');
  const { execCgroupProcs } = require('../../container/cgroup') as typeof import('../../container/cgroup');
  const { statusOf } = require('../../container/status') as typeof import('../../container/status');
  const rec = ctx.store.read(args['container-id']);
  if (!args['ignore-paused'] && statusOf(ctx.store, rec) === 'paused') {
    const { ContainerError } = require('../../errors') as typeof import('../../errors');
    throw new ContainerError('ESTATUS', 'cannot exec in a paused container (use --ignore-paused to override)', { id: args['container-id'], status: 'paused' });
  }
  // After the "--" main() inserts, yargs leaves the command in `_` (after the command name).
  const command = [...((args as unknown as { cmd?: string[] }).cmd ?? []), ...args._.slice(1)].map(String);
  const proc = buildProcess(ctx, args, command);
  return exec(ctx.store, {
    id: args['container-id'],
    process: proc,
    detach: args.detach,
    pidFile: args['pid-file'],
    consoleSocket: args['console-socket'],
    preserveFds: args['preserve-fds'],
    ignorePaused: args['ignore-paused'],
    cgroupProcs: args.cgroup === undefined ? undefined : execCgroupProcs(rec, many(args.cgroup)),
  }, ctx.log);
}
