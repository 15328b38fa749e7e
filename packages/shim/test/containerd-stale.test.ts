// A shim daemon killed with SIGKILL, under a real containerd (private to this
// test): what containerd's `delete` leaves when the daemon had tasks, and what
// the next daemon leaves of one that had none. Nothing of a dead daemon may
// stay: no state dir, socket, process, cgroup or mount, however many die.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { shimPlace, type ShimPlace } from '../src/v2/paths';
import { describeNeeds } from '@hull/testkit/jest';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const { containerdPrerequisites, startContainerd, mountsBelow, REPO } = require('./containerd-harness.js');

const d = describeNeeds(containerdPrerequisites());

const RUNTIME = 'io.containerd.hull.v2';
const SHIM_BIN = path.join(REPO, 'packages/shim/bin/containerd-shim-hull-v2');
const GROUP = 'io.containerd.runc.v2.group';

type Ctr = { status: number | null; stdout: string; stderr: string };

/** A process's start time, undefined once it is gone or a zombie (dead; its parent, pid 1 here, reaps it). */
function startTime(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[0] === 'Z' ? undefined : fields[19];
  } catch {
    return undefined;
  }
}

/** A process as it was seen: alive later only if the same one (pid and start time) still runs. */
interface Seen { pid: number; start?: string }
const seen = (pid: number): Seen => ({ pid, start: startTime(pid) });
const alive = (p: Seen) => p.pid > 0 && p.start !== undefined && startTime(p.pid) === p.start;

/** The cgroup directories `pid` is in, other than the root ones. */
function cgroupDirs(pid: number): string[] {
  const out: string[] = [];
  for (const line of fs.readFileSync(`/proc/${pid}/cgroup`, 'utf8').trim().split('\n')) {
    const [, controllers, rel] = line.split(':');
    if (!rel || rel === '/') continue;
    const bases = controllers === '' ? ['unified'] : controllers.split(',').map((c) => c.replace(/^name=/, ''));
    for (const b of bases) {
      const dir = path.join('/sys/fs/cgroup', b, rel);
      if (fs.existsSync(dir)) out.push(dir);
    }
  }
  return out;
}

function connectable(socket: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(socket);
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}

d('a hull shim daemon killed with SIGKILL leaves nothing behind', () => {
  let h: any;
  let n = 0;
  const id = (tag: string) => `s${process.pid}-${tag}-${++n}`;
  const ctr = (...args: string[]): Ctr => h.ctr(args);
  const ok = (r: Ctr, what: string): string => h.ok(r, what);
  const taskStatus = (task: string): string | undefined => h.taskStatus(task);
  const waitFor = (what: string, cond: () => boolean | Promise<boolean>): Promise<void> => h.waitFor(what, cond);
  const placeOf = (group: string): ShimPlace => shimPlace(`${h.address}.ttrpc`, h.namespace, group);
  /** Nothing of a daemon at `p`: state dir and socket. */
  const gone = (p: ShimPlace) => !fs.existsSync(p.stateDir) && !fs.existsSync(p.socket);
  const daemonOf = (p: ShimPlace): Seen => seen(JSON.parse(fs.readFileSync(path.join(p.stateDir, 'shim.json'), 'utf8')).pid);
  const bundleOf = (c: string) => path.join(h.dir, 'state/io.containerd.runtime.v2.task', h.namespace, c);
  /** Removes a container whatever state a failed test left it in. */
  const remove = (c: string) => {
    if (!ctr('containers', 'ls', '-q').stdout.split('\n').includes(c)) return;
    ctr('tasks', 'kill', '-s', 'SIGKILL', c);
    ctr('tasks', 'rm', '-f', c);
    ctr('containers', 'rm', c);
  };
  /** Whatever a failed test (or today's main) left at these places. */
  const scrub = (places: ShimPlace[], daemons: Seen[]) => {
    for (const p of daemons) if (alive(p)) process.kill(p.pid, 'SIGKILL');
    for (const p of places) {
      fs.rmSync(p.socket, { force: true });
      fs.rmSync(p.stateDir, { recursive: true, force: true });
    }
  };

  beforeAll(async () => {
    h = await startContainerd('stale');
    h.importImage();
  }, 120000);
  afterAll(async () => {
    await h?.stop();
  }, 180000);

  /** Runs two tasks on one daemon (of `group`): what they are made of, to look for after. */
  const twoTasks = (group: string) => {
    const cs = [id('kill'), id('kill')];
    for (const c of cs) ok(ctr('run', '-d', '--annotation', `${GROUP}=${group}`, '--runtime', RUNTIME, h.image, c, 'sleep', '1000'), `ctr run -d ${c}`);
    const place = placeOf(group);
    const daemon = daemonOf(place);
    const parts = cs.map((c) => {
      const rec = JSON.parse(fs.readFileSync(path.join(place.stateDir, 'tasks', c, 'task.json'), 'utf8'));
      return { c, procs: [seen(rec.init.pid), seen(rec.init.monitorPid)], cgroups: cgroupDirs(rec.init.pid) };
    });
    for (const p of parts) {
      expect(p.procs.every(alive)).toBe(true);
      expect(p.cgroups.length).toBeGreaterThan(0);
      expect(mountsBelow(path.join(bundleOf(p.c), 'rootfs'))).toHaveLength(1);
    }
    return { cs, place, daemon, parts };
  };

  /** After containerd's cleanup: the tasks gone or stopped, nothing of theirs or of their daemon left. */
  const expectNothingLeft = async ({ cs, place, daemon, parts }: ReturnType<typeof twoTasks>) => {
    await waitFor('containerd to clean the tasks up', () => cs.every((c) => taskStatus(c) === undefined || taskStatus(c) === 'STOPPED'));
    await waitFor(`the dead daemon's state dir and socket to go (${place.stateDir}, ${place.socket})`, () => gone(place));
    await waitFor('the daemon to die', () => !alive(daemon));
    // containerd removes each bundle (with the address `start` wrote there) once the shim's `delete` returned.
    await waitFor('containerd to remove the bundles', () => cs.every((c) => !fs.existsSync(bundleOf(c))));
    for (const p of parts) {
      expect(p.procs.filter(alive)).toEqual([]);
      expect(p.cgroups.filter((dir) => fs.existsSync(dir))).toEqual([]);
      expect(mountsBelow(bundleOf(p.c))).toEqual([]);
      expect(fs.existsSync(path.join(place.runtimeRoot, p.c))).toBe(false);
    }
    expect(h.shimPids().filter((pid: number) => pid === daemon.pid)).toEqual([]);
    // containerd's view agrees: containers without tasks, which remove cleanly.
    const containers = ctr('containers', 'ls', '-q').stdout.split('\n');
    for (const c of cs) {
      expect(containers).toContain(c);
      if (taskStatus(c)) ok(ctr('tasks', 'rm', c), `task rm ${c}`);
      ok(ctr('containers', 'rm', c), `container rm ${c}`);
      expect(taskStatus(c)).toBeUndefined();
    }
  };

  it('with running tasks: containerd\'s delete leaves no state dir, socket, process, cgroup or mount; kills do not accumulate', async () => {
    const all: ReturnType<typeof twoTasks>[] = [];
    try {
      // A group each: three daemons, three state dirs that must all go.
      for (let i = 0; i < 3; i++) {
        const run = twoTasks(id('group'));
        all.push(run);
        process.kill(run.daemon.pid, 'SIGKILL');
        await expectNothingLeft(run);
      }
      expect(all.map((r) => r.place).filter((p) => !gone(p))).toEqual([]);
    } finally {
      for (const r of all) for (const c of r.cs) remove(c);
      scrub(all.map((r) => r.place), all.map((r) => r.daemon));
    }
  }, 300000);

  it('with running tasks while containerd is down: the restarted containerd\'s delete leaves nothing', async () => {
    let run: ReturnType<typeof twoTasks> | undefined;
    try {
      run = twoTasks(id('group'));
      await h.kill();
      process.kill(run.daemon.pid, 'SIGKILL');
      await h.launch();
      await expectNothingLeft(run);
    } finally {
      if (h.proc?.exitCode !== null || h.proc?.signalCode !== null) await h.launch();
      for (const c of run?.cs ?? []) remove(c);
      if (run) scrub([run.place], [run.daemon]);
    }
  }, 300000);

  it('without tasks (killed between `start` and the first Create): the next daemon removes what it left; live daemons are not touched', async () => {
    // containerd 1.6 calls Shutdown right after a task's Delete and after a failed Create, so a daemon
    // idles without a task only between containerd's `start` and its Create: `start` here is run with
    // containerd's command line, environment and bundle directory, and the daemon killed there.
    const places: ShimPlace[] = [];
    const daemons: Seen[] = [];
    const startDaemon = async (group: string): Promise<{ place: ShimPlace; daemon: Seen }> => {
      const bundle = fs.mkdtempSync(path.join(h.dir, 'bundle-'));
      fs.writeFileSync(path.join(bundle, 'config.json'), JSON.stringify({ ociVersion: '1.0.2', annotations: { [GROUP]: group } }));
      const place = placeOf(group);
      places.push(place);
      const r = spawnSync(SHIM_BIN, ['-namespace', h.namespace, '-address', h.address, '-publish-binary', '/usr/bin/containerd', '-id', id('c'), 'start'], {
        cwd: bundle, encoding: 'utf8', input: '', env: { ...process.env, TTRPC_ADDRESS: `${h.address}.ttrpc` }, timeout: 60000,
      });
      expect(r.stderr).toBe('');
      expect(r.stdout).toBe(`unix://${place.socket}`);
      await waitFor('the daemon to record itself', () => fs.existsSync(path.join(place.stateDir, 'shim.json')));
      const daemon = daemonOf(place);
      daemons.push(daemon);
      expect(alive(daemon)).toBe(true);
      return { place, daemon };
    };
    try {
      const live = await startDaemon(id('live'));
      let previous: ShimPlace | undefined;
      for (let i = 0; i < 4; i++) {
        const { place, daemon } = await startDaemon(id('idle'));
        if (previous) {
          const p = previous;
          await waitFor(`the new daemon to remove the dead one's state (${p.stateDir}, ${p.socket})`, () => gone(p));
        }
        // The live daemon (whose pid the dead ones' may take again) keeps its state and answers.
        expect(fs.existsSync(path.join(live.place.stateDir, 'shim.json'))).toBe(true);
        expect(await connectable(live.place.socket)).toBe(true);
        process.kill(daemon.pid, 'SIGKILL');
        await waitFor('the daemon to die', () => !alive(daemon));
        previous = place;
      }
      // Only the last one's may be left until a daemon starts: the live one's restart is that start.
      process.kill(live.daemon.pid, 'SIGTERM');
      await waitFor('the live daemon to leave cleanly', () => gone(live.place) && !alive(live.daemon));
      const last = await startDaemon(id('idle'));
      const p = previous!;
      await waitFor(`the new daemon to remove the dead one's state (${p.stateDir}, ${p.socket})`, () => gone(p));
      process.kill(last.daemon.pid, 'SIGTERM');
      await waitFor('the last daemon to leave cleanly', () => gone(last.place) && !alive(last.daemon));
      expect(places.filter((q) => !gone(q))).toEqual([]);
      expect(daemons.filter(alive)).toEqual([]);
    } finally {
      scrub(places, daemons);
    }
  }, 300000);
});
