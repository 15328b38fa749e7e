import { filterPs } from './ps';

describe('hull ps', () => {
  it('keeps the header and the lines of the given pids', () => {
    const out = filterPs([process.pid], ['-ef']).split('\n');
    expect(out[0]).toMatch(/\bPID\b/);
    expect(out.filter(Boolean)).toHaveLength(2);
    expect(out[1]).toContain(` ${process.pid} `);
    expect(() => filterPs([1], ['-o', 'comm'])).toThrow("couldn't find PID field in ps output");
  });

  it('with no pids (a stopped container) keeps the header alone', () => {
    expect(filterPs([], ['-ef']).trim().split('\n')).toHaveLength(1);
  });
});
