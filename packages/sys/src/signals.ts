// Signal names and numbers, for the runtime's `kill`, hullctl's `kill -s` and
// `stop -s`, and the signals hullctl forwards. Accepts what runc accepts
// ("KILL", "SIGKILL", "kill", "9") plus the realtime names of kill(1) ("RTMIN+3").
import { UsageError } from './errors';

// Linux numbering; x86_64 and aarch64 (asm-generic) agree on all of these.
const NUMBERS: Record<string, number> = {
  HUP: 1, INT: 2, QUIT: 3, ILL: 4, TRAP: 5, ABRT: 6, BUS: 7, FPE: 8,
  KILL: 9, USR1: 10, SEGV: 11, USR2: 12, PIPE: 13, ALRM: 14, TERM: 15, STKFLT: 16,
  CHLD: 17, CONT: 18, STOP: 19, TSTP: 20, TTIN: 21, TTOU: 22, URG: 23, XCPU: 24,
  XFSZ: 25, VTALRM: 26, PROF: 27, WINCH: 28, IO: 29, PWR: 30, SYS: 31,
};

// Other names signal(7) gives the same numbers; signalName never returns them.
const ALIASES: Record<string, number> = { IOT: 6, CLD: 17, POLL: 29 };

/** glibc keeps 32 and 33 for itself, so userland's SIGRTMIN is 34. */
export const SIGRTMIN = 34;
export const SIGRTMAX = 64;

const NAMES = new Map<number, string>(Object.entries(NUMBERS).map(([name, n]) => [n, `SIG${name}`]));

/** The number of a signal name ("KILL", "SIGKILL", "kill", "SIGRTMIN+3", "RTMAX-1"), or undefined. */
export function signalNumber(name: string): number | undefined {
  const upper = name.toUpperCase();
  const bare = upper.startsWith('SIG') ? upper.slice(3) : upper;
  return Object.hasOwn(NUMBERS, bare) ? NUMBERS[bare] : Object.hasOwn(ALIASES, bare) ? ALIASES[bare] : realtime(bare);
}

/**
 * The signal number for "KILL", "SIGKILL", "kill", "9", "SIGRTMIN+3", "RTMAX-1" or 9.
 * 0 is accepted (it probes whether a process exists). Throws UsageError otherwise.
 */
export function parseSignal(s: string | number): number {
  if (typeof s === 'number') {
    if (Number.isInteger(s) && s >= 0 && s <= SIGRTMAX) return s;
    throw unknown(String(s));
  }
  if (/^\+?[0-9]+$/.test(s)) {
    const n = Number(s);
    if (n <= SIGRTMAX) return n;
    throw unknown(s);
  }
  const n = signalNumber(s);
  if (n === undefined) throw unknown(s);
  return n;
}

function realtime(name: string): number | undefined {
  const m = /^RT(MIN|MAX)(?:([+-])([0-9]+))?$/.exec(name);
  if (!m) return undefined;
  const offset = m[2] === undefined ? 0 : Number(m[3]);
  if ((m[1] === 'MIN' && m[2] === '-') || (m[1] === 'MAX' && m[2] === '+')) return undefined;
  const n = m[1] === 'MIN' ? SIGRTMIN + offset : SIGRTMAX - offset;
  return n >= SIGRTMIN && n <= SIGRTMAX ? n : undefined;
}

function unknown(s: string): UsageError {
  return new UsageError(`unknown signal "${s}"`, { signal: s });
}

/** "SIGKILL" for 9, "SIGRTMIN+3" for 37, "SIGRTMAX" for 64 (kill -l's names); "SIG32" when unnamed. */
export function signalName(n: number): string {
  const named = NAMES.get(n);
  if (named) return named;
  if (n >= SIGRTMIN && n <= SIGRTMAX) {
    // kill -l names the lower half from RTMIN and the upper half from RTMAX.
    const fromMin = n - SIGRTMIN;
    const fromMax = SIGRTMAX - n;
    if (fromMin === 0) return 'SIGRTMIN';
    if (fromMax === 0) return 'SIGRTMAX';
    return fromMin <= 15 ? `SIGRTMIN+${fromMin}` : `SIGRTMAX-${fromMax}`;
  }
  return `SIG${n}`;
}
