// The hot commands engines call for every container (create, start, state,
// kill, delete, run, exec), parsed without loading yargs: yargs costs
// more at start than all the rest of a `hull state`. Only the plain forms
// are taken here — known flags as `--flag value`, `--flag=value` or their
// one-letter aliases, and the expected arguments. Anything else (help, an
// unknown flag, a missing or extra argument) returns undefined, and yargs
// parses the command line and says what is wrong, as it always has.

import { GLOBAL_OPTIONS, type HotCommand, type OptionSpec, type Options } from './options';

/** Every spelling of every option (`--name`, `-x`) → its name and spec. */
type Flags = Record<string, { key: string; spec: OptionSpec }>;

function flagsOf(options: Options): Flags {
  const out: Flags = {};
  for (const [key, spec] of Object.entries(options)) {
    out[`--${key}`] = { key, spec };
    if (spec.alias) out[`-${spec.alias}`] = { key, spec };
  }
  return out;
}

function defaultsOf(options: Options): Record<string, unknown> {
  return Object.fromEntries(Object.entries(options).filter(([, o]) => o.default !== undefined).map(([k, o]) => [k, o.default]));
}

interface CommandShape {
  /** Positional argument names; a trailing "?" marks an optional one. */
  args: string[];
  /** Everything after the positional arguments, as typed, goes to this key (exec's command: runc reads flags after the id as the command's). */
  rest?: string;
  /** Keys yargs adds that handlers read. */
  extra?: Record<string, unknown>;
}

// The shapes only: each command's options come from its module, which the caller loads (one hot
// command's bundle holds that command's module alone).
const COMMANDS: Record<HotCommand, CommandShape> = {
  create: { args: ['container-id'] },
  run: { args: ['container-id'] },
  start: { args: ['container-id'] },
  state: { args: ['container-id'] },
  kill: { args: ['container-id', 'signal?'] },
  delete: { args: ['container-id'] },
  exec: { args: ['container-id'], rest: 'cmd', extra: { _: ['exec'] } },
};

export interface FastCommand {
  command: string;
  globals: Record<string, unknown>;
  args: Record<string, unknown>;
}

/** Reads `flags` from argv at `i`: the next index, or -1 when argv[i] is not a flag this parser knows. */
function readFlag(argv: string[], i: number, flags: Flags, out: Record<string, unknown>): number {
  const arg = argv[i];
  const eq = arg.indexOf('=');
  const name = eq > 0 ? arg.slice(0, eq) : arg;
  const def = Object.hasOwn(flags, name) ? flags[name] : undefined;
  if (!def) return -1;
  const { type: kind, choices, many } = def.spec;
  let value: string | undefined = eq > 0 ? arg.slice(eq + 1) : undefined;
  if (kind === 'boolean') {
    if (value === undefined) out[def.key] = true;
    else if (value === 'true' || value === 'false') out[def.key] = value === 'true';
    else return -1;
    return i + 1;
  }
  if (value === undefined) {
    if (i + 1 >= argv.length) return -1;
    value = argv[i + 1];
    i++;
  }
  if (kind === 'number' && !/^\d+$/.test(value)) return -1;
  if (choices && !choices.includes(value)) return -1;
  const v = kind === 'number' ? Number(value) : value;
  out[def.key] = many ? [...((out[def.key] as unknown[] | undefined) ?? []), v] : v;
  return i + 1;
}

/** `optionsOf`: the command's own options (its module's `options`), or undefined when it is not to be had here. */
export function parseFast(argv: string[], optionsOf: (command: string) => Options | undefined): FastCommand | undefined {
  const globals: Record<string, unknown> = {};
  let i = 0;
  const globalFlags = flagsOf(GLOBAL_OPTIONS);
  while (i < argv.length && argv[i].startsWith('-')) {
    i = readFlag(argv, i, globalFlags, globals);
    if (i < 0) return undefined;
  }
  const command = argv[i++];
  const shape = command !== undefined && Object.hasOwn(COMMANDS, command) ? COMMANDS[command as HotCommand] : undefined;
  const options = shape && optionsOf(command);
  if (!shape || !options) return undefined;
  const flags = flagsOf(options);
  const args: Record<string, unknown> = { ...defaultsOf(options), ...shape.extra };
  const positional: string[] = [];
  while (i < argv.length) {
    const a = argv[i];
    if (shape.rest && positional.length === shape.args.length) {
      // "--" right after the id is yargs' business (it is not runc's).
      if (a === '--') return undefined;
      args[shape.rest] = argv.slice(i);
      break;
    }
    if (a.startsWith('-') && a !== '-') {
      i = readFlag(argv, i, flags, args);
      if (i < 0) return undefined;
    } else {
      positional.push(a);
      i++;
    }
  }
  const required = shape.args.filter((n) => !n.endsWith('?')).length;
  if (positional.length < required || positional.length > shape.args.length) return undefined;
  shape.args.forEach((n, k) => {
    if (k < positional.length) args[n.replace(/\?$/, '')] = positional[k];
  });
  return { command, globals, args };
}
