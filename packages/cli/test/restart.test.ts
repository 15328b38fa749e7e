// hullctl across a supervisor crash, as a new user meets it: a container
// prints a line, the supervisor is killed with SIGKILL, the container prints
// another and exits while nothing supervises it; after the restart, ps -a,
// logs and events --since tell the whole story.
import fs from 'node:fs';
import { itNeeds } from '@hull/testkit/jest';
import { ROOTFS, prerequisites, runtimes, startEnv, uniqueName, type Env } from './helpers';

jest.setTimeout(120_000);
const missing = prerequisites();

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each(runtimes())('hullctl across kill -9 of hull-shim --runtime $name', (rt) => {
  const skip = missing ?? rt.skip;
  const it_ = itNeeds(skip);
  const envs: Env[] = [];
  afterAll(async () => {
    // The last daemon cleans the directory they share; a killed one has nothing to stop.
    await envs[envs.length - 1]?.stop();
  });

  it_('run -d: the second line, the exit code and the die event survive the supervisor\'s death', async () => {
    const first = await startEnv(rt);
    envs.push(first);
    const plain = uniqueName('two-lines');
    const tty = uniqueName('two-lines-tty');
    // The second line waits for SIGTERM, sent once the daemon is dead (a sleep would race a loaded machine).
    const script = 'trap "echo two; exit 7" TERM; echo one; while :; do sleep 0.05; done';
    const t0 = Math.floor(Date.now() / 1000) - 1;
    expect((await first.hullctl(['run', '-d', '--name', plain, '--rootfs', ROOTFS, 'sh', '-c', script])).code).toBe(0);
    expect((await first.hullctl(['run', '-d', '-t', '--name', tty, '--rootfs', ROOTFS, 'sh', '-c', script])).code).toBe(0);
    const pids: number[] = [];
    for (const name of [plain, tty]) {
      while (!(await first.hullctl(['logs', name])).stdout.startsWith('one')) await sleep(20);
      pids.push(JSON.parse((await first.hullctl(['inspect', name])).stdout)[0].State.Pid);
    }

    // Right after the first line: the daemon dies; the containers print and exit meanwhile.
    first.shim!.kill('SIGKILL');
    await new Promise((r) => first.shim!.once('exit', r));
    for (const pid of pids) process.kill(pid, 'SIGTERM');
    for (const pid of pids) for (let i = 0; fs.existsSync(`/proc/${pid}`); i++) {
      if (i > 3000) throw new Error(`container process ${pid} did not exit with no supervisor up`);
      await sleep(20);
    }

    const second = await startEnv(rt, { dir: first.dir });
    envs.push(second);
    const ps = await second.hullctl(['ps', '-a', '--format', 'json']);
    const row = ps.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l)).find((r) => r.Names === plain);
    expect(row.Status).toMatch(/^Exited \(7\) /);
    expect(await second.hullctl(['logs', plain])).toMatchObject({ code: 0, stdout: 'one\ntwo\n' });
    expect(await second.hullctl(['logs', tty])).toMatchObject({ code: 0, stdout: 'one\r\ntwo\r\n' });

    // What happened while no one listened, with --until so the command ends.
    const until = String(Math.ceil(Date.now() / 1000));
    const ev = await second.hullctl(['events', '--since', String(t0), '--until', until, '--filter', `container=${plain}`, '--format', 'json']);
    expect(ev.code).toBe(0);
    const mine = ev.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l));
    expect(mine.map((e) => e.Action)).toEqual(['create', 'start', 'die']);
    expect(mine[2].Actor.Attributes).toEqual({ name: plain, exitCode: '7' });
    // A relative --since reads the same.
    const rel = await second.hullctl(['events', '--since', '10m', '--until', '0s', '--filter', `container=${plain}`, '--filter', 'event=die']);
    expect(rel.stdout.trimEnd().split('\n')).toEqual([expect.stringMatching(new RegExp(` container die [0-9a-f]{64} \\(exitCode=7, name=${plain}\\)$`))]);
  });

  it_('events --since refuses a value that is no time, naming it', async () => {
    const env = envs[envs.length - 1] ?? (envs.push(await startEnv(rt)), envs[0]!);
    const r = await env.hullctl(['events', '--since', 'yesterday']);
    expect(r.code).toBe(125);
    expect(r.stderr).toContain('invalid argument "yesterday" for "--since" flag: failed to parse value as time or duration: "yesterday"');
  });
});
