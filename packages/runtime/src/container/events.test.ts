import { parseDuration } from '../cli/commands/events';
import { eventJson } from './events';
import { filterPs } from './ps';

describe('hull events', () => {
  it('parses Go durations', () => {
    expect(parseDuration('5s')).toBe(5000);
    expect(parseDuration('1m30s')).toBe(90000);
    expect(parseDuration('250ms')).toBe(250);
    expect(() => parseDuration('5')).toThrow('--interval: invalid duration "5"');
    expect(() => parseDuration('0s')).toThrow(/invalid duration/);
  });

  it('prints counters past 2^53 exactly, as Go does', () => {
    expect(eventJson({ limit: 9223372036854771712, max: 18446744073709551615, n: 1.5, s: 'x' }))
      .toBe('{"limit":9223372036854771712,"max":18446744073709551615,"n":1.5,"s":"x"}');
  });
});

describe('hull ps', () => {
  it('keeps the header and the lines of the given pids', () => {
    const out = filterPs([process.pid], ['-ef']).split('\n');
    expect(out[0]).toMatch(/\bPID\b/);
    expect(out.filter(Boolean)).toHaveLength(2);
    expect(out[1]).toContain(` ${process.pid} `);
    expect(() => filterPs([1], ['-o', 'comm'])).toThrow("couldn't find PID field in ps output");
  });
});
