// A command's options, declared once: yargs reads them for --help and the full parse, fast.ts for the
// hot commands' parse without yargs, and the command-line scanners for which flags take a value.
import type { Argv } from 'yargs';

export interface OptionSpec {
  type: 'string' | 'boolean' | 'number';
  /** One letter: `-x`. */
  alias?: string;
  default?: unknown;
  describe?: string;
  choices?: readonly string[];
  hidden?: boolean;
  /** The flag may repeat; fast.ts collects its values in an array (yargs does so by itself). */
  many?: boolean;
}
export type Options = Record<string, OptionSpec>;

export const GLOBAL_OPTIONS: Options = {
  // Its default, DEFAULT_ROOT, is set where yargs is built (this module stays free of imports).
  root: { type: 'string', describe: 'root directory for storage of container state (this should be located in tmpfs)' },
  log: { type: 'string', describe: 'set the log file to write hull logs to (default is stderr)' },
  'log-format': { type: 'string', choices: ['text', 'json'], default: 'text', describe: 'set the log format' },
  debug: { type: 'boolean', default: false, describe: 'enable debug logging' },
  'systemd-cgroup': { type: 'boolean', default: false, hidden: true },
  rootless: { type: 'string', default: 'auto', hidden: true },
  criu: { type: 'string', hidden: true },
};

/** The commands engines call for every container: parsed without yargs (fast.ts), each in a bundle of its own (scripts/bundle.js). */
export const HOT_COMMANDS = ['create', 'run', 'start', 'state', 'kill', 'delete', 'exec'] as const;
export type HotCommand = (typeof HOT_COMMANDS)[number];

export function applyOptions(y: Argv, options: Options): Argv {
  for (const [name, { many: _many, ...spec }] of Object.entries(options)) y = y.option(name, spec);
  return y;
}

/** The spellings of the options that take a value: `--name` and `-x`. */
export function valueFlags(options: Options): Set<string> {
  const out = new Set<string>();
  for (const [name, spec] of Object.entries(options)) {
    if (spec.type === 'boolean') continue;
    out.add(`--${name}`);
    if (spec.alias) out.add(`-${spec.alias}`);
  }
  return out;
}

/** `hull [global options] --version` (or -v): answered without yargs or any bundle. */
export function asksVersion(argv: string[]): boolean {
  const globals = argv.slice(0, commandIndex(argv));
  return globals.includes('--version') || globals.includes('-v');
}

/** Where the command word is: past the global options (and their values). */
export function commandIndex(argv: string[]): number {
  const values = valueFlags(GLOBAL_OPTIONS);
  let i = 0;
  while (i < argv.length && argv[i].startsWith('-') && argv[i] !== '--') i += values.has(argv[i]) ? 2 : 1;
  return i;
}
