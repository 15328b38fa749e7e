import { parseDuration } from './events';

describe('hull events flags', () => {
  it('parses Go durations', () => {
    expect(parseDuration('5s')).toBe(5000);
    expect(parseDuration('1m30s')).toBe(90000);
    expect(parseDuration('250ms')).toBe(250);
    expect(() => parseDuration('5')).toThrow('--interval: invalid duration "5"');
    expect(() => parseDuration('0s')).toThrow(/invalid duration/);
  });
});
