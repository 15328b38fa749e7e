// The setup program's binary form, as native/hull_init.h defines it (a unit
// test compares the two): a header, fixed-size op records, a string area.
// ProgramBuilder collects ops with the words that name them in errors, and
// encodes them; listing() is the readable form (`hull --debug`, tests).

export const PROG_MAGIC = 0x314c5548;
export const HEADER_SIZE = 24;
export const OP_SIZE = 72;
export const FD_REG = 1000;
export const REG_RECEIVED = 64;
/** How many fds can travel with a program (hull_init.h: NREGS - REG_RECEIVED). */
export const MAX_RECEIVED = 64;
export const PF_TRACE = 1;

export const OP = {
  SETSID: 1, PRCTL: 2, SETNS: 3, UNSHARE: 4, KEYRING: 5, WRITE: 6, SETHOSTNAME: 7, SETDOMAINNAME: 8,
  LO_UP: 9, PRLIMIT: 10, SYSCALL: 11, CAPBSET: 12, CAPSET: 13, AMBIENT: 14, SETGROUPS: 15, SETRESGID: 16,
  SETRESUID: 17, SECCOMP: 18, CONNECT: 19, SEND_FD: 20, CLOSE: 21, UMASK: 22, CHDIR: 23, KEEP_FDS: 24,
  EXEC: 25, REPORT: 26, WAIT_CONTINUE: 27, WAIT_FIFO: 28, HOOK: 29, MOUNT: 30, SETATTR: 31, MOVE_MOUNT: 32,
  OPEN: 33, RESOLVE: 34, MKNOD: 35, SYMLINK: 36, PIVOT: 37, MOVE_ROOT: 38, CHROOT: 39, MASK: 40, RO_PATH: 41,
  CONSOLE: 42, COPYUP: 43, LOOKUP: 44, FAIL: 45, UMOUNT: 46,
} as const;
export type OpName = keyof typeof OP;

export const F = {
  IGNORE: 1 << 0, IGNORE_ERRNO: 1 << 1, WARN: 1 << 2, ALT: 1 << 3, OPTIONAL: 1 << 4, FD: 1 << 5,
  NOFOLLOW: 1 << 6, SRC_FD: 1 << 7, TGT_FD: 1 << 8, KEEP_LOCKED: 1 << 9, MKDIR: 1 << 10, MKFILE: 1 << 11,
  DIR: 1 << 12, ORDINARY: 1 << 13, EFF_FROM_PERM: 1 << 14, FROM_EUID: 1 << 15, HOME: 1 << 16,
  BIND_CONSOLE: 1 << 17, REPLACE: 1 << 18, BLOB1: 1 << 19, BLOB2: 1 << 20, BLOB3: 1 << 21,
} as const;

export const MSG = { MOUNTS: 1, READY: 2, ERROR: 3, WARN: 4, TRACE: 5, PID: 6, CONTINUE: 100 } as const;

/** A string field: text (NUL-terminated), NUL-separated strings, or raw bytes. */
export type Str = string | string[] | Buffer | undefined;

export interface Op {
  op: OpName;
  /** The words of an error: "mount proc on /proc" (the errno name follows). */
  desc: string;
  flags?: number;
  a?: (number | bigint)[];
  s?: Str[];
  /** Appended to the error when it fails with this errno; the warning of F.WARN. */
  hint?: string;
  hintErrno?: number;
  /** Ops governed by F.ALT / F.OPTIONAL. */
  skip?: number;
}

/** A register: where an op leaves an fd, and how a later op names it. */
export interface Reg {
  readonly n: number;
  /** The fd argument that names this register. */
  readonly fd: number;
}

export class ProgramBuilder {
  readonly ops: Op[] = [];
  private nextReg = 0;

  reg(): Reg {
    if (this.nextReg >= REG_RECEIVED) throw new Error('setup program: out of registers');
    const n = this.nextReg++;
    return { n, fd: FD_REG + n };
  }

  /** The register holding the i-th fd sent with the program. */
  received(i: number): Reg {
    return { n: REG_RECEIVED + i, fd: FD_REG + REG_RECEIVED + i };
  }

  add(op: Op): number {
    this.ops.push(op);
    return this.ops.length - 1;
  }

  encode(opts: { trace?: boolean; faultAfter?: number; nfds?: number } = {}): Buffer {
    // One buffer, written in place: a Buffer per string, a BigInt per argument and Buffer's
    // write methods, all cold in a short-lived process, cost a create 5-10 ms for its ~170 ops.
    // Strings go in op order (s[0..3], desc, hint), each 8-aligned (seccomp programs and gid arrays
    // are read in place); offset 0 means "none", so the area starts with 8 zero bytes. The area is
    // gathered as one byte string and written once: a write per string cost a create a millisecond.
    const offsets: number[] = [];
    const area: string[] = [];
    let strSize = 8;
    const put = (v: Str) => {
      if (v === undefined) {
        offsets.push(0);
        return;
      }
      offsets.push(strSize);
      const bytes = byteString(v);
      const len = Math.max(1, bytes.length + (typeof v === 'string' ? 1 : 0)); // a text's NUL; never empty
      const pad = (8 - (len % 8)) % 8;
      area.push(bytes, ZEROS[len - bytes.length + pad]);
      strSize += len + pad;
    };
    for (const op of this.ops) {
      for (let k = 0; k < 4; k++) put(op.s?.[k]);
      put(op.desc);
      put(op.hint);
    }
    const bodyAt = HEADER_SIZE;
    // The string area begins right after the ops: keep it 8-aligned from the program's start too.
    const stringsAt = bodyAt + this.ops.length * OP_SIZE;
    const out = Buffer.alloc(stringsAt + strSize); // zero-filled: the padding and every NUL
    // A DataView: Buffer's writeUInt32LE and kin cost a microsecond a call until the JIT warms up.
    const dv = new DataView(out.buffer, out.byteOffset, out.length);
    dv.setUint32(0, PROG_MAGIC, true);
    dv.setUint32(4, this.ops.length, true);
    dv.setUint32(8, strSize, true);
    dv.setUint32(12, opts.trace ? PF_TRACE : 0, true);
    dv.setInt32(16, opts.faultAfter ?? -1, true);
    dv.setUint32(20, opts.nfds ?? 0, true);
    this.ops.forEach((op, i) => {
      const at = bodyAt + i * OP_SIZE;
      dv.setUint32(at, OP[op.op], true);
      dv.setUint32(at + 4, (op.flags ?? 0) >>> 0, true);
      for (let k = 0; k < 4; k++) writeInt64(dv, op.a?.[k] ?? 0, at + 8 + k * 8);
      for (let k = 0; k < 6; k++) dv.setUint32(at + (k < 4 ? 40 + k * 4 : k === 4 ? 56 : 60), offsets[i * 6 + k], true);
      dv.setUint32(at + 64, op.hintErrno ?? 0, true);
      dv.setUint32(at + 68, op.skip ?? 0, true);
    });
    out.write(area.join(''), stringsAt + 8, 'latin1');
    return out;
  }

  /** One line per op: index, op, words; what `hull --debug` and the tests read. */
  listing(): string {
    return this.ops.map((op, i) => `${String(i).padStart(3)} ${op.op.toLowerCase().padEnd(13)} ${op.desc}`).join('\n');
  }
}

const ZEROS = Array.from({ length: 9 }, (_, n) => '\0'.repeat(n));
const ASCII = /^[\x00-\x7f]*$/;

/** A string field as bytes, one char each (written as latin1): UTF-8 text, strings each ended by a NUL, or raw bytes. */
function byteString(v: Exclude<Str, undefined>): string {
  if (Buffer.isBuffer(v)) return v.toString('latin1');
  if (Array.isArray(v)) return v.map((x) => utf8Bytes(x) + '\0').join('');
  return utf8Bytes(v);
}

function utf8Bytes(s: string): string {
  return ASCII.test(s) ? s : Buffer.from(s, 'utf8').toString('latin1');
}

/** A signed 64-bit little-endian value: numbers (the common case) without BigInt. */
function writeInt64(dv: DataView, v: number | bigint, at: number): void {
  if (typeof v === 'bigint' || !Number.isSafeInteger(v)) {
    dv.setBigInt64(at, BigInt.asIntN(64, BigInt(v)), true); // wraps, and throws for a fraction
  } else if (v !== 0) {
    const hi = Math.floor(v / 0x100000000);
    dv.setUint32(at, v - hi * 0x100000000, true);
    dv.setInt32(at + 4, hi, true);
  }
}
