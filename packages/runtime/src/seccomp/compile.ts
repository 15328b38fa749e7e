// Turns config.json's linux.seccomp into a BPF program, with libseccomp.
// Two steps, because of where the init runs them: compileSeccomp() early,
// and load() at the very end, just before execve, so a profile that blocks
// e.g. mkdir or getcwd cannot break the runtime's own steps. load() is a
// single seccomp(2) call: hull installs libseccomp's program itself, behind
// its ENOSYS prologue (enosys.ts).
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError, HullError, SysError } from '../errors';
import type { Log } from '../log';
import * as scmp from '@hull/sys/seccomp';
import { AUDIT_ARCH_X86_64, enosysPrologue, type ArchLimit } from './enosys';
import type { LinuxSeccomp, LinuxSeccompArg } from './types';

// Loaded only where used (a debug listing, an error): node:os costs every create a little.
const nodeOs = () => require('node:os') as typeof import('node:os');

const EPERM = 1;
const ENOSYS = 38;
/** Linux system calls take at most six arguments. */
const MAX_ARGS = 6;

/** SCMP_ACT_* names; the ones that carry a return code take errnoRet. */
const ACTIONS: Record<string, { value: number; takesErrno?: boolean }> = {
  SCMP_ACT_KILL: { value: scmp.SCMP_ACT.KILL_THREAD },
  SCMP_ACT_KILL_THREAD: { value: scmp.SCMP_ACT.KILL_THREAD },
  SCMP_ACT_KILL_PROCESS: { value: scmp.SCMP_ACT.KILL_PROCESS },
  SCMP_ACT_TRAP: { value: scmp.SCMP_ACT.TRAP },
  SCMP_ACT_ERRNO: { value: scmp.SCMP_ACT.ERRNO, takesErrno: true },
  SCMP_ACT_TRACE: { value: scmp.SCMP_ACT.TRACE, takesErrno: true },
  SCMP_ACT_ALLOW: { value: scmp.SCMP_ACT.ALLOW },
  SCMP_ACT_LOG: { value: scmp.SCMP_ACT.LOG },
  SCMP_ACT_NOTIFY: { value: scmp.SCMP_ACT.NOTIFY },
};

const OPERATORS: Record<string, number> = {
  SCMP_CMP_NE: scmp.SCMP_CMP.NE,
  SCMP_CMP_LT: scmp.SCMP_CMP.LT,
  SCMP_CMP_LE: scmp.SCMP_CMP.LE,
  SCMP_CMP_EQ: scmp.SCMP_CMP.EQ,
  SCMP_CMP_GE: scmp.SCMP_CMP.GE,
  SCMP_CMP_GT: scmp.SCMP_CMP.GT,
  SCMP_CMP_MASKED_EQ: scmp.SCMP_CMP.MASKED_EQ,
};

/** The spec's architecture names and libseccomp's names for them. */
export const ARCHITECTURES: Record<string, string> = {
  SCMP_ARCH_X86: 'x86',
  SCMP_ARCH_X86_64: 'x86_64',
  SCMP_ARCH_X32: 'x32',
  SCMP_ARCH_ARM: 'arm',
  SCMP_ARCH_AARCH64: 'aarch64',
  SCMP_ARCH_MIPS: 'mips',
  SCMP_ARCH_MIPS64: 'mips64',
  SCMP_ARCH_MIPS64N32: 'mips64n32',
  SCMP_ARCH_MIPSEL: 'mipsel',
  SCMP_ARCH_MIPSEL64: 'mipsel64',
  SCMP_ARCH_MIPSEL64N32: 'mipsel64n32',
  SCMP_ARCH_PPC: 'ppc',
  SCMP_ARCH_PPC64: 'ppc64',
  SCMP_ARCH_PPC64LE: 'ppc64le',
  SCMP_ARCH_S390: 's390',
  SCMP_ARCH_S390X: 's390x',
  SCMP_ARCH_PARISC: 'parisc',
  SCMP_ARCH_PARISC64: 'parisc64',
  SCMP_ARCH_RISCV64: 'riscv64',
  SCMP_ARCH_LOONGARCH64: 'loongarch64',
  SCMP_ARCH_M68K: 'm68k',
  SCMP_ARCH_SH: 'sh',
  SCMP_ARCH_SHEB: 'sheb',
};

/**
 * Filter flags and the kernel flag each becomes (hull installs the program
 * itself, so the kernel, not libseccomp, decides what is supported). TSYNC
 * needs nothing: only the thread that calls execve survives it.
 */
const FLAGS: Record<string, number> = {
  SECCOMP_FILTER_FLAG_TSYNC: 0,
  SECCOMP_FILTER_FLAG_LOG: scmp.FILTER_FLAG.LOG,
  SECCOMP_FILTER_FLAG_SPEC_ALLOW: scmp.FILTER_FLAG.SPEC_ALLOW,
  // The kernel takes it only together with a listener.
  SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV: scmp.FILTER_FLAG.WAIT_KILLABLE_RECV | scmp.FILTER_FLAG.NEW_LISTENER,
};

/** The architectures the installed libseccomp can filter (for `hull features`). */
export function supportedArchitectures(): string[] {
  return Object.keys(ARCHITECTURES).filter((a) => scmp.archResolveName(ARCHITECTURES[a]) !== 0);
}

/** The flags this kernel accepts (for `hull features`). */
export function supportedSeccompFlags(): string[] {
  return Object.keys(FLAGS).filter((f) => scmp.kernelAcceptsFlags(FLAGS[f]));
}

/** Default actions that let an unknown syscall run: no ENOSYS prologue for them (TRACE: the tracer decides). */
const PERMISSIVE = new Set(['SCMP_ACT_ALLOW', 'SCMP_ACT_LOG', 'SCMP_ACT_TRACE']);
const X32_TOKEN_NAME = 'x32';

export const SECCOMP_ACTIONS = Object.keys(ACTIONS);
export const SECCOMP_OPERATORS = Object.keys(OPERATORS);
export const SECCOMP_FLAGS = Object.keys(FLAGS);

export interface SeccompOptions {
  /** Receives the notes on ignored syscall names (debug) and the like. */
  log?: Log;
  /** The JSON path errors name; default "linux.seccomp". */
  jsonPath?: string;
}

interface Rule {
  name: string;
  nr: number;
  action: number;
  args: scmp.ArgCmp[];
}

/**
 * A compiled filter: the BPF program to install, and the libseccomp context
 * it came from (kept for toPfc() until load() or release()).
 */
export class SeccompFilter {
  private ctx: scmp.Context | undefined;
  private loaded = false;

  constructor(
    ctx: scmp.Context,
    /** struct sock_filter[]: the ENOSYS prologue (when the default denies) and libseccomp's program. */
    readonly program: Buffer,
    /** SECCOMP_FILTER_FLAG_* to load with. */
    readonly kernelFlags: number,
    readonly usesNotify: boolean,
    readonly ignored: string[],
  ) {
    this.ctx = ctx;
  }

  /**
   * Installs the filter on the calling thread with one seccomp(2) call.
   * Returns the notify fd (close-on-exec) when the filter uses
   * SCMP_ACT_NOTIFY. Call it last: every syscall after it is filtered.
   * Without no_new_privs set, the kernel requires CAP_SYS_ADMIN.
   */
  load(): number | undefined {
    if (this.loaded) throw new HullError('ESECCOMP', 'seccomp filter already loaded');
    this.release();
    this.loaded = true;
    let fd: number;
    try {
      fd = scmp.setFilter(this.program, this.kernelFlags);
    } catch (e) {
      if (e instanceof SysError && e.errnoName === 'EACCES') {
        e.message = 'load seccomp filter: EACCES (no_new_privs is not set and the process lacks CAP_SYS_ADMIN)';
      }
      throw e;
    }
    return this.usesNotify ? fd : undefined;
  }

  /** libseccomp's readable dump of the filter, without the prologue (for debugging and tests). */
  toPfc(): string {
    if (!this.ctx) throw new HullError('ESECCOMP', 'seccomp filter already loaded or released');
    const dir = fs.mkdtempSync(path.join(nodeOs().tmpdir(), 'hull-pfc-'));
    const file = path.join(dir, 'filter.pfc');
    const fd = fs.openSync(file, 'w+');
    try {
      scmp.exportPfc(this.ctx, fd);
      return fs.readFileSync(file, 'utf8');
    } finally {
      fs.closeSync(fd);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  /** Frees the libseccomp context; the program stays loadable. */
  release(): void {
    const ctx = this.ctx;
    this.ctx = undefined;
    if (ctx) scmp.release(ctx);
  }
}

/**
 * Builds the filter for `spec`. Every check runs before libseccomp is asked
 * for anything, so bad input allocates nothing. Syscall names libseccomp
 * does not know are skipped (as runc does) and listed in `ignored`.
 */
export function compileSeccomp(spec: LinuxSeccomp, opts: SeccompOptions = {}): SeccompFilter {
  const at = opts.jsonPath ?? 'linux.seccomp';
  if (spec === null || typeof spec !== 'object') throw new ConfigError(at, 'must be an object');

  const defaultAction = actionValue(spec.defaultAction, spec.defaultErrnoRet, `${at}.defaultAction`, `${at}.defaultErrnoRet`);
  if (spec.defaultAction === 'SCMP_ACT_NOTIFY') {
    // The runtime still has to send the notify fd out after loading.
    throw new ConfigError(`${at}.defaultAction`, 'SCMP_ACT_NOTIFY cannot be the default action');
  }

  const arches = list(spec.architectures, `${at}.architectures`).map((name, i) => archToken(name, `${at}.architectures[${i}]`));
  const flagBits = list(spec.flags, `${at}.flags`).map((flag, i) => {
    if (typeof flag !== 'string' || !(flag in FLAGS)) throw new ConfigError(`${at}.flags[${i}]`, `unknown flag ${JSON.stringify(flag)}`);
    if (!scmp.kernelAcceptsFlags(FLAGS[flag])) throw new ConfigError(`${at}.flags[${i}]`, `${flag} is not supported by this kernel (${nodeOs().release()})`);
    return FLAGS[flag];
  });

  const rules: Rule[] = [];
  const ignored: string[] = [];
  const allNames = new Set<string>();
  let usesNotify = false;
  list(spec.syscalls, `${at}.syscalls`).forEach((call, i) => {
    const cp = `${at}.syscalls[${i}]`;
    if (call === null || typeof call !== 'object') throw new ConfigError(cp, 'must be an object');
    const action = actionValue(call.action, call.errnoRet, `${cp}.action`, `${cp}.errnoRet`);
    const names = list(call.names, `${cp}.names`);
    if (names.length === 0) throw new ConfigError(`${cp}.names`, 'must name at least one syscall');
    const conds = list(call.args, `${cp}.args`).map((arg, j) => argCmp(arg, `${cp}.args[${j}]`));
    // runc: when two conditions test the same argument, each becomes its own
    // rule (OR); otherwise all conditions form one rule (AND).
    const perIndex = new Set(conds.map((c) => c.arg));
    const ruleArgs = perIndex.size < conds.length ? conds.map((c) => [c]) : [conds];

    names.forEach((name, j) => {
      if (typeof name !== 'string' || name === '') throw new ConfigError(`${cp}.names[${j}]`, 'must be a non-empty string');
      allNames.add(name);
      if (call.action === 'SCMP_ACT_NOTIFY') {
        usesNotify = true;
        // The init writes to its parent after loading; a notified write would hang it.
        if (name === 'write') throw new ConfigError(`${cp}.names[${j}]`, 'SCMP_ACT_NOTIFY cannot be used for the write syscall');
      }
      if (action === defaultAction) return; // redundant, and libseccomp refuses it
      const nr = scmp.syscallResolveName(name);
      if (nr === undefined) {
        ignored.push(name);
        opts.log?.debug(`seccomp: unknown syscall ${JSON.stringify(name)} ignored (${cp}.names[${j}])`);
        return;
      }
      for (const args of ruleArgs) rules.push({ name, nr, action, args });
    });
  });
  if (usesNotify) {
    const level = scmp.apiLevel();
    if (level < 6) {
      const v = scmp.version();
      throw new ConfigError(`${at}.syscalls`, `SCMP_ACT_NOTIFY needs libseccomp API level 6 (libseccomp >= 2.5.0, Linux >= 5.7); libseccomp ${v.major}.${v.minor}.${v.micro} reports ${level}`);
    }
  }

  const ctx = scmp.init(defaultAction);
  try {
    for (const { name, token, path: ap } of arches) {
      try {
        scmp.archAdd(ctx, token);
      } catch (e) {
        // libseccomp filters one byte order at a time.
        if (e instanceof scmp.SeccompCallError && e.errnoName === 'EDOM') throw new ConfigError(ap, `${name} has another byte order than this machine (${process.arch}): one filter cannot hold both`);
        throw new ConfigError(ap, `cannot add architecture ${name}: ${(e as Error).message}`);
      }
    }
    for (const r of rules) {
      try {
        scmp.ruleAdd(ctx, r.action, r.nr, r.args);
      } catch (e) {
        const why = e instanceof scmp.SeccompCallError ? e.errnoName : String(e);
        throw new ConfigError(at, `cannot add a rule for syscall ${JSON.stringify(r.name)}: seccomp_rule_add: ${why}`);
      }
    }

    let program = scmp.exportBpf(ctx);
    const deniesUnknown = !PERMISSIVE.has(spec.defaultAction) && defaultAction !== ((scmp.SCMP_ACT.ERRNO | ENOSYS) >>> 0);
    if (deniesUnknown) program = Buffer.concat([enosysPrologue(archLimits([scmp.archNative(), ...arches.map((a) => a.token)], allNames)), program]);

    let kernelFlags = 0;
    for (const flag of flagBits) kernelFlags |= flag;
    // WAIT_KILLABLE_RECV means nothing without a listener, and the kernel refuses it then.
    kernelFlags = usesNotify
      ? kernelFlags | scmp.FILTER_FLAG.NEW_LISTENER
      : kernelFlags & ~(scmp.FILTER_FLAG.WAIT_KILLABLE_RECV | scmp.FILTER_FLAG.NEW_LISTENER);
    return new SeccompFilter(ctx, program, kernelFlags, usesNotify, ignored);
  } catch (e) {
    scmp.release(ctx);
    throw e;
  }
}

/** Per kernel architecture, the highest syscall number the profile names (x32 folded into x86_64). */
function archLimits(tokens: number[], names: Set<string>): ArchLimit[] {
  const x32 = scmp.archResolveName(X32_TOKEN_NAME);
  const byAudit = new Map<number, ArchLimit>();
  for (const token of new Set(tokens)) {
    let max: number | undefined;
    for (const name of names) {
      const nr = scmp.syscallResolveNameArch(token, name);
      if (nr !== undefined && (max === undefined || nr > max)) max = nr;
    }
    const audit = token === x32 ? AUDIT_ARCH_X86_64 : token;
    const limit = byAudit.get(audit) ?? { audit };
    if (token === x32) limit.x32Max = max;
    else limit.max = max;
    byAudit.set(audit, limit);
  }
  return [...byAudit.values()];
}

/** The libseccomp action value of an SCMP_ACT_* name, with its return code. */
function actionValue(name: unknown, errnoRet: unknown, at: string, errnoAt: string): number {
  const act = typeof name === 'string' ? ACTIONS[name] : undefined;
  if (!act) throw new ConfigError(at, `unknown action ${JSON.stringify(name)}`);
  if (errnoRet === undefined || errnoRet === null) return act.takesErrno ? (act.value | EPERM) >>> 0 : act.value;
  if (!act.takesErrno) throw new ConfigError(errnoAt, `${name} takes no errno return code`);
  if (!Number.isInteger(errnoRet) || (errnoRet as number) < 0 || (errnoRet as number) > 0xffff) {
    throw new ConfigError(errnoAt, `must be an integer from 0 to 65535, not ${JSON.stringify(errnoRet)}`);
  }
  return (act.value | (errnoRet as number)) >>> 0;
}

function archToken(name: unknown, at: string): { name: string; token: number; path: string } {
  const scmpName = typeof name === 'string' ? ARCHITECTURES[name] : undefined;
  if (!scmpName) throw new ConfigError(at, `unknown architecture ${JSON.stringify(name)}`);
  const token = scmp.archResolveName(scmpName);
  if (!token) {
    const v = scmp.version();
    throw new ConfigError(at, `architecture ${name} is not supported by libseccomp ${v.major}.${v.minor}.${v.micro}`);
  }
  return { name: name as string, token, path: at };
}

function argCmp(arg: LinuxSeccompArg, at: string): scmp.ArgCmp {
  if (arg === null || typeof arg !== 'object') throw new ConfigError(at, 'must be an object');
  if (!Number.isInteger(arg.index) || arg.index < 0 || arg.index >= MAX_ARGS) {
    throw new ConfigError(`${at}.index`, `must be an integer from 0 to ${MAX_ARGS - 1}, not ${JSON.stringify(arg.index)}`);
  }
  const op = typeof arg.op === 'string' ? OPERATORS[arg.op] : undefined;
  if (op === undefined) throw new ConfigError(`${at}.op`, `unknown operator ${JSON.stringify(arg.op)}`);
  return { arg: arg.index, op, a: u64(arg.value, `${at}.value`), b: arg.valueTwo === undefined ? 0n : u64(arg.valueTwo, `${at}.valueTwo`) };
}

function u64(v: unknown, at: string): bigint {
  let n: bigint | undefined;
  if (typeof v === 'bigint') n = v;
  else if (typeof v === 'number' && Number.isInteger(v)) n = BigInt(v);
  else if (typeof v === 'string' && /^(0x[0-9a-f]+|[0-9]+)$/i.test(v)) n = BigInt(v);
  if (n === undefined || n < 0n || n > 0xffffffffffffffffn) throw new ConfigError(at, `must be an unsigned 64-bit integer, not ${String(v)}`);
  return n;
}

function list<T>(v: T[] | undefined, at: string): T[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new ConfigError(at, 'must be an array');
  return v;
}
