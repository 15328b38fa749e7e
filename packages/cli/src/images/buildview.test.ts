import { BuildView } from './buildview';

const T0 = 1_000_000;
const classic = [
  'Step 1/3 : FROM 127.0.0.1:5000/busybox',
  ' ---> 0123456789ab',
  'Step 2/3 : WORKDIR /app',
  ' ---> Using cache',
  ' ---> 1123456789ab',
  'Step 3/3 : RUN echo one && echo two',
  ' ---> Running in 5a5a5a5a5a5a',
];

describe('BuildView', () => {
  it('turns docker\'s step lines into steps: cached, running with its output, times, (done/total)', () => {
    const v = new BuildView(T0);
    v.contextSent('2.05kB', T0 + 100);
    // Cut anywhere: one character at a time.
    for (const ch of `${classic.join('\n')}\n`) v.feed(ch, T0 + 500);
    v.feed('one\ntw', T0 + 1500);
    v.feed('o\n', T0 + 1600);
    const f = v.frame(T0 + 2000, 80).split('\n');
    expect(f[0]).toBe('[+] Building 2.0s (2/3)');
    expect(f[1]).toMatch(/^ => \[internal\] load build context +0\.1s$/);
    expect(f[2]).toBe(' => => transferring context: 2.05kB');
    expect(f[3]).toMatch(/^ => \[1\/3\] FROM 127\.0\.0\.1:5000\/busybox +0\.0s$/);
    expect(f[4]).toMatch(/^ => CACHED \[2\/3\] WORKDIR \/app +0\.0s$/);
    expect(f[5]).toMatch(/^ => \[3\/3\] RUN echo one && echo two +1\.5s$/);
    expect(f.slice(6)).toEqual([' => => # one', ' => => # two']);
    for (const line of f) expect(line.length).toBeLessThanOrEqual(80);
  });

  it('shows the last six lines of a running step, and none once it is done; FINISHED at the end; results kept for after', () => {
    const v = new BuildView(T0);
    v.feed(`${classic.join('\n')}\n${Array.from({ length: 10 }, (_, i) => `line ${i}`).join('\n')}\n`, T0 + 100);
    expect(v.frame(T0 + 200, 80).split('\n').filter((l) => l.startsWith(' => => # '))).toEqual([4, 5, 6, 7, 8, 9].map((i) => ` => => # line ${i}`));
    v.feed('Removing intermediate container 5a5a5a5a5a5a\n ---> 2123456789ab\nSuccessfully built 2123456789ab\nSuccessfully tagged app:latest\n', T0 + 300);
    v.finish(true, T0 + 400);
    const f = v.frame(T0 + 400, 80, true);
    expect(f.split('\n')[0]).toBe('[+] Building 0.4s (3/3) FINISHED');
    expect(f).not.toContain(' => => # ');
    expect(f).not.toContain('Removing intermediate');
    expect(v.results).toEqual(['Successfully built 2123456789ab', 'Successfully tagged app:latest']);
    expect(v.failure()).toBeUndefined();
  });

  it('a failed step: ERROR in the view, and all it printed after it', () => {
    const v = new BuildView(T0);
    v.feed(`${classic.join('\n')}\none\ntwo\n`, T0 + 100);
    v.finish(false, T0 + 900);
    const f = v.frame(T0 + 900, 80, true).split('\n');
    expect(f[0]).toBe('[+] Building 0.9s (3/3)');
    expect(f[3]).toMatch(/^ => ERROR \[3\/3\] RUN echo one && echo two +0\.8s$/);
    expect(v.failure()).toBe('------\n > [3/3] RUN echo one && echo two:\none\ntwo\n------');
  });

  it('fits every row to the terminal and drops control characters a step printed', () => {
    const v = new BuildView(T0);
    v.feed(`Step 1/1 : RUN ${'x'.repeat(200)}\n\x1b[31mred\x1b[0m\tand\x07bell\n`, T0);
    const f = v.frame(T0 + 100, 40).split('\n');
    for (const line of f) expect(line.length).toBeLessThanOrEqual(40);
    expect(f[1]).toMatch(/…\s+0\.1s$/);
    expect(f[2]).toBe(' => => # red andbell');
  });
});
