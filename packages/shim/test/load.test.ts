// Load: 100 containers created, started, waited for and deleted concurrently
// through gRPC, with zero errors; then nothing leaked: the daemon's fds and
// children, monitors, the runtime's state, cgroups, mounts, state files.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describeNeeds } from '@hull/testkit/jest';
import { cleanup, fdCount, makeBundle, mkfifo, monitorsOf, mountsUnder, prerequisites, runtimes, startDaemon, uniqueId, type Daemon } from './helpers';

const COUNT = 100;
const why = prerequisites();

function children(pid: number): number[] {
  const out: number[] = [];
  for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
    out.push(...fs.readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').split(' ').filter(Boolean).map(Number));
  }
  return out;
}

for (const rt of runtimes()) {
  const d = describeNeeds(why ?? rt.skip);

  d(`hull-shim load with ${rt.name}`, () => {
    let dir: string;
    let daemon: Daemon;

    beforeAll(async () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hull-shim-load-'));
      daemon = await startDaemon(dir, rt.flag);
    });
    afterAll(async () => {
      await daemon?.stop();
      if (dir) cleanup(dir, rt.binary);
    });

    it(`runs ${COUNT} containers concurrently and leaks nothing`, async () => {
      const c = daemon.client;
      // Runs until its stdin closes: CloseIO ends it without one more runtime command.
      const bundle = makeBundle(path.join(dir, 'bundle'), { args: ['sh', '-c', 'echo out-$0; exec cat'] });
      const lifecycle = async (id: string) => {
        const log = path.join(dir, `${id}.log`);
        // Nobody opens the FIFO's other end: the daemon holds it read-write, so this never blocks.
        const stdin = mkfifo(path.join(dir, `${id}.in`));
        await c.task('Create', { id, bundle, stdin, stdout: `file://${log}` });
        await c.task('Start', { id });
        // Once it has written, the container process runs in its own cgroup.
        while (!fs.readFileSync(log, 'utf8')) await new Promise((r) => setTimeout(r, 20));
        const cgroup = JSON.parse(Buffer.from((await c.task('Stats', { id })).stats.value).toString()).cgroup as string;
        await c.task('CloseIO', { id, stdin: true });
        const { exit_status } = await c.task('Wait', { id });
        await c.task('Delete', { id });
        return { exit_status, out: fs.readFileSync(log, 'utf8'), cgroup };
      };
      // One first, so the baseline counts libraries and sockets the daemon keeps for good.
      await lifecycle(uniqueId('warm'));
      const baseFds = fdCount(daemon.pid);

      const ids = Array.from({ length: COUNT }, () => uniqueId('load'));
      const results = await Promise.allSettled(ids.map(lifecycle));
      const errors = results.flatMap((r) => (r.status === 'rejected' ? [String(r.reason?.message ?? r.reason)] : []));
      expect(errors).toEqual([]);
      const ok = results.map((r) => (r as PromiseFulfilledResult<Awaited<ReturnType<typeof lifecycle>>>).value);
      expect(ok.map((r) => r.exit_status)).toEqual(ids.map(() => 0));
      expect(ok.map((r) => r.out)).toEqual(ids.map(() => 'out-sh\n'));

      expect((await c.hull('List', {})).tasks).toEqual([]);
      // The runtime threads the burst added hold fds until they retire, idle (runtimeThreads.ts).
      for (const end = Date.now() + 120_000; fdCount(daemon.pid) !== baseFds && Date.now() < end;) await new Promise((r) => setTimeout(r, 200));
      expect(fdCount(daemon.pid)).toBe(baseFds);
      expect(monitorsOf(dir)).toEqual([]);
      // Every child the daemon started is gone (monitors, runtime commands) and reaped.
      expect(children(daemon.pid)).toEqual([]);
      expect(fs.readdirSync(path.join(daemon.stateDir, 'tasks'))).toEqual([]);
      expect(fs.readdirSync(path.join(daemon.stateDir, 'console'))).toEqual([]);
      expect(fs.existsSync(daemon.runtimeRoot) ? fs.readdirSync(daemon.runtimeRoot) : []).toEqual([]);
      expect(mountsUnder(dir)).toEqual([]);
      // Each container had a cgroup of its own, not the daemon's.
      const own = fs.readFileSync(`/proc/${daemon.pid}/cgroup`, 'utf8');
      expect(ok.filter((r) => !r.cgroup || own.includes(`:${r.cgroup}\n`))).toEqual([]);
      const cgroupDirs = ok.flatMap((r) => ['memory', 'pids'].map((ctl) => path.join('/sys/fs/cgroup', ctl, r.cgroup)));
      expect(cgroupDirs.filter((p) => fs.existsSync(p))).toEqual([]);
    }, 300_000);
  });
}
