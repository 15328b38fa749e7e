// The init's program compiled from configs, read as its listing: the order of
// the steps and the decisions the compiler takes. No root needed.
import { silentLogger } from '../log';
import { defaultSpec } from '../spec/defaults';
import type { Spec } from '../spec/types';
import { compileInit } from './init';

function compile(edit: (s: Spec) => void = () => {}): string[] {
  const spec = defaultSpec();
  spec.process!.terminal = false;
  edit(spec);
  const b = compileInit({
    id: 'c1', rootfs: '/bundle/rootfs', bundle: '/bundle', spec, noPivot: false, noNewKeyring: false,
    cgroupDirs: { '': '/sys/fs/cgroup/c1' }, userns: false, hostMountNs: false,
    fds: { fifo: 4, cgroupProcs: [5], join: new Map() }, preserveFds: 0, premadeIndexes: [],
    state: { ociVersion: '1.2.0', id: 'c1', status: 'creating', pid: 42, bundle: '/bundle' }, log: silentLogger,
  });
  return b.listing().split('\n').map((l) => l.slice(4).replace(/\s+/, ' '));
}

const before = (list: string[], a: string, b: string) => list.findIndex((l) => l.includes(a)) < list.findIndex((l) => l.includes(b));

describe('compileInit', () => {
  it('orders the steps as the spec and runc do', () => {
    const list = compile((s) => {
      s.hooks = { createContainer: [{ path: '/bin/cc' }], startContainer: [{ path: '/bin/sc' }] };
      s.process!.user = { uid: 1000, gid: 1000 };
    });
    expect(list[0]).toBe('prctl set non-dumpable');
    for (const [a, b] of [
      ['unshare namespaces', 'mount proc on /proc'],
      ['mount proc on /proc', 'report mounts'],
      ['wait for the runtime', 'createContainer hook [0] /bin/cc'],
      ['createContainer hook [0]', 'pivot_root /bundle/rootfs'],
      ['pivot_root', 'mask /proc/kcore'],
      ['mask /proc/kcore', 'lookup exec'],
      ['join the container\'s cgroup', 'setuid 1000'],
      ['setuid 1000', 'report ready'],
      ['report ready', 'wait for start'],
      // startContainer hooks run with the container's credentials, after start.
      ['wait for start', 'startContainer hook [0] /bin/sc'],
    ]) expect({ a, b, before: before(list, a, b) }).toEqual({ a, b, before: true });
    expect(list[list.length - 1]).toBe('exec exec');
  });

  it('mounts proc and sysfs only on an ordinary directory (no symlink on the way)', () => {
    const list = compile();
    expect(list).toContain('resolve mount proc on /proc');
  });

  it('makes no device over a /dev bound from the host', () => {
    const bound = compile((s) => {
      s.mounts = s.mounts!.map((m) => (m.destination === '/dev' ? { destination: '/dev', type: 'bind', source: '/tmp', options: ['rbind'] } : m));
      s.linux!.devices = [{ path: '/dev/kmsg', type: 'c', major: 1, minor: 11 }];
    });
    expect(bound.filter((l) => l.startsWith('mknod') || l.startsWith('symlink'))).toEqual([]);
    const tmpfs = compile((s) => (s.linux!.devices = [{ path: '/dev/kmsg', type: 'c', major: 1, minor: 11 }]));
    expect(tmpfs).toContain('mknod linux.devices: mknod /dev/kmsg');
    expect(tmpfs).toContain('mknod linux.devices: mknod /dev/null');
  });

  it('remounts a read-only /dev after its devices, as runc', () => {
    const list = compile((s) => s.mounts!.find((m) => m.destination === '/dev')!.options!.push('ro'));
    expect(before(list, 'mknod /dev/null', 'remount /dev read-only')).toBe(true);
  });

  it('without a process, create succeeds and start fails', () => {
    const list = compile((s) => delete s.process);
    expect(list.slice(-1)).toEqual(['fail process: is required to start the container']);
  });
});
