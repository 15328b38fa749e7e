import { FlagError } from '../errors';
import { progressMode } from './build';

describe('build --progress', () => {
  it.each([
    [undefined, false, true, 'tty'],
    ['auto', false, true, 'tty'],
    ['auto', false, false, 'plain'],
    ['plain', false, true, 'plain'],
    ['tty', false, true, 'tty'],
    ['quiet', false, true, 'quiet'],
    ['plain', true, false, 'quiet'],
  ] as const)('%s (-q %s, terminal %s) → %s', (value, quiet, terminal, want) => expect(progressMode(value, quiet, terminal)).toBe(want));

  it('refuses a mode it does not know, and tty without a terminal, as usage errors naming the flag', () => {
    expect(() => progressMode('fancy', false, true)).toThrow(new FlagError('hullctl build: invalid --progress "fancy": expected auto, plain, tty or quiet'));
    expect(() => progressMode('fancy', true, true)).toThrow(FlagError);
    expect(() => progressMode('tty', false, false)).toThrow(/--progress tty needs a terminal on stdout/);
  });

  it('a Node that cannot require an ES module (before 20.19) gets plain on auto, and a clear error on tty', () => {
    expect(progressMode('auto', false, true, false)).toBe('plain');
    expect(() => progressMode('tty', false, true, false)).toThrow(/--progress tty needs Node.js 20.19 or newer/);
  });
});
