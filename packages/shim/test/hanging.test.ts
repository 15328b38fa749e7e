// A hook that hangs (waiting on a FIFO the test holds) in a create, a start
// or a delete does not stall the daemon: other containers are created,
// started and waited for, State and List answer, through the real gRPC
// server; then the hook is let go and the held call completes. A hook past its timeout is
// killed and its create fails with nothing left behind.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Status } from '../src/constants';
import { describeNeeds, itNeeds } from '@hull/testkit/jest';
import { catches } from '@hull/testkit/leftovers';
import { cleanup, makeBundle, mkfifo, monitorsOf, mountsUnder, prerequisites, runtimes, startDaemon, uniqueId, type Daemon } from './helpers';
import { until } from '@hull/testkit/wait';

const why = prerequisites();
jest.setTimeout(120_000);


const alive = (pid: number) => fs.existsSync(`/proc/${pid}`);

/** Writes a line into a FIFO once its reader is there (non-blocking: no reader is ENXIO, not a hang). */
async function release(fifo: string): Promise<void> {
  const fd = await until(`a reader of ${fifo}`, () => {
    try {
      return fs.openSync(fifo, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENXIO') return undefined;
      throw e;
    }
  });
  try {
    fs.writeSync(fd, 'go\n');
  } finally {
    fs.closeSync(fd);
  }
}

/** Lets a hook still waiting on `fifo` go, if one is: a failed test leaves no hook hanging. */
function releaseIfHeld(fifo: string): void {
  let fd: number;
  try {
    fd = fs.openSync(fifo, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
  } catch {
    return; // ENXIO: no reader; or the FIFO is gone
  }
  try {
    fs.writeSync(fd, 'go\n');
  } finally {
    fs.closeSync(fd);
  }
}

/** `p`, or an error once `ms` have passed: a daemon that stalls fails the test instead of hanging it. */
function orStalled<T>(p: Promise<T>, what: string, ms = 60_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const stalled = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: no answer in ${ms / 1000} s while another container's hook hung`)), ms); });
  return Promise.race([p, stalled]).finally(() => clearTimeout(timer));
}

for (const rt of runtimes()) {
  const d = describeNeeds(why ?? rt.skip);

  d(`hull-shim with ${rt.name}: a hanging hook`, () => {
    let dir: string;
    let root: string;
    let daemon: Daemon;
    /** Every FIFO a hook may wait on: let go after the tests, whatever became of them. */
    const gates: string[] = [];
    const gateFor = (id: string) => {
      const gate = mkfifo(path.join(dir, `${id}.gate`));
      gates.push(gate);
      return gate;
    };

    beforeAll(async () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hull-shim-hang-'));
      daemon = await startDaemon(dir, rt.flag);
      root = daemon.runtimeRoot;
    });
    afterAll(async () => {
      gates.forEach(releaseIfHeld);
      await daemon?.stop();
      if (dir) cleanup(dir, rt.binary);
    });

    // The RPC a hook of each phase holds (runc 1.1 runs poststart hooks in its create).
    const phases = [
      { phase: 'createRuntime', held: 'Create' },
      { phase: 'poststart', held: rt.name === 'runc' ? 'Create' : 'Start' },
      { phase: 'poststop', held: 'Delete' },
    ];
    const lifecycle = ['Create', 'Start', 'Wait', 'Delete'];
    it.each(phases)('a $phase hook that hangs holds only its $held: another container runs to its exit, State and List answer', async ({ phase, held }) => {
      const before = lifecycle.slice(0, lifecycle.indexOf(held));
      const after = lifecycle.slice(lifecycle.indexOf(held) + 1);
      const c = daemon.client;
      const a = uniqueId('held');
      const gate = gateFor(a);
      const hookPid = path.join(dir, `${a}.hook`);
      makeBundle(path.join(dir, a), {
        args: ['sh', '-c', 'exit 6'],
        hooks: { [phase]: [{ path: '/bin/sh', args: ['sh', '-c', `echo $$ > ${hookPid}; read line < ${gate}`] }] },
      });
      const step = async (rpc: string) => {
        const out = await c.task(rpc, rpc === 'Create' ? { id: a, bundle: path.join(dir, a) } : { id: a });
        if (rpc === 'Wait') expect(out.exit_status).toBe(6);
      };
      for (const rpc of before) await step(rpc);
      let settled = false;
      const holding = step(held).finally(() => { settled = true; });
      holding.catch(() => {});
      const hook = Number(await until(`A's ${phase} hook`, () => fs.existsSync(hookPid) && fs.readFileSync(hookPid, 'utf8').trim()));
      try {
        const b = uniqueId('free');
        makeBundle(path.join(dir, b), { args: ['sh', '-c', 'exit 4'] });
        const { pid } = await orStalled(c.task('Create', { id: b, bundle: path.join(dir, b) }), 'Create');
        expect((await orStalled(c.task('State', { id: b }), 'State')).status).toBe(Status.CREATED);
        await orStalled(c.task('Start', { id: b }), 'Start');
        expect((await orStalled(c.task('Wait', { id: b }), 'Wait')).exit_status).toBe(4);
        const listed = (await orStalled(c.hull('List', {}), 'List')).tasks as Array<{ id: string; pid: number; status: number }>;
        expect(listed.find((t) => t.id === b)).toMatchObject({ pid, status: Status.STOPPED });
        await orStalled(c.task('Delete', { id: b }), 'Delete');
        // All of that while A's hook still waits on its FIFO.
        expect(alive(hook)).toBe(true);
        expect(settled).toBe(false);
      } finally {
        await release(gate);
      }
      await holding;
      await until(`A's ${phase} hook to end`, () => !alive(hook));
      for (const rpc of after) await step(rpc);
      expect(fs.existsSync(path.join(root, a))).toBe(false);
      await expect(c.task('State', { id: a })).rejects.toMatchObject({ code: 5 });
    });

    // The held start keeps the container's lock: a Kill waits for it, on a runtime thread, not on the event loop.
    itNeeds(rt.name === 'hull' ? undefined : 'runc runs poststart hooks in its create, before there is a task to kill')('a Kill waiting behind a hung Start holds only itself', async () => {
      const c = daemon.client;
      const a = uniqueId('killheld');
      const gate = gateFor(a);
      const hookPid = path.join(dir, `${a}.hook`);
      makeBundle(path.join(dir, a), {
        args: ['sh', '-c', 'trap "exit 6" TERM; while :; do sleep 0.05; done'],
        hooks: { poststart: [{ path: '/bin/sh', args: ['sh', '-c', `echo $$ > ${hookPid}; read line < ${gate}`] }] },
      });
      const { pid: aPid } = await c.task('Create', { id: a, bundle: path.join(dir, a) });
      const starting = c.task('Start', { id: a });
      starting.catch(() => {});
      let killing: Promise<unknown> | undefined;
      try {
        await until('A\'s poststart hook', () => fs.existsSync(hookPid) && fs.readFileSync(hookPid, 'utf8').trim());
        killing = c.task('Kill', { id: a, signal: 15 });
        killing.catch(() => {});
        const b = uniqueId('free');
        makeBundle(path.join(dir, b), { args: ['true'] });
        await orStalled(c.task('Create', { id: b, bundle: path.join(dir, b) }), 'Create');
        expect((await orStalled(c.hull('List', {}), 'List')).tasks.map((t: { id: string }) => t.id)).toEqual(expect.arrayContaining([a, b]));
        await orStalled(c.task('Delete', { id: b }), 'Delete');
        // The held Kill lands once the hook is let go: by then A's shell must have its TERM trap (a pid 1 without one ignores it).
        await until('A\'s TERM trap', () => catches(aPid, 15));
      } finally {
        await release(gate);
      }
      await starting;
      await killing;
      expect((await c.task('Wait', { id: a })).exit_status).toBe(6);
      await c.task('Delete', { id: a });
    });

    it('kills a hook past its timeout, reports it, and leaves nothing of the create', async () => {
      const c = daemon.client;
      const id = uniqueId('timeout');
      const hookPid = path.join(dir, `${id}.hook`);
      makeBundle(path.join(dir, id), {
        args: ['true'],
        // TERM ignored: only the runtime's SIGKILL ends it.
        hooks: { createRuntime: [{ path: '/bin/sh', args: ['sh', '-c', `trap "" TERM; echo $$ > ${hookPid}; while :; do sleep 1; done`], timeout: 1 }] },
      });
      const err = await c.task('Create', { id, bundle: path.join(dir, id) }).then(() => undefined, (e: Error & { details?: string }) => e);
      expect(err).toBeInstanceOf(Error);
      if (rt.name === 'hull') expect(err!.details).toMatch(/createRuntime hook \[0\] \/bin\/sh: killed after the timeout of 1s/);
      else expect(err!.details).toMatch(/timeout|timed out|hook/i);
      const hook = Number(fs.readFileSync(hookPid, 'utf8').trim());
      await until('the hook to be gone', () => !alive(hook));
      expect((await c.hull('List', {})).tasks.map((t: { id: string }) => t.id)).not.toContain(id);
      await expect(c.task('State', { id })).rejects.toMatchObject({ code: 5 });
      expect(fs.existsSync(path.join(root, id))).toBe(false);
      expect(fs.existsSync(path.join(daemon.stateDir, 'tasks', id))).toBe(false);
      expect(mountsUnder(path.join(dir, id))).toEqual([]);
      await until('no monitor left', () => monitorsOf(dir).length === 0);
    });
  });
}
