// mounts, rootfsPropagation, maskedPaths, readonlyPaths, linux.devices and
// the default /dev, each asserted from inside a busybox container; the same
// body runs with hull and with runc (the reference) unless a comment says why not.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { missingRoot } from '@hull/testkit/host';
import { describeNeeds } from '@hull/testkit/jest';
import { HULL, cleanEnv, cleanupAll, hasRunc, makeBundle, runtime, tempDir, uniqueId, type Config, type Runtime } from './helpers';

const RUNTIMES = (hasRunc ? ['hull', 'runc'] : ['hull']) as ('hull' | 'runc')[];
const describeRoot = describeNeeds(missingRoot());

// Host mounts made by a test, undone even when it fails.
const hostMounts: string[] = [];
afterEach(() => {
  for (const m of hostMounts.splice(0).reverse()) spawnSync('umount', ['-l', m]);
  cleanupAll();
});

function runScript(name: 'hull' | 'runc', script: string, edit?: (c: Config) => void) {
  const rt = runtime(name);
  const b = makeBundle((c) => {
    c.root.readonly = false;
    edit?.(c);
  }, ['sh', '-c', script]);
  const r = rt.run(['run', '--bundle', b.dir, uniqueId()]);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, bundle: b };
}

/** `run -d` with stdio on a file: the container keeps its stdio, and spawnSync would wait for pipes to close. */
function runDetached(rt: Runtime, args: string[]): { status: number | null; output: string } {
  const file = path.join(tempDir(), 'stdio');
  const fd = fs.openSync(file, 'w+');
  try {
    const r = rt.run(args, { stdio: ['ignore', fd, fd] });
    return { status: r.status, output: fs.readFileSync(file, 'utf8') };
  } finally {
    fs.closeSync(fd);
  }
}

function mountHost(args: string[]): void {
  const target = args[args.length - 1];
  const r = spawnSync('mount', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`mount ${args.join(' ')}: ${r.stderr}`);
  hostMounts.push(target);
}

/** mountinfo as seen inside, keyed by mount point: { opts: per-mount options, optional: shared:/master: tags, fsType, super: superblock options }. */
function parseMountinfo(text: string): Map<string, { opts: string[]; optional: string[]; fsType: string; super: string[] }> {
  const out = new Map<string, { opts: string[]; optional: string[]; fsType: string; super: string[] }>();
  for (const line of text.split('\n')) {
    const f = line.split(' ');
    const sep = f.indexOf('-');
    if (f.length < 10 || sep < 0) continue;
    out.set(f[4], { opts: f[5].split(','), optional: f.slice(6, sep), fsType: f[sep + 1], super: (f[sep + 3] ?? '').split(',') });
  }
  return out;
}

const MOUNTINFO = 'echo ===; cat /proc/1/mountinfo';
function mountinfoOf(stdout: string) {
  return parseMountinfo(stdout.slice(stdout.indexOf('===\n') + 4));
}

describeRoot.each(RUNTIMES)('mounts (%s)', (name) => {
  it('proc on /proc is a proc of the container\'s pid namespace', () => {
    const r = runScript(name, `ls /proc | grep -E '^[0-9]+$' | wc -l; ${MOUNTINFO}`);
    expect(r.stderr).toBe('');
    // sh, ls, grep and wc: nothing of the host's processes.
    expect(Number(r.stdout.split('\n')[0])).toBeLessThanOrEqual(4);
    expect(mountinfoOf(r.stdout).get('/proc')?.fsType).toBe('proc');
  });

  it('tmpfs with size, mode, nosuid, nodev, noexec', () => {
    const r = runScript(name, `stat -c %a /tmp /new-tmpfs; cp /bin/busybox /new-tmpfs/bb; /new-tmpfs/bb true || echo noexec-ok; df -k /new-tmpfs | tail -1; ${MOUNTINFO}`, (c) => {
      c.mounts.push({ destination: '/new-tmpfs', type: 'tmpfs', source: 'tmpfs', options: ['size=2m', 'mode=710', 'nosuid', 'nodev', 'noexec'] });
      c.mounts.push({ destination: '/tmp', type: 'tmpfs', source: 'tmpfs', options: ['mode=710'] });
    });
    const lines = r.stdout.split('\n');
    // runc 1.1.5 gives a tmpfs the mode of the directory it covers (/tmp is 1777 in the image),
    // overriding mode=; the spec passes options to mount(2) as they are: hull honours mode=.
    expect(lines[0]).toBe(name === 'runc' ? '1777' : '710');
    expect(lines[1]).toBe('710');
    expect(r.stdout).toContain('noexec-ok');
    expect(lines.find((l) => l.endsWith('/new-tmpfs'))).toMatch(/^tmpfs\s+2048\s/);
    const m = mountinfoOf(r.stdout).get('/new-tmpfs');
    expect(m?.fsType).toBe('tmpfs');
    expect(m?.opts).toEqual(expect.arrayContaining(['rw', 'nosuid', 'nodev', 'noexec']));
    expect(m?.super).toEqual(expect.arrayContaining(['size=2048k', 'mode=710']));
  });

  it('bind with ro, nosuid, nodev, noexec: the flags hold and the host directory is what is seen', () => {
    const host = tempDir();
    fs.writeFileSync(path.join(host, 'hello'), 'from host\n');
    const r = runScript(name, `cat /in/hello; touch /in/new 2>&1; ${MOUNTINFO}`, (c) => {
      c.mounts.push({ destination: '/in', type: 'bind', source: host, options: ['bind', 'ro', 'nosuid', 'nodev', 'noexec'] });
    });
    expect(r.stdout).toMatch(/^from host\ntouch: \/in\/new: Read-only file system\n/);
    expect(mountinfoOf(r.stdout).get('/in')?.opts).toEqual(expect.arrayContaining(['ro', 'nosuid', 'nodev', 'noexec']));
    expect(fs.existsSync(path.join(host, 'new'))).toBe(false);
  });

  it('a writable bind of a file', () => {
    const host = tempDir();
    const file = path.join(host, 'file');
    fs.writeFileSync(file, 'one\n');
    const r = runScript(name, 'cat /etc/bound; echo two >> /etc/bound', (c) => {
      c.mounts.push({ destination: '/etc/bound', type: 'bind', source: file, options: ['bind'] });
    });
    expect(r.stdout).toBe('one\n');
    expect(fs.readFileSync(file, 'utf8')).toBe('one\ntwo\n');
  });

  it('a relative bind source is relative to the bundle, whatever the caller\'s cwd', () => {
    const rt = runtime(name);
    const b = makeBundle((c) => c.mounts.push({ destination: '/rel', type: 'bind', source: 'data/dir', options: ['bind', 'ro'] }), ['cat', '/rel/f']);
    fs.mkdirSync(path.join(b.dir, 'data/dir'), { recursive: true });
    fs.writeFileSync(path.join(b.dir, 'data/dir/f'), 'from the bundle\n');
    const r = spawnSync(name === 'hull' ? HULL : 'runc', ['--root', rt.root, 'run', '--bundle', b.dir, uniqueId()], { encoding: 'utf8', env: cleanEnv(), cwd: os.tmpdir() });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('from the bundle\n');
  });

  it('bind does not carry submounts, rbind does; ro on rbind leaves submounts writable, rro makes them read-only', () => {
    const host = tempDir();
    fs.mkdirSync(path.join(host, 'sub'));
    mountHost(['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', path.join(host, 'sub')]);
    fs.writeFileSync(path.join(host, 'sub/marker'), 'sub\n');
    const script = `for d in bind rbind ro rro; do cat /$d/sub/marker 2>/dev/null || echo "$d: no marker"; touch /$d/sub/w 2>/dev/null && echo "$d: sub writable" || echo "$d: sub read-only"; done; ${MOUNTINFO}`;
    const r = runScript(name, script, (c) => {
      c.mounts.push(
        { destination: '/bind', type: 'bind', source: host, options: ['bind'] },
        { destination: '/rbind', type: 'bind', source: host, options: ['rbind'] },
        { destination: '/ro', type: 'bind', source: host, options: ['rbind', 'ro'] },
        { destination: '/rro', type: 'bind', source: host, options: ['rbind', 'rro'] },
      );
    });
    expect(r.stderr).toBe('');
    const out = r.stdout.slice(0, r.stdout.indexOf('==='));
    expect(out).toBe([
      'bind: no marker', 'bind: sub writable', // the host's empty directory under its submount
      'sub', 'rbind: sub writable',
      'sub', 'ro: sub writable',
      'sub', 'rro: sub read-only',
    ].join('\n') + '\n');
    const mi = mountinfoOf(r.stdout);
    expect(mi.get('/ro')?.opts).toContain('ro');
    expect(mi.get('/ro/sub')?.opts).toContain('rw');
    expect(mi.get('/rro')?.opts).toContain('ro');
    expect(mi.get('/rro/sub')?.opts).toContain('ro');
    expect(mi.has('/bind/sub')).toBe(false);
  });

  it.each([
    ['private', []],
    ['rprivate', []],
    // The rootfs is rslave by default: a mount made shared in it stays a slave of the host too.
    ['shared', ['shared:', 'master:']],
    ['rshared', ['shared:', 'master:']],
    ['slave', ['master:']],
    ['rslave', ['master:']],
    ['unbindable', ['unbindable']],
  ])('bind propagation %s', (prop, tags) => {
    const host = tempDir();
    // The source must be a shared mount for a slave to have a master.
    mountHost(['--bind', host, host]);
    mountHost(['--make-shared', host]);
    const r = runScript(name, MOUNTINFO, (c) => {
      c.mounts.push({ destination: '/p', type: 'bind', source: host, options: ['rbind', prop] });
    });
    const optional = mountinfoOf(r.stdout).get('/p')?.optional ?? ['(no mount)'];
    expect(optional.map((t) => t.replace(/\d+$/, ''))).toEqual(tags);
  });

  it('a symlink in the rootfs used as a destination resolves inside the rootfs, never on the host', () => {
    const hostDir = tempDir('hull-host-target-');
    const rel = path.relative('/', hostDir);
    // A host file a link points at, and the file a bind mount brings.
    const hostFileDir = tempDir('hull-host-file-');
    fs.writeFileSync(path.join(hostFileDir, 'target'), 'host original\n');
    const source = path.join(tempDir(), 'source');
    fs.writeFileSync(source, 'bound\n');
    const b = makeBundle((c) => {
      c.root.readonly = false;
      c.mounts.push(
        { destination: '/evil', type: 'tmpfs', source: 'tmpfs', options: ['size=1m'] },
        { destination: '/evil2/sub', type: 'tmpfs', source: 'tmpfs', options: ['size=1m'] },
        { destination: '/evilfile', type: 'bind', source, options: ['bind'] },
      );
    }, ['sh', '-c', `echo inside > /evil/x; echo inside > /evil2/sub/y; ls /${rel} /${rel}/sub; cat /evilfile; ${MOUNTINFO}`]);
    fs.symlinkSync(path.join(hostFileDir, 'target'), path.join(b.dir, 'rootfs/evilfile'));
    fs.symlinkSync(hostDir, path.join(b.dir, 'rootfs/evil'));
    // A relative link that climbs far above the rootfs: ".." stops at the container's "/".
    fs.symlinkSync('../../../../../../../../..' + hostDir, path.join(b.dir, 'rootfs/evil2'));
    const rt = runtime(name);
    const run = rt.run(['run', '--bundle', b.dir, uniqueId()]);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    // Both landed inside the rootfs, at the link's target taken as a container path.
    expect(run.stdout.slice(0, run.stdout.indexOf('==='))).toBe(`/${rel}:\nsub\nx\n\n/${rel}/sub:\ny\nbound\n`);
    expect(fs.readdirSync(hostDir)).toEqual([]);
    expect(fs.readFileSync(path.join(hostFileDir, 'target'), 'utf8')).toBe('host original\n');
    expect(fs.readFileSync(path.join(b.dir, 'rootfs', hostFileDir, 'target'), 'utf8')).toBe('');
    expect(fs.existsSync(path.join(b.dir, 'rootfs', rel))).toBe(true);
    const mi = mountinfoOf(run.stdout);
    expect(mi.get(`/${rel}`)?.fsType).toBe('tmpfs');
    expect(fs.readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain(hostDir);
    expect(fs.readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain(hostFileDir);
  });

  it('rootfsPropagation: a mount made on the host under a bind source appears inside with rslave and rshared, not with rprivate', () => {
    // Host dir shared; each container binds it (rbind); a tmpfs mounted on the host afterwards
    // propagates into the slave, not into the private one.
    const host = tempDir();
    fs.mkdirSync(path.join(host, 'later'));
    mountHost(['--bind', host, host]);
    mountHost(['--make-shared', host]);
    const results: Record<string, string> = {};
    for (const prop of ['rslave', 'rshared', 'rprivate']) {
      const rt = runtime(name);
      const id = uniqueId();
      const b = makeBundle((c) => {
        c.linux.rootfsPropagation = prop;
        c.mounts.push({ destination: '/h', type: 'bind', source: host, options: ['rbind'] });
      }, ['sleep', '100']);
      expect(runDetached(rt, ['run', '-d', '--bundle', b.dir, id])).toEqual({ status: 0, output: '' });
      const pid = JSON.parse(rt.run(['state', id]).stdout).pid;
      mountHost(['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', path.join(host, 'later')]);
      results[prop] = fs.readFileSync(`/proc/${pid}/mountinfo`, 'utf8').includes(' /h/later ') ? 'propagated' : 'not propagated';
      spawnSync('umount', [path.join(host, 'later')]);
      hostMounts.pop();
    }
    expect(results).toEqual({ rslave: 'propagated', rshared: 'propagated', rprivate: 'not propagated' });
  });

  it('maskedPaths: a file reads empty, a directory is an empty read-only tmpfs, a missing path is ignored', () => {
    // (/proc/kcore, the usual masked file, does not exist on this host's kernel)
    const b = makeBundle((c) => {
      c.root.readonly = false;
      c.linux.maskedPaths = ['/etc/secret', '/secrets', '/does/not/exist'];
    }, ['sh', '-c', 'cat /etc/secret; echo "[$(ls -A /secrets)]"; touch /secrets/x 2>&1; wc -c < /etc/secret; cat /etc/passwd | wc -l']);
    fs.writeFileSync(path.join(b.dir, 'rootfs/etc/secret'), 'password\n');
    fs.mkdirSync(path.join(b.dir, 'rootfs/secrets'));
    fs.writeFileSync(path.join(b.dir, 'rootfs/secrets/key'), 'k\n');
    const run = runtime(name).run(['run', '--bundle', b.dir, uniqueId()]);
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe('[]\ntouch: /secrets/x: Read-only file system\n0\n3\n');
    // The image itself is untouched.
    expect(fs.readFileSync(path.join(b.dir, 'rootfs/etc/secret'), 'utf8')).toBe('password\n');
    expect(run.status).toBe(0);
  });

  it('readonlyPaths: the path and what is below it are read-only, the rest is not', () => {
    const r = runScript(name, 'touch /etc/x 2>&1; mkdir -p /etc/d 2>&1; (echo 1 > /proc/sys/kernel/domainname) 2>&1; touch /root/ok && echo root-writable', (c) => {
      c.linux.readonlyPaths = ['/etc', '/proc/sys', '/missing/path'];
    });
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^touch: \/etc\/x: Read-only file system\nmkdir: can't create directory '\/etc\/d': Read-only file system\n.*Read-only file system\nroot-writable\n$/);
  });

  it('linux.devices: char devices with fileMode, uid and gid (in a new subdirectory too), a block device, a fifo', () => {
    const r = runScript(name, 'stat -c "%F %t:%T %a %u:%g" /dev/mynull /dev/sub/myzero /dev/myblk /dev/myfifo; head -c 3 /dev/sub/myzero | wc -c; echo x > /dev/mynull', (c) => {
      c.linux.devices = [
        { path: '/dev/mynull', type: 'c', major: 1, minor: 3, fileMode: 0o640, uid: 1, gid: 2 },
        { path: '/dev/sub/myzero', type: 'c', major: 1, minor: 5, fileMode: 0o600, uid: 0, gid: 0 },
        { path: '/dev/myblk', type: 'b', major: 7, minor: 0, fileMode: 0o660, gid: 6 },
        { path: '/dev/myfifo', type: 'p', fileMode: 0o600 },
      ];
      c.linux.resources.devices.push({ allow: true, type: 'c', major: 1, minor: 3, access: 'rwm' }, { allow: true, type: 'c', major: 1, minor: 5, access: 'rwm' });
    });
    expect(r.stdout).toBe('character special file 1:3 640 1:2\ncharacter special file 1:5 600 0:0\nblock special file 7:0 660 0:6\nfifo 0:0 600 0:0\n3\n');
    // root without CAP_DAC_OVERRIDE (not in the default set) may not write a 0640 node owned by uid 1.
    expect(r.stderr).toMatch(/can't create \/dev\/mynull: Permission denied/);
  });

  it('the default devices and /dev symlinks', () => {
    const devs = ['null', 'zero', 'full', 'random', 'urandom', 'tty'];
    const r = runScript(name, `stat -c "%n %F %t:%T %a" ${devs.map((d) => '/dev/' + d).join(' ')}; for l in fd stdin stdout stderr ptmx; do echo "$l -> $(readlink /dev/$l)"; done; ls /dev/pts; echo x > /dev/null && head -c 4 /dev/zero | od -An -tx1`);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe([
      '/dev/null character special file 1:3 666',
      '/dev/zero character special file 1:5 666',
      '/dev/full character special file 1:7 666',
      '/dev/random character special file 1:8 666',
      '/dev/urandom character special file 1:9 666',
      '/dev/tty character special file 5:0 666',
      'fd -> /proc/self/fd',
      'stdin -> /proc/self/fd/0',
      'stdout -> /proc/self/fd/1',
      'stderr -> /proc/self/fd/2',
      'ptmx -> pts/ptmx',
      'ptmx',
      ' 00 00 00 00',
    ].join('\n') + '\n');
  });
});
