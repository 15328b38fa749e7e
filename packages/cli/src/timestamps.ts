// Times as docker's --since and --until take them (its timetypes package): a
// Go duration before now ("10m", "1h30m", "1.5s"), a Unix time in seconds with
// an optional fraction ("1700000000.5"), or an RFC 3339 date and time, whole or
// cut short ("2026-12-06", "2026-12-06T04:05", "...Z", "...+02:00"; local time
// when no zone is given).

export interface Timestamp {
  seconds: number;
  nanos: number;
}

const UNITS: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, μs: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };
const DURATION_RE = /^[-+]?((\d+(\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h))+$/;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2})(?::(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?)?(Z|[+-]\d{2}:\d{2})?$/;

/** Go's time.ParseDuration, in nanoseconds. */
export function parseDuration(text: string): number | undefined {
  if (!DURATION_RE.test(text)) return undefined;
  let ns = 0;
  for (const m of text.matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g)) ns += Number(m[1]) * UNITS[m[2]!]!;
  return text.startsWith('-') ? -ns : ns;
}

function fromNanos(ns: bigint): Timestamp {
  const s = ns / 1_000_000_000n - (ns % 1_000_000_000n < 0n ? 1n : 0n);
  return { seconds: Number(s), nanos: Number(ns - s * 1_000_000_000n) };
}

/** docker's words when a value is none of the forms. */
export function parseTimestamp(text: string, now = Date.now()): Timestamp {
  const d = parseDuration(text);
  if (d !== undefined) return fromNanos(BigInt(now) * 1_000_000n - BigInt(Math.round(d)));
  const unix = /^(\d+)(?:\.(\d{1,9}))?$/.exec(text);
  if (unix) return { seconds: Number(unix[1]), nanos: Number((unix[2] ?? '').padEnd(9, '0')) };
  const m = DATE_RE.exec(text);
  if (m) {
    const [, y, mo, da, h = '0', mi = '0', s = '0', frac = '', zone] = m;
    const fields = [Number(y), Number(mo) - 1, Number(da), Number(h), Number(mi), Number(s)] as const;
    let ms: number;
    if (!zone) ms = new Date(...fields).getTime(); // local time, as docker reads a date without a zone
    else {
      ms = Date.UTC(...fields);
      if (zone !== 'Z') ms -= (zone[0] === '-' ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6))) * 60_000;
    }
    const check = new Date(Date.UTC(...fields));
    if (!Number.isNaN(ms) && check.getUTCMonth() === fields[1] && check.getUTCDate() === fields[2] && fields[3] < 24 && fields[4] < 60 && fields[5] < 60) {
      return { seconds: Math.floor(ms / 1000), nanos: Number(frac.padEnd(9, '0')) };
    }
  }
  throw new Error(`failed to parse value as time or duration: "${text}"`);
}
