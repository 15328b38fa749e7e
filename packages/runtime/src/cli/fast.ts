// The hot commands engines call for every container (create, start, state,
// kill, delete, run, exec), parsed without loading yargs: yargs costs
// more at start than all the rest of a `hull state`. Only the plain forms
// are taken here — known flags as `--flag value`, `--flag=value` or their
// one-letter aliases, and the expected arguments. Anything else (help, an
// unknown flag, a missing or extra argument) returns undefined, and yargs
// parses the command line and says what is wrong, as it always has.

type Kind = 'string' | 'boolean' | 'number';
/** `many`: the flag may repeat; its values are collected in an array. */
type Flags = Record<string, { key: string; kind: Kind; many?: boolean }>;

const flag = (kind: Kind, key: string, ...names: string[]): Flags => Object.fromEntries(names.map((n) => [n, { key, kind }]));
const repeated = (kind: Kind, key: string, ...names: string[]): Flags => Object.fromEntries(names.map((n) => [n, { key, kind, many: true }]));

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

// runc's exec: flags, the id, then the command (flags after the id belong to the command).
const EXEC: Flags = {
  ...flag('string', 'console-socket', '--console-socket'),
  ...flag('string', 'cwd', '--cwd'),
  ...repeated('string', 'env', '--env', '-e'),
  ...flag('boolean', 'tty', '--tty', '-t'),
  ...flag('string', 'user', '--user', '-u'),
  ...repeated('number', 'additional-gids', '--additional-gids', '-g'),
  ...flag('string', 'process', '--process', '-p'),
  ...flag('boolean', 'detach', '--detach', '-d'),
  ...flag('string', 'pid-file', '--pid-file'),
  ...flag('string', 'process-label', '--process-label'),
  ...flag('string', 'apparmor', '--apparmor'),
  ...flag('boolean', 'no-new-privs', '--no-new-privs'),
  ...repeated('string', 'cap', '--cap', '-c'),
  ...flag('number', 'preserve-fds', '--preserve-fds'),
  ...repeated('string', 'cgroup', '--cgroup'),
  ...flag('boolean', 'ignore-paused', '--ignore-paused'),
};
const EXEC_DEFAULTS = { tty: false, detach: false, 'no-new-privs': false, 'preserve-fds': 0, 'ignore-paused': false };

interface CommandShape {
  flags: Flags;
  defaults: Record<string, unknown>;
  /** Positional argument names; a trailing "?" marks an optional one. */
  args: string[];
  /** Everything after the positional arguments, as typed, goes to this key (exec's command). */
  rest?: string;
}

const COMMANDS: Record<string, CommandShape> = {
  create: { flags: CREATE, defaults: CREATE_DEFAULTS, args: ['container-id'] },
  run: { flags: { ...CREATE, ...flag('boolean', 'detach', '--detach', '-d'), ...flag('boolean', 'keep', '--keep') }, defaults: { ...CREATE_DEFAULTS, detach: false, keep: false }, args: ['container-id'] },
  start: { flags: {}, defaults: {}, args: ['container-id'] },
  state: { flags: {}, defaults: {}, args: ['container-id'] },
  kill: { flags: flag('boolean', 'all', '--all', '-a'), defaults: { all: false }, args: ['container-id', 'signal?'] },
  delete: { flags: flag('boolean', 'force', '--force', '-f'), defaults: { force: false }, args: ['container-id'] },
  exec: { flags: EXEC, defaults: { ...EXEC_DEFAULTS, _: ['exec'] }, args: ['container-id'], rest: 'cmd' },
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
  if (def.kind === 'number' && !/^\d+$/.test(value)) return -1;
  const v = def.kind === 'number' ? Number(value) : value;
  out[def.key] = def.many ? [...((out[def.key] as unknown[] | undefined) ?? []), v] : v;
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
    if (shape.rest && positional.length === shape.args.length) {
      // "--" right after the id is yargs' business (it is not runc's).
      if (a === '--') return undefined;
      args[shape.rest] = argv.slice(i);
      break;
    }
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
