// What volume and network commands share: --label parsing, one-by-one
// operations with docker's error reporting, prune's confirmation.
import readline from 'node:readline';
import { FlagError, SupervisorDownError } from '../errors';

/** --label KEY=VALUE or KEY (an empty value). */
export function labels(flags: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const l of flags) {
    const i = l.indexOf('=');
    const key = i < 0 ? l : l.slice(0, i);
    if (!key) throw new FlagError(`invalid argument "${l}" for "--label" flag: a key is required`);
    out[key] = i < 0 ? '' : l.slice(i + 1);
  }
  return out;
}

/** Runs `fn` per name; failures are printed and the others still run; exit 1 if any failed. */
export async function forEachName(names: string[], fn: (name: string) => Promise<void>): Promise<number> {
  let code = 0;
  for (const name of names) {
    try {
      await fn(name);
    } catch (e) {
      if (e instanceof SupervisorDownError) throw e;
      process.stderr.write(`Error response from daemon: ${(e as Error).message}\n`);
      code = 1;
    }
  }
  return code;
}

/** docker's "Are you sure you want to continue? [y/N]" on stdin. */
export async function confirm(warning: string): Promise<boolean> {
  process.stdout.write(`${warning}\nAre you sure you want to continue? [y/N] `);
  const rl = readline.createInterface({ input: process.stdin });
  const line = await new Promise<string>((resolve) => {
    rl.once('line', resolve);
    rl.once('close', () => resolve(''));
  });
  rl.close();
  return /^y(es)?$/i.test(line.trim());
}
