import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mkdirInRoot, resolveInRoot, touchInRoot } from './inRoot';

let root: string;
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'rootfs-'));
  fs.mkdirSync(path.join(root, 'etc'));
  fs.symlinkSync('/etc', path.join(root, 'abs'));       // absolute: means the rootfs's /etc
  fs.symlinkSync('../../../../tmp', path.join(root, 'up')); // climbs: stops at the rootfs's /
  fs.symlinkSync('loop2', path.join(root, 'loop1'));
  fs.symlinkSync('loop1', path.join(root, 'loop2'));
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

describe('resolveInRoot', () => {
  it('keeps plain paths and normalises . and ..', () => {
    expect(resolveInRoot(root, '/a/./b/../c')).toBe(path.join(root, 'a/c'));
    expect(resolveInRoot(root, '../../..')).toBe(root);
  });

  it('follows an absolute symlink inside the rootfs, never to the host', () => {
    expect(resolveInRoot(root, '/abs/passwd')).toBe(path.join(root, 'etc/passwd'));
  });

  it('a relative symlink that climbs out stays inside', () => {
    expect(resolveInRoot(root, '/up/x')).toBe(path.join(root, 'tmp/x'));
  });

  it('a symlink loop is an error, not a hang', () => {
    expect(() => resolveInRoot(root, '/loop1/x')).toThrow(/too many symlinks/);
  });

  it('mkdir and touch create through symlinks inside the rootfs', () => {
    expect(mkdirInRoot(root, '/abs/new/dir')).toBe(path.join(root, 'etc/new/dir'));
    expect(fs.statSync(path.join(root, 'etc/new/dir')).isDirectory()).toBe(true);
    const f = touchInRoot(root, '/up/file');
    expect(f).toBe(path.join(root, 'tmp/file'));
    expect(fs.statSync(f).isFile()).toBe(true);
  });
});
