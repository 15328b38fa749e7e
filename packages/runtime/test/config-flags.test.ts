// create's flags that shape the container: --preserve-fds, --no-pivot and
// --pid-file, asserted from inside the container and from the host, with
// hull and runc (the reference) on the same bundle.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { missingRoot } from '@hull/testkit/host';
import { describeNeeds } from '@hull/testkit/jest';
import { HULL, cleanEnv, cleanupAll, hasRunc, leftovers, makeBundle, runtime, tempDir, uniqueId } from './helpers';

afterEach(cleanupAll);

const RUNTIMES = (hasRunc ? ['hull', 'runc'] : ['hull']) as ('hull' | 'runc')[];
const describeRoot = describeNeeds(missingRoot());

describeRoot.each(RUNTIMES)('create flags (%s)', (name) => {
  it('without --preserve-fds only 0, 1 and 2 reach the process, whatever the caller has open', () => {
    const rt = runtime(name);
    const dir = tempDir();
    const extra = fs.openSync(path.join(dir, 'extra'), 'w');
    try {
      const b = makeBundle(undefined, ['ls', '/proc/self/fd']);
      // ls itself opens one directory fd: 3.
      const r = spawnSync(name === 'hull' ? HULL : 'runc', ['--root', rt.root, 'run', '--bundle', b.dir, uniqueId()], {
        encoding: 'utf8', env: cleanEnv(), stdio: ['pipe', 'pipe', 'pipe', extra, extra],
      });
      expect(r.stderr).toBe('');
      expect(r.stdout.split('\n').filter(Boolean)).toEqual(['0', '1', '2', '3']);
    } finally {
      fs.closeSync(extra);
    }
  });

  it('--preserve-fds 2 passes fds 3 and 4 and nothing above them', () => {
    const rt = runtime(name);
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'in'), 'three\n');
    const fd3 = fs.openSync(path.join(dir, 'in'), 'r');
    const fd4 = fs.openSync(path.join(dir, 'out'), 'w');
    const fd5 = fs.openSync(path.join(dir, 'not-passed'), 'w');
    try {
      // ls opens its directory at the lowest free fd: 5 unless the caller's fd 5 leaked in.
      const b = makeBundle(undefined, ['sh', '-c', 'ls /proc/self/fd; cat <&3; echo four >&4']);
      const r = spawnSync(name === 'hull' ? HULL : 'runc', ['--root', rt.root, 'run', '--preserve-fds', '2', '--bundle', b.dir, uniqueId()], {
        encoding: 'utf8', env: cleanEnv(), stdio: ['pipe', 'pipe', 'pipe', fd3, fd4, fd5],
      });
      expect(r.stderr).toBe('');
      expect(r.stdout).toBe('0\n1\n2\n3\n4\n5\nthree\n');
      expect(fs.readFileSync(path.join(dir, 'out'), 'utf8')).toBe('four\n');
    } finally {
      for (const fd of [fd3, fd4, fd5]) fs.closeSync(fd);
    }
  });

  it('--no-pivot: the rootfs is / (moved and chrooted) and the process runs normally', () => {
    const rt = runtime(name);
    const b = makeBundle((c) => (c.root.readonly = false), ['sh', '-c', 'ls /; echo ok > /marker; awk \'$5 == "/" {print "root:" $4}\' /proc/1/mountinfo']);
    const id = uniqueId();
    const r = rt.run(['run', '--no-pivot', '--bundle', b.dir, id]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^bin\n(.*\n)*etc\n(.*\n)*proc\n/);
    expect(fs.readFileSync(path.join(b.dir, 'rootfs/marker'), 'utf8')).toBe('ok\n');
    expect(r.stdout).toContain(`root:${path.join(b.dir, 'rootfs')}\n`);
    expect(leftovers(id, b.dir)).toEqual([]);
  });

  it('--pid-file (relative to the caller\'s cwd) holds the host pid of the container process', () => {
    const rt = runtime(name);
    const dir = tempDir();
    const b = makeBundle(undefined, ['sleep', '1000']);
    const id = uniqueId();
    const bin = name === 'hull' ? HULL : 'runc';
    // stdio on a file: the container keeps it open, and spawnSync would wait for pipes to close.
    const out = fs.openSync(path.join(dir, 'stdio'), 'w');
    const r = spawnSync(bin, ['--root', rt.root, 'run', '-d', '--pid-file', 'sub.pid', '--bundle', b.dir, id], { env: cleanEnv(), cwd: dir, stdio: ['ignore', out, out] });
    fs.closeSync(out);
    expect(fs.readFileSync(path.join(dir, 'stdio'), 'utf8')).toBe('');
    expect(r.status).toBe(0);
    const text = fs.readFileSync(path.join(dir, 'sub.pid'), 'utf8');
    expect(text).toMatch(/^\d+$/);
    const pid = Number(text);
    expect(JSON.parse(rt.run(['state', id]).stdout).pid).toBe(pid);
    expect(fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8')).toBe('sleep\u00001000\u0000');
    // It is PID 1 of its own pid namespace.
    expect(fs.readFileSync(`/proc/${pid}/status`, 'utf8')).toMatch(/^NSpid:\s+\d+\s+1$/m);
  });
});
