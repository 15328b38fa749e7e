// hull-shim end to end: a real daemon, a real gRPC client, real busybox
// containers, with runc and with hull (when hull runs containers).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { decodeEvent } from '../src/proto';
import { PROCESS_SPEC_TYPE, RESOURCES_SPEC_TYPE, Status } from '../src/constants';
import { missingOomKill } from '@hull/testkit/host';
import { describeNeeds, itNeeds } from '@hull/testkit/jest';
import { cleanup, fdCount, makeBundle, mkfifo, monitorsOf, mountsUnder, prerequisites, readFifo, runtimes, startDaemon, uniqueId, ROOTFS, type Daemon } from './helpers';

const why = prerequisites();
jest.setTimeout(120_000);

for (const rt of runtimes({ cli: true })) {
  const d = describeNeeds(why ?? rt.skip);

  d(`hull-shim with ${rt.name}`, () => {
    let dir: string;
    let daemon: Daemon;
    const events: Array<{ topic: string; event: Record<string, any> }> = [];

    beforeAll(async () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hull-shim-test-'));
      daemon = await startDaemon(dir, rt.flag);
      const stream = daemon.client.subscribe({});
      stream.on('data', (env: any) => events.push({ topic: env.topic, event: decodeEvent(env)! }));
      stream.on('error', () => {});
      await new Promise<void>((r) => stream.once('metadata', () => r()));
    });

    afterAll(async () => {
      await daemon?.stop();
      if (dir) cleanup(dir, rt.binary);
    });

    /**
     * A deleted task's event topics, once its own /tasks/delete has come: the event stream and the
     * Delete call are separate streams, and nothing orders their arrival here.
     */
    const topicsOf = async (id: string) => {
      const deleted = () => events.some((e) => e.event.container_id === id && e.topic === '/tasks/delete' && !e.event.id);
      for (const end = Date.now() + 60_000; !deleted() && Date.now() < end;) await new Promise((r) => setTimeout(r, 20));
      return events.filter((e) => e.event.container_id === id).map((e) => e.topic);
    };

    it('serves its socket with mode 0600', () => {
      expect(fs.statSync(daemon.address).mode & 0o777).toBe(0o600);
    });

    it('runs a container: create, start, output on a FIFO and a file, exit code, events in order, delete', async () => {
      const id = uniqueId('life');
      const bundle = makeBundle(path.join(dir, id), { args: ['sh', '-c', 'echo to-stdout; echo to-stderr >&2; exit 3'] });
      const out = readFifo(mkfifo(path.join(dir, `${id}.out`)));
      const errLog = path.join(dir, `${id}.err.log`);
      const c = daemon.client;
      const { pid } = await c.task('Create', { id, bundle, stdout: path.join(dir, `${id}.out`), stderr: `file://${errLog}` });
      expect(pid).toBeGreaterThan(0);
      expect((await c.task('State', { id })).status).toBe(Status.CREATED);
      expect((await c.hull('List', { ids: [id] })).tasks.map((t: any) => [t.id, t.status])).toEqual([[id, Status.CREATED]]);
      expect((await c.task('Start', { id })).pid).toBe(pid);
      const waited = await c.task('Wait', { id });
      expect(waited.exit_status).toBe(3);
      expect(waited.exited_at.seconds).toBeGreaterThan(0);
      expect(await out.until(/to-stdout\n/)).toBe('to-stdout\n');
      out.close();
      expect(fs.readFileSync(errLog, 'utf8')).toBe('to-stderr\n');
      const st = await c.task('State', { id });
      expect([st.status, st.exit_status, st.pid]).toEqual([Status.STOPPED, 3, pid]);
      // Any number of waiters; an exited process answers at once.
      const again = await Promise.all([c.task('Wait', { id }), c.task('Wait', { id })]);
      expect(again.map((w) => w.exit_status)).toEqual([3, 3]);
      const del = await c.task('Delete', { id });
      expect([del.pid, del.exit_status]).toEqual([pid, 3]);
      // Nothing of the task is left once Delete answers: not even its monitor.
      expect(monitorsOf(path.join(daemon.stateDir, 'tasks', id))).toEqual([]);
      await expect(c.task('State', { id })).rejects.toMatchObject({ code: 5 });
      expect(await topicsOf(id)).toEqual(['/tasks/create', '/tasks/start', '/tasks/exit', '/tasks/delete']);
      const exit = events.find((e) => e.topic === '/tasks/exit' && e.event.container_id === id)!.event;
      expect([exit.id, exit.pid, exit.exit_status]).toEqual([id, pid, 3]);
      expect(fs.readdirSync(path.join(daemon.stateDir, 'tasks'))).not.toContain(id);
    });

    it('answers with containerd error codes', async () => {
      const c = daemon.client;
      const id = uniqueId('err');
      const bundle = makeBundle(path.join(dir, id), { args: ['sleep', '100'] });
      await expect(c.task('State', { id: 'no-such-task' })).rejects.toMatchObject({ code: 5 });
      await expect(c.task('Create', { id: 'bad/id', bundle })).rejects.toMatchObject({ code: 3 });
      await expect(c.task('Create', { id, bundle: path.join(dir, 'missing') })).rejects.toMatchObject({ code: 3, details: expect.stringContaining('config.json') });
      await expect(c.task('Create', { id, bundle, stdout: path.join(dir, 'no-fifo') })).rejects.toMatchObject({ code: 3, details: expect.stringContaining('stdout') });
      // Bad input leaves nothing behind.
      expect(fs.readdirSync(path.join(daemon.stateDir, 'tasks'))).not.toContain(id);
      await c.task('Create', { id, bundle });
      await expect(c.task('Create', { id, bundle })).rejects.toMatchObject({ code: 6 });
      await c.task('Start', { id });
      await expect(c.task('Start', { id })).rejects.toMatchObject({ code: 9 });
      await expect(c.task('Delete', { id })).rejects.toMatchObject({ code: 9 });
      await expect(c.task('Resume', { id })).rejects.toMatchObject({ code: 9 });
      await expect(c.task('Start', { id, exec_id: 'nope' })).rejects.toMatchObject({ code: 5 });
      await c.task('Kill', { id, signal: 9 });
      expect((await c.task('Wait', { id })).exit_status).toBe(137);
      await expect(c.task('Kill', { id, signal: 9 })).rejects.toMatchObject({ code: 5 });
      await c.task('Delete', { id });
    });

    it('deletes a created, never started task (killing its init)', async () => {
      const id = uniqueId('created');
      const bundle = makeBundle(path.join(dir, id), { args: ['true'] });
      await daemon.client.task('Create', { id, bundle });
      const del = await daemon.client.task('Delete', { id });
      expect(del.exit_status).toBe(137);
      expect(await topicsOf(id)).toEqual(['/tasks/create', '/tasks/exit', '/tasks/delete']);
    });

    const itExec = itNeeds(rt.skipExec ?? rt.skipPause);

    itExec('execs into a running task, pauses, resumes, reports pids and stats, updates, kills all', async () => {
      const c = daemon.client;
      const id = uniqueId('exec');
      const bundle = makeBundle(path.join(dir, id), { args: ['sleep', '1000'] });
      const { pid } = await c.task('Create', { id, bundle });
      await c.task('Start', { id });
      const spec = { args: ['sh', '-c', 'echo exec-out $(hostname); exit 5'], cwd: '/', env: ['PATH=/bin'], user: { uid: 0, gid: 0 } };
      const log = path.join(dir, `${id}.exec.log`);
      await c.task('Exec', { id, exec_id: 'e1', stdout: `file://${log}`, spec: { type_url: PROCESS_SPEC_TYPE, value: Buffer.from(JSON.stringify(spec)) } });
      await expect(c.task('Exec', { id, exec_id: 'e1', spec: { type_url: PROCESS_SPEC_TYPE, value: Buffer.from(JSON.stringify(spec)) } })).rejects.toMatchObject({ code: 6 });
      await expect(c.task('Exec', { id, exec_id: 'e2', spec: { type_url: PROCESS_SPEC_TYPE, value: Buffer.from('{') } })).rejects.toMatchObject({ code: 3 });
      expect((await c.task('State', { id, exec_id: 'e1' })).status).toBe(Status.CREATED);
      const { pid: epid } = await c.task('Start', { id, exec_id: 'e1' });
      expect(epid).toBeGreaterThan(0);
      expect((await c.task('Wait', { id, exec_id: 'e1' })).exit_status).toBe(5);
      expect(fs.readFileSync(log, 'utf8')).toBe('exec-out shimtest\n');
      await c.task('Delete', { id, exec_id: 'e1' });
      await expect(c.task('State', { id, exec_id: 'e1' })).rejects.toMatchObject({ code: 5 });

      // A long exec, killed through its own pid.
      const sleeper = { ...spec, args: ['sleep', '1000'] };
      await c.task('Exec', { id, exec_id: 'e3', spec: { type_url: PROCESS_SPEC_TYPE, value: Buffer.from(JSON.stringify(sleeper)) } });
      const { pid: spid } = await c.task('Start', { id, exec_id: 'e3' });
      const pids = (await c.task('Pids', { id })).processes.map((p: any) => p.pid);
      expect(pids).toEqual(expect.arrayContaining([pid, spid]));
      await c.task('Kill', { id, exec_id: 'e3', signal: 15 });
      expect((await c.task('Wait', { id, exec_id: 'e3' })).exit_status).toBe(143);

      await c.task('Pause', { id });
      expect((await c.task('State', { id })).status).toBe(Status.PAUSED);
      await expect(c.task('Pause', { id })).rejects.toMatchObject({ code: 9 });
      await c.task('Resume', { id });
      expect((await c.task('State', { id })).status).toBe(Status.RUNNING);

      await c.task('Update', { id, resources: { type_url: RESOURCES_SPEC_TYPE, value: Buffer.from(JSON.stringify({ pids: { limit: 42 } })) } });
      const stats = JSON.parse(Buffer.from((await c.task('Stats', { id })).stats.value).toString());
      expect(stats.pids).toEqual({ current: 1, limit: 42 });
      expect(stats.memory.usage).toBeGreaterThan(0);

      expect((await c.task('Connect', { id })).task_pid).toBe(pid);
      await c.task('Kill', { id, signal: 9, all: true });
      expect((await c.task('Wait', { id })).exit_status).toBe(137);
      await c.task('Delete', { id });
      expect(await topicsOf(id)).toEqual([
        '/tasks/create', '/tasks/start', '/tasks/exec-added', '/tasks/exec-started', '/tasks/exit', '/tasks/delete',
        '/tasks/exec-added', '/tasks/exec-started', '/tasks/exit', '/tasks/paused', '/tasks/resumed', '/tasks/exit', '/tasks/delete',
      ]);
    });

    it('loses no output when the FIFO reader comes late: the process waits in its full pipe', async () => {
      const c = daemon.client;
      const id = uniqueId('late');
      // 1 MB: far more than a pipe and a FIFO hold together.
      const bundle = makeBundle(path.join(dir, id), { args: ['sh', '-c', 'head -c 1000000 /dev/zero | tr "\\000" x; echo; echo end'] });
      const fifo = mkfifo(path.join(dir, `${id}.out`));
      await c.task('Create', { id, bundle, stdout: fifo });
      await c.task('Start', { id });
      const states = await c.task('State', { id });
      expect(states.status).toBe(Status.RUNNING);
      const out = readFifo(fifo);
      const text = await out.until(/end\n$/);
      expect(text.length).toBe(1000000 + 1 + 4);
      expect(text.slice(0, 1000000)).toBe('x'.repeat(1000000));
      expect((await c.task('Wait', { id })).exit_status).toBe(0);
      out.close();
      await c.task('Delete', { id });
    });

    itExec('execs a process with a terminal of its own', async () => {
      const c = daemon.client;
      const id = uniqueId('exectty');
      const bundle = makeBundle(path.join(dir, id), { args: ['sleep', '1000'] });
      await c.task('Create', { id, bundle });
      await c.task('Start', { id });
      const stdin = mkfifo(path.join(dir, `${id}.in`));
      const out = readFifo(mkfifo(path.join(dir, `${id}.out`)));
      const spec = { args: ['sh'], terminal: true, cwd: '/', env: ['PATH=/bin', 'TERM=xterm'], user: { uid: 0, gid: 0 } };
      await c.task('Exec', { id, exec_id: 't', terminal: true, stdin, stdout: path.join(dir, `${id}.out`), spec: { type_url: PROCESS_SPEC_TYPE, value: Buffer.from(JSON.stringify(spec)) } });
      await c.task('Start', { id, exec_id: 't' });
      await c.task('ResizePty', { id, exec_id: 't', width: 77, height: 22 });
      const w = fs.createWriteStream(stdin);
      w.write('stty size; exit 8\n');
      expect((await c.task('Wait', { id, exec_id: 't' })).exit_status).toBe(8);
      expect(await out.until(/22 77/)).toContain('22 77');
      w.destroy();
      out.close();
      await c.task('Kill', { id, signal: 9 });
      await c.task('Wait', { id });
      await c.task('Delete', { id });
    });

    it('feeds stdin from a FIFO and closes it on CloseIO', async () => {
      const c = daemon.client;
      const id = uniqueId('stdin');
      const bundle = makeBundle(path.join(dir, id), { args: ['sh', '-c', 'cat; echo eof-seen'] });
      const stdin = mkfifo(path.join(dir, `${id}.in`));
      const out = readFifo(mkfifo(path.join(dir, `${id}.out`)));
      await c.task('Create', { id, bundle, stdin, stdout: path.join(dir, `${id}.out`) });
      await c.task('Start', { id });
      const w = fs.createWriteStream(stdin);
      w.write('line one\n');
      await out.until(/line one\n/);
      await c.task('CloseIO', { id, stdin: true });
      expect((await c.task('Wait', { id })).exit_status).toBe(0);
      expect(await out.until(/eof-seen/)).toBe('line one\neof-seen\n');
      w.destroy();
      out.close();
      await c.task('Delete', { id });
    });

    it('gives a terminal process a pty and resizes it', async () => {
      const c = daemon.client;
      const id = uniqueId('tty');
      const bundle = makeBundle(path.join(dir, id), { args: ['sh'], terminal: true });
      const stdin = mkfifo(path.join(dir, `${id}.in`));
      const out = readFifo(mkfifo(path.join(dir, `${id}.out`)));
      await c.task('Create', { id, bundle, terminal: true, stdin, stdout: path.join(dir, `${id}.out`) });
      await c.task('Start', { id });
      await c.task('ResizePty', { id, width: 123, height: 45 });
      const w = fs.createWriteStream(stdin);
      w.write('stty size; tty; exit 4\n');
      expect((await c.task('Wait', { id })).exit_status).toBe(4);
      const text = await out.until(/\/dev\/pts\/\d+/);
      expect(text).toContain('45 123');
      w.destroy();
      out.close();
      await expect(c.task('ResizePty', { id: id, exec_id: '', width: 1, height: 1 })).resolves.toBeDefined();
      await c.task('Delete', { id });
    });

    itNeeds(missingOomKill())('reports an OOM kill: /tasks/oom, then /tasks/exit with 137', async () => {
      const c = daemon.client;
      const id = uniqueId('oom');
      // Once stdin closes, the shell keeps 200 MB of output in memory; the cgroup allows 16 MiB.
      const bundle = makeBundle(path.join(dir, id), { args: ['sh', '-c', 'echo ready; cat; x=$(head -c 200000000 /dev/zero | tr "\\000" a); echo survived'], memoryLimit: 16 << 20 });
      const stdin = mkfifo(path.join(dir, `${id}.in`));
      const log = path.join(dir, `${id}.log`);
      await c.task('Create', { id, bundle, stdin, stdout: `file://${log}` });
      await c.task('Start', { id });
      // Once it has written, the process is in its own cgroup (hull's init joins it only at execve).
      while (!fs.readFileSync(log, 'utf8')) await new Promise((r) => setTimeout(r, 20));
      const stats = JSON.parse(Buffer.from((await c.task('Stats', { id })).stats.value).toString());
      expect(stats.memory.limit).toBe(16 << 20);
      await c.task('CloseIO', { id, stdin: true });
      expect((await c.task('Wait', { id })).exit_status).toBe(137);
      await c.task('Delete', { id });
      expect(fs.readFileSync(log, 'utf8')).toBe('ready\n');
      expect(await topicsOf(id)).toEqual(['/tasks/create', '/tasks/start', '/tasks/oom', '/tasks/exit', '/tasks/delete']);
    });

    it('mounts rootfs mounts onto <bundle>/rootfs and unmounts them on delete', async () => {
      const c = daemon.client;
      const id = uniqueId('mnt');
      const bundle = makeBundle(path.join(dir, id), { args: ['sh', '-c', 'test -x /bin/busybox'], root: 'rootfs' });
      await c.task('Create', { id, bundle, rootfs: [{ type: 'bind', source: ROOTFS, options: ['rbind', 'ro'] }] });
      expect(mountsUnder(path.join(bundle, 'rootfs'))).toHaveLength(1);
      await c.task('Start', { id });
      expect((await c.task('Wait', { id })).exit_status).toBe(0);
      await c.task('Delete', { id });
      expect(mountsUnder(path.join(bundle, 'rootfs'))).toHaveLength(0);
    });

    it('reports a runtime failure with the runtime\'s own message and leaves nothing behind', async () => {
      const c = daemon.client;
      const id = uniqueId('fail');
      const bundle = makeBundle(path.join(dir, id), { args: ['/no/such/binary'] });
      const before = fdCount(daemon.pid);
      const err = await c.task('Create', { id, bundle }).then(() => undefined, (e) => e);
      if (err === undefined) {
        // Some runtimes only find a missing binary at start.
        await expect(c.task('Start', { id })).rejects.toMatchObject({ code: 2 });
        await c.task('Delete', { id }).catch(() => c.task('Kill', { id, signal: 9 }).then(() => c.task('Delete', { id })));
      } else {
        expect(err.code).toBe(2);
        expect(err.details).toMatch(new RegExp(`create ${id}: .+`));
        expect(fs.readdirSync(path.join(daemon.stateDir, 'tasks'))).not.toContain(id);
      }
      expect(fdCount(daemon.pid)).toBe(before);
    });
  });
}
