// Denial of service: an init sent into a loop or an unbounded read by the
// image, a frozen or busy cgroupsPath, and `delete --force` of a container
// whose create never finished (its init must end with it).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { cleanEnv, cleanupAll, defaultConfig, HULL, leftovers, makeBundle, runtime, uniqueId } from '../helpers';
import { attack } from './pending';
import { expectHostUntouched, hostSnapshot, killAll, processesUsing, sleep, waitForFile } from './sec';

import { describeNeeds } from '@hull/testkit/jest';
import { missingRoot } from '@hull/testkit/host';

afterEach(cleanupAll);

const describeRoot = describeNeeds(missingRoot());

describeRoot('an init the image tries to hang', () => {
  attack('cwd-loop')('DoS: a process.cwd of /proc/self/fd/N finishes create (made or refused) and delete -f leaves no process', () => {
    const rt = runtime();
    const b = makeBundle((c) => (c.process.cwd = '/proc/self/fd/3'), ['true']);
    const id = uniqueId('sec-cwdloop');
    try {
      const r = rt.run(['create', '--bundle', b.dir, id], { timeout: 20000 });
      expect(r.error).toBeUndefined(); // not killed by the timeout
      rt.run(['delete', '--force', id]);
      expect(processesUsing(b.dir)).toEqual([]);
    } finally {
      rt.run(['delete', '--force', id]);
      killAll(processesUsing(b.dir));
    }
  }, 60000);

  test('DoS: an image whose /proc links to / is refused at once (no loop)', () => {
    const rt = runtime();
    const b = makeBundle(undefined, ['true']);
    fs.rmSync(path.join(b.dir, 'rootfs/proc'), { recursive: true });
    fs.symlinkSync('/', path.join(b.dir, 'rootfs/proc'));
    const id = uniqueId('sec-procroot');
    const r = rt.run(['create', '--bundle', b.dir, id], { timeout: 20000 });
    expect(r.error).toBeUndefined();
    expect(r.stderr).toMatch(/must be mounted on ordinary directory/);
    expect(processesUsing(b.dir)).toEqual([]);
    expect(leftovers(id, b.dir)).toEqual([]);
  }, 60000);

  attack('passwd-zero')('DoS: /etc/passwd linked to /dev/zero is not read without bound', () => {
    const rt = runtime();
    const b = makeBundle((c) => {
      c.process.user = { uid: 1000, gid: 1000 };
      c.process.env = ['PATH=/bin:/usr/bin']; // no HOME: the runtime looks the user up in /etc/passwd
      c.linux.resources = { memory: { limit: 64 * 1024 * 1024 } };
    }, ['true']);
    fs.rmSync(path.join(b.dir, 'rootfs/etc/passwd'), { force: true });
    fs.symlinkSync('/dev/zero', path.join(b.dir, 'rootfs/etc/passwd'));
    const id = uniqueId('sec-passwd');
    try {
      const r = rt.run(['run', '--bundle', b.dir, id], { timeout: 30000 });
      expect(r.error).toBeUndefined();
      expect(r.stderr).not.toMatch(/signal 9|out of memory/i);
    } finally {
      rt.run(['delete', '--force', id]);
      killAll(processesUsing(b.dir));
    }
  }, 60000);
});

/** A v1 freezer (or cgroup2) directory for a test cgroup; undefined when the host has neither. */
function freezerDir(name: string): { dir: string; freeze(): void; thaw(): void } | undefined {
  if (fs.existsSync('/sys/fs/cgroup/freezer/freezer.state') || fs.existsSync('/sys/fs/cgroup/freezer')) {
    const dir = path.join('/sys/fs/cgroup/freezer', name);
    return {
      dir,
      freeze: () => fs.writeFileSync(path.join(dir, 'freezer.state'), 'FROZEN'),
      thaw: () => fs.writeFileSync(path.join(dir, 'freezer.state'), 'THAWED'),
    };
  }
  if (fs.existsSync('/sys/fs/cgroup/cgroup.controllers')) {
    const dir = path.join('/sys/fs/cgroup', name);
    return { dir, freeze: () => fs.writeFileSync(path.join(dir, 'cgroup.freeze'), '1'), thaw: () => fs.writeFileSync(path.join(dir, 'cgroup.freeze'), '0') };
  }
  return undefined;
}

/** Removes a test cgroup on every hierarchy (rmdir only: it holds no process by then). */
function removeCgroup(name: string): void {
  for (const ctrl of fs.readdirSync('/sys/fs/cgroup')) {
    const d = path.join('/sys/fs/cgroup', ctrl, name);
    for (let i = 0; i < 50 && fs.existsSync(d); i++) {
      try {
        fs.rmdirSync(d);
      } catch {
        sleep(20);
      }
    }
  }
}

describeRoot('a cgroupsPath that exists', () => {
  test('a frozen cgroupsPath is refused with a clear error, not joined (runc: "container\'s cgroup unexpectedly frozen")', () => {
    const name = uniqueId('hull-sec-frozen');
    const fz = freezerDir(name);
    if (!fz) return;
    fs.mkdirSync(fz.dir);
    try {
      fz.freeze();
      const rt = runtime();
      const b = makeBundle((c) => (c.linux.cgroupsPath = `/${name}`), ['true']);
      const id = uniqueId('sec-frozen');
      const r = rt.run(['run', '--bundle', b.dir, id], { timeout: 20000 });
      expect(r.error).toBeUndefined(); // no hang
      expect(r.status).not.toBe(0);
      expect(r.stderr).toMatch(/linux\.cgroupsPath: container's cgroup unexpectedly frozen/);
      expect(fs.existsSync(path.join(rt.root, id))).toBe(false);
      expect(processesUsing(b.dir)).toEqual([]);
      expect(fs.readFileSync(path.join(fz.dir, fz.dir.includes('freezer') ? 'freezer.state' : 'cgroup.freeze'), 'utf8').trim()).toMatch(/FROZEN|1/);
    } finally {
      fz.thaw();
      removeCgroup(name);
    }
  }, 60000);

  test('a cgroupsPath holding processes is joined with runc\'s warning', () => {
    const name = uniqueId('hull-sec-busy');
    // A process in the cgroup on every hierarchy, as any process is.
    const hierarchies = [...new Set(fs.readdirSync('/sys/fs/cgroup').map((c) => fs.realpathSync(path.join('/sys/fs/cgroup', c))))].filter((d) => fs.existsSync(path.join(d, 'cgroup.procs')));
    const sleeper = spawn('sleep', ['1000'], { stdio: 'ignore' });
    try {
      for (const h of hierarchies) {
        fs.mkdirSync(path.join(h, name));
        // A new cpuset takes no task until it has cpus and mems.
        for (const f of ['cpuset.cpus', 'cpuset.mems']) if (fs.existsSync(path.join(h, f))) fs.writeFileSync(path.join(h, name, f), fs.readFileSync(path.join(h, f)));
        fs.writeFileSync(path.join(h, name, 'cgroup.procs'), String(sleeper.pid));
      }
      const rt = runtime();
      const b = makeBundle((c) => (c.linux.cgroupsPath = `/${name}`), ['true']);
      // create only: removing a cgroup that other processes still use at delete is the cgroup layer's question.
      const r = rt.run(['create', '--bundle', b.dir, uniqueId('sec-busy')]);
      expect(r.status).toBe(0);
      expect(r.stderr).toMatch(/container's cgroup is not empty: 1 process\(es\) found/);
    } finally {
      sleeper.kill('SIGKILL');
      sleep(100);
      cleanupAll();
      removeCgroup(name);
    }
  }, 60000);
});

describeRoot('delete --force of a container still being created', () => {
  /** Starts `hull create` whose createRuntime hook blocks; resolves once the record exists. */
  function blockedCreate(rt: ReturnType<typeof runtime>, id: string) {
    const b = makeBundle(() => {}, ['true']);
    // The hook (run by the creating command) records its pid so the test can end it by pid.
    b.config.hooks = { createRuntime: [{ path: '/bin/sh', args: ['sh', '-c', `echo $$ > ${b.dir}/hook.pid; exec sleep 1000`] }] };
    b.write();
    const child = spawn(HULL, ['--root', rt.root, 'create', '--bundle', b.dir, id], { env: cleanEnv(), stdio: 'ignore' });
    // The hook has written its pid: the create is inside it now.
    waitForFile(path.join(b.dir, 'hook.pid'));
    return { b, child };
  }

  test('while create runs: delete -f ends the creating command and its init, and leaves nothing', () => {
    const rt = runtime();
    const id = uniqueId('sec-creating');
    const host = hostSnapshot();
    const { b, child } = blockedCreate(rt, id);
    try {
      expect(JSON.parse(rt.run(['state', id]).stdout).status).toBe('creating');
      const r = rt.run(['delete', '--force', id], { timeout: 20000 });
      expect(r.error).toBeUndefined();
      expect(r.status).toBe(0);
      expect(fs.existsSync(path.join(rt.root, id))).toBe(false);
      expect(processesGone(b.dir)).toEqual([]);
      expect(leftovers(id, b.dir)).toEqual([]);
    } finally {
      child.kill('SIGKILL');
      killHook(b.dir);
      killAll(processesUsing(b.dir));
    }
    expectHostUntouched(host);
  }, 60000);

  test('after the creating command was killed: delete -f ends what is left of the create', () => {
    const rt = runtime();
    const id = uniqueId('sec-orphan');
    const { b, child } = blockedCreate(rt, id);
    try {
      child.kill('SIGKILL');
      sleep(200);
      // The init may have died with its channel; an init looping in setup would not have (cwd-loop).
      const r = rt.run(['delete', '--force', id], { timeout: 20000 });
      expect(r.status).toBe(0);
      expect(processesGone(b.dir)).toEqual([]);
      expect(leftovers(id, b.dir)).toEqual([]);
    } finally {
      killHook(b.dir);
      killAll(processesUsing(b.dir));
    }
  }, 60000);
});

/** Processes still using `dir` once they had up to 10 s to end (a loaded machine, not a timing). */
function processesGone(dir: string): number[] {
  for (let i = 0; i < 200 && processesUsing(dir).length > 0; i++) sleep(50);
  return processesUsing(dir);
}

function killHook(bundleDir: string): void {
  try {
    killAll([Number(fs.readFileSync(path.join(bundleDir, 'hook.pid'), 'utf8'))]);
  } catch {
    // the hook never ran
  }
}

describeRoot('a create killed between making its cgroup and recording it', () => {
  test('delete -f removes the default cgroup named after the id, and the state', () => {
    const rt = runtime();
    const id = uniqueId('sec-cgwin');
    // What such a create leaves: its record (creating, no init pid, no cgroup paths yet)...
    fs.mkdirSync(path.join(rt.root, id), { recursive: true });
    const record = { ociVersion: '1.0.2', id, pid: 0, startTime: '', bundle: '/nonexistent', rootfs: '/nonexistent/rootfs', annotations: {}, created: new Date().toISOString(), creating: true, creatorPid: 2 ** 30, cgroupPaths: {}, spec: defaultConfig() };
    fs.writeFileSync(path.join(rt.root, id, 'state.json'), JSON.stringify(record));
    // ...and its cgroup at the default path (below the runtime's own cgroup) on each v1 hierarchy.
    const made: string[] = [];
    for (const line of fs.readFileSync('/proc/self/cgroup', 'utf8').split('\n').filter(Boolean)) {
      const [, ctrls, rel] = line.split(':');
      if (!ctrls || !['memory', 'pids'].includes(ctrls)) continue;
      const dir = path.join('/sys/fs/cgroup', ctrls, rel, id);
      fs.mkdirSync(dir);
      made.push(dir);
    }
    if (!made.length) return; // not a v1 host
    try {
      const r = rt.run(['delete', '--force', id]);
      expect(r.stderr).toBe('');
      expect(made.filter((d) => fs.existsSync(d))).toEqual([]);
      expect(fs.existsSync(path.join(rt.root, id))).toBe(false);
    } finally {
      for (const d of made) if (fs.existsSync(d)) fs.rmdirSync(d);
    }
  }, 60000);
});
