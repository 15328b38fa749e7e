import { parseDuration, parseTimestamp } from './timestamps';

const NOW = Date.UTC(2026, 11, 6, 4, 0, 0, 250);

describe('docker --since / --until values', () => {
  it('reads Go durations as that long before now', () => {
    expect(parseDuration('1h30m')).toBe(5400e9);
    expect(parseDuration('1.5s')).toBe(1.5e9);
    expect(parseDuration('10')).toBeUndefined();
    expect(parseTimestamp('10m', NOW)).toEqual({ seconds: NOW / 1000 - 600 - 0.25, nanos: 250e6 });
    expect(parseTimestamp('0s', NOW)).toEqual({ seconds: Math.floor(NOW / 1000), nanos: 250e6 });
  });

  it('reads Unix times with an optional fraction', () => {
    expect(parseTimestamp('1700000000')).toEqual({ seconds: 1700000000, nanos: 0 });
    expect(parseTimestamp('1700000000.5')).toEqual({ seconds: 1700000000, nanos: 500e6 });
  });

  it('reads RFC 3339 times, whole or cut short, with a zone or in local time', () => {
    expect(parseTimestamp('2026-12-06T04:05:06Z')).toEqual({ seconds: Date.UTC(2026, 11, 6, 4, 5, 6) / 1000, nanos: 0 });
    expect(parseTimestamp('2026-12-06T04:05:06.123456789+02:00')).toEqual({ seconds: Date.UTC(2026, 11, 6, 2, 5, 6) / 1000, nanos: 123456789 });
    expect(parseTimestamp('2026-12-06T04:05')).toEqual({ seconds: new Date(2026, 11, 6, 4, 5).getTime() / 1000, nanos: 0 });
    expect(parseTimestamp('2026-12-06')).toEqual({ seconds: new Date(2026, 11, 6).getTime() / 1000, nanos: 0 });
  });

  it('refuses anything else with docker\'s words', () => {
    for (const bad of ['yesterday', '10x', '2026-13-01', '2026-02-30', '2026-12-06T25:00', '']) {
      expect(() => parseTimestamp(bad, NOW)).toThrow(`failed to parse value as time or duration: "${bad}"`);
    }
  });
});
