import { MS } from '@hull/sys/constants';
import { MOUNT_ATTR, MOUNT_OPTIONS, isMountOption, parseMountOptions } from './mountOptions';

describe('MOUNT_OPTIONS', () => {
  it('covers the options the spec lists for Linux', () => {
    const spec = [
      'async', 'atime', 'bind', 'defaults', 'dev', 'diratime', 'dirsync', 'exec', 'iversion', 'lazytime', 'loud',
      'mand', 'noatime', 'nodev', 'nodiratime', 'noexec', 'noiversion', 'nolazytime', 'nomand', 'norelatime',
      'nostrictatime', 'nosuid', 'nosymfollow', 'private', 'ratime', 'rbind', 'rdev', 'rdiratime', 'relatime',
      'remount', 'rexec', 'rnoatime', 'rnodiratime', 'rnoexec', 'rnorelatime', 'rnostrictatime', 'rnosuid',
      'rnosymfollow', 'ro', 'rprivate', 'rrelatime', 'rro', 'rrw', 'rshared', 'rslave', 'rstrictatime', 'rsuid',
      'rsymfollow', 'runbindable', 'rw', 'shared', 'silent', 'slave', 'strictatime', 'suid', 'symfollow', 'sync',
      'tmpcopyup', 'unbindable', 'idmap', 'ridmap', 'acl', 'noacl',
    ];
    expect(spec.filter((o) => !isMountOption(o))).toEqual([]);
  });

  it('holds the kernel flag values', () => {
    expect(MOUNT_OPTIONS.ro).toEqual({ flag: MS.RDONLY, clear: false });
    expect(MOUNT_OPTIONS.rw).toEqual({ flag: 0x1, clear: true });
    expect(MOUNT_OPTIONS.rbind).toEqual({ flag: 0x1000 | 0x4000, clear: false });
    expect(MOUNT_OPTIONS.rslave).toEqual({ flag: 0x80000 | 0x4000, clear: false, propagation: true });
    expect(MOUNT_OPTIONS.acl.flag).toBe(1 << 16);
    expect(MOUNT_OPTIONS.iversion.flag).toBe(1 << 23);
    expect(MOUNT_OPTIONS.rro).toEqual({ flag: MS.RDONLY, clear: false, recursive: true, attr: MOUNT_ATTR.RDONLY });
    expect(MOUNT_OPTIONS.rsymfollow).toEqual({ flag: MS.NOSYMFOLLOW, clear: true, recursive: true, attr: 0x200000 });
    expect(MOUNT_OPTIONS.idmap).toEqual({ flag: 0, clear: false, extension: true });
  });

  it('does not answer for inherited object keys', () => {
    expect(isMountOption('constructor')).toBe(false);
    expect(parseMountOptions(['toString']).data).toEqual(['toString']);
  });
});

describe('parseMountOptions', () => {
  it('sorts runc spec\'s /dev/pts options into flags and data', () => {
    const got = parseMountOptions(['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5']);
    expect(got).toEqual({
      flags: MS.NOSUID | MS.NOEXEC,
      propagation: [],
      attrSet: 0,
      attrClr: 0,
      data: ['newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'],
      extensions: [],
    });
  });

  it('applies options in order: the later one wins', () => {
    expect(parseMountOptions(['ro', 'rw']).flags).toBe(0);
    expect(parseMountOptions(['rw', 'ro']).flags).toBe(MS.RDONLY);
    expect(parseMountOptions(['defaults', 'nodev', 'dev', 'noatime']).flags).toBe(MS.NOATIME);
  });

  it('keeps propagation changes apart, in order', () => {
    expect(parseMountOptions(['rbind', 'rprivate', 'shared']).propagation).toEqual([MS.PRIVATE | MS.REC, MS.SHARED]);
    expect(parseMountOptions(['rbind', 'rprivate']).flags).toBe(MS.BIND | MS.REC);
  });

  it('collects recursive attributes to set and clear', () => {
    const got = parseMountOptions(['rbind', 'rro', 'rnosuid', 'rdev']);
    expect(got.attrSet).toBe(MOUNT_ATTR.RDONLY | MOUNT_ATTR.NOSUID);
    expect(got.attrClr).toBe(MOUNT_ATTR.NODEV);
    const undone = parseMountOptions(['rro', 'rrw']);
    expect([undone.attrSet, undone.attrClr]).toEqual([0, MOUNT_ATTR.RDONLY]);
  });

  it('treats the atime mode as one value, clearing the whole field', () => {
    expect(parseMountOptions(['rnoatime'])).toMatchObject({ attrSet: MOUNT_ATTR.NOATIME, attrClr: MOUNT_ATTR._ATIME });
    expect(parseMountOptions(['rnoatime', 'rrelatime'])).toMatchObject({ attrSet: 0, attrClr: MOUNT_ATTR._ATIME });
    expect(parseMountOptions(['rstrictatime', 'rnostrictatime'])).toMatchObject({ attrSet: 0, attrClr: MOUNT_ATTR._ATIME });
    expect(parseMountOptions(['rro', 'rstrictatime'])).toMatchObject({
      attrSet: MOUNT_ATTR.RDONLY | MOUNT_ATTR.STRICTATIME,
      attrClr: MOUNT_ATTR._ATIME,
    });
  });

  it('names the runtime-only options once each', () => {
    expect(parseMountOptions(['bind', 'idmap', 'tmpcopyup', 'idmap']).extensions).toEqual(['idmap', 'tmpcopyup']);
    expect(parseMountOptions(['bind', 'idmap']).flags).toBe(MS.BIND);
  });
});
