// Where hullctl's options end and the container's command begins:
// `run -it --rootfs R sh -c 'ls -l'` keeps `-c` for sh. yargs cannot stop at
// a subcommand's first positional, so the split is done here, from the
// command's option table (which flags take a value), as docker's pflag does.
import type { Options } from 'yargs';

export interface Split {
  /** What yargs parses: global options, the command word, its options and leading positionals. */
  head: string[];
  /** The container's command and its arguments, untouched. */
  rest: string[];
}

const GLOBAL_VALUE_FLAGS = new Set(['address', 'state-dir']);

function valueFlags(options: Record<string, Options>): { long: Set<string>; short: Set<string> } {
  const long = new Set(GLOBAL_VALUE_FLAGS);
  const short = new Set<string>();
  for (const [name, o] of Object.entries(options)) {
    if (o.type === 'boolean') continue;
    long.add(name);
    for (const a of [o.alias ?? []].flat()) (a.length === 1 ? short : long).add(a);
  }
  return { long, short };
}

/**
 * `positionals` is how many positionals belong to hullctl before the
 * command starts (0 for run, 1 for exec's CONTAINER).
 */
export function splitCommand(argv: string[], commandIndex: number, options: Record<string, Options>, positionals: number): Split {
  const { long, short } = valueFlags(options);
  let seen = 0;
  for (let i = commandIndex + 1; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') return { head: argv.slice(0, i), rest: argv.slice(i + 1) };
    if (a.startsWith('--')) {
      if (!a.includes('=') && long.has(a.slice(2))) i++;
      continue;
    }
    if (a.startsWith('-') && a.length > 1) {
      for (let j = 1; j < a.length; j++) {
        if (short.has(a[j]!)) {
          if (j === a.length - 1) i++;
          break;
        }
      }
      continue;
    }
    if (seen === positionals) return { head: argv.slice(0, i), rest: argv.slice(i) };
    seen++;
  }
  return { head: argv, rest: [] };
}

/** Index of the command word: the first argument that is not a global option or its value. */
export function findCommandIndex(argv: string[]): number {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') return -1;
    if (a.startsWith('--')) {
      if (!a.includes('=') && GLOBAL_VALUE_FLAGS.has(a.slice(2))) i++;
      continue;
    }
    if (a.startsWith('-')) continue;
    return i;
  }
  return -1;
}
