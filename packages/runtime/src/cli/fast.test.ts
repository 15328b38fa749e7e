// The yargs-free parse of the hot commands: the forms engines send are taken,
// anything else is left to yargs (undefined).
import { parseFast } from './fast';

describe('parseFast', () => {
  it('takes the forms containerd, podman and docker send', () => {
    expect(parseFast(['--root', '/run/x', '--log', '/l.json', '--log-format', 'json', 'create', '--bundle', '/b', '--pid-file', '/p', 'c1'])).toEqual({
      command: 'create',
      globals: { root: '/run/x', log: '/l.json', 'log-format': 'json' },
      args: { 'container-id': 'c1', bundle: '/b', 'pid-file': '/p', 'no-pivot': false, 'no-new-keyring': false, 'preserve-fds': 0 },
    });
    expect(parseFast(['--root=/r', 'start', 'c1'])).toEqual({ command: 'start', globals: { root: '/r' }, args: { 'container-id': 'c1' } });
    expect(parseFast(['kill', '--all', 'c1', '9'])?.valueOf()).toMatchObject({ args: { all: true, 'container-id': 'c1', signal: '9' } });
    expect(parseFast(['delete', '-f', 'c1'])).toMatchObject({ args: { force: true, 'container-id': 'c1' } });
    expect(parseFast(['run', '-d', '-b', 'dir', '--preserve-fds=2', 'c1'])).toMatchObject({ args: { detach: true, bundle: 'dir', 'preserve-fds': 2 } });
  });

  it('leaves everything else to yargs', () => {
    for (const argv of [
      [], ['--help'], ['state'], ['state', 'a', 'b'], ['create', '--bogus', 'c1'], ['create', '--bundle'], ['create', '--preserve-fds', 'x', 'c1'],
      ['exec', 'c1', 'true'], ['list'], ['--log-format', 'xml', 'state', 'c1'], ['--version'], ['help', 'state'], ['delete', '--force=maybe', 'c1'],
    ]) expect({ argv, parsed: parseFast(argv) }).toEqual({ argv, parsed: undefined });
  });
});
