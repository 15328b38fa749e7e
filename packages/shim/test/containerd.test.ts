// A real containerd (Debian's, private to this test) runs its containers
// through containerd-shim-hull-v2: the shim v2 protocol, ttrpc, events,
// metrics, shim sharing, a shim killed under it, a containerd restart.
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { decode, messageType } from '../src/proto';
import { shimPlace } from '../src/v2/paths';
import { describeNeeds, itNeeds } from '@hull/testkit/jest';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const { containerdPrerequisites, startContainerd, mountsBelow, REPO } = require('./containerd-harness.js');

const d = describeNeeds(containerdPrerequisites());

const RUNTIME = 'io.containerd.hull.v2';
const SHIM_BIN = path.join(REPO, 'packages/shim/bin/containerd-shim-hull-v2');

type Ctr = { status: number | null; stdout: string; stderr: string };

d('containerd-shim-hull-v2 under a private containerd', () => {
  let h: any;
  let n = 0;
  const id = (tag: string) => `h${process.pid}-${tag}-${++n}`;
  const ctr = (...args: string[]): Ctr => h.ctr(args);
  const ok = (r: Ctr, what: string): string => h.ok(r, what);
  const taskStatus = (task: string): string | undefined => h.taskStatus(task);
  const waitFor = (what: string, cond: () => boolean | Promise<boolean>): Promise<void> => h.waitFor(what, cond);
  const runDetached = (c: string, ...cmd: string[]) => ok(ctr('run', '-d', '--runtime', RUNTIME, h.image, c, ...cmd), `ctr run -d ${c}`);
  const remove = async (c: string) => {
    if (taskStatus(c) && taskStatus(c) !== 'STOPPED') {
      ctr('tasks', 'kill', '-s', 'SIGKILL', c);
      await waitFor(`${c} to stop`, () => taskStatus(c) === 'STOPPED');
    }
    if (taskStatus(c)) ok(ctr('tasks', 'rm', c), `ctr task rm ${c}`);
    ok(ctr('containers', 'rm', c), `ctr container rm ${c}`);
  };
  const bundleRootfs = (c: string) => path.join(h.dir, 'state/io.containerd.runtime.v2.task', h.namespace, c, 'rootfs');

  beforeAll(async () => {
    h = await startContainerd('shimv2');
    h.importImage();
  }, 120000);
  afterAll(async () => {
    await h?.stop();
  }, 180000);

  it('runs a command and passes its output, exit code and environment through', () => {
    expect(ok(ctr('run', '--rm', '--runtime', RUNTIME, h.image, id('echo'), 'echo', 'hello from hull'), 'run echo')).toBe('hello from hull\n');
    expect(ctr('run', '--rm', '--runtime', RUNTIME, h.image, id('exit'), 'sh', '-c', 'exit 7').status).toBe(7);
    expect(ok(ctr('run', '--rm', '--env', 'GREETING=hi there', '--runtime', RUNTIME, h.image, id('env'), 'sh', '-c', 'echo "$GREETING"'), 'run env')).toBe('hi there\n');
  });

  itNeeds(spawnSync('sh', ['-c', 'command -v script']).status !== 0 ? 'script(1) (bsdutils), to give ctr a tty' : undefined)('gives a terminal with -t (ctr under script(1) for a tty of its own)', () => {
    const cmd = `ctr --address ${h.address} --namespace ${h.namespace} run --rm -t --runtime ${RUNTIME} ${h.image} ${id('tty')} sh -c 'tty; exit 3'`;
    const r = spawnSync('script', ['-qec', cmd, '/dev/null'], { encoding: 'utf8', timeout: 60000 });
    expect(r.stdout).toMatch(/\/dev\/pts\/\d+\r?\r\n/);
    expect(r.status).toBe(3);
  });

  it('is found by its absolute path too', () => {
    expect(ok(ctr('run', '--rm', '--runtime', SHIM_BIN, h.image, id('abs'), 'echo', 'by path'), 'run by path')).toBe('by path\n');
  });

  it('runs detached; exec (output and exit code), ps, pause/resume, metrics, kill, task rm, container rm', async () => {
    const c = id('detached');
    runDetached(c, 'sleep', '1000');
    try {
      expect(taskStatus(c)).toBe('RUNNING');
      // In the container's pid namespace: its pid 1 is the task's sleep.
      expect(ok(ctr('tasks', 'exec', '--exec-id', 'e1', c, 'sh', '-c', "echo inside; tr '\\0' ' ' < /proc/1/cmdline"), 'exec')).toBe('inside\nsleep 1000 ');
      expect(ctr('tasks', 'exec', '--exec-id', 'e2', c, 'sh', '-c', 'exit 5').status).toBe(5);

      const pid = Number(ctr('tasks', 'ls').stdout.split('\n').find((l) => l.startsWith(c))!.trim().split(/\s+/)[1]);
      expect(pid).toBeGreaterThan(1);
      const ps = ok(ctr('tasks', 'ps', c), 'ps');
      expect(ps.split('\n').slice(1).map((l) => Number(l.trim().split(/\s+/)[0]))).toContain(pid);

      ok(ctr('tasks', 'pause', c), 'pause');
      expect(taskStatus(c)).toBe('PAUSED');
      expect(fs.readFileSync(`/proc/${pid}/status`, 'utf8')).toMatch(/State:\s+[DS]/);
      ok(ctr('tasks', 'resume', c), 'resume');
      expect(taskStatus(c)).toBe('RUNNING');

      const metrics = ok(ctr('tasks', 'metrics', c), 'metrics');
      const value = (name: string) => Number(metrics.split('\n').find((l) => l.startsWith(`${name} `))?.trim().split(/\s+/).pop());
      expect(value('memory.usage_in_bytes')).toBeGreaterThan(0);
      expect(value('pids.current')).toBeGreaterThanOrEqual(1);
      expect(value('cpuacct.usage')).toBeGreaterThan(0);

      ok(ctr('tasks', 'kill', c), 'kill'); // SIGTERM: sleep as pid 1 ignores it
      ok(ctr('tasks', 'kill', '-s', 'SIGKILL', c), 'kill -9');
      await waitFor('the task to stop', () => taskStatus(c) === 'STOPPED');
      expect(fs.existsSync(`/proc/${pid}`)).toBe(false);
      expect(mountsBelow(bundleRootfs(c))).toHaveLength(1); // the overlay, until task rm
      ok(ctr('tasks', 'rm', c), 'task rm');
      expect(mountsBelow(bundleRootfs(c))).toEqual([]);
      expect(taskStatus(c)).toBeUndefined();
      ok(ctr('containers', 'rm', c), 'container rm');
    } finally {
      if (ctr('containers', 'ls', '-q').stdout.includes(c)) await remove(c);
    }
  }, 180000);

  it('forwards task events to containerd in order', async () => {
    const ev = h.ctrAsync(['events']);
    let out = '';
    ev.stdout.on('data', (b: Buffer) => { out += b; });
    const topicsOf = (c: string) => out.split('\n').filter((l) => l.includes(`"${c}"`) && l.includes('/tasks/')).map((l) => /\/tasks\/[a-z-]+/.exec(l)![0]);
    try {
      // Subscribed once an event of our own comes through (a namespace made and removed), then the run.
      const probe = id('probe');
      await waitFor('the events subscription', () => {
        if (out.includes(probe)) return true;
        ctr('namespaces', 'create', probe);
        ctr('namespaces', 'remove', probe);
        return false;
      });
      const c = id('events');
      ok(ctr('run', '--rm', '--runtime', RUNTIME, h.image, c, 'true'), 'run');
      await waitFor('the delete event', () => topicsOf(c).includes('/tasks/delete'));
      expect(topicsOf(c)).toEqual(['/tasks/create', '/tasks/start', '/tasks/exit', '/tasks/delete']);

      const d = id('events');
      runDetached(d, 'sleep', '1000');
      ok(ctr('tasks', 'exec', '--exec-id', 'x1', d, 'true'), 'exec');
      ok(ctr('tasks', 'pause', d), 'pause');
      ok(ctr('tasks', 'resume', d), 'resume');
      await remove(d);
      await waitFor('the delete event', () => topicsOf(d).includes('/tasks/delete'));
      expect(topicsOf(d)).toEqual([
        '/tasks/create', '/tasks/start', '/tasks/exec-added', '/tasks/exec-started', '/tasks/exit',
        '/tasks/paused', '/tasks/resumed', '/tasks/exit', '/tasks/delete',
      ]);
    } finally {
      ev.kill();
      ev.stdout.destroy();
      ev.stderr.destroy();
    }
  }, 180000);

  it('serves every task of a namespace from one shim process, which leaves after the last', async () => {
    const cs = [id('share'), id('share'), id('share')];
    try {
      for (const c of cs) runDetached(c, 'sleep', '1000');
      expect(h.shimPids()).toHaveLength(1);
      // The daemon starts as `start` did, through the bin script (its bundle and code cache), not from lib/.
      const cmdline = fs.readFileSync(`/proc/${h.shimPids()[0]}/cmdline`, 'utf8').split('\0');
      expect(cmdline[1]).toMatch(/\/bin\/containerd-shim-hull-v2$/);
      expect(cmdline).toContain('serve');
      await remove(cs[0]);
      expect(h.shimPids()).toHaveLength(1);
      await remove(cs[1]);
      await remove(cs[2]);
      await waitFor('the shim to leave', () => h.shimPids().length === 0);
    } finally {
      for (const c of cs) if (ctr('containers', 'ls', '-q').stdout.includes(c)) await remove(c);
    }
  }, 180000);

  it('tasks started at once still share one shim; a group annotation gets a shim of its own', async () => {
    const cs = [id('race'), id('race'), id('race')];
    const grouped = id('group');
    try {
      const runs = cs.map((c) => h.ctrAsync(['run', '-d', '--runtime', RUNTIME, h.image, c, 'sleep', '1000']));
      const codes = await Promise.all(runs.map((p: any) => new Promise((r) => p.on('exit', r))));
      expect(codes).toEqual([0, 0, 0]);
      expect(h.shimPids()).toHaveLength(1);
      ok(ctr('run', '-d', '--annotation', 'io.containerd.runc.v2.group=g1', '--runtime', RUNTIME, h.image, grouped, 'sleep', '1000'), 'run grouped');
      expect(h.shimPids()).toHaveLength(2);
      for (const c of [...cs, grouped]) await remove(c);
      await waitFor('the shims to leave', () => h.shimPids().length === 0);
    } finally {
      for (const c of [...cs, grouped]) if (ctr('containers', 'ls', '-q').stdout.includes(c)) await remove(c);
    }
  }, 120000);

  it('when the shim is killed with SIGKILL, containerd reports the exit and delete cleans up', async () => {
    const c = id('shimkill');
    runDetached(c, 'sleep', '1000');
    const ev = h.ctrAsync(['events']);
    let events = '';
    ev.stdout.on('data', (b: Buffer) => { events += b; });
    try {
      const pid = Number(ctr('tasks', 'ls').stdout.split('\n').find((l) => l.startsWith(c))!.trim().split(/\s+/)[1]);
      const [shim] = h.shimPids();
      process.kill(shim, 'SIGKILL');
      await waitFor('containerd to see the task stopped', () => taskStatus(c) === 'STOPPED' || taskStatus(c) === undefined);
      await waitFor('the container process to be gone', () => !fs.existsSync(`/proc/${pid}`));
      // containerd ran `delete` (exit status 137: killed) and published the exit.
      await waitFor('the exit event', () => events.split('\n').some((l) => l.includes('/tasks/exit') && l.includes(c)));
      expect(events.split('\n').find((l) => l.includes('/tasks/exit') && l.includes(c))).toMatch(/"exit_status":137/);
      if (taskStatus(c)) ok(ctr('tasks', 'rm', c), 'task rm');
      expect(mountsBelow(bundleRootfs(c))).toEqual([]);
      ok(ctr('containers', 'rm', c), 'container rm');
    } finally {
      ev.kill();
      ev.stdout.destroy();
      ev.stderr.destroy();
      if (ctr('containers', 'ls', '-q').stdout.includes(c)) await remove(c);
    }
  }, 180000);

  it('tasks keep running across a containerd restart and are managed after it', async () => {
    const c = id('restart');
    runDetached(c, 'sleep', '1000');
    try {
      await h.restart();
      expect(taskStatus(c)).toBe('RUNNING');
      expect(ok(ctr('tasks', 'exec', '--exec-id', 'after', c, 'echo', 'still here'), 'exec after restart')).toBe('still here\n');
      await remove(c);
    } finally {
      if (ctr('containers', 'ls', '-q').stdout.includes(c)) await remove(c);
    }
  }, 180000);

  it('a command that cannot run: the runtime\'s error reaches ctr, and nothing is left', async () => {
    const c = id('bad');
    const r = ctr('run', '--rm', '--runtime', RUNTIME, h.image, c, '/nonexistent');
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/failed to create shim task: hull create .*\/nonexistent.*no such file or directory/);
    expect(ctr('containers', 'ls', '-q').stdout).not.toContain(c);
    await waitFor('no shim', () => h.shimPids().length === 0);
    expect(mountsBelow(path.join(h.dir, 'state'))).toEqual([]);
  }, 180000);

  it('delete succeeds when everything is already gone, printing a DeleteResponse', () => {
    const bundle = fs.mkdtempSync(path.join(h.dir, 'gone-'));
    const r = spawnSync(SHIM_BIN, ['-namespace', h.namespace, '-address', h.address, '-publish-binary', '/usr/bin/containerd', '-id', id('gone'), '-bundle', bundle, 'delete'], {
      cwd: bundle, env: { ...process.env, TTRPC_ADDRESS: `${h.address}.ttrpc` },
    });
    expect(r.status).toBe(0);
    const res = decode(messageType('containerd.task.v2.DeleteResponse'), r.stdout);
    expect(res.exit_status).toBe(137);
    expect(res.exited_at.seconds).toBeGreaterThan(0);
  });

  it('leaves nothing behind: no shim, no mounts, no task state', async () => {
    await waitFor('no shim', () => h.shimPids().length === 0);
    expect(mountsBelow(path.join(h.dir, 'state'))).toEqual([]);
    const tasksDirs = fs.existsSync('/run/containerd/hull-shim')
      ? fs.readdirSync('/run/containerd/hull-shim').map((k) => path.join('/run/containerd/hull-shim', k, 'tasks')).filter((t) => fs.existsSync(t))
      : [];
    for (const t of tasksDirs) expect(fs.readdirSync(t).filter((x) => x.startsWith(`h${process.pid}-`))).toEqual([]);
    expect(fs.existsSync(shimPlace(`${h.address}.ttrpc`, h.namespace, '').stateDir)).toBe(false);
    const hullRoot = path.join('/run/containerd/hull', h.namespace);
    if (fs.existsSync(hullRoot)) expect(fs.readdirSync(hullRoot).filter((x) => x.startsWith(`h${process.pid}-`))).toEqual([]);
  });

  it('refuses bad command lines with a clear error', () => {
    const r = spawnSync(SHIM_BIN, ['-namespace', 'x', 'start'], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/-id: required/);
    const u = spawnSync(SHIM_BIN, ['-bogus', '1', 'start'], { encoding: 'utf8' });
    expect(u.status).toBe(1);
    expect(u.stderr).toMatch(/flag provided but not defined: -bogus/);
    const a = spawnSync(SHIM_BIN, ['-id', 'x', 'frobnicate'], { encoding: 'utf8' });
    expect(a.stderr).toMatch(/unknown action "frobnicate"/);
  });
});
