import { bytesSize, humanSize, parseCpus, parseInteger, parseSize, parseSwap } from './units';

describe('parseSize (docker RAMInBytes)', () => {
  it.each([
    ['64m', 64 * 1024 ** 2],
    ['64M', 64 * 1024 ** 2],
    ['1.5g', 1.5 * 1024 ** 3],
    ['512', 512],
    ['100kb', 100 * 1024],
    ['2 GiB', 2 * 1024 ** 3],
    ['1t', 1024 ** 4],
  ])('%s → %d', (text, n) => expect(parseSize(text)).toBe(n));

  it.each(['12q', '', 'm', '-1', '1mm', '1.5.5x', 'abc'])('%j is refused with docker\'s wording', (text) => {
    expect(() => parseSize(text)).toThrow(`invalid size: '${text}'`);
  });

  it('--memory-swap also takes -1', () => {
    expect(parseSwap('-1')).toBe(-1);
    expect(parseSwap('1g')).toBe(1024 ** 3);
    expect(() => parseSwap('-2')).toThrow("invalid size: '-2'");
  });
});

describe('parseCpus', () => {
  it.each([['0.5', 5e8], ['2', 2e9], ['.25', 2.5e8], ['1.000000001', 1e9 + 1]])('%s → %d nano-CPUs', (t, n) => expect(parseCpus(t)).toBe(n));
  it('refuses what is not a decimal, and too many digits', () => {
    expect(() => parseCpus('abc')).toThrow('failed to parse abc as a rational number');
    expect(() => parseCpus('0.0000000001')).toThrow('value is too precise');
  });
});

describe('parseInteger', () => {
  it('parses and refuses like strconv', () => {
    expect(parseInteger('-1')).toBe(-1);
    expect(parseInteger('20')).toBe(20);
    expect(() => parseInteger('2x')).toThrow('strconv.ParseInt: parsing "2x": invalid syntax');
    expect(() => parseInteger('99999999999999999999')).toThrow('value out of range');
  });
});

describe('byte sizes as docker prints them', () => {
  it.each([
    [0, '0B'],
    [1023, '1023B'],
    [1024, '1KiB'],
    [2048000, '1.953MiB'],
    [64 * 1024 ** 2, '64MiB'],
    [1.5 * 1024 ** 3, '1.5GiB'],
  ])('bytesSize(%d) = %s', (n, s) => expect(bytesSize(n)).toBe(s));
  it('humanSize is decimal', () => {
    expect(humanSize(4100)).toBe('4.1kB');
    expect(humanSize(999)).toBe('999B');
  });
});
