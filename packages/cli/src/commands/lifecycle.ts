// Helpers for stop, restart, kill and rm: signals and waiting with a timeout.
import { Status } from '@hull/shim/constants';
import type { Container } from '../containers';
import type { Context } from '../context';
import { invalidFlag } from '../errors';
import { parseSignal } from '../signals';

export function isRunning(c: Container): boolean {
  return c.info.status === Status.RUNNING || c.info.status === Status.PAUSED || c.info.status === Status.PAUSING;
}

export function parseTimeout(v: unknown): number {
  if (v === undefined) return 10;
  const t = String(v);
  if (!/^-?\d+$/.test(t)) throw invalidFlag(t, '-t, --time', `strconv.ParseInt: parsing "${t}": invalid syntax`);
  return Number(t);
}

function sleep(ms: number): Promise<'timeout'> {
  return new Promise((r) => setTimeout(() => r('timeout'), ms).unref());
}

/**
 * docker stop: the stop signal (SIGTERM), then SIGKILL to every process
 * after `seconds` (a negative timeout waits for ever).
 */
export async function stopContainer(ctx: Context, c: Container, seconds: number, signal = 'SIGTERM'): Promise<void> {
  if (!isRunning(c)) return;
  const client = ctx.client();
  const waited = client.call('Wait', { id: c.id }, c.name);
  await client.call('Kill', { id: c.id, signal: parseSignal(signal) }, c.name).catch(() => undefined);
  // A frozen process cannot act on a signal: thaw it.
  if (c.info.status !== Status.RUNNING) await client.call('Resume', { id: c.id }, c.name).catch(() => undefined);
  const outcome = seconds < 0 ? await waited : await Promise.race([waited, sleep(seconds * 1000)]);
  if (outcome === 'timeout') {
    await client.call('Kill', { id: c.id, signal: 9, all: true }, c.name).catch(() => undefined);
    await waited;
  }
}
