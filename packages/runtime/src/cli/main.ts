// `hull`: runc's command line. Each command is a small file under
// commands/, required only when it runs. Errors are printed here, once, as
// runc prints them: a logrus line on stderr, or with --log a JSON/text line
// in the file and the plain message on stderr.
import type { Argv } from 'yargs';
import { Logger } from '../log';
import { StateStore, DEFAULT_ROOT } from '../state/store';
import { applyOptions, asksVersion, commandIndex, GLOBAL_OPTIONS, type Options, valueFlags } from './options';
import { type CommandModule, type Context, report, runFast } from './dispatch';

export interface GlobalOptions {
  root: string;
  log?: string;
  'log-format': 'text' | 'json';
  debug: boolean;
}

export type { Context, Handler } from './dispatch';

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

let exitCode = 0;
/** The exit code of a failed command: 1, or what the command's module names (exec: 255, as runc). */
let failureCode = 1;

/**
 * runc reads `exec [options] <id> <command> [args...]`: everything after the
 * id is the command, dashes included. Mark that with "--" for yargs.
 */
function separateExecCommand(argv: string[]): string[] {
  let i = commandIndex(argv);
  // `ps <id> [ps args...]` likewise: its args go to ps(1), dashes included.
  const cmd = argv[i];
  if (cmd !== 'exec' && cmd !== 'ps') return argv;
  i++;
  const values = valueFlags((loadCommand(cmd) as unknown as { options: Options }).options);
  while (i < argv.length && argv[i].startsWith('-') && argv[i] !== '--') i += values.has(argv[i]) ? 2 : 1;
  if (i >= argv.length - 1 || argv[i + 1] === '--') return argv;
  return [...argv.slice(0, i + 1), '--', ...argv.slice(i + 1)];
}


const COMMAND_NAMES = new Set(COMMANDS.map(([spec]) => spec.split(' ')[0]));

/**
 * What yargs does not do as runc does, settled before it runs: `--version`
 * (without loading yargs), `help [command]`, and an unknown command, which
 * is an error even with -h.
 */
export function preParse(argv: string[]): { argv: string[] } | { output: string } {
  const at = commandIndex(argv);
  const globals = argv.slice(0, at);
  if (asksVersion(argv)) return { output: require('./version').versionText() as string };
  let cmd = argv[at];
  if (cmd === 'help') {
    cmd = argv[at + 1];
    argv = cmd === undefined ? [...globals, '--help'] : [...globals, cmd, '--help'];
  }
  if (cmd !== undefined && !COMMAND_NAMES.has(cmd)) {
    throw new (require('../errors').UsageError)(`unknown command ${JSON.stringify(cmd)}: see hull --help`, { command: cmd });
  }
  // exec's and ps's own arguments get their "--" first: what follows it is never joined.
  return { argv: joinDashValues(separateExecCommand(argv)) };
}

/**
 * `--resources - ID`: runc reads a bare "-" after an option as its value
 * (stdin), which yargs would take for a positional. Joined as `--resources=-`.
 */
export function joinDashValues(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') return [...out, ...argv.slice(i)];
    if (argv[i + 1] === '-' && /^--?[a-z][a-z-]*$/i.test(a)) {
      out.push(`${a}=-`);
      i++;
    } else {
      out.push(a);
    }
  }
  return out;
}

/** yargs' "Not enough non-option arguments" said as runc's users read it: what is missing, and the usage. */
function usageMessage(argv: string[], msg: string): string {
  const spec = COMMANDS.find(([c]) => c.split(' ')[0] === argv[commandIndex(argv)])?.[0];
  if (!spec || !/^Not enough non-option arguments/.test(msg)) return msg;
  const missing = spec.split(' ').filter((w) => w.startsWith('<'));
  return `${spec.split(' ')[0]}: ${missing.join(' ')} is required (usage: hull ${spec})`;
}

/** The first option in argv (before "--") that `known` lacks, as typed: `--bogus`, `-x`. */
export function unknownFlag(argv: string[], known: Set<string>): string | undefined {
  for (const a of argv) {
    if (a === '--') return undefined;
    // "-1" is a value (update --memory -1), not a flag.
    if (!a.startsWith('-') || a === '-' || /^-\d/.test(a)) continue;
    const name = a.replace(/^--?/, '').split('=')[0];
    // -ti is -t -i; --x is one name.
    const names = !a.startsWith('--') && !known.has(name) ? [...name] : [name];
    if (names.some((n) => !known.has(n))) return a.split('=')[0];
  }
  return undefined;
}

export async function main(argv: string[]): Promise<number> {
  const fast = (require('./fast') as typeof import('./fast')).parseFast(argv, (c) => (Object.hasOwn(LOADERS, c) ? loadCommand(c).options ?? {} : undefined));
  if (fast) return runFast(fast, loadCommand(fast.command));
  try {
    const pre = preParse(argv);
    if ('output' in pre) {
      (require('./output') as typeof import('./output')).writeStdout(pre.output);
      return 0;
    }
    argv = pre.argv;
  } catch (e) {
    report(e, undefined, 'text');
    return 1;
  }
  let logger: Logger | undefined;
  let format: 'text' | 'json' = 'text';
  // Loaded here, not at the top: `--version` never pays for it.
  const yargs = require('yargs') as typeof import('yargs').default;
  const globals = yargs(argv)
    .scriptName('hull')
    // runc's flags include --no-pivot and --no-new-keyring: not negations of other flags;
    // an id such as 0x1f or 1e3 is an id, and every numeric flag is typed.
    .parserConfiguration({ 'boolean-negation': false, 'parse-numbers': false, 'parse-positional-numbers': false })
    .usage('hull [global options] command [command options] [arguments...]');
  const parser: Argv = applyOptions(globals, { ...GLOBAL_OPTIONS, root: { ...GLOBAL_OPTIONS.root, default: DEFAULT_ROOT } })
    .version(false)
    .option('version', { alias: 'v', type: 'boolean', describe: 'print the version' })
    .help('help')
    .alias('help', 'h')
    .strict()
    .demandCommand(1, 'hull: a command is required (see hull --help)')
    .recommendCommands()
    .fail((msg, err) => {
      if (err) throw err;
      // yargs takes an unknown --flag's next word for its value, then misses the id: name the flag instead.
      // getOptions() is public in yargs but missing from its types.
      const opts = (parser as unknown as { getOptions(): { key: Record<string, unknown>; alias: Record<string, string[]> } }).getOptions();
      const known = new Set<string>(['help', 'h', ...Object.keys(opts.key), ...Object.values(opts.alias).flat()]);
      const flag = unknownFlag(argv, known);
      throw new (require('../errors').UsageError)(flag ? `flag provided but not defined: ${flag}` : usageMessage(argv, msg));
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
        failureCode = mod.FAILURE_EXIT_CODE ?? 1;
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
    return failureCode;
  } finally {
    logger?.close();
  }
}

// Literal requires, each behind a function: a command's module loads only when it runs, and a
// bundler can follow every one of them.
const LOADERS: Record<string, () => unknown> = {
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
  return LOADERS[name]() as CommandModule;
}
