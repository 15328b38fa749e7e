// hullctl logs: what the supervisor wrote into the container's log files;
// -f follows them until the container stops.
import fs from 'node:fs';
import path from 'node:path';
import { Status } from '@hull/shim/constants';
import { resolveContainer } from '../containers';
import type { Context } from '../context';
import { CliError, invalidFlag } from '../errors';
import { LogFollower } from '../follow';
import { STDERR_LOG, STDOUT_LOG } from '../store';

/** The last `n` lines of a buffer (a trailing newline ends the last line, it does not start one). */
export function lastLines(buf: Buffer, n: number): Buffer {
  if (n < 0) return buf;
  if (n === 0) return Buffer.alloc(0);
  let end = buf.length;
  if (end > 0 && buf[end - 1] === 0x0a) end--;
  let i = end;
  let seen = 0;
  while (i > 0) {
    if (buf[i - 1] === 0x0a && ++seen === n) break;
    i--;
  }
  return buf.subarray(i);
}

function readLog(file: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch {
    return Buffer.alloc(0);
  }
}

export async function handler(ctx: Context, argv: Record<string, unknown>): Promise<number> {
  const ref = String(argv.container);
  let tail = -1;
  if (argv.tail !== undefined && argv.tail !== 'all') {
    const t = String(argv.tail);
    if (!/^-?\d+$/.test(t)) throw invalidFlag(t, '-n, --tail', `strconv.Atoi: parsing "${t}": invalid syntax`);
    tail = Number(t);
  }
  const c = await resolveContainer(ctx, ref);
  if (argv.timestamps) {
    throw new CliError('--timestamps: not available: container output is kept in plain log files, which keep no times', 125, 'EUNSUPPORTED');
  }
  const bundle = c.info.bundle;
  const outFile = path.join(bundle, STDOUT_LOG);
  const errFile = path.join(bundle, STDERR_LOG);
  if (!fs.existsSync(outFile) && !c.spec) throw new CliError(`container ${ref} was not made by hullctl: its output is not logged`, 1, 'ENOLOGS');

  const out = readLog(outFile);
  const err = readLog(errFile);
  process.stdout.write(lastLines(out, tail));
  process.stderr.write(lastLines(err, tail));
  if (!argv.follow || (c.info.status !== Status.RUNNING && c.info.status !== Status.PAUSED && c.info.status !== Status.CREATED)) return 0;

  const followers = [
    new LogFollower(outFile, (b) => void process.stdout.write(b), out.length),
    new LogFollower(errFile, (b) => void process.stderr.write(b), err.length),
  ];
  for (const f of followers) f.start();
  try {
    await ctx.client().call('Wait', { id: c.id }, ref);
  } finally {
    for (const f of followers) f.stop(true);
  }
  return 0;
}
