// The mount options hull understands: the table the rootfs code uses to turn
// a mount's `options` into mount(2) flags, propagation changes, recursive
// mount_setattr(2) attributes and runtime-only extensions. Anything not in
// the table is filesystem data (the fifth argument of mount(2)), as in runc.

import { MS } from '@hull/sys/constants';

/** mount_setattr(2) attribute bits (linux/mount.h). */
export const MOUNT_ATTR = {
  RDONLY: 0x1,
  NOSUID: 0x2,
  NODEV: 0x4,
  NOEXEC: 0x8,
  /** The atime mode is a 3-state field: setting one must clear the whole mask. */
  _ATIME: 0x70,
  RELATIME: 0x0,
  NOATIME: 0x10,
  STRICTATIME: 0x20,
  NODIRATIME: 0x80,
  IDMAP: 0x100000,
  NOSYMFOLLOW: 0x200000,
} as const;

export interface MountOption {
  /** The MS_* bits this option sets, or clears when `clear`; 0 if mount(2) never sees it. */
  flag: number;
  clear: boolean;
  /** A propagation change (MS_SHARED... with MS_REC for the r- forms), made by its own mount(2) call. */
  propagation?: boolean;
  /** Applied to the whole tree with mount_setattr(AT_RECURSIVE); `attr` holds the MOUNT_ATTR_* bits. */
  recursive?: boolean;
  attr?: number;
  /** Done by the runtime itself, never passed to the kernel. */
  extension?: boolean;
}

const set = (flag: number): MountOption => ({ flag, clear: false });
const clear = (flag: number): MountOption => ({ flag, clear: true });
const propagation = (flag: number): MountOption => ({ flag, clear: false, propagation: true });
const recursive = (flag: number, attr: number, clr: boolean): MountOption => ({ flag, clear: clr, recursive: true, attr });
const extension: MountOption = { flag: 0, clear: false, extension: true };

export const MOUNT_OPTIONS: Readonly<Record<string, MountOption>> = {
  defaults: set(0),
  ro: set(MS.RDONLY),
  rw: clear(MS.RDONLY),
  suid: clear(MS.NOSUID),
  nosuid: set(MS.NOSUID),
  dev: clear(MS.NODEV),
  nodev: set(MS.NODEV),
  exec: clear(MS.NOEXEC),
  noexec: set(MS.NOEXEC),
  sync: set(MS.SYNCHRONOUS),
  async: clear(MS.SYNCHRONOUS),
  dirsync: set(MS.DIRSYNC),
  remount: set(MS.REMOUNT),
  mand: set(MS.MANDLOCK),
  nomand: clear(MS.MANDLOCK),
  atime: clear(MS.NOATIME),
  noatime: set(MS.NOATIME),
  diratime: clear(MS.NODIRATIME),
  nodiratime: set(MS.NODIRATIME),
  relatime: set(MS.RELATIME),
  norelatime: clear(MS.RELATIME),
  strictatime: set(MS.STRICTATIME),
  nostrictatime: clear(MS.STRICTATIME),
  lazytime: set(MS.LAZYTIME),
  nolazytime: clear(MS.LAZYTIME),
  nosymfollow: set(MS.NOSYMFOLLOW),
  symfollow: clear(MS.NOSYMFOLLOW),
  silent: set(MS.SILENT),
  loud: clear(MS.SILENT),
  acl: set(MS.POSIXACL),
  noacl: clear(MS.POSIXACL),
  iversion: set(MS.I_VERSION),
  noiversion: clear(MS.I_VERSION),
  bind: set(MS.BIND),
  rbind: set(MS.BIND | MS.REC),

  private: propagation(MS.PRIVATE),
  rprivate: propagation(MS.PRIVATE | MS.REC),
  shared: propagation(MS.SHARED),
  rshared: propagation(MS.SHARED | MS.REC),
  slave: propagation(MS.SLAVE),
  rslave: propagation(MS.SLAVE | MS.REC),
  unbindable: propagation(MS.UNBINDABLE),
  runbindable: propagation(MS.UNBINDABLE | MS.REC),

  rro: recursive(MS.RDONLY, MOUNT_ATTR.RDONLY, false),
  rrw: recursive(MS.RDONLY, MOUNT_ATTR.RDONLY, true),
  rnosuid: recursive(MS.NOSUID, MOUNT_ATTR.NOSUID, false),
  rsuid: recursive(MS.NOSUID, MOUNT_ATTR.NOSUID, true),
  rnodev: recursive(MS.NODEV, MOUNT_ATTR.NODEV, false),
  rdev: recursive(MS.NODEV, MOUNT_ATTR.NODEV, true),
  rnoexec: recursive(MS.NOEXEC, MOUNT_ATTR.NOEXEC, false),
  rexec: recursive(MS.NOEXEC, MOUNT_ATTR.NOEXEC, true),
  rnodiratime: recursive(MS.NODIRATIME, MOUNT_ATTR.NODIRATIME, false),
  rdiratime: recursive(MS.NODIRATIME, MOUNT_ATTR.NODIRATIME, true),
  rrelatime: recursive(MS.RELATIME, MOUNT_ATTR.RELATIME, false),
  rnorelatime: recursive(MS.RELATIME, MOUNT_ATTR.RELATIME, true),
  rnoatime: recursive(MS.NOATIME, MOUNT_ATTR.NOATIME, false),
  ratime: recursive(MS.NOATIME, MOUNT_ATTR.NOATIME, true),
  rstrictatime: recursive(MS.STRICTATIME, MOUNT_ATTR.STRICTATIME, false),
  rnostrictatime: recursive(MS.STRICTATIME, MOUNT_ATTR.STRICTATIME, true),
  rnosymfollow: recursive(MS.NOSYMFOLLOW, MOUNT_ATTR.NOSYMFOLLOW, false),
  rsymfollow: recursive(MS.NOSYMFOLLOW, MOUNT_ATTR.NOSYMFOLLOW, true),

  tmpcopyup: extension,
  idmap: extension,
  ridmap: extension,
};

export function isMountOption(name: string): boolean {
  return Object.hasOwn(MOUNT_OPTIONS, name);
}

/** A mount's options sorted by what has to be done with them. */
export interface ParsedMountOptions {
  /** MS_* flags for the mount(2) call, options applied in order (later wins). */
  flags: number;
  /** Propagation changes, in order, each its own mount(2) call after the mount. */
  propagation: number[];
  /** mount_setattr(AT_RECURSIVE) attributes to set and to clear. */
  attrSet: number;
  attrClr: number;
  /** Options the kernel does not know as flags: the filesystem's own data ("mode=755"). */
  data: string[];
  /** Runtime-only options present: "tmpcopyup", "idmap", "ridmap". */
  extensions: string[];
}

export function parseMountOptions(options: readonly string[] = []): ParsedMountOptions {
  const out: ParsedMountOptions = { flags: 0, propagation: [], attrSet: 0, attrClr: 0, data: [], extensions: [] };
  for (const name of options) {
    const opt = Object.hasOwn(MOUNT_OPTIONS, name) ? MOUNT_OPTIONS[name] : undefined;
    if (!opt) {
      out.data.push(name);
    } else if (opt.extension) {
      if (!out.extensions.includes(name)) out.extensions.push(name);
    } else if (opt.propagation) {
      out.propagation.push(opt.flag);
    } else if (opt.recursive) {
      const attr = opt.attr ?? 0;
      if ((attr & MOUNT_ATTR._ATIME) === attr) {
        // The atime mode is one value, not bits (RELATIME is 0): the kernel wants the
        // whole mask in attr_clr. Clearing a mode (ratime...) falls back to relatime.
        out.attrSet = (out.attrSet & ~MOUNT_ATTR._ATIME) | (opt.clear ? MOUNT_ATTR.RELATIME : attr);
        out.attrClr |= MOUNT_ATTR._ATIME;
      } else if (opt.clear) {
        out.attrClr |= attr;
        out.attrSet &= ~attr;
      } else {
        out.attrSet |= attr;
        out.attrClr &= ~attr;
      }
    } else if (opt.clear) {
      out.flags &= ~opt.flag;
    } else {
      out.flags |= opt.flag;
    }
  }
  return out;
}
