import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Spec } from './types';
import { checkRootfsLayout, symlinkOnPath } from './rootfsChecks';

const spec = (mounts: Spec['mounts']): Spec => ({ ociVersion: '1.0.2', mounts } as Spec);

describe('proc and sysfs on ordinary directories', () => {
  let root: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'rootfs-checks-'));
    fs.mkdirSync(path.join(root, 'sys'));
    fs.mkdirSync(path.join(root, 'real'));
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('finds the first symlink on the way, without following it', () => {
    fs.symlinkSync('/', path.join(root, 'proc'));
    fs.symlinkSync('real', path.join(root, 'link'));
    expect(symlinkOnPath(root, '/proc')).toBe('/proc');
    expect(symlinkOnPath(root, '/link/proc')).toBe('/link');
    expect(symlinkOnPath(root, '/sys')).toBeUndefined();
    expect(symlinkOnPath(root, '/missing/deeper')).toBeUndefined();
    expect(symlinkOnPath(root, '/real/../proc/')).toBe('/proc');
  });

  it('refuses proc or sysfs through a symlink with runc\'s words and the field', () => {
    fs.symlinkSync('/tmp', path.join(root, 'proc'));
    const s = spec([{ destination: '/sys', type: 'sysfs', source: 'sysfs' }, { destination: '/proc', type: 'proc', source: 'proc' }]);
    expect(() => checkRootfsLayout(s, root)).toThrow('config.json: mounts[1].destination: filesystem "proc" must be mounted on ordinary directory (/proc is a symlink in the rootfs)');
    fs.rmSync(path.join(root, 'proc'));
    fs.mkdirSync(path.join(root, 'proc'));
    expect(() => checkRootfsLayout(s, root)).not.toThrow();
    // Other types may go through links (they are resolved inside the rootfs).
    fs.symlinkSync('real', path.join(root, 'data'));
    expect(() => checkRootfsLayout(spec([{ destination: '/data', type: 'tmpfs', source: 'tmpfs' }]), root)).not.toThrow();
  });
});
