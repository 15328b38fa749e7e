// The yargs-free parse of the hot commands: the forms engines send are taken,
// anything else is left to yargs (undefined).
import { parseFast as parseWith } from './fast';
import { HOT_COMMANDS } from './options';
import type { Options } from './options';

/** Every hot command's options, as main.ts hands them over. */
const parseFast = (argv: string[]) => parseWith(argv, (c) => ((HOT_COMMANDS as readonly string[]).includes(c) ? (require(`./commands/${c}`) as { options?: Options }).options ?? {} : undefined));

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

  it('takes exec: flags before the id, everything after it the command, repeated flags collected', () => {
    expect(parseFast(['exec', '-e', 'A=1', '--env=B=2', '-t', '--cwd', '/x', '-g', '5', '--cap', 'CAP_KILL', 'c1', 'sh', '-c', 'echo -n', '--tty'])).toEqual({
      command: 'exec',
      globals: {},
      args: {
        _: ['exec'], 'container-id': 'c1', cmd: ['sh', '-c', 'echo -n', '--tty'], env: ['A=1', 'B=2'], tty: true, cwd: '/x', 'additional-gids': [5], cap: ['CAP_KILL'],
        detach: false, 'no-new-privs': false, 'preserve-fds': 0, 'ignore-paused': false,
      },
    });
    expect(parseFast(['exec', '-p', '/p.json', 'c1'])).toMatchObject({ args: { process: '/p.json', 'container-id': 'c1' } });
  });

  it('leaves everything else to yargs', () => {
    for (const argv of [
      [], ['--help'], ['state'], ['state', 'a', 'b'], ['create', '--bogus', 'c1'], ['create', '--bundle'], ['create', '--preserve-fds', 'x', 'c1'],
      ['exec', '-ti', 'c1', 'sh'], ['exec', 'c1', '--', 'true'], ['exec', '--bogus', 'c1', 'true'], ['exec', '-g', 'x', 'c1', 'true'], ['list'], ['--log-format', 'xml', 'state', 'c1'], ['--version'], ['help', 'state'], ['delete', '--force=maybe', 'c1'],
    ]) expect({ argv, parsed: parseFast(argv) }).toEqual({ argv, parsed: undefined });
  });

  it('takes only the command whose options it is given (a hot bundle holds one command)', () => {
    const startOnly = (c: string) => (c === 'start' ? {} : undefined);
    expect(parseWith(['start', 'c1'], startOnly)).toEqual({ command: 'start', globals: {}, args: { 'container-id': 'c1' } });
    expect(parseWith(['state', 'c1'], startOnly)).toBeUndefined();
    expect(parseWith(['list'], () => ({}))).toBeUndefined();
  });
});
