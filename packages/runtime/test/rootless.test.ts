// Rootless: an unprivileged user runs containers with `hull spec --rootless`
// (a user namespace mapping only that user to root). The tests run as root
// and switch to a throwaway user with runuser; the user is removed at the
// end only if these tests created it. This host delegates no cgroup to the
// user: as runc, hull goes on without one when the config asks for no limits
// and no cgroupsPath (it warns; runc is silent), and fails otherwise.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { missingCommand, missingRoot, missingUserNamespaces } from '@hull/testkit/host';
import { itNeeds } from '@hull/testkit/jest';
import { cleanEnv, hasRunc, HULL, isRoot, ROOTFS, uniqueId } from './helpers';

/** The tests switch to a throwaway user (useradd, runuser): root, and user namespaces for that user. */
const itRoot = itNeeds(missingRoot(), missingUserNamespaces(), missingCommand('useradd', ['--help']), missingCommand('runuser', ['--help']));

// Each test starts several Node processes; a loaded machine makes that slow.
jest.setTimeout(120_000);

const USER = 'hulltest';
let createdUser = false;
let uid = -1;
let gid = -1;
const dirs: string[] = [];

beforeAll(() => {
  if (!isRoot || missingUserNamespaces()) return;
  if (spawnSync('id', ['-u', USER]).status !== 0) {
    const r = spawnSync('useradd', ['-m', USER], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`useradd ${USER}: ${r.stderr}`);
    createdUser = true;
  }
  uid = Number(spawnSync('id', ['-u', USER], { encoding: 'utf8' }).stdout);
  gid = Number(spawnSync('id', ['-g', USER], { encoding: 'utf8' }).stdout);
});

afterAll(() => {
  if (createdUser) spawnSync('userdel', ['-r', USER]);
});

/** A directory of the user's own (in /tmp, where mkdtemp made it 0700 for root). */
function userDir(prefix: string): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  dirs.push(d);
  fs.chownSync(d, uid, gid);
  return d;
}

interface UserRuntime {
  name: string;
  root: string;
  run(args: string[]): SpawnSyncReturns<string>;
}
const runtimes: UserRuntime[] = [];

/** hull or runc run as the user, with a state root of the user's. */
function asUser(binary: 'hull' | 'runc'): UserRuntime {
  const root = userDir(`${binary}-rootless-root-`);
  const bin = binary === 'hull' ? HULL : 'runc';
  const rt: UserRuntime = {
    name: binary,
    root,
    run(args) {
      // Files, not pipes: a detached container keeps the runtime's stdout open.
      const out = userDir('hull-rootless-out-');
      const o = fs.openSync(path.join(out, 'out'), 'w+');
      const e = fs.openSync(path.join(out, 'err'), 'w+');
      try {
        const r = spawnSync('runuser', ['-u', USER, '--', bin, '--root', root, ...args], {
          encoding: 'utf8', env: cleanEnv(), timeout: 30000, stdio: ['ignore', o, e],
        });
        r.stdout = fs.readFileSync(path.join(out, 'out'), 'utf8');
        r.stderr = fs.readFileSync(path.join(out, 'err'), 'utf8');
        return r;
      } finally {
        fs.closeSync(o);
        fs.closeSync(e);
      }
    },
  };
  runtimes.push(rt);
  return rt;
}

afterEach(() => {
  for (const rt of runtimes.splice(0)) {
    let ids: string[] = [];
    try {
      ids = fs.readdirSync(rt.root);
    } catch {
      // none
    }
    for (const id of ids) if (!id.startsWith('.')) rt.run(['delete', '--force', id]);
  }
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** A bundle owned by the user, its config written by `<binary> spec --rootless` run as the user. */
function rootlessBundle(binary: 'hull' | 'runc', args: string[], edit?: (c: any) => void): { dir: string; config: any } {
  const dir = userDir('hull-rootless-bundle-');
  expect(spawnSync('cp', ['-a', ROOTFS, path.join(dir, 'rootfs')]).status).toBe(0);
  expect(spawnSync('chown', ['-R', `${uid}:${gid}`, path.join(dir, 'rootfs')]).status).toBe(0);
  const bin = binary === 'hull' ? HULL : 'runc';
  const r = spawnSync('runuser', ['-u', USER, '--', bin, 'spec', '--rootless', '--bundle', dir], { encoding: 'utf8', env: cleanEnv() });
  expect(r.stderr).toBe('');
  const file = path.join(dir, 'config.json');
  const config = JSON.parse(fs.readFileSync(file, 'utf8'));
  config.process.terminal = false;
  config.process.args = args;
  edit?.(config);
  fs.writeFileSync(file, JSON.stringify(config));
  return { dir, config };
}

const both: ('hull' | 'runc')[] = hasRunc ? ['hull', 'runc'] : ['hull'];

describe('hull spec --rootless', () => {
  itRoot('maps the calling user (not root) to root in a new user namespace, without a network namespace', () => {
    const { config } = rootlessBundle('hull', ['true']);
    expect(config.linux.uidMappings).toEqual([{ containerID: 0, hostID: uid, size: 1 }]);
    expect(config.linux.gidMappings).toEqual([{ containerID: 0, hostID: gid, size: 1 }]);
    const types = config.linux.namespaces.map((n: { type: string }) => n.type);
    expect(types).toContain('user');
    expect(types).not.toContain('network');
  });
});

describe.each(both)('rootless run (%s)', (name) => {
  itRoot('root inside is the user outside; setgroups is denied; files land as the user', () => {
    const rt = asUser(name);
    const out = userDir('hull-rootless-data-');
    const b = rootlessBundle(name, ['sh', '-c', 'id -u; id -g; cat /proc/self/uid_map /proc/self/gid_map /proc/self/setgroups; touch /out/f'], (c) => {
      c.mounts.push({ destination: '/out', type: 'bind', source: out, options: ['bind', 'rw'] });
    });
    const r = rt.run(['run', '--bundle', b.dir, uniqueId()]);
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => l.trim().split(/\s+/).join(' '));
    expect(lines).toEqual(['0', '0', `0 ${uid} 1`, `0 ${gid} 1`, 'deny']);
    const st = fs.statSync(path.join(out, 'f'));
    expect([st.uid, st.gid]).toEqual([uid, gid]);
    // Nothing but the cgroup notice (hull's warning; runc says nothing).
    for (const line of r.stderr.split('\n').filter(Boolean)) expect(line).toMatch(/level=warning msg="rootless: cgroup: .*running without a cgroup/);
  });

  itRoot('run -d, exec, kill and delete; the container process is the user on the host', () => {
    const rt = asUser(name);
    const b = rootlessBundle(name, ['sleep', '1000']);
    const id = uniqueId();
    const run = rt.run(['run', '-d', '--bundle', b.dir, id]);
    expect(run.status).toBe(0);
    const state = JSON.parse(rt.run(['state', id]).stdout);
    expect(state.status).toBe('running');
    const status = fs.readFileSync(`/proc/${state.pid}/status`, 'utf8');
    expect(status).toMatch(new RegExp(`^Uid:\\s+${uid}\\s+${uid}\\s+${uid}\\s+${uid}$`, 'm'));
    const ex = rt.run(['exec', id, 'sh', '-c', 'id -u; cat /proc/self/uid_map']);
    expect(ex.status).toBe(0);
    expect(ex.stdout.trim().split('\n').map((l) => l.trim().split(/\s+/).join(' '))).toEqual(['0', `0 ${uid} 1`]);
    expect(rt.run(['kill', id, 'KILL']).status).toBe(0);
    for (const end = Date.now() + 60_000; Date.now() < end && JSON.parse(rt.run(['state', id]).stdout).status !== 'stopped';) spawnSync('sleep', ['0.1']);
    expect(rt.run(['delete', id]).status).toBe(0);
    expect(fs.existsSync(path.join(rt.root, id))).toBe(false);
  });
});

describe.each(both)('rootless mounts (%s)', (name) => {
  itRoot('tmpcopyup copies the image\'s files with their (mapped) owners into the tmpfs', () => {
    const rt = asUser(name);
    const b = rootlessBundle(name, ['sh', '-c', 'stat -c "%a %u:%g %n" /etc /etc/passwd; grep " /etc " /proc/self/mountinfo'], (c) => {
      c.mounts.push({ destination: '/etc', type: 'tmpfs', source: 'tmpfs', options: ['tmpcopyup', 'nosuid'] });
    });
    fs.chmodSync(path.join(b.dir, 'rootfs/etc/passwd'), 0o640);
    const r = rt.run(['run', '--bundle', b.dir, uniqueId()]);
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines.slice(0, 2)).toEqual([`${(fs.statSync(path.join(b.dir, 'rootfs/etc')).mode & 0o777).toString(8)} 0:0 /etc`, '640 0:0 /etc/passwd']);
    expect(lines[2]).toMatch(/ \/etc .* - tmpfs /);
  });
});

describe('rootless id-mapped mounts', () => {
  // MOUNT_ATTR_IDMAP needs CAP_SYS_ADMIN in the user namespace that mounted the source's
  // filesystem: the host's, which an unprivileged user never has. (runc 1.1 has no idmap.)
  itRoot('are refused before anything is made, naming the mount', () => {
    const rt = asUser('hull');
    const src = userDir('hull-rootless-src-');
    const b = rootlessBundle('hull', ['true'], (c) => {
      c.mounts.push({ destination: '/m', type: 'bind', source: src, options: ['bind', 'idmap'] });
    });
    const id = uniqueId();
    const r = rt.run(['run', '--bundle', b.dir, id]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(`id-mapped mount of ${src} on /m: needs root on the host`);
    expect(fs.existsSync(path.join(rt.root, id))).toBe(false);
  });
});

describe.each(both)('rootless without a delegated cgroup (%s)', (name) => {
  itRoot('a memory limit or a cgroupsPath fails create and leaves nothing behind', () => {
    // Only meaningful where the user cannot make cgroups (this host: none is delegated).
    const delegated = spawnSync('runuser', ['-u', USER, '--', 'test', '-w', '/sys/fs/cgroup/memory']).status === 0;
    if (delegated) return;
    const rt = asUser(name);
    for (const edit of [
      (c: any) => { c.linux.resources = { memory: { limit: 100 * 1024 * 1024 } }; },
      (c: any) => { c.linux.cgroupsPath = `/hull-rootless-${process.pid}`; },
    ]) {
      const b = rootlessBundle(name, ['true'], edit);
      const id = uniqueId();
      const r = rt.run(['run', '--bundle', b.dir, id]);
      expect(r.status).not.toBe(0);
      if (name === 'hull') expect(r.stderr).toMatch(/rootless: linux\.(resources\.memory|cgroupsPath) needs a cgroup, and none is delegated to this user: cgroup: mkdir \S+: EACCES/);
      expect(fs.readdirSync(rt.root).filter((e) => !e.startsWith('.'))).toEqual([]);
    }
  });
});

