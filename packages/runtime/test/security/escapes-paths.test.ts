// Escapes through paths in the rootfs: a mount destination raced with a
// symlink (4), /dev bound from the host (5), masks redirected by a symlinked
// /dev/null (7), /proc or /sys as a symlink (9), and static symlinks aimed
// at the host (the class that held).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { cleanupAll, type Config, hasRunc, itRunc, makeBundle, runtime, type Runtime, tempDir, uniqueId } from '../helpers';
import { attack } from './pending';
import { buildTool, expectHostUntouched, hostSnapshot, treeFacts } from './sec';

import { describeNeeds } from '@hull/testkit/jest';
import { missingCommand, missingRoot } from '@hull/testkit/host';

afterEach(cleanupAll);

const describeRoot = describeNeeds(missingRoot());
const RUNTIMES = (hasRunc ? ['hull', 'runc'] : ['hull']) as ('hull' | 'runc')[];

/** Mount points on the host at or below `dir`. */
function hostMountsUnder(dir: string): string[] {
  return fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').map((l) => l.split(' ')[4]).filter((m) => m && (m === dir || m.startsWith(dir + '/')));
}

describeRoot('mount destinations', () => {
  attack('mount-race', missingCommand('cc'))('escape 4: a second container swapping a directory and a symlink (RENAME_EXCHANGE) cannot send mounts outside the rootfs', () => {
    const rt = runtime();
    // The victim: a host directory, made a shared mount so that a mount landing in it in
    // the container's namespace propagates back (rootfsPropagation rshared), as on the host.
    const victim = tempDir('hull-sec-victim-');
    const N = 20;
    for (let i = 0; i < N; i++) fs.mkdirSync(path.join(victim, `m${i}`));
    expect(spawnSync('mount', ['--bind', victim, victim]).status).toBe(0);
    expect(spawnSync('mount', ['--make-shared', victim]).status).toBe(0);
    try {
      const host = hostSnapshot([victim]);
      const volume = tempDir('hull-sec-vol-');
      fs.mkdirSync(path.join(volume, 'dir'));
      for (let i = 0; i < N; i++) fs.mkdirSync(path.join(volume, 'dir', `m${i}`));
      fs.symlinkSync(victim, path.join(volume, 'link'));
      // The attacker: swaps /vol/dir and /vol/link as fast as it can.
      const a = makeBundle((c) => {
        c.mounts.push({ destination: '/vol', type: 'bind', source: volume, options: ['rbind', 'rw'] });
      }, ['/attack', 'race', '/vol/dir', '/vol/link', '60']);
      buildTool('attack', path.join(a.dir, 'rootfs'));
      const aid = uniqueId('sec-race-a');
      expect(rt.run(['run', '-d', '--bundle', a.dir, aid]).status).toBe(0);
      // The victim container: many mounts below the raced directory.
      const b = makeBundle((c) => {
        c.linux.rootfsPropagation = 'rshared';
        c.mounts.push({ destination: '/vol', type: 'bind', source: volume, options: ['rbind', 'rw'] });
        for (let i = 0; i < N; i++) c.mounts.push({ destination: `/vol/dir/m${i}`, type: 'tmpfs', source: 'tmpfs', options: ['size=64k'] });
      }, ['true']);
      let escaped: string[] = [];
      for (let round = 0; round < 15 && escaped.length === 0; round++) {
        const id = uniqueId('sec-race-b');
        rt.run(['create', '--bundle', b.dir, id]);
        escaped = hostMountsUnder(victim).filter((m) => m !== victim);
        rt.run(['delete', '--force', id]);
      }
      rt.run(['delete', '--force', aid]);
      expect(escaped).toEqual([]);
      expectHostUntouched(host);
    } finally {
      for (const m of hostMountsUnder(victim).reverse()) spawnSync('umount', ['-l', m]);
    }
  }, 180000);

  test.each(RUNTIMES)('static symlinks aimed at the host (absolute and ..) keep mounts and devices inside the rootfs (%s)', (name) => {
    const rt = runtime(name);
    const victim = tempDir('hull-sec-victim-');
    fs.writeFileSync(path.join(victim, 'precious'), 'host file\n');
    const host = hostSnapshot([victim]);
    const b = makeBundle((c) => {
      c.mounts.push({ destination: '/abs/m', type: 'tmpfs', source: 'tmpfs', options: ['size=64k'] });
      c.mounts.push({ destination: '/rel/m', type: 'tmpfs', source: 'tmpfs', options: ['size=64k'] });
      c.mounts.push({ destination: '/absfile', type: 'bind', source: '/etc/hostname', options: ['bind', 'ro'] });
      c.linux.devices = [{ path: '/devlink/evil-null', type: 'c', major: 1, minor: 3 }, { path: '/dev/../abs/evil-zero', type: 'c', major: 1, minor: 5 }];
    }, ['sh', '-c', 'grep -cE "^[0-9]+ [0-9]+ [0-9:]+ / /[^ ]*/m " /proc/self/mountinfo; ls /devlink/evil-null; ls /abs/evil-zero']);
    const rootfs = path.join(b.dir, 'rootfs');
    fs.symlinkSync(victim, path.join(rootfs, 'abs'));
    fs.symlinkSync('../../../../../../../../..' + victim, path.join(rootfs, 'rel'));
    fs.symlinkSync(victim, path.join(rootfs, 'devlink'));
    fs.symlinkSync(path.join(victim, 'precious'), path.join(rootfs, 'absfile'));
    const r = rt.run(['run', '--bundle', b.dir, uniqueId('sec-links')]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('2\n/devlink/evil-null\n/abs/evil-zero\n');
    expect(fs.readFileSync(path.join(victim, 'precious'), 'utf8')).toBe('host file\n');
    expectHostUntouched(host);
  }, 120_000);
});

/** A config binding `source` at /dev instead of the tmpfs, with devices listed. */
function devBindConfig(source: string) {
  return (c: Config) => {
    c.mounts = c.mounts.filter((m: { destination: string }) => !m.destination.startsWith('/dev'));
    c.mounts.push({ destination: '/dev', type: 'bind', source, options: ['rbind', 'rw'] });
    c.linux.devices = [{ path: '/dev/null', type: 'c', major: 1, minor: 3, uid: 1000, gid: 1000, fileMode: 0o666 }, { path: '/dev/kmsg', type: 'c', major: 1, minor: 11 }];
  };
}

describeRoot('/dev', () => {
  test.each(RUNTIMES)('escape 5: /dev bound from a host directory is not set up: no node made, removed, chowned or linked there (%s)', (name) => {
    const rt = runtime(name);
    const hostDev = tempDir('hull-sec-dev-');
    fs.writeFileSync(path.join(hostDev, 'null'), 'not a device\n', { mode: 0o600 });
    fs.writeFileSync(path.join(hostDev, 'ptmx'), 'not a device\n', { mode: 0o600 });
    const host = hostSnapshot([hostDev]);
    const b = makeBundle(devBindConfig(hostDev), ['true']);
    const r = rt.run(['run', '--bundle', b.dir, uniqueId('sec-devbind')]);
    // runc runs it; hull runs it too, or refuses the host's regular file as the container's /dev/null
    // (masks are made from it). Either way nothing is set up there.
    if (name === 'runc') expect(r.status).toBe(0);
    else if (r.status !== 0) expect(r.stderr).toMatch(/\/dev\/null is not the null device/);
    expect(treeFacts(hostDev)).toEqual(host.trees[hostDev]);
    expectHostUntouched(host);
  }, 120_000);
});

function maskBypass(rt: Runtime): string {
  const b = makeBundle((c) => {
    // No /dev tmpfs: /dev is the image's, where /dev/null links to a file masks must hide.
    c.mounts = c.mounts.filter((m: { destination: string }) => !m.destination.startsWith('/dev'));
  }, ['sh', '-c', 'for f in /proc/timer_list /proc/keys; do echo "$f $(head -c 4096 $f | wc -c)"; done']);
  const rootfs = path.join(b.dir, 'rootfs');
  fs.rmSync(path.join(rootfs, 'dev'), { recursive: true, force: true });
  fs.mkdirSync(path.join(rootfs, 'dev'));
  fs.symlinkSync('/proc/timer_list', path.join(rootfs, 'dev/null'));
  const r = rt.run(['run', '--bundle', b.dir, uniqueId('sec-mask')]);
  return r.stdout + r.stderr;
}

describeRoot('masked paths', () => {
  attack('mask-bypass')('escape 7: /dev/null in the image linked to /proc/timer_list does not unmask /proc/timer_list or /proc/keys', () => {
    const host = hostSnapshot();
    const out = maskBypass(runtime());
    // Refused, or every masked file reads empty.
    if (/\/proc\/timer_list \d+/.test(out)) {
      expect(out).toMatch(/\/proc\/timer_list 0\n/);
      expect(out).toMatch(/\/proc\/keys 0\n/);
    }
    expectHostUntouched(host);
  }, 120_000);

  itRunc('escape 7 against runc (proves the test)', () => {
    const out = maskBypass(runtime('runc'));
    if (/\/proc\/timer_list \d+/.test(out)) {
      expect(out).toMatch(/\/proc\/timer_list 0\n/);
      expect(out).toMatch(/\/proc\/keys 0\n/);
    }
  }, 120_000);
});

describeRoot('/proc and /sys in the rootfs', () => {
  test.each(RUNTIMES.flatMap((rt) => [[rt, 'proc', '/tmp/p'], [rt, 'proc', '/'], [rt, 'sys', '/tmp/s']]))('escape 9: %s refuses a /%s that is a symlink (to %s)', (name, dir, target) => {
    const rt = runtime(name as 'hull' | 'runc');
    const host = hostSnapshot();
    const b = makeBundle(undefined, ['true']);
    const rootfs = path.join(b.dir, 'rootfs');
    fs.rmSync(path.join(rootfs, dir), { recursive: true, force: true });
    fs.mkdirSync(path.join(rootfs, 'tmp', path.basename(target)), { recursive: true });
    fs.symlinkSync(target, path.join(rootfs, dir));
    const r = rt.run(['run', '--bundle', b.dir, uniqueId('sec-procln')]);
    expect(r.status).not.toBe(0);
    const fsName = dir === 'proc' ? 'proc' : 'sysfs';
    expect(r.stderr).toMatch(new RegExp(`filesystem \\\\?"${fsName}\\\\?" must be mounted on ordinary directory`));
    if (name === 'hull') expect(r.stderr).toMatch(/mounts\[\d+\]\.destination/);
    expectHostUntouched(host);
  }, 120_000);
});
