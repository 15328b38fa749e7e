import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { missingCommand } from '@hull/testkit/host';
import { itNeeds } from '@hull/testkit/jest';
import { CAPABILITIES } from './capabilities';
import { defaultSpec, features } from './defaults';
import { MOUNT_OPTIONS } from './mountOptions';
import { validateConfig } from './validate';

const fixture = (name: string): any => JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', name), 'utf8'));

/** runc's document with the two fields hull writes differently on purpose. */
function asHull(runc: any): any {
  return { ...runc, ociVersion: '1.3.0', hostname: 'hull' };
}

const itRunc = itNeeds(missingCommand('runc'));

describe('defaultSpec', () => {
  it('has the content of `runc spec` (fixture), but for ociVersion and hostname', () => {
    expect(defaultSpec()).toEqual(asHull(fixture('runc-spec.json')));
  });

  it('has the content of `runc spec --rootless` (fixture, made as root)', () => {
    expect(defaultSpec({ rootless: true, hostUid: 0, hostGid: 0 })).toEqual(asHull(fixture('runc-spec-rootless.json')));
  });

  it('keeps runc\'s key order, so `hull spec` output reads the same', () => {
    expect(Object.keys(defaultSpec())).toEqual(Object.keys(fixture('runc-spec.json')));
    expect(Object.keys(defaultSpec().linux!)).toEqual(Object.keys(fixture('runc-spec.json').linux));
    expect(Object.keys(defaultSpec({ rootless: true }).linux!)).toEqual(Object.keys(fixture('runc-spec-rootless.json').linux));
  });

  it('maps the given host ids with --rootless', () => {
    const spec = defaultSpec({ rootless: true, hostUid: 1000, hostGid: 1001 });
    expect(spec.linux?.uidMappings).toEqual([{ containerID: 0, hostID: 1000, size: 1 }]);
    expect(spec.linux?.gidMappings).toEqual([{ containerID: 0, hostID: 1001, size: 1 }]);
  });

  it('validates, plain and rootless', () => {
    expect(() => validateConfig(defaultSpec())).not.toThrow();
    expect(() => validateConfig(defaultSpec({ rootless: true }))).not.toThrow();
  });

  it('returns a fresh object each time', () => {
    const a = defaultSpec();
    a.process!.capabilities!.bounding!.push('CAP_SYS_ADMIN');
    expect(defaultSpec().process!.capabilities!.bounding).toHaveLength(3);
  });

  itRunc.each([[[]], [['--rootless']]])('matches what the installed runc writes now (%j)', (flags: string[]) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `hull-spec-defaults-${process.pid}-`));
    try {
      execFileSync('runc', ['spec', ...flags], { cwd: dir });
      const runc = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8'));
      const rootless = flags.length > 0;
      const ours = defaultSpec({ rootless, hostUid: process.geteuid?.(), hostGid: process.getegid?.() });
      expect(ours).toEqual(asHull(runc));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('features', () => {
  const runcLike = {
    cgroup: { v1: true, v2: true, systemd: true, systemdUser: true },
    seccomp: {},
    apparmor: true,
    selinux: true,
  };

  it('has the shape and key order of `runc features`', () => {
    const runc = fixture('runc-features.json');
    const ours = features({ ...runcLike, annotations: { 'org.example': 'x' } });
    expect(Object.keys(ours)).toEqual(Object.keys(runc));
    expect(Object.keys(ours.linux)).toEqual(Object.keys(runc.linux));
    expect(ours.linux.cgroup).toEqual(runc.linux.cgroup);
    expect(ours.hooks).toEqual(runc.hooks);
    expect(ours.linux.capabilities).toEqual(runc.linux.capabilities);
    expect(ours.linux.apparmor).toEqual(runc.linux.apparmor);
  });

  it('reports versions 1.0.0 to 1.3.0', () => {
    const f = features(runcLike);
    expect([f.ociVersionMin, f.ociVersionMax]).toEqual(['1.0.0', '1.3.0']);
  });

  it('lists every mount option runc lists, plus idmap and ridmap, sorted', () => {
    const runc: string[] = fixture('runc-features.json').mountOptions;
    const ours = features(runcLike).mountOptions;
    expect(ours).toEqual([...ours].sort());
    expect(ours.filter((o) => !runc.includes(o))).toEqual(['idmap', 'ridmap']);
    expect(runc.filter((o) => !ours.includes(o))).toEqual([]);
    expect(ours).toEqual(Object.keys(MOUNT_OPTIONS).sort());
  });

  it('lists the seccomp actions and operators runc lists, sorted, and more architectures', () => {
    const runc = fixture('runc-features.json').linux.seccomp;
    const ours = features(runcLike).linux.seccomp;
    expect(ours.enabled).toBe(true);
    expect(ours.actions).toEqual(runc.actions);
    expect(ours.operators).toEqual(runc.operators);
    expect(runc.archs.filter((a: string) => !ours.archs!.includes(a))).toEqual([]);
    expect(ours.archs).toEqual([...ours.archs!].sort());
  });

  it('says what the caller says is missing', () => {
    const f = features({
      ...runcLike,
      seccomp: false,
      apparmor: false,
      namespaces: ['pid', 'mount'],
      lastCap: 37,
      idmapMounts: false,
      netDevices: true,
      memoryPolicy: true,
      intelRdt: { enabled: false },
      potentiallyUnsafeConfigAnnotations: ['org.example.'],
    });
    expect(f.linux.seccomp).toEqual({ enabled: false });
    expect(f.linux.apparmor).toEqual({ enabled: false });
    expect(f.linux.namespaces).toEqual(['mount', 'pid']);
    expect(f.linux.capabilities).toEqual(CAPABILITIES.slice(0, 38));
    expect(f.linux.mountExtensions).toEqual({ idmap: { enabled: false } });
    expect(f.linux.netDevices).toEqual({ enabled: true });
    expect(f.linux.memoryPolicy?.modes).toContain('MPOL_BIND');
    expect(f.linux.intelRdt).toEqual({ enabled: false });
    expect(f.potentiallyUnsafeConfigAnnotations).toEqual(['org.example.']);
    expect(f.annotations).toBeUndefined();
  });

  it('serialises to JSON that round-trips', () => {
    const f = features(runcLike);
    expect(JSON.parse(JSON.stringify(f))).toEqual(f);
  });
});
