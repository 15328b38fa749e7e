// hullctl's `kill -s` and `stop -s`: docker's words for a bad signal; the
// names and numbers are @hull/sys's.
import { SIGRTMAX, signalNumber } from '@hull/sys/signals';
import { FlagError } from './errors';

/** "KILL", "SIGKILL", "kill", "9", "RTMIN+3" → the number (1 to 64). */
export function parseSignal(text: string): number {
  const t = text.trim();
  const number = t.toUpperCase().replace(/^SIG/, '');
  const n = /^\d+$/.test(number) ? Number(number) : signalNumber(t);
  if (n !== undefined && n >= 1 && n <= SIGRTMAX) return n;
  throw new FlagError(`Invalid signal: ${text}`);
}
