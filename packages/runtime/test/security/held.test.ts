// Attack classes that held against hull: they stay tests so the rewrite keeps
// them held. Leaked fds, a cwd through /proc/self/fd, uid 0 without
// capabilities, NODE_OPTIONS in the environment and Node files in the rootfs.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { cleanEnv, cleanupAll, HULL, makeBundle, REPO, runtime, tempDir, uniqueId } from '../helpers';
import { expectHostUntouched, hostSnapshot } from './sec';

import { describeNeeds } from '@hull/testkit/jest';
import { missingRoot } from '@hull/testkit/host';

afterEach(cleanupAll);

const describeRoot = describeNeeds(missingRoot());

/** "fd -> target" of every fd of a process in the container (ls itself: its fd on /proc/self/fd is its own). */
const LIST_FDS = 'ls -l /proc/self/fd';

/** The fds above 2 that are not ls's own directory fd. */
function foreignFds(out: string): string[] {
  return out.split('\n').map((l) => / (\d+) -> (.*)$/.exec(l)).filter((m): m is RegExpExecArray => !!m)
    .filter((m) => Number(m[1]) > 2 && !/^\/proc\/\d+\/fd$/.test(m[2])).map((m) => `${m[1]} ${m[2]}`);
}

describeRoot('file descriptors', () => {
  test('no fd of the runtime reaches the container process or an exec\'d one, beyond --preserve-fds', () => {
    const rt = runtime();
    const b = makeBundle(undefined, ['sleep', '1000']);
    const id = uniqueId('sec-fds');
    // The runtime is handed extra fds (5 and 6 open on the bundle): none may cross without --preserve-fds.
    const extra = fs.openSync(b.dir, 'r');
    const errFile = path.join(tempDir(), 'err');
    const err = fs.openSync(errFile, 'w');
    try {
      // Output to files, not pipes: the container keeps them open.
      const r = spawnSync(HULL, ['--root', rt.root, 'create', '--bundle', b.dir, id], { env: cleanEnv(), stdio: ['ignore', err, err, extra, extra], timeout: 30000 });
      expect(r.error).toBeUndefined();
      expect(fs.readFileSync(errFile, 'utf8')).toBe('');
      const ex = rt.run(['exec', id, 'sh', '-c', LIST_FDS]);
      expect(ex.stdout).toMatch(/ 0 -> /);
      expect(foreignFds(ex.stdout)).toEqual([]);
    } finally {
      fs.closeSync(extra);
      fs.closeSync(err);
    }
    const st = rt.run(['start', id]);
    expect(st.status).toBe(0);
    // The container's process (sleep, pid 1) after start: 0-2 only.
    const ex2 = rt.run(['exec', id, 'ls', '-l', '/proc/1/fd']);
    expect(ex2.stdout).toMatch(/ 0 -> /);
    expect(foreignFds(ex2.stdout)).toEqual([]);
  }, 120_000);

  test('a cwd of /proc/self/fd/N in exec is refused or stays inside the container (no runtime fd to leak through)', () => {
    const rt = runtime();
    const marker = tempDir('hull-sec-cwd-');
    fs.writeFileSync(path.join(marker, 'HOST-MARKER'), 'host\n');
    fs.writeFileSync(path.join(rt.root, 'HOST-MARKER'), 'host\n');
    const b = makeBundle(undefined, ['sleep', '1000']);
    fs.writeFileSync(path.join(b.dir, 'HOST-MARKER'), 'host\n');
    const id = uniqueId('sec-cwdfd');
    expect(rt.run(['run', '-d', '--bundle', b.dir, id]).status).toBe(0);
    for (let n = 3; n <= 10; n++) {
      const r = spawnSync(HULL, ['--root', rt.root, 'exec', '--cwd', `/proc/self/fd/${n}`, id, 'sh', '-c', 'ls -a . .. ../.. 2>&1; cat HOST-MARKER ../HOST-MARKER 2>&1'], { cwd: marker, env: cleanEnv(), encoding: 'utf8', timeout: 20000, stdio: ['ignore', 'pipe', 'pipe'] });
      expect(r.error).toBeUndefined();
      expect(r.stdout + r.stderr).not.toContain('HOST-MARKER');
      expect(r.stdout).not.toContain('host\n');
    }
  }, 180_000);
});

describeRoot('uid 0 without capabilities', () => {
  test('cannot mount, mknod, load modules, change sysctls or write the host\'s /sys and /proc', () => {
    const rt = runtime();
    const host = hostSnapshot();
    const caps = { bounding: [], effective: [], permitted: [], inheritable: [], ambient: [] };
    const script = [
      'mount -t tmpfs t /tmp && echo mount-ok',
      'mknod /tmp/mem c 1 1 && echo mknod-ok',
      'echo 1 > /proc/sys/vm/overcommit_memory && echo procsys-ok',
      'echo 5 > /proc/sys/net/ipv4/tcp_keepalive_probes && echo netsys-ok',
      'echo x > /sys/kernel/uevent_helper && echo sys-ok',
      'hostname pwned && echo hostname-ok',
      'head -c 1 /dev/kmsg && echo kmsg-ok',
      'chroot / true && echo chroot-ok',
      'nsenter -t 1 -m true && echo nsenter-ok',
      'true',
    ].join('; ');
    const b = makeBundle((c) => {
      c.root.readonly = false;
      c.process.user = { uid: 0, gid: 0 };
      c.process.capabilities = caps;
    }, ['sh', '-c', `${script} 2>/dev/null; grep CapEff /proc/self/status`]);
    const r = rt.run(['run', '--bundle', b.dir, uniqueId('sec-nocaps')]);
    expect(r.stdout).toBe('CapEff:\t0000000000000000\n');
    expectHostUntouched(host);
  }, 120_000);
});

describeRoot('Node around the runtime', () => {
  test('NODE_OPTIONS in the runtime\'s or the container\'s environment and Node files in the rootfs run nothing in the runtime', () => {
    const rt = runtime();
    const hostMarker = path.join(tempDir('hull-sec-node-'), 'ran');
    const evil = path.join(path.dirname(hostMarker), 'evil.js');
    fs.writeFileSync(evil, `require('fs').writeFileSync(${JSON.stringify(hostMarker)}, 'runtime ' + process.argv.join(' ') + '\\n', { flag: 'a' });\n`);
    const b = makeBundle((c) => {
      c.root.readonly = false;
      c.process.env.push('NODE_OPTIONS=--require /evil.js', 'NODE_PATH=/node_modules');
      c.hooks = { startContainer: [{ path: '/bin/true', env: ['NODE_OPTIONS=--require /evil.js'] }] };
    }, ['sh', '-c', 'ls /ran* 2>/dev/null; true']);
    const rootfs = path.join(b.dir, 'rootfs');
    const payload = (tag: string) => `require('fs').writeFileSync('/ran-${tag}', '1');\n`;
    fs.writeFileSync(path.join(rootfs, 'evil.js'), payload('evil'));
    // Every file of the runtime, at its own path inside the rootfs: a require after pivot_root would load it.
    const walk = (d: string): string[] => fs.readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : e.name.endsWith('.js') ? [path.join(d, e.name)] : []));
    const shadowed = [
      ...walk(path.join(REPO, 'packages/runtime/lib')),
      ...walk(path.join(REPO, 'packages/sys/lib')),
      fs.realpathSync(path.join(REPO, 'packages/sys/node_modules/koffi/index.js')),
    ];
    for (const f of shadowed) {
      fs.mkdirSync(path.join(rootfs, path.dirname(f)), { recursive: true });
      fs.writeFileSync(path.join(rootfs, f), payload(path.basename(f, '.js')));
    }
    for (const d of ['node_modules/koffi', 'node_modules/yargs']) {
      fs.mkdirSync(path.join(rootfs, d), { recursive: true });
      fs.writeFileSync(path.join(rootfs, d, 'index.js'), payload(path.basename(d)));
    }
    fs.writeFileSync(path.join(rootfs, 'package.json'), '{"main": "evil.js"}\n');
    const env = { ...cleanEnv(), NODE_OPTIONS: `--require ${evil}`, NODE_PATH: path.dirname(evil) };
    const id = uniqueId('sec-nodeopts');
    const r = spawnSync(HULL, ['--root', rt.root, 'run', '--bundle', b.dir, id], { env, encoding: 'utf8', timeout: 30000 });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('');
    const ex = spawnSync(HULL, ['--root', rt.root, 'exec', id, 'true'], { env, encoding: 'utf8', timeout: 30000 });
    expect(ex.error).toBeUndefined();
    expect(fs.existsSync(hostMarker)).toBe(false);
    expect(fs.readdirSync(rootfs).filter((f) => f.startsWith('ran'))).toEqual([]);
  }, 120_000);
});
