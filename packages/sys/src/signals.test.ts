import { UsageError } from './errors';
import { SIGRTMAX, SIGRTMIN, parseSignal, signalName, signalNumber } from './signals';

describe('parseSignal', () => {
  it.each([
    ['KILL', 9],
    ['SIGKILL', 9],
    ['kill', 9],
    ['sigkill', 9],
    ['SigTerm', 15],
    ['9', 9],
    ['+9', 9],
    ['0', 0],
    ['HUP', 1],
    ['USR1', 10],
    ['SIGUSR2', 12],
    ['CHLD', 17],
    ['STOP', 19],
    ['WINCH', 28],
    ['SIGSYS', 31],
    ['IOT', 6],
    ['SIGCLD', 17],
    ['POLL', 29],
    ['34', 34],
    ['RTMIN', 34],
    ['SIGRTMIN', 34],
    ['SIGRTMIN+3', 37],
    ['rtmin+3', 37],
    ['RTMAX', 64],
    ['SIGRTMAX-1', 63],
    ['RTMIN+30', 64],
  ])('%j -> %d', (s, n) => {
    expect(parseSignal(s)).toBe(n);
  });

  it('takes numbers', () => {
    expect(parseSignal(15)).toBe(15);
    expect(parseSignal(0)).toBe(0);
    expect(parseSignal(64)).toBe(64);
  });

  it.each(['FOO', 'SIGFOO', '', ' 9', '9 ', '0x9', '9.0', '-1', '65', '99', 'RTMIN+31', 'RTMAX+1', 'RTMIN-1', 'RTMAX-31', 'SIG', 'KILL9'])(
    'rejects %j with a UsageError naming it',
    (s) => {
      let err: unknown;
      try {
        parseSignal(s);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(UsageError);
      expect((err as UsageError).message).toBe(`unknown signal ${JSON.stringify(s)}`);
      expect((err as UsageError).code).toBe('EUSAGE');
    },
  );

  it.each([-1, 65, 1.5, Number.NaN])('rejects the number %p', (n) => {
    expect(() => parseSignal(n)).toThrow(UsageError);
  });
});

describe('signalName', () => {
  it('gives kill -l\'s names', () => {
    expect(signalName(9)).toBe('SIGKILL');
    expect(signalName(6)).toBe('SIGABRT');
    expect(signalName(17)).toBe('SIGCHLD');
    expect(signalName(29)).toBe('SIGIO');
    expect(signalName(34)).toBe('SIGRTMIN');
    expect(signalName(37)).toBe('SIGRTMIN+3');
    expect(signalName(49)).toBe('SIGRTMIN+15');
    expect(signalName(50)).toBe('SIGRTMAX-14');
    expect(signalName(64)).toBe('SIGRTMAX');
    expect(signalName(32)).toBe('SIG32');
  });

  it('round-trips every signal number', () => {
    for (let n = 1; n <= SIGRTMAX; n++) {
      if (n === 32 || n === 33) continue;
      expect(parseSignal(signalName(n))).toBe(n);
    }
    expect(SIGRTMIN).toBe(34);
  });

  it('agrees with Node\'s own table for the classic signals', () => {
    const os = require('node:os') as typeof import('node:os');
    for (const [name, n] of Object.entries(os.constants.signals)) {
      expect(parseSignal(name)).toBe(n);
    }
  });
});

describe('signalNumber', () => {
  it.each([
    ['KILL', 9],
    ['sigterm', 15],
    ['SIGHUP', 1],
    ['IOT', 6],
    ['SIGRTMIN+3', 37],
    ['RTMAX-1', 63],
  ])('%s is %d', (name, n) => {
    expect(signalNumber(name)).toBe(n);
  });

  it.each(['NOPE', '9', 'RTMIN-1', 'RTMAX+1', 'toString', '__proto__'])('%s is no signal name', (name) => {
    expect(signalNumber(name)).toBeUndefined();
  });
});
