// A time as toISOString writes it ("2026-12-06T09:27:20.123Z"), from the UTC fields: the first
// toISOString of a process costs nearly a millisecond (V8 sets up its date formatting), and every
// create stamps its record.
const two = (n: number) => (n < 10 ? '0' : '') + n;

export function isoTime(ms: number = Date.now()): string {
  const d = new Date(ms);
  const y = d.getUTCFullYear();
  // Years outside 0..9999 take toISOString's own signed six-digit form.
  if (y < 0 || y > 9999) return d.toISOString();
  const milli = d.getUTCMilliseconds();
  return `${String(y).padStart(4, '0')}-${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())}T${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}.${milli < 100 ? (milli < 10 ? '00' : '0') : ''}${milli}Z`;
}
