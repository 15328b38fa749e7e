// libseccomp (the distribution's libseccomp.so.2) through koffi. Loading this
// module opens the library and declares every function, so a caller that
// imports it before pivot_root can still build and load filters afterwards.
// libseccomp reports failures as a negative errno in the return value.
import koffi from 'koffi';
import { SysError } from '../errors';
import { errnoName } from './errno';

const lib = koffi.load('libseccomp.so.2');

koffi.struct('hull_scmp_version', { major: 'uint32_t', minor: 'uint32_t', micro: 'uint32_t' });

const fn = {
  version: lib.func('const hull_scmp_version *seccomp_version(void)'),
  apiGet: lib.func('unsigned int seccomp_api_get(void)'),
  init: lib.func('void *seccomp_init(uint32_t def_action)'),
  release: lib.func('void seccomp_release(void *ctx)'),
  archResolveName: lib.func('uint32_t seccomp_arch_resolve_name(const char *name)'),
  archNative: lib.func('uint32_t seccomp_arch_native(void)'),
  archAdd: lib.func('int seccomp_arch_add(void *ctx, uint32_t arch)'),
  attrSet: lib.func('int seccomp_attr_set(void *ctx, int attr, uint32_t value)'),
  syscallResolveName: lib.func('int seccomp_syscall_resolve_name(const char *name)'),
  // The name comes back malloc'd: '!' has koffi free it after converting.
  syscallResolveNum: lib.func('const char *! seccomp_syscall_resolve_num_arch(uint32_t arch, int num)'),
  ruleAddArray: lib.func('int seccomp_rule_add_array(void *ctx, uint32_t action, int syscall, unsigned int count, const void *args)'),
  load: lib.func('int seccomp_load(void *ctx)'),
  notifyFd: lib.func('int seccomp_notify_fd(void *ctx)'),
  exportPfc: lib.func('int seccomp_export_pfc(void *ctx, int fd)'),
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

/** Filter attributes (enum scmp_filter_attr). */
export const SCMP_FLTATR = {
  ACT_DEFAULT: 1,
  ACT_BADARCH: 2,
  CTL_NNP: 3,
  CTL_TSYNC: 4,
  API_TSKIP: 5,
  CTL_LOG: 6,
  CTL_SSB: 7,
  CTL_OPTIMIZE: 8,
  API_SYSRAWRC: 9,
  CTL_WAITKILL: 10,
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
  return koffi.decode(fn.version(), 'hull_scmp_version');
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

export function attrSet(ctx: Context, attr: number, value: number, detail?: string): void {
  check(fn.attrSet(ctx, attr, value >>> 0), 'seccomp_attr_set', detail);
}

/** The syscall number on the native arch, or undefined when libseccomp does not know the name. */
export function syscallResolveName(name: string): number | undefined {
  const nr = fn.syscallResolveName(name);
  return nr === -1 ? undefined : nr;
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

export function load(ctx: Context): void {
  check(fn.load(ctx), 'seccomp_load', 'seccomp_load');
}

/** The notification fd of a loaded filter that uses SCMP_ACT_NOTIFY. */
export function notifyFd(ctx: Context): number {
  return check(fn.notifyFd(ctx), 'seccomp_notify_fd');
}

/** Writes the filter in libseccomp's readable pseudo-filter-code form to fd. */
export function exportPfc(ctx: Context, fd: number): void {
  check(fn.exportPfc(ctx, fd), 'seccomp_export_pfc');
}
