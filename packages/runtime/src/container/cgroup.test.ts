import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ContainerRecord } from '../state/store';
import { execCgroupProcs } from './cgroup';

describe('exec --cgroup', () => {
  let root: string;
  let rec: ContainerRecord;
  const dir = (...p: string[]) => path.join(root, ...p);
  const cgroup = (...p: string[]) => {
    fs.mkdirSync(dir(...p), { recursive: true });
    fs.writeFileSync(dir(...p, 'cgroup.procs'), '');
  };

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'hull-execcg-'));
    // cpu and cpuacct co-mounted (links to one directory), as on this host.
    cgroup('cpu,cpuacct', 'c1');
    fs.symlinkSync('cpu,cpuacct', dir('cpu'));
    fs.symlinkSync('cpu,cpuacct', dir('cpuacct'));
    for (const c of ['pids', 'memory']) cgroup(c, 'c1');
    rec = { id: 'c1', cgroupPaths: { cpu: dir('cpu', 'c1'), cpuacct: dir('cpuacct', 'c1'), pids: dir('pids', 'c1'), memory: dir('memory', 'c1') } } as unknown as ContainerRecord;
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('a bare path: the same sub-cgroup on every hierarchy, co-mounted ones once', () => {
    for (const c of ['cpu,cpuacct', 'pids', 'memory']) cgroup(c, 'c1', 'sub');
    expect(execCgroupProcs(rec, ['sub']).sort()).toEqual(
      [dir('cpu', 'c1', 'sub', 'cgroup.procs'), dir('pids', 'c1', 'sub', 'cgroup.procs'), dir('memory', 'c1', 'sub', 'cgroup.procs')].sort(),
    );
  });

  it('controller:path moves the named controllers (and what shares their hierarchy) only', () => {
    cgroup('pids', 'c1', 'p');
    cgroup('cpu,cpuacct', 'c1', 'q');
    const files = execCgroupProcs(rec, ['pids:p', 'cpuacct:q']);
    expect(files).toContain(dir('pids', 'c1', 'p', 'cgroup.procs'));
    expect(files).toContain(dir('cpu', 'c1', 'q', 'cgroup.procs'));
    expect(files).toContain(dir('memory', 'c1', 'cgroup.procs'));
    expect(files).toHaveLength(3);
  });

  it('refuses what runc refuses, and what would leave the container\'s cgroup, naming it', () => {
    cgroup('pids', 'c1', 'p');
    expect(() => execCgroupProcs(rec, ['a:b:c'])).toThrow('invalid --cgroup argument: a:b:c');
    expect(() => execCgroupProcs(rec, ['p', 'pids:p'])).toThrow('(missing <controller>: prefix)');
    expect(() => execCgroupProcs(rec, ['blkio:p'])).toThrow('the container has no blkio cgroup');
    expect(() => execCgroupProcs(rec, ['pids:../../x'])).toThrow('not a sub-cgroup');
    expect(() => execCgroupProcs(rec, ['pids:../c1x'])).toThrow('not a sub-cgroup');
    expect(() => execCgroupProcs(rec, ['pids:nope'])).toThrow(`no cgroup ${dir('pids', 'c1', 'nope')}`);
    expect(() => execCgroupProcs(rec, ['cpu:p', 'cpuacct:q'])).toThrow('share one hierarchy');
  });
});
