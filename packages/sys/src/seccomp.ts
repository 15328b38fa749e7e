// libseccomp (the distribution's libseccomp.so.2) through koffi. Loading this
// module opens the library and declares every function, so a caller that
// imports it before pivot_root can still build and load filters afterwards.
// libseccomp reports failures as a negative errno in the return value.
import koffi from 'koffi';
import { SysError } from './errors';
import { errnoName } from './errno';
import { libc } from './libraries';
import { close } from './libc';

const lib = koffi.load('libseccomp.so.2');

// Anonymous types: koffi's type names are process-wide, and a module may be
// evaluated more than once in one process (jest does that).
const Version = koffi.struct({ major: 'uint32_t', minor: 'uint32_t', micro: 'uint32_t' });
const SockFprog = koffi.struct({ len: 'uint16_t', filter: 'void *' });

// The seccomp(2) syscall (x86_64 and aarch64 numbers).
const SYS_SECCOMP = process.arch === 'arm64' ? 277 : 317;
const SECCOMP_SET_MODE_FILTER = 1;

const fn = {
  version: lib.func('seccomp_version', koffi.pointer(Version), []),
  apiGet: lib.func('unsigned int seccomp_api_get(void)'),
  init: lib.func('void *seccomp_init(uint32_t def_action)'),
  release: lib.func('void seccomp_release(void *ctx)'),
  archResolveName: lib.func('uint32_t seccomp_arch_resolve_name(const char *name)'),
  archNative: lib.func('uint32_t seccomp_arch_native(void)'),
  archAdd: lib.func('int seccomp_arch_add(void *ctx, uint32_t arch)'),
  syscallResolveName: lib.func('int seccomp_syscall_resolve_name(const char *name)'),
  // The name comes back malloc'd: '!' has koffi free it after converting.
  syscallResolveNum: lib.func('const char *! seccomp_syscall_resolve_num_arch(uint32_t arch, int num)'),
  ruleAddArray: lib.func('int seccomp_rule_add_array(void *ctx, uint32_t action, int syscall, unsigned int count, const void *args)'),
  exportPfc: lib.func('int seccomp_export_pfc(void *ctx, int fd)'),
  exportBpf: lib.func('int seccomp_export_bpf(void *ctx, int fd)'),
  syscallResolveNameArch: lib.func('int seccomp_syscall_resolve_name_arch(uint32_t arch, const char *name)'),
  memfdCreate: libc.func('int memfd_create(const char *name, unsigned int flags)'),
  pread: libc.func('long pread(int fd, _Out_ uint8_t *buf, size_t n, int64_t off)'),
  seccompSetFilter: libc.func('syscall', 'long', ['long', 'unsigned long', 'unsigned long', koffi.pointer(SockFprog)]),
  seccompProbe: libc.func('long syscall(long nr, unsigned long op, unsigned long flags, void *prog)'),
};

/** Action values (seccomp.h). ERRNO and TRACE carry a 16-bit return code. */
export const SCMP_ACT = {
  KILL_PROCESS: 0x80000000,
  KILL_THREAD: 0x00000000,
  TRAP: 0x00030000,
  NOTIFY: 0x7fc00000,
  ERRNO: 0x00050000,
  TRACE: 0x7ff00000,
  LOG: 0x7ffc0000,
  ALLOW: 0x7fff0000,
} as const;

/** Comparison operators (enum scmp_compare). */
export const SCMP_CMP = {
  NE: 1,
  LT: 2,
  LE: 3,
  EQ: 4,
  GE: 5,
  GT: 6,
  MASKED_EQ: 7,
} as const;

/** One argument comparison: struct scmp_arg_cmp. */
export interface ArgCmp {
  arg: number;
  op: number;
  a: bigint;
  b: bigint;
}

/** A libseccomp call returned -errno. */
export class SeccompCallError extends SysError {
  constructor(call: string, ret: number, detail?: string) {
    super(call, -ret, errnoName(-ret), detail ?? call);
  }
}

function check(ret: number, call: string, detail?: string): number {
  if (ret < 0) throw new SeccompCallError(call, ret, detail);
  return ret;
}

export function version(): { major: number; minor: number; micro: number } {
  return koffi.decode(fn.version(), Version);
}

/** The API level libseccomp detected for this kernel (seccomp_api_get). */
export function apiLevel(): number {
  return fn.apiGet();
}

/** A filter context; release() frees it. */
export type Context = unknown;

export function init(defaultAction: number): Context {
  const ctx = fn.init(defaultAction >>> 0);
  if (!ctx) throw new SysError('seccomp_init', 22, 'EINVAL', `seccomp_init default action 0x${(defaultAction >>> 0).toString(16)}`);
  return ctx;
}

export function release(ctx: Context): void {
  fn.release(ctx);
}

/** The arch token for a libseccomp arch name ("x86_64"), or 0 when libseccomp does not know it. */
export function archResolveName(name: string): number {
  return fn.archResolveName(name);
}

export function archNative(): number {
  return fn.archNative();
}

/** Adds an architecture; one already present is not an error. */
export function archAdd(ctx: Context, arch: number, detail?: string): void {
  const ret = fn.archAdd(ctx, arch >>> 0);
  if (ret === -17 /* EEXIST */) return;
  check(ret, 'seccomp_arch_add', detail);
}

/** The syscall number on the native arch, or undefined when libseccomp does not know the name. */
export function syscallResolveName(name: string): number | undefined {
  const nr = fn.syscallResolveName(name);
  return nr === -1 ? undefined : nr;
}

/** The number of syscall `name` on `arch` (x32 numbers carry bit 30), or undefined; pseudo-syscalls (< 0) too. */
export function syscallResolveNameArch(arch: number, name: string): number | undefined {
  const nr = fn.syscallResolveNameArch(arch >>> 0, name);
  return nr < 0 ? undefined : nr;
}

/** The name of syscall number `nr` on the native arch, or undefined. */
export function syscallResolveNum(nr: number): string | undefined {
  return fn.syscallResolveNum(0 /* SCMP_ARCH_NATIVE */, nr) ?? undefined;
}

const ARG_CMP_SIZE = 24; // unsigned arg; enum op; uint64 datum_a; uint64 datum_b

export function ruleAdd(ctx: Context, action: number, syscall: number, args: ArgCmp[], detail?: string): void {
  let buf: Buffer | null = null;
  if (args.length) {
    buf = Buffer.alloc(ARG_CMP_SIZE * args.length);
    args.forEach((c, i) => {
      const o = i * ARG_CMP_SIZE;
      buf!.writeUInt32LE(c.arg, o);
      buf!.writeUInt32LE(c.op, o + 4);
      buf!.writeBigUInt64LE(BigInt.asUintN(64, c.a), o + 8);
      buf!.writeBigUInt64LE(BigInt.asUintN(64, c.b), o + 16);
    });
  }
  check(fn.ruleAddArray(ctx, action >>> 0, syscall, args.length, buf), 'seccomp_rule_add', detail);
}

/** Writes the filter in libseccomp's readable pseudo-filter-code form to fd. */
export function exportPfc(ctx: Context, fd: number): void {
  check(fn.exportPfc(ctx, fd), 'seccomp_export_pfc');
}

/** The filter as the BPF program libseccomp generates (struct sock_filter[], host byte order). */
export function exportBpf(ctx: Context): Buffer {
  // A memfd: no file appears anywhere, and it works inside any rootfs.
  const fd = fn.memfdCreate('hull-seccomp', 1 /* MFD_CLOEXEC */);
  if (fd < 0) {
    const errno = koffi.errno();
    throw new SysError('memfd_create', errno, errnoName(errno), 'memfd_create for the seccomp program');
  }
  try {
    check(fn.exportBpf(ctx, fd), 'seccomp_export_bpf');
    const chunks: Buffer[] = [];
    for (let off = 0; ;) {
      const buf = Buffer.alloc(65536);
      const n = Number(fn.pread(fd, buf, buf.length, off));
      if (n < 0) {
        const errno = koffi.errno();
        throw new SysError('pread', errno, errnoName(errno), 'read the seccomp program');
      }
      if (n === 0) break;
      chunks.push(buf.subarray(0, n));
      off += n;
    }
    return Buffer.concat(chunks);
  } finally {
    close(fd);
  }
}

/** Kernel filter flags (SECCOMP_FILTER_FLAG_*). */
export const FILTER_FLAG = {
  LOG: 1 << 1,
  SPEC_ALLOW: 1 << 2,
  NEW_LISTENER: 1 << 3,
  WAIT_KILLABLE_RECV: 1 << 5,
} as const;

/**
 * Installs a BPF program on the calling thread: seccomp(SECCOMP_SET_MODE_FILTER).
 * Returns the notify fd with NEW_LISTENER (close-on-exec, from the kernel), else 0.
 */
export function setFilter(program: Buffer, flags: number): number {
  const ret = Number(fn.seccompSetFilter(SYS_SECCOMP, SECCOMP_SET_MODE_FILTER, flags, { len: program.length / 8, filter: program }));
  if (ret < 0) {
    const errno = koffi.errno();
    throw new SysError('seccomp', errno, errnoName(errno), 'seccomp(SECCOMP_SET_MODE_FILTER)');
  }
  return ret;
}

/**
 * Whether the kernel accepts these filter flags: with no program it answers
 * EFAULT when it got as far as reading one, EINVAL when it refused the flags.
 */
export function kernelAcceptsFlags(flags: number): boolean {
  const ret = Number(fn.seccompProbe(SYS_SECCOMP, SECCOMP_SET_MODE_FILTER, flags, null));
  return ret < 0 && koffi.errno() === 14 /* EFAULT */;
}
