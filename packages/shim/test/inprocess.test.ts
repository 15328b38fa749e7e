// hull in-process (hull-shim's default runtime): one truth on disk with the
// `hull` CLI, and restart without loss while a create or an exec is in flight.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Status } from '../src/constants';
import { describeNeeds } from '@hull/testkit/jest';
import { cleanEnv, cleanup, makeBundle, mkfifo, monitorsOf, mountsUnder, prerequisites, runtimes, startDaemon, uniqueId, type Daemon } from './helpers';
import { until } from '@hull/testkit/wait';

const hullRt = runtimes().find((r) => r.name === 'hull')!;
const d = describeNeeds(prerequisites() ?? hullRt.skip);
jest.setTimeout(120_000);


/** The children of `pid` (through /proc/PID/task/PID/children). */
function childrenOf(pid: number): number[] {
  try {
    return fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

d('hull-shim with hull in-process', () => {
  let dir: string;
  let root: string;
  const daemons: Daemon[] = [];
  const hull = (...args: string[]) => spawnSync(hullRt.binary, ['--root', root, ...args], { env: cleanEnv(), encoding: 'utf8', timeout: 30_000 });

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hull-shim-inproc-'));
    root = path.join(dir, 'runtime-root');
  });
  afterAll(async () => {
    for (const dm of daemons) await dm.stop();
    if (dir) cleanup(dir, hullRt.binary);
  });

  it('keeps one truth on disk: hull --root lists, states, execs into, ps-es and kills its containers; its delete leaves nothing', async () => {
    const daemon = await startDaemon(dir, hullRt.flag);
    daemons.push(daemon);
    const c = daemon.client;
    const id = uniqueId('truth');
    makeBundle(path.join(dir, id), { args: ['sh', '-c', 'trap "exit 3" TERM; while :; do sleep 0.05; done'] });
    const { pid } = await c.task('Create', { id, bundle: path.join(dir, id) });
    await c.task('Start', { id });

    const list = JSON.parse(hull('list', '--format', 'json').stdout) as Array<{ id: string; pid: number; status: string }>;
    expect(list.find((x) => x.id === id)).toMatchObject({ pid, status: 'running' });
    const state = JSON.parse(hull('state', id).stdout);
    expect(state).toMatchObject({ id, pid, status: 'running' });
    const rec = JSON.parse(fs.readFileSync(path.join(root, id, 'state.json'), 'utf8')) as { cgroupPaths: Record<string, string> };
    const cgroups = Object.values(rec.cgroupPaths);
    expect(cgroups.length).toBeGreaterThan(0);
    for (const cg of cgroups) expect(fs.existsSync(cg)).toBe(true);

    const proc = path.join(dir, `${id}-proc.json`);
    fs.writeFileSync(proc, JSON.stringify({ args: ['sh', '-c', 'echo in-$(hostname)'], cwd: '/', env: ['PATH=/bin'], user: { uid: 0, gid: 0 } }));
    const ex = hull('exec', '--process', proc, id);
    expect({ status: ex.status, out: ex.stdout }).toEqual({ status: 0, out: 'in-shimtest\n' });
    expect(JSON.parse(hull('ps', '--format', 'json', id).stdout)).toContain(pid);

    const waiting = c.task('Wait', { id });
    expect(hull('kill', id, 'TERM').status).toBe(0);
    expect((await waiting).exit_status).toBe(3);
    expect((await c.task('State', { id })).status).toBe(Status.STOPPED);
    await c.task('Delete', { id });

    // What `hull delete` removes: the state, the cgroups, mounts under the rootfs.
    expect(fs.existsSync(path.join(root, id))).toBe(false);
    for (const cg of cgroups) expect(fs.existsSync(cg)).toBe(false);
    expect(mountsUnder(path.join(dir, id))).toEqual([]);
    expect(hull('state', id).status).not.toBe(0);
    // Delete returns once the monitors are gone too (each exits just after it records the exit).
    expect(monitorsOf(dir)).toEqual([]);
    await daemon.stop();
  });

  it('hull delete --force during the daemon\'s create refuses, naming the daemon, and never signals it', async () => {
    const daemon = await startDaemon(dir, hullRt.flag);
    daemons.push(daemon);
    const c = daemon.client;
    const id = uniqueId('forced');
    const gate = mkfifo(path.join(dir, `${id}.gate`));
    const hookPid = path.join(dir, `${id}.hook`);
    makeBundle(path.join(dir, id), {
      args: ['sh', '-c', 'exit 2'],
      hooks: { createRuntime: [{ path: '/bin/sh', args: ['sh', '-c', `echo $$ > ${hookPid}; read line < ${gate}`] }] },
    });
    const creating = c.task('Create', { id, bundle: path.join(dir, id) });
    creating.catch(() => {});
    await until('the createRuntime hook', () => fs.existsSync(hookPid) && fs.readFileSync(hookPid, 'utf8').trim());
    try {
      const del = hull('delete', '--force', id);
      expect(del.status).not.toBe(0);
      expect(del.stderr).toContain(`cannot delete container \\"${id}\\": hull-shim (pid ${daemon.pid}) is creating it`);
      expect(fs.existsSync(`/proc/${daemon.pid}`)).toBe(true);
      expect(fs.existsSync(path.join(root, id, 'state.json'))).toBe(true);
    } finally {
      // The hook reads the FIFO: opening it for writing returns once it does.
      fs.writeFileSync(gate, 'go\n');
    }
    const { pid } = await creating;
    expect(pid).toBeGreaterThan(0);
    // Once created, the container is the CLI's to force-delete like any other.
    expect(JSON.parse(hull('state', id).stdout)).toMatchObject({ id, pid, status: 'created' });
    await c.task('Start', { id });
    expect((await c.task('Wait', { id })).exit_status).toBe(2);
    await c.task('Delete', { id });
    expect(fs.existsSync(path.join(root, id))).toBe(false);
    await daemon.stop();
  });

  it('kill -9 of the daemon while a create is in flight: after the restart the container is gone, with its init, cgroup and monitor', async () => {
    const id = uniqueId('midcreate');
    const hookPid = path.join(dir, `${id}.hook`);
    const release = path.join(dir, `${id}.release`);
    // The prestart hook runs in the daemon while hull-init waits: the create is held mid-flight.
    makeBundle(path.join(dir, id), {
      args: ['true'],
      hooks: { prestart: [{ path: '/bin/sh', args: ['sh', '-c', `echo $$ > ${hookPid}; while [ ! -e ${release} ]; do sleep 0.05; done`] }] },
    });
    const first = await startDaemon(dir, hullRt.flag);
    daemons.push(first);
    const creating = first.client.task('Create', { id, bundle: path.join(dir, id) }).catch((e: Error) => e);
    await until('the prestart hook', () => fs.existsSync(hookPid) && fs.readFileSync(hookPid, 'utf8').trim());
    const rec = JSON.parse(fs.readFileSync(path.join(root, id, 'state.json'), 'utf8')) as { cgroupPaths: Record<string, string> };
    const cgroups = Object.values(rec.cgroupPaths);
    const monitors = monitorsOf(dir);
    expect(monitors.length).toBe(1);
    const inits = childrenOf(monitors[0]);
    expect(inits.length).toBeGreaterThan(0);

    await first.kill9();
    expect(await creating).toBeInstanceOf(Error);
    const second = await startDaemon(dir, hullRt.flag);
    daemons.push(second);
    fs.writeFileSync(release, '');

    expect((await second.client.hull('List', {})).tasks.map((t: { id: string }) => t.id)).not.toContain(id);
    expect(fs.existsSync(path.join(root, id))).toBe(false);
    expect(fs.existsSync(path.join(second.stateDir, 'tasks', id))).toBe(false);
    for (const cg of cgroups) expect(fs.existsSync(cg)).toBe(false);
    await until('the monitor and init to end', () => [...monitors, ...inits].every((p) => !fs.existsSync(`/proc/${p}`)));
    expect(mountsUnder(path.join(dir, id))).toEqual([]);
    await second.stop();
  });

  it('kill -9 of the daemon while an exec is in flight: after the restart the exec is not started, nothing of it is left, and it can start', async () => {
    const id = uniqueId('midexec');
    makeBundle(path.join(dir, id), { args: ['sleep', '1000'] });
    // hull-init of an exec stops before its first op and waits to be killed: the exec is held mid-flight.
    const first = await startDaemon(dir, hullRt.flag, [], { HULL_FAULT_EXEC_AFTER_OP: '0' });
    daemons.push(first);
    const c1 = first.client;
    const { pid } = await c1.task('Create', { id, bundle: path.join(dir, id) });
    await c1.task('Start', { id });
    const spec = { args: ['sh', '-c', 'exit 5'], cwd: '/', env: ['PATH=/bin'], user: { uid: 0, gid: 0 } };
    await c1.task('Exec', { id, exec_id: 'e1', spec: { type_url: 'types.containerd.io/opencontainers/runtime-spec/1/Process', value: Buffer.from(JSON.stringify(spec)) } });
    const starting = c1.task('Start', { id, exec_id: 'e1' }).catch((e: Error) => e);
    const execMonitor = await until('the exec\'s monitor', () => monitorsOf(dir).find((m) => childrenOf(m).length > 0 && !childrenOf(m).includes(pid)));
    const held = await until('the held hull-init', () => childrenOf(execMonitor).length > 0 && childrenOf(execMonitor));

    await first.kill9();
    expect(await starting).toBeInstanceOf(Error);
    // The monitor found no process to keep: it ended what it had started, and itself.
    await until('the exec\'s monitor and hull-init to end', () => [execMonitor, ...held].every((p) => !fs.existsSync(`/proc/${p}`)));

    const second = await startDaemon(dir, hullRt.flag);
    daemons.push(second);
    const c2 = second.client;
    expect((await c2.task('State', { id, exec_id: 'e1' })).status).toBe(Status.CREATED);
    expect((await c2.task('Pids', { id })).processes.map((p: { pid: number }) => p.pid)).toEqual([pid]);
    await c2.task('Start', { id, exec_id: 'e1' });
    expect((await c2.task('Wait', { id, exec_id: 'e1' })).exit_status).toBe(5);
    await c2.task('Kill', { id, signal: 9 });
    await c2.task('Wait', { id });
    await c2.task('Delete', { id });
    expect(fs.existsSync(path.join(root, id))).toBe(false);
    await until('the monitors to end (each exits just after it records the exit)', () => monitorsOf(dir).length === 0);
    await second.stop();
  });
});
