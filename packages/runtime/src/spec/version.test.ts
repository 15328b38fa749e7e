import { isSupportedVersion, parseSemVer } from './version';

describe('parseSemVer', () => {
  it('reads SemVer 2.0.0', () => {
    expect(parseSemVer('1.0.2-dev')).toEqual({ major: 1, minor: 0, patch: 2, prerelease: 'dev' });
    expect(parseSemVer('1.3.0+git.abc')).toEqual({ major: 1, minor: 3, patch: 0, build: 'git.abc' });
    expect(parseSemVer('1.1.0-rc.1')).toEqual({ major: 1, minor: 1, patch: 0, prerelease: 'rc.1' });
  });

  it.each(['1', '1.0', 'v1.0.0', '1.0.0.0', '01.0.0', '1.0.0-', '1.0.0-01', ' 1.0.0', ''])('rejects %j', (s) => {
    expect(parseSemVer(s)).toBeUndefined();
  });
});

describe('isSupportedVersion', () => {
  it.each([
    ['1.0.0', true],
    ['1.0.2-dev', true],
    ['1.2.1', true],
    ['1.3.0', true],
    ['1.3.99', true],
    ['1.3.1-rc.1', true],
    ['1.0.0-rc5', false],
    ['0.6.0', false],
    ['1.4.0', false],
    ['1.4.0-dev', false],
    ['2.0.0', false],
  ])('%s -> %p', (s, ok) => {
    expect(isSupportedVersion(parseSemVer(s)!)).toBe(ok);
  });
});
