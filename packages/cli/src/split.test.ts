import { COMMANDS } from './commands';
import { findCommandIndex, splitCommand } from './split';

const opts = (name: string) => COMMANDS.find((c) => c.command.startsWith(`${name} `))!.options!;

describe('where hullctl\'s flags end and the container\'s command begins', () => {
  it('run: the first positional starts the command; its own flags are kept', () => {
    const argv = ['--address', '/s', 'run', '-it', '--rm', '-e', 'A=1', '--name=x', '-m', '64m', '--rootfs', '/r', 'sh', '-c', 'ls -l', '--rm'];
    const i = findCommandIndex(argv);
    expect(i).toBe(2);
    expect(splitCommand(argv, i, opts('run'), 0)).toEqual({ head: argv.slice(0, 12), rest: ['sh', '-c', 'ls -l', '--rm'] });
  });
  it('a value glued to a short flag, and -- ends the options', () => {
    const argv = ['run', '-eA=1', '-w', '/tmp', '--', '-x', 'y'];
    expect(splitCommand(argv, 0, opts('run'), 0)).toEqual({ head: ['run', '-eA=1', '-w', '/tmp'], rest: ['-x', 'y'] });
  });
  it('exec: CONTAINER stays with hullctl', () => {
    const argv = ['exec', '-it', '-u', '1000', 'c1', 'sh', '-c', 'id -u'];
    expect(splitCommand(argv, 0, opts('exec'), 1)).toEqual({ head: ['exec', '-it', '-u', '1000', 'c1'], rest: ['sh', '-c', 'id -u'] });
  });
  it('no command at all', () => {
    expect(splitCommand(['run', '--rootfs', '/r'], 0, opts('run'), 0)).toEqual({ head: ['run', '--rootfs', '/r'], rest: [] });
    expect(findCommandIndex(['--state-dir', '/x'])).toBe(-1);
  });
});
