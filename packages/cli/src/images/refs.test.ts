import { CliError } from '../errors';
import { canonical } from '../commands/pull';
import { parseRef } from './refs';

describe('parseRef (the images package parser, hullctl errors)', () => {
  it('normalises as docker does', () => {
    expect(parseRef('busybox')).toEqual({ registry: 'docker.io', repository: 'library/busybox', tag: undefined, digest: undefined });
    expect(parseRef('127.0.0.1:5000/team/app:v1')).toMatchObject({ registry: '127.0.0.1:5000', repository: 'team/app', tag: 'v1' });
  });

  it('refuses a bad reference as hullctl (exit 125), naming it', () => {
    for (const bad of ['', 'Busybox', 'busybox:', 'a@sha256:123']) {
      let err: unknown;
      try {
        parseRef(bad);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(CliError);
      expect((err as CliError).exitCode).toBe(125);
      expect((err as CliError).message).toContain(`invalid reference format: ${JSON.stringify(bad)}`);
    }
  });
});

describe('canonical (what docker pull prints last)', () => {
  it.each([
    ['busybox', 'docker.io/library/busybox:latest'],
    ['busybox:1.36', 'docker.io/library/busybox:1.36'],
    ['localhost:5000/x', 'localhost:5000/x:latest'],
    [`x@sha256:${'a'.repeat(64)}`, `docker.io/library/x@sha256:${'a'.repeat(64)}`],
  ])('%s → %s', (name, want) => expect(canonical(name)).toBe(want));
});
