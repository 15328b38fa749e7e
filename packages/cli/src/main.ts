// hullctl's entry: parses docker's flags with yargs, runs one command, and
// turns errors into docker's output and exit codes (125 for our own).
import yargs, { type Argv } from 'yargs';
import { DEFAULT_ADDRESS } from '@hull/shim/constants';
import { COMMANDS, applyOptions, commandName, type CommandDef } from './commands';
import { DEFAULT_STATE_DIR, Context, type Handler } from './context';
import { CliError, EXIT_CLI, FlagError } from './errors';
import { findCommandIndex, splitCommand } from './split';

/** The command the user typed, if any: for "See 'hullctl run --help'." */
function typedCommand(argv: string[]): CommandDef | undefined {
  const i = findCommandIndex(argv);
  return i < 0 ? undefined : COMMANDS.find((c) => commandName(c) === argv[i]);
}

// yargs' wording, made docker's: "Unknown argument: foo" → "unknown flag: --foo".
function dockerMessage(msg: string, argv: string[], name: string): string {
  const unknown = /^Unknown arguments?: (.*)$/.exec(msg);
  if (unknown) {
    const first = unknown[1]!.split(', ')[0]!;
    const flag = argv.find((a) => a === `-${first}` || a.startsWith(`--${first}`) || (/^-[^-]/.test(a) && a.includes(first)));
    if (!flag) return `"${name}" requires exactly 1 argument.`;
    return `unknown flag: ${first.length === 1 ? '-' : '--'}${first}`;
  }
  const missing = /^Not enough arguments following: (.*)$/.exec(msg);
  if (missing) return `flag needs an argument: --${missing[1]}`;
  return msg;
}

function usageError(argv: string[], message: string): void {
  const def = typedCommand(argv);
  const name = def ? `hullctl ${commandName(def)}` : 'hullctl';
  const unknownCommand = !def && findCommandIndex(argv) >= 0;
  if (unknownCommand) message = `'${argv[findCommandIndex(argv)]}' is not a hullctl command.`;
  else if (def && /^Not enough non-option arguments/.test(message)) {
    const need = def.command.includes('[command..]') && def.command.includes('<') ? 'at least 2 arguments' : def.command.includes('..') ? 'at least 1 argument' : 'exactly 1 argument';
    message = `"${name}" requires ${need}.`;
  }
  process.stderr.write(`${name}: ${dockerMessage(message, argv, name)}\nSee '${name} --help'.\n`);
  if (def) process.stderr.write(`\nUsage:  ${def.usage}\n\n${def.describe}\n`);
}

function report(e: unknown, argv: string[]): number {
  if (e instanceof FlagError) {
    usageError(argv, e.message);
    return e.exitCode;
  }
  if (e instanceof CliError) {
    process.stderr.write(`Error: ${e.message}\n`);
    return e.exitCode;
  }
  process.stderr.write(`Error: ${e instanceof Error ? e.message : String(e)}\n`);
  if (process.env.HULL_DEBUG && e instanceof Error) process.stderr.write(`${e.stack}\n`);
  return EXIT_CLI;
}

/** A flag given twice: the last one wins, as with docker. */
function lastValue(v: unknown): unknown {
  return Array.isArray(v) ? v[v.length - 1] : v;
}

export async function run(argv: string[]): Promise<number> {
  let exitCode = 0;
  let ctx: Context | undefined;
  if (argv.length === 0) argv = ['--help'];
  // docker's -v/--version before any command: the client's version line, no supervisor asked.
  const at = findCommandIndex(argv);
  const globals = at < 0 ? argv : argv.slice(0, at);
  if (globals.includes('--version') || globals.includes('-v')) {
    process.stdout.write((require('./commands/version') as typeof import('./commands/version')).versionLine());
    return 0;
  }
  // run/create/exec: the container's command is kept away from yargs.
  const def = typedCommand(argv);
  const { head, rest } = def?.commandPositionals !== undefined
    ? splitCommand(argv, findCommandIndex(argv), def.options ?? {}, def.commandPositionals)
    : { head: argv, rest: [] };
  const parser = yargs(head)
    .scriptName('hullctl')
    .usage('Usage:  hullctl [OPTIONS] COMMAND\n\nA docker-like command line for hull containers, over hull-shim')
    .option('address', {
      type: 'string',
      global: true,
      requiresArg: true,
      default: process.env.HULL_ADDRESS || DEFAULT_ADDRESS,
      coerce: lastValue,
      describe: "hull-shim's socket (env HULL_ADDRESS)",
    })
    .option('state-dir', {
      type: 'string',
      global: true,
      requiresArg: true,
      default: process.env.HULL_STATE_DIR || DEFAULT_STATE_DIR,
      coerce: lastValue,
      describe: 'Where hullctl keeps bundles and logs (env HULL_STATE_DIR)',
    })
    // A container, image or volume name such as 0x1f or 1e3 is a name; every numeric flag is typed.
    .parserConfiguration({ 'strip-aliased': true, 'boolean-negation': false, 'parse-numbers': false, 'parse-positional-numbers': false })
    .strict()
    .demandCommand(1, 'a command is required')
    .recommendCommands()
    .exitProcess(false)
    .version(false)
    .option('version', { alias: 'v', type: 'boolean', global: false, describe: 'Print version information and quit' })
    .help()
    .wrap(Math.min(100, process.stdout.columns || 100))
    .fail((msg, err) => {
      // yargs' own parse errors (YError) are usage errors; a handler's errors pass as they are.
      if (err && err.name !== 'YError') throw err;
      throw new FlagError(msg ?? err?.message ?? 'invalid arguments');
    });

  const register = (y: Argv, def: CommandDef): Argv => y.command(
    def.command,
    def.describe,
    (sub) => {
      applyOptions(sub, def);
      if (!def.subcommands) return sub;
      for (const s of def.subcommands) register(sub, s);
      return sub.demandCommand(1, `"hullctl ${commandName(def)}" requires a subcommand: ${def.subcommands.map(commandName).join(', ')}`);
    },
    async (args) => {
      ctx = new Context(String(args.address), String(args.stateDir));
      if (def.commandPositionals !== undefined) args.command = [...((args.command as string[] | undefined) ?? []), ...rest].map(String);
      args.subcommand = commandName(def);
      const mod = def.load() as { handler: Handler };
      exitCode = await mod.handler(ctx, args as Record<string, unknown>);
    },
  );
  for (const def of COMMANDS) register(parser, def);
  try {
    await parser.parseAsync();
  } finally {
    ctx?.close();
  }
  return exitCode;
}

export async function main(argv: string[]): Promise<void> {
  // Our reader went away (`hullctl logs x | head`): end as a Unix tool does on SIGPIPE.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => process.exit(e.code === 'EPIPE' ? 128 + 13 : EXIT_CLI));
  }
  let code: number;
  try {
    code = await run(argv);
  } catch (e) {
    code = report(e, argv);
  }
  // Exit once our output is written: FIFOs and gRPC may still hold the loop.
  process.stdout.write('', () => process.exit(code));
}
