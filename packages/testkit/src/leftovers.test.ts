import { spawn, type ChildProcess } from 'node:child_process';
import { catches, namedAfter, settled } from './leftovers';

describe('namedAfter', () => {
  it.each([
    ['ht-1-x-1', 'ht-1-x-1', true],
    ['hull-ht-1-x-1.scope', 'ht-1-x-1', true],
    ['ht-1-x-10', 'ht-1-x-1', false],
    ['ht-1-x-10.scope ht-1-x-1', 'ht-1-x-1', true],
    ['other', 'ht-1-x-1', false],
  ])('%s is named after %s: %s', (name, id, want) => {
    expect(namedAfter(name, id)).toBe(want);
  });
});

describe('catches', () => {
  it('sees a shell\'s trap once it is set, and nothing of a process that is gone', async () => {
    const shell = (script: string) => new Promise<ChildProcess>((resolve) => {
      const c = spawn('sh', ['-c', `${script}; echo ready; while :; do sleep 0.05; done`], { stdio: ['ignore', 'pipe', 'ignore'] });
      c.stdout!.once('data', () => resolve(c));
    });
    const trapped = await shell('trap "exit 0" TERM');
    const plain = await shell('true');
    try {
      expect(catches(trapped.pid!, 15)).toBe(true);
      expect(catches(plain.pid!, 15)).toBe(false);
    } finally {
      trapped.kill('SIGKILL');
      plain.kill('SIGKILL');
    }
    expect(catches(2 ** 22 + 1, 15)).toBe(false);
  });
});

describe('settled', () => {
  it('waits for the list to empty, or gives what is left after the bound', async () => {
    let left = [1, 2];
    setTimeout(() => (left = []), 100);
    expect(await settled(() => left)).toEqual([]);
    expect(await settled(() => [3], 50)).toEqual([3]);
  });
});
