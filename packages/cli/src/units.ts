// Sizes and CPU amounts as docker's flags take them, and byte counts as
// docker prints them.

const BINARY: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 };
// docker's RAM sizes: "64m", "1.5g", "512", "2 GiB", "100kb"; units are binary.
const SIZE_RE = /^(\d+(?:\.\d+)*) ?([kmgtp])?i?b?$/i;

/** Parses a memory size; throws `invalid size: '12q'` like docker. */
export function parseSize(text: string): number {
  const m = SIZE_RE.exec(text);
  const n = m ? Number(m[1]) : NaN;
  if (!m || !Number.isFinite(n)) throw new Error(`invalid size: '${text}'`);
  return Math.floor(n * BINARY[(m[2] ?? '').toLowerCase()]!);
}

/** --memory-swap also takes -1 (unlimited swap). */
export function parseSwap(text: string): number {
  return text === '-1' ? -1 : parseSize(text);
}

/** --cpus: a decimal number of CPUs, returned in nano-CPUs (1e9 = one CPU). */
export function parseCpus(text: string): number {
  if (!/^\d*\.?\d+$|^\d+\.$/.test(text)) throw new Error(`failed to parse ${text} as a rational number`);
  const [whole = '0', frac = ''] = text.split('.');
  if (frac.length > 9) throw new Error('value is too precise');
  return Number(whole) * 1e9 + Number(frac.padEnd(9, '0'));
}

/** A base-10 integer, with Go's strconv wording on failure. */
export function parseInteger(text: string): number {
  if (!/^[+-]?\d+$/.test(text)) throw new Error(`strconv.ParseInt: parsing "${text}": invalid syntax`);
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new Error(`strconv.ParseInt: parsing "${text}": value out of range`);
  return n;
}

const BINARY_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];
const DECIMAL_UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB'];

// Four significant digits, trailing zeros dropped (Go's %.4g).
function scaled(n: number, base: number, units: string[]): string {
  let i = 0;
  while (n >= base && i < units.length - 1) {
    n /= base;
    i++;
  }
  return `${Number(n.toPrecision(4))}${units[i]}`;
}

/** docker stats' memory: "1.953MiB". */
export function bytesSize(n: number): string {
  return scaled(n, 1024, BINARY_UNITS);
}

/** docker's decimal sizes (block I/O): "4.1kB". */
export function humanSize(n: number): string {
  return scaled(n, 1000, DECIMAL_UNITS);
}
