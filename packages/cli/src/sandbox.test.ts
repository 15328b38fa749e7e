import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkSandboxFlags, seedPath } from './sandbox';

describe('seedPath: a volume destination inside the rootfs', () => {
  let root: string;
  beforeAll(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'hullctl-seed-'));
    fs.mkdirSync(path.join(root, 'var/lib/data'), { recursive: true });
    fs.symlinkSync('/var/lib', path.join(root, 'lib-abs'));
    fs.symlinkSync('../../../../..', path.join(root, 'var/lib/data/up'));
    fs.symlinkSync('/etc', path.join(root, 'etc-link'));
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it('follows links as the container would see them, never out of the rootfs', () => {
    expect(seedPath(root, '/var/lib/data')).toBe(path.join(root, 'var/lib/data'));
    expect(seedPath(root, '/lib-abs/data')).toBe(path.join(root, 'var/lib/data'));
    // ".." past the root stays at the root, as in a chroot: this is <root>/var.
    expect(seedPath(root, '/var/lib/data/up/var')).toBe(path.join(root, 'var'));
    // /etc does not exist in this rootfs: the host's /etc is never the answer.
    expect(seedPath(root, '/etc-link')).toBe('');
    expect(seedPath(root, '/missing')).toBe('');
  });
});

describe('checkSandboxFlags', () => {
  const flags = { volume: [], mount: [], networkAlias: [], publish: [] as string[] };
  it('refuses ports and aliases where no bridge carries them', () => {
    expect(() => checkSandboxFlags({ ...flags, network: 'host', publish: ['80'] })).toThrow('conflicting options: port publishing and the container type network mode (--network host)');
    expect(() => checkSandboxFlags({ ...flags, network: 'container:x', publish: ['80'] })).toThrow('conflicting options');
    expect(() => checkSandboxFlags({ ...flags, network: 'bridge', networkAlias: ['a'] })).toThrow('only supported for user-defined networks');
    expect(() => checkSandboxFlags({ ...flags, network: 'container:' })).toThrow('a container name or id is expected');
    expect(checkSandboxFlags({ ...flags, network: 'web', publish: ['8080:80'] })).toHaveLength(1);
  });
  it('refuses two mounts on one path', () => {
    expect(() => checkSandboxFlags({ ...flags, network: 'none', volume: ['data:/d', '/h:/d/'] })).toThrow('Duplicate mount point: /d');
    expect(() => checkSandboxFlags({ ...flags, network: 'none', volume: ['/x'], mount: ['type=tmpfs,target=/x'] })).toThrow('Duplicate mount point: /x');
  });
});
