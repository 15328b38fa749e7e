// The hot commands engines call for every container (create, start, state,
// kill, delete, run), parsed without loading yargs: yargs costs
// more at start than all the rest of a `hull state`. Only the plain forms
// are taken here — known flags as `--flag value`, `--flag=value` or their
// one-letter aliases, and the expected arguments. Anything else (help, an
// unknown flag, a missing or extra argument) returns undefined, and yargs
// parses the command line and says what is wrong, as it always has.

type Kind = 'string' | 'boolean' | 'number';
type Flags = Record<string, { key: string; kind: Kind }>;

const flag = (kind: Kind, key: string, ...names: string[]): Flags => Object.fromEntries(names.map((n) => [n, { key, kind }]));

const GLOBAL: Flags = {
  ...flag('string', 'root', '--root'),
  ...flag('string', 'log', '--log'),
  ...flag('string', 'log-format', '--log-format'),
  ...flag('boolean', 'debug', '--debug'),
  ...flag('boolean', 'systemd-cgroup', '--systemd-cgroup'),
  ...flag('string', 'rootless', '--rootless'),
  ...flag('string', 'criu', '--criu'),
};

const CREATE: Flags = {
  ...flag('string', 'bundle', '--bundle', '-b'),
  ...flag('string', 'console-socket', '--console-socket'),
  ...flag('string', 'pid-file', '--pid-file'),
  ...flag('boolean', 'no-pivot', '--no-pivot'),
  ...flag('boolean', 'no-new-keyring', '--no-new-keyring'),
  ...flag('number', 'preserve-fds', '--preserve-fds'),
};
const CREATE_DEFAULTS = { bundle: '.', 'no-pivot': false, 'no-new-keyring': false, 'preserve-fds': 0 };

interface CommandShape {
  flags: Flags;
  defaults: Record<string, unknown>;
  /** Positional argument names; a trailing "?" marks an optional one. */
  args: string[];
}

const COMMANDS: Record<string, CommandShape> = {
  create: { flags: CREATE, defaults: CREATE_DEFAULTS, args: ['container-id'] },
  run: { flags: { ...CREATE, ...flag('boolean', 'detach', '--detach', '-d'), ...flag('boolean', 'keep', '--keep') }, defaults: { ...CREATE_DEFAULTS, detach: false, keep: false }, args: ['container-id'] },
  start: { flags: {}, defaults: {}, args: ['container-id'] },
  state: { flags: {}, defaults: {}, args: ['container-id'] },
  kill: { flags: flag('boolean', 'all', '--all', '-a'), defaults: { all: false }, args: ['container-id', 'signal?'] },
  delete: { flags: flag('boolean', 'force', '--force', '-f'), defaults: { force: false }, args: ['container-id'] },
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
  let value: string | undefined = eq > 0 ? arg.slice(eq + 1) : undefined;
  if (def.kind === 'boolean') {
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
  if (def.kind === 'number') {
    if (!/^\d+$/.test(value)) return -1;
    out[def.key] = Number(value);
  } else {
    out[def.key] = value;
  }
  return i + 1;
}

export function parseFast(argv: string[]): FastCommand | undefined {
  const globals: Record<string, unknown> = {};
  let i = 0;
  while (i < argv.length && argv[i].startsWith('-')) {
    i = readFlag(argv, i, GLOBAL, globals);
    if (i < 0) return undefined;
  }
  const command = argv[i++];
  const shape = command !== undefined && Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
  if (!shape) return undefined;
  if (globals['log-format'] !== undefined && globals['log-format'] !== 'text' && globals['log-format'] !== 'json') return undefined;
  const args: Record<string, unknown> = { ...shape.defaults };
  const positional: string[] = [];
  while (i < argv.length) {
    const a = argv[i];
    if (a.startsWith('-') && a !== '-') {
      i = readFlag(argv, i, shape.flags, args);
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
