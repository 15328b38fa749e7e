import fc from 'fast-check';
import { isoTime } from './time';

describe('isoTime', () => {
  it('writes what toISOString writes', () => {
    const max = 8.64e15; // the largest time a Date holds
    fc.assert(fc.property(fc.integer({ min: -max, max }), (ms) => {
      expect(isoTime(ms)).toBe(new Date(ms).toISOString());
    }), { numRuns: 2000 });
    for (const ms of [0, 1, -1, 999, 1000, Date.UTC(2026, 11, 6, 9, 7, 5, 30), Date.UTC(9999, 11, 31, 23, 59, 59, 999), Date.UTC(10000, 0, 1)]) {
      expect(isoTime(ms)).toBe(new Date(ms).toISOString());
    }
  });

  it('defaults to now', () => {
    const before = Date.now();
    const t = Date.parse(isoTime());
    expect(t).toBeGreaterThanOrEqual(before);
    expect(t).toBeLessThanOrEqual(Date.now());
  });
});
