// Decisions made in the parent before anything exists: device rules and
// sysctls against the host's namespaces.
import type { Spec } from '../spec/types';
import { deviceRules } from './cgroup';
import { checkSysctlNamespaces } from './hostSupport';

const base = (linux: Spec['linux'], extra: Partial<Spec> = {}): Spec => ({ ociVersion: '1.0.2', linux, ...extra } as Spec);

describe('deviceRules (runc 1.1: the config\'s rules in order, then the defaults)', () => {
  it('adds no rule for linux.devices: a deny stays a deny', () => {
    const rules = deviceRules(base({ resources: { devices: [{ allow: false, access: 'rwm' }] }, devices: [{ path: '/dev/kmsg', type: 'c', major: 1, minor: 11 }] }));
    expect(rules[0]).toEqual({ allow: false, access: 'rwm' });
    expect(rules.some((r) => r.major === 1 && r.minor === 11)).toBe(false);
  });

  it('a device at a default node\'s path drops that default rule only', () => {
    const rules = deviceRules(base({ devices: [{ path: '/dev/null', type: 'c', major: 1, minor: 3 }] }));
    expect(rules.some((r) => r.major === 1 && r.minor === 3)).toBe(false);
    expect(rules.some((r) => r.major === 1 && r.minor === 5)).toBe(true);
    expect(rules.filter((r) => r.access === 'm')).toHaveLength(2);
  });
});

describe('sysctls in the host\'s namespaces', () => {
  const ns = (type: string, p?: string) => ({ type, path: p }) as { type: 'network'; path?: string };
  it('refuses net.* when the network namespace is the runtime\'s own, with runc\'s words', () => {
    expect(() => checkSysctlNamespaces(base({ namespaces: [ns('mount'), ns('network', '/proc/self/ns/net')], sysctl: { 'net.ipv4.ip_forward': '1' } })))
      .toThrow('linux.sysctl["net.ipv4.ip_forward"]: sysctl "net.ipv4.ip_forward" not allowed in host network namespace (linux.namespaces[1].path /proc/self/ns/net is the host\'s)');
  });
  it('refuses ipc sysctls and hostname with the host\'s ipc and uts namespaces', () => {
    expect(() => checkSysctlNamespaces(base({ namespaces: [ns('ipc', `/proc/${process.pid}/ns/ipc`)], sysctl: { 'fs.mqueue.msg_max': '10' } }))).toThrow(/not allowed in host ipc namespace/);
    expect(() => checkSysctlNamespaces(base({ namespaces: [ns('ipc', '/proc/self/ns/ipc')], sysctl: { 'kernel.shmmax': '10' } }))).toThrow(/kernel\.shmmax/);
    expect(() => checkSysctlNamespaces(base({ namespaces: [ns('uts', '/proc/self/ns/uts')] }, { hostname: 'x' }))).toThrow(/^hostname: /);
  });
  it('accepts new namespaces, other paths, and sysctls of other namespaces', () => {
    expect(() => checkSysctlNamespaces(base({ namespaces: [ns('network')], sysctl: { 'net.ipv4.ip_forward': '1' } }))).not.toThrow();
    expect(() => checkSysctlNamespaces(base({ namespaces: [ns('network', '/proc/self/ns/net'), ns('ipc')], sysctl: { 'kernel.msgmax': '10' } }))).not.toThrow();
    expect(() => checkSysctlNamespaces(base({ namespaces: [ns('network', '/nonexistent')], sysctl: { 'net.ipv4.ip_forward': '1' } }))).not.toThrow();
  });
});
