import { familiarString, formatReference, normalize, parseReference } from './reference';

describe('references as docker parses them', () => {
  it.each([
    ['busybox', 'docker.io/library/busybox:latest'],
    ['busybox:1.36', 'docker.io/library/busybox:1.36'],
    ['user/app', 'docker.io/user/app:latest'],
    ['docker.io/busybox', 'docker.io/library/busybox:latest'],
    ['index.docker.io/library/busybox', 'docker.io/library/busybox:latest'],
    ['127.0.0.1:5000/busybox', '127.0.0.1:5000/busybox:latest'],
    ['127.0.0.1:5000/a/b:v2', '127.0.0.1:5000/a/b:v2'],
    ['localhost/x', 'localhost/x:latest'],
    ['quay.io/org/img:tag', 'quay.io/org/img:tag'],
    [`busybox@sha256:${'a'.repeat(64)}`, `docker.io/library/busybox@sha256:${'a'.repeat(64)}`],
    [`h:5000/x:t@sha256:${'b'.repeat(64)}`, `h:5000/x:t@sha256:${'b'.repeat(64)}`],
  ])('%s → %s', (input, full) => {
    expect(formatReference(normalize(input))).toBe(full);
  });

  it('shows docker.io names familiar', () => {
    expect(familiarString(normalize('docker.io/library/busybox'))).toBe('busybox:latest');
    expect(familiarString(normalize('127.0.0.1:5000/busybox:1'))).toBe('127.0.0.1:5000/busybox:1');
  });

  it('keeps a port apart from a tag', () => {
    expect(parseReference('localhost:5000/x')).toEqual({ registry: 'localhost:5000', repository: 'x', tag: undefined, digest: undefined });
  });

  it.each([
    ['', /empty/],
    ['Busybox', /lowercase/],
    ['busybox:bad tag', /tag/],
    ['busybox@sha256:123', /digest/],
    ['a//b', /component ""/],
    ['-x', /component/],
  ])('refuses %j naming it', (input, why) => {
    expect(() => parseReference(input)).toThrow(/invalid reference format/);
    expect(() => parseReference(input)).toThrow(why);
  });
});
