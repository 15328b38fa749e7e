// hullctl run -it / exec -it / attach through a real pty: keys typed, the
// screen read, the window resized, detached with ctrl-p ctrl-q and attached
// again. Python's pty module plays the terminal.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { itNeeds } from '@hull/testkit/jest';
import { HULLCTL, ROOTFS, prerequisites, runtimes, startEnv, uniqueName, type Env } from './helpers';

jest.setTimeout(120_000);

const DRIVER = path.join(__dirname, 'pty_driver.py');
const python = spawnSync('python3', ['-c', 'import pty'], { encoding: 'utf8' }).status === 0 ? 'python3' : undefined;
const missing = prerequisites() ?? (python ? undefined : 'python3 with its pty module is not installed');

type Step = { expect: string; timeout?: number } | { send: string } | { resize: [number, number] } | { wait: true };

interface Session {
  ok: boolean;
  failed_step: number | null;
  exit: number | null;
  transcript: string;
}

describe.each(runtimes())('hullctl -it over hull-shim --runtime $name', (rt) => {
  const skip = missing ?? rt.skip;
  const it_ = itNeeds(skip);

  let env: Env;
  beforeAll(async () => {
    if (!skip) env = await startEnv(rt);
  });
  afterAll(async () => {
    await env?.stop();
  });

  function session(args: string[], steps: Step[]): Session {
    const cmd = [process.execPath, '--', HULLCTL, '--address', env.address, '--state-dir', env.stateDir, ...args];
    const r = spawnSync(python!, [DRIVER, JSON.stringify(steps), ...cmd], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '/usr/bin:/bin', TERM: 'xterm' }, timeout: 100_000 });
    if (r.status !== 0) throw new Error(`pty driver failed: ${r.stderr}`);
    return JSON.parse(r.stdout) as Session;
  }

  it_('run -it: typed keys reach the shell, its output and the window size come back, resize passes through', () => {
    const s = session(['run', '-it', '--rm', '--rootfs', ROOTFS, 'sh'], [
      { expect: '# ' },
      { send: 'echo $((6*7))\r' },
      { expect: '42\r\n' },
      { send: 'stty size\r' },
      { expect: '24 80\r\n' },
      { resize: [40, 120] },
      { send: 'stty size\r' },
      { expect: '40 120\r\n' },
      { send: 'tty; exit 3\r' },
      { expect: '/dev/pts/' },
      { wait: true },
    ]);
    expect(s).toMatchObject({ ok: true, exit: 3 });
    // Raw mode: the container's pty turns \n into \r\n once, ours adds nothing.
    expect(s.transcript).not.toContain('\r\r\n');
  });

  it_('ctrl-p ctrl-q detaches and leaves it running; attach joins it again and returns its status', async () => {
    const name = uniqueName('tty');
    const first = session(['run', '-it', '--name', name, '--rootfs', ROOTFS, 'sh'], [
      { expect: '# ' },
      { send: 'echo first-$((1+1))\r' },
      { expect: 'first-2' },
      { send: '\u0010\u0011' },
      { wait: true },
    ]);
    expect(first).toMatchObject({ ok: true, exit: 0 });
    expect((await env.hullctl(['ps'])).stdout).toMatch(new RegExp(`Up .*\\s${name}\\n`));

    const again = session(['attach', name], [
      { send: 'echo second-$((2+2))\r' },
      { expect: 'second-4' },
      { send: 'exit 6\r' },
      { wait: true },
    ]);
    expect(again).toMatchObject({ ok: true, exit: 6 });
    expect((await env.hullctl(['ps', '-a'])).stdout).toMatch(new RegExp(`Exited \\(6\\) .*\\s${name}\\n`));
    expect((await env.hullctl(['rm', name])).code).toBe(0);
  });

  it_('exec -it gets its own pty in the running container', async () => {
    const name = uniqueName('etty');
    expect((await env.hullctl(['run', '-d', '--name', name, '--rootfs', ROOTFS, 'sleep', '60'])).code).toBe(0);
    const s = session(['exec', '-it', name, 'sh'], [
      { expect: '# ' },
      { send: 'cat /proc/1/comm; stty size\r' },
      { expect: 'sleep\r\n24 80\r\n' },
      { send: 'exit 2\r' },
      { wait: true },
    ]);
    expect(s).toMatchObject({ ok: true, exit: 2 });
    expect((await env.hullctl(['rm', '-f', name])).code).toBe(0);
  });
});
