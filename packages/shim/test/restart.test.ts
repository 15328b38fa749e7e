// Restart without loss: kill -9 the daemon, let a container exit while it is
// down, start a new daemon on the same state dir: the exit code is there, the
// running container is managed again and its output still flows.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Status } from '../src/constants';
import type { ShimClient } from '../src/client';
import { decodeEvent } from '../src/proto';
import { describeNeeds } from '@hull/testkit/jest';
import { catches, settled } from '@hull/testkit/leftovers';
import { cleanup, makeBundle, mkfifo, monitorsOf, prerequisites, readFifo, runtimes, startDaemon, uniqueId, type Daemon } from './helpers';

const why = prerequisites();
jest.setTimeout(120_000);

/** Resolves once `pid` is gone (reaped by its monitor); a process stuck for a minute fails the test. */
async function gone(pid: number): Promise<void> {
  for (let i = 0; fs.existsSync(`/proc/${pid}`); i++) {
    if (i > 3000) throw new Error(`process ${pid} did not exit: its output is stuck with no daemon up`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Resolves once `pid` has its TERM trap set: a pid 1 without one ignores a SIGTERM from outside its namespace. */
async function trapsTerm(pid: number): Promise<void> {
  for (let i = 0; !catches(pid, 15); i++) {
    if (i > 3000) throw new Error(`process ${pid} never set its TERM trap`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Resolves once `file` holds `text`. */
async function holds(file: string, text: string): Promise<void> {
  while (!(fs.existsSync(file) && fs.readFileSync(file, 'utf8').includes(text))) await new Promise((r) => setTimeout(r, 20));
}

/** `seq 1 200000 | head -c 1048576`: 1 MiB whose every line differs, so a lost, doubled or moved chunk shows. */
const MIB = Buffer.from(Array.from({ length: 200000 }, (_, i) => `${i + 1}\n`).join('').slice(0, 1 << 20));

/** A subscription's events as "SEQ TOPIC [exit STATUS]", collected as they come. */
function subscribe(client: ShimClient, request: Record<string, unknown>) {
  const got: string[] = [];
  const stream = client.subscribe(request);
  stream.on('data', (env: any) => {
    const ev = decodeEvent(env) ?? {};
    got.push(`${env.sequence} ${env.topic}${env.topic === '/tasks/exit' ? ` ${ev.exit_status}` : ''}`);
  });
  stream.on('error', () => {});
  return {
    got,
    until: async (text: string) => { while (!got.some((l) => l.endsWith(text))) await new Promise((r) => setTimeout(r, 20)); },
    close: () => stream.cancel(),
  };
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
      await trapsTerm(exitingPid);

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
      // A monitor exits just after it records the exit: Delete may return first.
      expect(await settled(() => monitorsOf(dir))).toEqual([]);
      await second.stop();
    });

    it('logs what a process writes while no daemon runs, byte for byte, through pipes and a pty', async () => {
      const first = await startDaemon(dir, rt.binary);
      daemons.push(first);
      const piped = uniqueId('log-pipe');
      const tty = uniqueId('log-tty');
      // Each prints a line, then on SIGTERM (sent while no daemon runs) the rest, and exits.
      makeBundle(path.join(dir, piped), { args: ['sh', '-c', 'trap "seq 1 200000 | head -c 1048576; seq 1 50000 >&2; exit 3" TERM; echo first >&2; while :; do sleep 0.05; done'] });
      makeBundle(path.join(dir, tty), { terminal: true, args: ['sh', '-c', 'trap "echo second; exit 5" TERM; echo first; while :; do sleep 0.05; done'] });
      const log = (id: string, name: string) => path.join(dir, `${id}.${name}`);
      const uri = (id: string, name: string) => `file://${log(id, name)}`;
      const c1 = first.client;
      const { pid: pipedPid } = await c1.task('Create', { id: piped, bundle: path.join(dir, piped), stdout: uri(piped, 'out'), stderr: uri(piped, 'err') });
      const { pid: ttyPid } = await c1.task('Create', { id: tty, bundle: path.join(dir, tty), terminal: true, stdout: uri(tty, 'out') });
      await c1.task('Start', { id: piped });
      await c1.task('Start', { id: tty });
      await holds(log(piped, 'err'), 'first\n');
      await holds(log(tty, 'out'), 'first\r\n');

      await first.kill9();
      process.kill(pipedPid, 'SIGTERM');
      process.kill(ttyPid, 'SIGTERM');
      await gone(pipedPid);
      await gone(ttyPid);

      const second = await startDaemon(dir, rt.binary);
      daemons.push(second);
      const c2 = second.client;
      expect((await c2.task('Wait', { id: piped })).exit_status).toBe(3);
      expect((await c2.task('Wait', { id: tty })).exit_status).toBe(5);
      expect(fs.readFileSync(log(piped, 'out')).equals(MIB)).toBe(true);
      const seq = Array.from({ length: 50000 }, (_, i) => `${i + 1}\n`).join('');
      expect(fs.readFileSync(log(piped, 'err'), 'utf8')).toBe(`first\n${seq}`);
      expect(fs.readFileSync(log(tty, 'out'), 'utf8')).toBe('first\r\nsecond\r\n');
      await c2.task('Delete', { id: piped });
      await c2.task('Delete', { id: tty });
      // A monitor exits just after it records the exit: Delete may return first.
      expect(await settled(() => monitorsOf(dir))).toEqual([]);
      await second.stop();
    });

    it('keeps events across kill -9: a subscriber that comes back gets the exit that happened meanwhile, once, in order', async () => {
      const first = await startDaemon(dir, rt.binary);
      daemons.push(first);
      const id = uniqueId('events');
      makeBundle(path.join(dir, id), { args: ['sh', '-c', 'trap "exit 7" TERM; while :; do sleep 0.05; done'] });
      const before = subscribe(first.client, { container_id: id });
      const { pid } = await first.client.task('Create', { id, bundle: path.join(dir, id) });
      await first.client.task('Start', { id });
      await before.until('/tasks/start');
      await trapsTerm(pid);
      const seen = Number(before.got[before.got.length - 1].split(' ')[0]);

      await first.kill9();
      process.kill(pid, 'SIGTERM');
      await gone(pid);

      const second = await startDaemon(dir, rt.binary);
      daemons.push(second);
      const missed = subscribe(second.client, { container_id: id, after_sequence: seen });
      await missed.until('/tasks/exit 7');
      await second.client.task('Delete', { id });
      await missed.until('/tasks/delete');
      const seqs = (lines: string[]) => lines.map((l) => Number(l.split(' ')[0]));
      const topics = (lines: string[]) => lines.map((l) => l.split(' ').slice(1).join(' '));
      expect(topics(missed.got)).toEqual(['/tasks/exit 7', '/tasks/delete']);
      expect(seqs(missed.got)[0]).toBeGreaterThan(seen);
      expect(seqs(missed.got)[1]).toBeGreaterThan(seqs(missed.got)[0]);
      missed.close();
      before.close();

      // Once more after another kill -9: each event once, numbered in order, the same numbers.
      await second.kill9();
      const third = await startDaemon(dir, rt.binary);
      daemons.push(third);
      // `until` a second ahead: floored to the second, "now" could fall before the delete of this same second.
      const all = subscribe(third.client, { container_id: id, since: { seconds: 0, nanos: 0 }, until: { seconds: Math.floor(Date.now() / 1000) + 1, nanos: 0 } });
      await all.until('/tasks/delete');
      expect(topics(all.got)).toEqual(['/tasks/create', '/tasks/start', '/tasks/exit 7', '/tasks/delete']);
      expect(all.got.slice(1)).toEqual([before.got[before.got.length - 1], ...missed.got]);
      expect(seqs(all.got)[0]).toBeLessThan(seen);
      await third.stop();
    });

    it('takes back a task that exits while the new daemon runs, and one created but never started', async () => {
      const first = await startDaemon(dir, rt.flag);
      daemons.push(first);
      const later = uniqueId('later');
      const created = uniqueId('created');
      makeBundle(path.join(dir, later), { args: ['sh', '-c', 'trap "exit 6" TERM; while :; do sleep 0.05; done'] });
      makeBundle(path.join(dir, created), { args: ['true'] });
      const { pid: laterPid } = await first.client.task('Create', { id: later, bundle: path.join(dir, later) });
      await first.client.task('Start', { id: later });
      await trapsTerm(laterPid);
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
      // A monitor exits just after it records the exit: Delete may return first.
      expect(await settled(() => monitorsOf(dir))).toEqual([]);
      // With no task left, Shutdown stops the daemon.
      const exited = new Promise((r) => second.proc.once('exit', r));
      await c.task('Shutdown', {});
      expect(await exited).toBe(0);
    });
  });
}
