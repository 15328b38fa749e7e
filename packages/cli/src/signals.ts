// Signal names and numbers on Linux x86-64, for kill -s and stop -s.
import { FlagError } from './errors';

const SIGNALS: Record<string, number> = {
  HUP: 1, INT: 2, QUIT: 3, ILL: 4, TRAP: 5, ABRT: 6, IOT: 6, BUS: 7, FPE: 8, KILL: 9, USR1: 10, SEGV: 11, USR2: 12,
  PIPE: 13, ALRM: 14, TERM: 15, STKFLT: 16, CHLD: 17, CONT: 18, STOP: 19, TSTP: 20, TTIN: 21, TTOU: 22, URG: 23,
  XCPU: 24, XFSZ: 25, VTALRM: 26, PROF: 27, WINCH: 28, IO: 29, POLL: 29, PWR: 30, SYS: 31,
};

/** "KILL", "SIGKILL", "kill", "9", "RTMIN+3" → the number. */
export function parseSignal(text: string): number {
  const t = text.trim().toUpperCase().replace(/^SIG/, '');
  if (/^\d+$/.test(t)) {
    const n = Number(t);
    if (n >= 1 && n <= 64) return n;
  } else if (SIGNALS[t] !== undefined) return SIGNALS[t]!;
  else {
    const rt = /^RTM(IN|AX)([+-]\d+)?$/.exec(t);
    if (rt) {
      const n = (rt[1] === 'IN' ? 34 : 64) + Number(rt[2] ?? 0);
      if (n >= 34 && n <= 64) return n;
    }
  }
  throw new FlagError(`Invalid signal: ${text}`);
}
