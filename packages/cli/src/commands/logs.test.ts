import { lastLines } from './logs';

describe('logs --tail', () => {
  const b = (s: string) => Buffer.from(s);
  it('keeps the last N lines; a trailing newline ends a line', () => {
    expect(lastLines(b('a\nb\nc\n'), 2).toString()).toBe('b\nc\n');
    expect(lastLines(b('a\nb\nc'), 1).toString()).toBe('c');
    expect(lastLines(b('a\nb\n'), 5).toString()).toBe('a\nb\n');
    expect(lastLines(b('a\nb\n'), 0).toString()).toBe('');
    expect(lastLines(b('a\nb\n'), -1).toString()).toBe('a\nb\n');
  });
});
