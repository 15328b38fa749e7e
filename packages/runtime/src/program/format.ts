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
    // Offset 0 means "none"; every string starts 8-aligned.
    const strings: Buffer[] = [Buffer.alloc(8)];
    let strSize = 8;
    const intern = (v: Str): number => {
      if (v === undefined) return 0;
      let b: Buffer;
      if (Buffer.isBuffer(v)) b = v;
      else if (Array.isArray(v)) b = Buffer.from(v.map((x) => x + '\0').join(''));
      else b = Buffer.from(v + '\0');
      if (b.length === 0) b = Buffer.alloc(1);
      const off = strSize;
      strings.push(b);
      // 8-byte alignment: seccomp programs and gid arrays are read in place.
      const pad = (8 - (b.length % 8)) % 8;
      if (pad) strings.push(Buffer.alloc(pad));
      strSize += b.length + pad;
      return off;
    };
    const body = Buffer.alloc(this.ops.length * OP_SIZE);
    this.ops.forEach((op, i) => {
      const at = i * OP_SIZE;
      body.writeUInt32LE(OP[op.op], at);
      body.writeUInt32LE((op.flags ?? 0) >>> 0, at + 4);
      for (let k = 0; k < 4; k++) body.writeBigInt64LE(BigInt.asIntN(64, BigInt(op.a?.[k] ?? 0)), at + 8 + k * 8);
      for (let k = 0; k < 4; k++) body.writeUInt32LE(intern(op.s?.[k]), at + 40 + k * 4);
      body.writeUInt32LE(intern(op.desc), at + 56);
      body.writeUInt32LE(intern(op.hint), at + 60);
      body.writeUInt32LE(op.hintErrno ?? 0, at + 64);
      body.writeUInt32LE(op.skip ?? 0, at + 68);
    });
    // The string area begins right after the ops: keep it 8-aligned from the program's start too.
    const header = Buffer.alloc(HEADER_SIZE);
    header.writeUInt32LE(PROG_MAGIC, 0);
    header.writeUInt32LE(this.ops.length, 4);
    header.writeUInt32LE(strSize, 8);
    header.writeUInt32LE(opts.trace ? PF_TRACE : 0, 12);
    header.writeInt32LE(opts.faultAfter ?? -1, 16);
    header.writeUInt32LE(opts.nfds ?? 0, 20);
    return Buffer.concat([header, body, ...strings]);
  }

  /** One line per op: index, op, words; what `hull --debug` and the tests read. */
  listing(): string {
    return this.ops.map((op, i) => `${String(i).padStart(3)} ${op.op.toLowerCase().padEnd(13)} ${op.desc}`).join('\n');
  }
}
