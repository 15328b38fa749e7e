// What checkpoint/restore hand to criu, without criu: the error quoted from
// its log, the mounts marked external, the flags. No root needed.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { commonArgs, criuLogError, externalMounts } from '../src/container/checkpoint';
import type { Spec } from '../src/spec/types';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'hull-criu-'));
  dirs.push(d);
  return d;
}

describe('criuLogError', () => {
  it('quotes the first error that says why, without criu\'s prefix; helper exit lines are not the cause', () => {
    const log = path.join(tmp(), 'dump.log');
    fs.writeFileSync(
      log,
      [
        '(00.000001) Version: 3.17.1',
        '(00.352886) Error (criu/util.c:642): exited, status=1',
        '(00.457571) Error (criu/vdso.c:381): vdso: Unexpected rt vDSO area bounds',
        '(00.457574) Error (criu/vdso.c:613): vdso: Failed to fill self vdso symtable',
      ].join('\n'),
    );
    expect(criuLogError(log)).toBe('vdso: Unexpected rt vDSO area bounds');
  });

  it('falls back to a helper\'s exit when that is all there is, and to nothing without a log', () => {
    const log = path.join(tmp(), 'dump.log');
    fs.writeFileSync(log, '(00.1) Error (criu/util.c:642): exited, status=3\n');
    expect(criuLogError(log)).toBe('exited, status=3');
    expect(criuLogError(path.join(tmp(), 'missing.log'))).toBeUndefined();
  });
});

describe('commonArgs', () => {
  it('validates the cgroup mode and empty namespaces as runc does', () => {
    expect(commonArgs({ imagePath: '/x' })).toContain('--manage-cgroups');
    expect(commonArgs({ imagePath: '/x', manageCgroupsMode: 'full' })).toContain('--manage-cgroups=full');
    expect(() => commonArgs({ imagePath: '/x', manageCgroupsMode: 'hard' })).toThrow('invalid --manage-cgroups-mode value "hard"');
    expect(() => commonArgs({ imagePath: '/x', emptyNs: ['pid'] })).toThrow('--empty-ns: namespace "pid" is not supported');
    const all = commonArgs({ imagePath: '/x', shellJob: true, tcpEstablished: true, extUnixSk: true, fileLocks: true, autoDedup: true, lazyPages: true });
    for (const f of ['--shell-job', '--tcp-established', '--ext-unix-sk', '--file-locks', '--auto-dedup', '--lazy-pages']) expect(all).toContain(f);
    // runc: criu always recreates the network namespace empty.
    expect(all.join(' ')).toContain('--empty-ns net');
  });
});

describe('externalMounts', () => {
  it('binds, the cgroup view and device nodes; a symlinked destination resolves inside the rootfs', () => {
    const rootfs = tmp();
    fs.mkdirSync(path.join(rootfs, 'real'));
    fs.symlinkSync('/real', path.join(rootfs, 'link'));
    const spec = {
      ociVersion: '1.0.0',
      root: { path: rootfs },
      mounts: [
        { destination: '/proc', type: 'proc', source: 'proc' },
        { destination: '/data', type: 'bind', source: '/srv/data', options: ['rbind'] },
        { destination: '/link/x', source: '/srv/x', options: ['bind', 'ro'] },
        { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup' },
      ],
      linux: { devices: [{ path: '/dev/fuse', type: 'c', major: 10, minor: 229 }] },
    } as Spec;
    const v1 = externalMounts(spec, rootfs, { memory: '/sys/fs/cgroup/memory/c1', 'cpu,cpuacct': '/sys/fs/cgroup/cpu,cpuacct/c1' });
    expect(v1).toEqual(
      expect.arrayContaining([
        { dest: '/data', source: '/srv/data' },
        { dest: '/real/x', source: '/srv/x' },
        { dest: '/sys/fs/cgroup/memory', source: '/sys/fs/cgroup/memory/c1' },
        { dest: '/sys/fs/cgroup/cpu,cpuacct', source: '/sys/fs/cgroup/cpu,cpuacct/c1' },
        { dest: '/dev/null', source: '/dev/null' },
        { dest: '/dev/fuse', source: '/dev/fuse' },
      ]),
    );
    expect(v1.some((m) => m.dest === '/proc')).toBe(false);
    // v2: the container's directory is the view itself.
    const v2 = externalMounts(spec, rootfs, { '': '/sys/fs/cgroup/c1' });
    expect(v2).toContainEqual({ dest: '/sys/fs/cgroup', source: '/sys/fs/cgroup/c1' });
  });
});
