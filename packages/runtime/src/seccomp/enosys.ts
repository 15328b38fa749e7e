// A short BPF prologue that answers ENOSYS for syscalls newer than any the
// profile names, before the profile's own filter runs. Without it, a
// profile with a deny-by-default action makes a syscall the profile's
// authors never heard of (clone3, fchmodat2, ...) fail with EPERM, and libc
// does not fall back to the older call; with ENOSYS it does. runc does the
// same; this is hull's own, smaller version of the idea.

/** seccomp_data: nr at offset 0, arch at offset 4. */
const OFF_NR = 0;
const OFF_ARCH = 4;
const RET_ERRNO_ENOSYS = 0x00050000 | 38;
/** x32 syscalls are x86_64 syscalls with this bit set. */
const X32_BIT = 0x40000000;
export const AUDIT_ARCH_X86_64 = 0xc000003e;

// Classic BPF opcodes.
const LD_W_ABS = 0x20;
const JMP_JA = 0x05;
const JMP_JEQ_K = 0x15;
const JMP_JGT_K = 0x25;
const JMP_JSET_K = 0x45;
const RET_K = 0x06;

/** One architecture of the filter and the highest syscall number the profile names on it. */
export interface ArchLimit {
  /** The kernel's AUDIT_ARCH_* value (x32 is AUDIT_ARCH_X86_64 with X32_BIT syscalls). */
  audit: number;
  /** Highest native syscall number named, if any. */
  max?: number;
  /** x86_64 only: highest x32 syscall number named (bit 30 included), when x32 is in the filter. */
  x32Max?: number;
}

type Target = string;
interface Insn {
  code: number;
  k: number | Target;
  jt?: Target;
  jf?: Target;
}

/**
 * The prologue, as struct sock_filter[] in host byte order; it ends by
 * falling through to the instruction right after it (the profile's filter).
 */
export function enosysPrologue(arches: ArchLimit[]): Buffer {
  const prog: Insn[] = [];
  const labels = new Map<Target, number>();
  const label = (name: Target) => labels.set(name, prog.length);

  const useful = arches.filter((a) => a.max !== undefined || a.x32Max !== undefined);
  prog.push({ code: LD_W_ABS, k: OFF_ARCH });
  useful.forEach((a, i) => prog.push({ code: JMP_JEQ_K, k: a.audit >>> 0, jt: `arch${i}` }));
  prog.push({ code: JMP_JA, k: 'filter' });
  useful.forEach((a, i) => {
    label(`arch${i}`);
    prog.push({ code: LD_W_ABS, k: OFF_NR });
    if (a.audit === AUDIT_ARCH_X86_64) {
      // x32 calls go to their own limit, or straight to the filter (which treats them as a foreign arch).
      prog.push({ code: JMP_JSET_K, k: X32_BIT, jt: a.x32Max !== undefined ? `x32_${i}` : 'filter' });
    }
    if (a.max !== undefined) prog.push({ code: JMP_JGT_K, k: a.max, jt: 'enosys' });
    prog.push({ code: JMP_JA, k: 'filter' });
    if (a.audit === AUDIT_ARCH_X86_64 && a.x32Max !== undefined) {
      label(`x32_${i}`);
      prog.push({ code: JMP_JGT_K, k: a.x32Max >>> 0, jt: 'enosys' });
      prog.push({ code: JMP_JA, k: 'filter' });
    }
  });
  label('enosys');
  prog.push({ code: RET_K, k: RET_ERRNO_ENOSYS });
  label('filter');

  const buf = Buffer.alloc(prog.length * 8);
  prog.forEach((insn, at) => {
    // Jumps are relative to the next instruction; conditional ones are 8 bits.
    const rel = (t: Target | undefined, max: number): number => {
      if (t === undefined) return 0;
      const to = labels.get(t);
      if (to === undefined || to <= at || to - at - 1 > max) throw new Error(`seccomp prologue: bad jump to ${t}`);
      return to - at - 1;
    };
    buf.writeUInt16LE(insn.code, at * 8);
    buf.writeUInt8(rel(insn.jt, 255), at * 8 + 2);
    buf.writeUInt8(rel(insn.jf, 255), at * 8 + 3);
    buf.writeUInt32LE(typeof insn.k === 'string' ? rel(insn.k, 0xffffffff) : insn.k, at * 8 + 4);
  });
  return buf;
}
