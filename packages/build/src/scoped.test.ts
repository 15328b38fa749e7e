import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mkdirIn, resolveIn, resolveUser } from './scoped';

describe('paths inside a rootfs', () => {
  let root: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'hull-scoped-'));
    fs.mkdirSync(path.join(root, 'etc'));
    fs.writeFileSync(path.join(root, 'etc/passwd'), 'root:x:0:0::/root:/bin/sh\napp:x:1000:1001::/home/app:/bin/sh\n');
    fs.writeFileSync(path.join(root, 'etc/group'), 'root:x:0:\nstaff:x:50:\n');
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('symlinks resolve with the rootfs as /: absolute, relative and .. never leave it', () => {
    fs.symlinkSync('/etc', path.join(root, 'abs'));
    fs.symlinkSync('../../../../etc', path.join(root, 'up'));
    fs.symlinkSync('/', path.join(root, 'top'));
    expect(resolveIn(root, '/abs/passwd')).toBe(path.join(root, 'etc/passwd'));
    expect(resolveIn(root, '/up/passwd')).toBe(path.join(root, 'etc/passwd'));
    expect(resolveIn(root, '/top/../../etc')).toBe(path.join(root, 'etc'));
    expect(resolveIn(root, '/abs', false)).toBe(path.join(root, 'abs'));
    fs.symlinkSync('loop', path.join(root, 'loop'));
    expect(() => resolveIn(root, '/loop/x')).toThrow(/too many levels of symbolic links/);
  });

  it('mkdirIn makes directories through links inside the rootfs, with the owner asked', () => {
    fs.symlinkSync('/srv', path.join(root, 'data'));
    const made = mkdirIn(root, '/data/a/b', { uid: 1000, gid: 1001 });
    expect(made).toBe(path.join(root, 'srv/a/b'));
    expect(fs.statSync(made).uid).toBe(1000);
    fs.writeFileSync(path.join(root, 'file'), '');
    expect(() => mkdirIn(root, '/file/x')).toThrow('mkdir /file: not a directory');
  });

  it("users and groups from the image's files; unknown names are errors", () => {
    expect(resolveUser(root, 'app', 'USER')).toEqual({ uid: 1000, gid: 1001 });
    expect(resolveUser(root, 'app:staff', '--chown')).toEqual({ uid: 1000, gid: 50 });
    expect(resolveUser(root, '1234', '--chown')).toEqual({ uid: 1234, gid: 1234 });
    expect(resolveUser(root, '1234', 'USER')).toEqual({ uid: 1234, gid: 0 });
    expect(() => resolveUser(root, 'nobody', '--chown')).toThrow('--chown: unable to find user nobody: no matching entries in passwd file');
    expect(() => resolveUser(root, 'app:nogroup', '--chown')).toThrow(/unable to find group nogroup/);
  });
});
