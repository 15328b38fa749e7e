// `hull`: runc's command line. Each command is a small file under
// commands/, required only when it runs. Errors are printed here, once, as
// runc prints them: a logrus line on stderr, or with --log a JSON/text line
// in the file and the plain message on stderr.
import type { Argv } from 'yargs';
import { errorMessage } from '../errors';
import { Logger } from '../log';
import { StateStore, DEFAULT_ROOT } from '../state/store';

export interface GlobalOptions {
  root: string;
  log?: string;
  'log-format': 'text' | 'json';
  debug: boolean;
}

export interface Context {
  store: StateStore;
  log: Logger;
  debug: boolean;
}

export type Handler<T> = (ctx: Context, args: T) => Promise<number | void> | number | void;

// Command name → module under commands/ (loaded lazily).
const COMMANDS: [string, string][] = [
  ['create <container-id>', 'create a container'],
  ['start <container-id>', 'executes the user defined process in a created container'],
  ['state <container-id>', 'output the state of a container'],
  ['kill <container-id> [signal]', 'kill sends the specified signal (default: SIGTERM) to the container\'s init process'],
  ['delete <container-id>', 'delete any resources held by the container often used with detached container'],
  ['run <container-id>', 'create and run a container'],
  ['exec <container-id> [cmd..]', 'execute new process inside the container'],
  ['pause <container-id>', 'pause suspends all processes inside the container'],
  ['resume <container-id>', 'resumes all processes that have been previously paused'],
  ['ps <container-id> [ps-args..]', 'ps displays the processes running inside a container'],
  ['events <container-id>', 'display container events such as OOM notifications, cpu, memory, and IO usage statistics'],
  ['update <container-id>', 'update container resource constraints'],
  ['checkpoint <container-id>', 'checkpoint a running container'],
  ['restore <container-id>', 'restore a container from a previous checkpoint'],
  ['list', 'lists containers started by hull with the given root'],
  ['spec', 'create a new specification file'],
  ['features', 'show the enabled features'],
];

export const VERSION = '0.1.0';
export const SPEC_VERSION = '1.3.0';

let exitCode = 0;

const GLOBAL_VALUE_OPTIONS = new Set(['--root', '--log', '--log-format', '--criu', '--rootless']);

/**
 * runc reads `exec [options] <id> <command> [args...]`: everything after the
 * id is the command, dashes included. Mark that with "--" for yargs.
 */
function separateExecCommand(argv: string[]): string[] {
  let i = 0;
  const skip = (values: Set<string>) => {
    while (i < argv.length && argv[i].startsWith('-') && argv[i] !== '--') {
      i += values.has(argv[i]) ? 2 : 1;
    }
  };
  skip(GLOBAL_VALUE_OPTIONS);
  // `ps <id> [ps args...]` likewise: its args go to ps(1), dashes included.
  const cmd = argv[i];
  if (cmd !== 'exec' && cmd !== 'ps') return argv;
  i++;
  const { VALUE_OPTIONS } = loadCommand(cmd) as unknown as { VALUE_OPTIONS: Set<string> };
  skip(VALUE_OPTIONS);
  if (i >= argv.length - 1 || argv[i + 1] === '--') return argv;
  return [...argv.slice(0, i + 1), '--', ...argv.slice(i + 1)];
}

export function versionText(): string {
  return `hull version ${VERSION}\nspec: ${SPEC_VERSION}`;
}

export async function main(argv: string[]): Promise<number> {
  const fast = (require('./fast') as typeof import('./fast')).parseFast(argv);
  if (fast === 'version') {
    process.stdout.write(versionText() + '\n');
    return 0;
  }
  if (fast) return runFast(fast);
  argv = separateExecCommand(argv);
  const yargs = require('yargs') as typeof import('yargs').default;
  let logger: Logger | undefined;
  let format: 'text' | 'json' = 'text';
  const parser: Argv = yargs(argv)
    .scriptName('hull')
    // runc's flags include --no-pivot and --no-new-keyring: not negations of other flags.
    .parserConfiguration({ 'boolean-negation': false })
    .usage('hull [global options] command [command options] [arguments...]')
    .option('root', { type: 'string', default: DEFAULT_ROOT, describe: 'root directory for storage of container state (this should be located in tmpfs)' })
    .option('log', { type: 'string', describe: 'set the log file to write hull logs to (default is stderr)' })
    .option('log-format', { choices: ['text', 'json'] as const, default: 'text' as const, describe: 'set the log format' })
    .option('debug', { type: 'boolean', default: false, describe: 'enable debug logging' })
    .option('systemd-cgroup', { type: 'boolean', default: false, hidden: true })
    .option('rootless', { type: 'string', default: 'auto', hidden: true })
    .option('criu', { type: 'string', hidden: true })
    .version(versionText())
    .alias('version', 'v')
    .help('help')
    .alias('help', 'h')
    .strict()
    .demandCommand(1, 'hull: a command is required (see hull --help)')
    .recommendCommands()
    .fail((msg, err) => {
      throw err ?? new (require('../errors').UsageError)(msg);
    })
    .middleware((args) => {
      format = args['log-format'] as 'text' | 'json';
      logger = new Logger({ file: args.log as string | undefined, format, debug: Boolean(args.debug) });
    });

  for (const [spec, describe] of COMMANDS) {
    const name = spec.split(' ')[0];
    parser.command({
      command: spec,
      describe,
      builder: (y: Argv) => (loadCommand(name).builder?.(y) ?? y),
      handler: async (args: Record<string, unknown>) => {
        const ctx: Context = { store: new StateStore(args.root as string), log: logger!, debug: Boolean(args.debug) };
        const mod = loadCommand(name);
        const code = await mod.handler(ctx, args);
        exitCode = typeof code === 'number' ? code : 0;
      },
    });
  }

  try {
    await parser.parseAsync();
    return exitCode;
  } catch (e) {
    report(e, logger, format);
    return 1;
  } finally {
    logger?.close();
  }
}

/** A hot command, parsed without yargs (fast.ts). */
async function runFast(f: import('./fast').FastCommand): Promise<number> {
  const format = f.globals['log-format'] === 'json' ? 'json' : 'text';
  const logger = new Logger({ file: f.globals.log as string | undefined, format, debug: Boolean(f.globals.debug) });
  try {
    const ctx: Context = { store: new StateStore((f.globals.root as string | undefined) ?? DEFAULT_ROOT), log: logger, debug: Boolean(f.globals.debug) };
    const code = await loadCommand(f.command).handler(ctx, f.args);
    return typeof code === 'number' ? code : 0;
  } catch (e) {
    report(e, logger, format);
    return 1;
  } finally {
    logger.close();
  }
}

interface CommandModule {
  builder?: (y: Argv) => Argv;
  handler: Handler<Record<string, unknown>>;
}

// Static requires, each run only when its command runs: a bundler can follow them.
const LOADERS: Record<string, () => CommandModule> = {
  create: () => require('./commands/create'),
  start: () => require('./commands/start'),
  state: () => require('./commands/state'),
  kill: () => require('./commands/kill'),
  delete: () => require('./commands/delete'),
  run: () => require('./commands/run'),
  exec: () => require('./commands/exec'),
  pause: () => require('./commands/pause'),
  resume: () => require('./commands/resume'),
  ps: () => require('./commands/ps'),
  events: () => require('./commands/events'),
  update: () => require('./commands/update'),
  checkpoint: () => require('./commands/checkpoint'),
  restore: () => require('./commands/restore'),
  list: () => require('./commands/list'),
  spec: () => require('./commands/spec'),
  features: () => require('./commands/features'),
};

function loadCommand(name: string): CommandModule {
  return LOADERS[name]();
}

function report(e: unknown, logger: Logger | undefined, format: 'text' | 'json'): void {
  const msg = errorMessage(e);
  const log = logger ?? new Logger({ format });
  log.error(msg);
  for (const c of (e as { cleanup?: Error[] }).cleanup ?? []) log.error(`cleanup: ${c.message}`);
  // runc: with --log the file gets the structured line and stderr the plain message.
  if (log.toFile) process.stderr.write(msg + '\n');
}
