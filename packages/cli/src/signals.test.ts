import { FlagError } from './errors';
import { parseSignal } from './signals';

describe('hullctl parseSignal', () => {
  it.each([
    ['KILL', 9],
    ['SIGKILL', 9],
    ['kill', 9],
    ['9', 9],
    ['SIG9', 9],
    [' TERM ', 15],
    ['RTMIN+3', 37],
    ['64', 64],
  ])('%s is %d', (text, n) => {
    expect(parseSignal(text)).toBe(n);
  });

  it.each(['0', '65', 'SIGNOPE', '', '-1'])('%s is refused with docker\'s words', (text) => {
    expect(() => parseSignal(text)).toThrow(FlagError);
    expect(() => parseSignal(text)).toThrow(`Invalid signal: ${text}`);
  });
});
