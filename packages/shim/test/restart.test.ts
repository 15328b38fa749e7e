// Restart without loss: kill -9 the daemon, let a container exit while it is
// down, start a new daemon on the same state dir: the exit code is there, the
// running container is managed again and its output still flows.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Status } from '../src/constants';
import { describeNeeds } from '@hull/testkit/jest';
import { cleanup, makeBundle, mkfifo, monitorsOf, prerequisites, readFifo, runtimes, startDaemon, uniqueId, type Daemon } from './helpers';

const why = prerequisites();
jest.setTimeout(120_000);

/** Resolves once `pid` is gone (reaped by its monitor). */
async function gone(pid: number): Promise<void> {
  while (fs.existsSync(`/proc/${pid}`)) await new Promise((r) => setTimeout(r, 20));
}

for (const rt of runtimes()) {
  const d = describeNeeds(why ?? rt.skip);

  d(`hull-shim restart with ${rt.name}`, () => {
    let dir: string;
    const daemons: Daemon[] = [];

    beforeAll(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hull-shim-restart-'));
    });
    afterAll(async () => {
      for (const d of daemons) await d.stop();
      if (dir) cleanup(dir, rt.binary);
    });

    it('keeps exit codes and running tasks across kill -9 of the daemon', async () => {
      const first = await startDaemon(dir, rt.flag);
      daemons.push(first);
      const exiting = uniqueId('exits');
      const running = uniqueId('runs');
      // Exits 9 on SIGTERM, which the test sends itself while no daemon runs.
      makeBundle(path.join(dir, exiting), { args: ['sh', '-c', 'trap "exit 9" TERM; while :; do sleep 0.05; done'] });
      makeBundle(path.join(dir, running), { args: ['sh', '-c', 'trap "echo got-term; exit 4" TERM; echo started; while :; do sleep 0.05; done'] });
      const fifo = mkfifo(path.join(dir, `${running}.out`));
      let out = readFifo(fifo);
      const c1 = first.client;
      const { pid: exitingPid } = await c1.task('Create', { id: exiting, bundle: path.join(dir, exiting) });
      await c1.task('Start', { id: exiting });
      await c1.task('Create', { id: running, bundle: path.join(dir, running), stdout: fifo });
      await c1.task('Start', { id: running });
      await out.until(/started\n/);

      await first.kill9();
      out.close();
      process.kill(exitingPid, 'SIGTERM');
      await gone(exitingPid);

      const second = await startDaemon(dir, rt.flag);
      daemons.push(second);
      const c2 = second.client;
      expect((await c2.task('Wait', { id: exiting })).exit_status).toBe(9);
      expect((await c2.task('State', { id: exiting })).status).toBe(Status.STOPPED);
      const listed = (await c2.hull('List', {})).tasks.map((t: any) => [t.id, t.status]).sort();
      expect(listed).toEqual([[exiting, Status.STOPPED], [running, Status.RUNNING]].sort());

      // The running task's output is taken back from its monitor.
      out = readFifo(fifo);
      await c2.task('Kill', { id: running, signal: 15 });
      expect((await c2.task('Wait', { id: running })).exit_status).toBe(4);
      expect(await out.until(/got-term\n/)).toContain('got-term\n');
      out.close();

      await c2.task('Delete', { id: exiting });
      await c2.task('Delete', { id: running });
      expect(fs.readdirSync(path.join(second.stateDir, 'tasks'))).toEqual([]);
      expect(monitorsOf(dir)).toEqual([]);
      await second.stop();
    });

    it('takes back a task that exits while the new daemon runs, and one created but never started', async () => {
      const first = await startDaemon(dir, rt.flag);
      daemons.push(first);
      const later = uniqueId('later');
      const created = uniqueId('created');
      makeBundle(path.join(dir, later), { args: ['sh', '-c', 'trap "exit 6" TERM; while :; do sleep 0.05; done'] });
      makeBundle(path.join(dir, created), { args: ['true'] });
      await first.client.task('Create', { id: later, bundle: path.join(dir, later) });
      await first.client.task('Start', { id: later });
      await first.client.task('Create', { id: created, bundle: path.join(dir, created) });
      // SIGTERM: a clean stop that leaves the containers running.
      await first.stop();
      expect(first.proc.exitCode).toBe(0);
      expect(fs.existsSync(first.address)).toBe(false);

      const second = await startDaemon(dir, rt.flag);
      daemons.push(second);
      const c = second.client;
      const waiting = c.task('Wait', { id: later });
      await c.task('Kill', { id: later, signal: 15 });
      expect((await waiting).exit_status).toBe(6);
      expect((await c.task('State', { id: created })).status).toBe(Status.CREATED);
      await c.task('Start', { id: created });
      expect((await c.task('Wait', { id: created })).exit_status).toBe(0);
      await c.task('Delete', { id: later });
      await c.task('Delete', { id: created });
      expect(monitorsOf(dir)).toEqual([]);
      // With no task left, Shutdown stops the daemon.
      const exited = new Promise((r) => second.proc.once('exit', r));
      await c.task('Shutdown', {});
      expect(await exited).toBe(0);
    });
  });
}
