// Device rules → an eBPF BPF_PROG_TYPE_CGROUP_DEVICE program, encoded by
// hand. The kernel calls it with struct bpf_cgroup_dev_ctx
// { u32 access_type (access << 16 | type); u32 major; u32 minor; } and
// allows the access when it returns 1.
//
// Semantics: the last rule that matches wins; nothing matches → deny.
// An allow rule matches when it grants every access bit asked for; a deny
// rule matches when it refuses any of them (so "deny c 1:3 w" stops an
// O_RDWR open even after "allow c 1:3 rwm").
import type { DeviceRule } from './devices';

// Instruction classes, ops and sources (linux/bpf_common.h, linux/bpf.h).
const BPF_LDX = 0x01, BPF_ALU = 0x04, BPF_JMP = 0x05, BPF_ALU64 = 0x07;
const BPF_W = 0x00, BPF_MEM = 0x60;
const BPF_K = 0x00, BPF_X = 0x08;
const BPF_AND = 0x50, BPF_RSH = 0x70, BPF_MOV = 0xb0;
const BPF_JEQ = 0x10, BPF_JNE = 0x50, BPF_EXIT = 0x90;

// bpf_cgroup_dev_ctx values.
const DEV_BLOCK = 1, DEV_CHAR = 2;
const ACC_MKNOD = 1, ACC_READ = 2, ACC_WRITE = 4;

export interface Insn {
  code: number;
  dst: number;
  src: number;
  off: number;
  imm: number;
}

const insn = (code: number, dst: number, src: number, off: number, imm: number): Insn => ({ code, dst, src, off, imm });
const ldxw = (dst: number, src: number, off: number) => insn(BPF_LDX | BPF_W | BPF_MEM, dst, src, off, 0);
const alu32k = (op: number, dst: number, imm: number) => insn(BPF_ALU | op | BPF_K, dst, 0, 0, imm);
const mov32x = (dst: number, src: number) => insn(BPF_ALU | BPF_MOV | BPF_X, dst, src, 0, 0);
const mov64k = (dst: number, imm: number) => insn(BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, imm);
const jmpk = (op: number, dst: number, imm: number, off: number) => insn(BPF_JMP | op | BPF_K, dst, 0, off, imm);
const exit = () => insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);

function accessBits(access: string): number {
  return (access.includes('m') ? ACC_MKNOD : 0) | (access.includes('r') ? ACC_READ : 0) | (access.includes('w') ? ACC_WRITE : 0);
}

/** The instructions for `rules` (already normalised). */
export function deviceFilterProgram(rules: DeviceRule[]): Insn[] {
  // r2 = type, r3 = access, r4 = major, r5 = minor (r1 is the context).
  const prog: Insn[] = [
    ldxw(2, 1, 0),
    alu32k(BPF_AND, 2, 0xffff),
    ldxw(3, 1, 0),
    alu32k(BPF_RSH, 3, 16),
    ldxw(4, 1, 4),
    ldxw(5, 1, 8),
  ];
  // Walk backwards so the first match in the program is the last rule.
  for (let i = rules.length - 1; i >= 0; i--) {
    const r = rules[i];
    const acc = accessBits(r.access);
    // Each check is a conditional jump over the rest of the block, patched below.
    const checks: Insn[][] = [];
    if (r.type !== 'a') checks.push([jmpk(BPF_JNE, 2, r.type === 'b' ? DEV_BLOCK : DEV_CHAR, 0)]);
    if (r.allow && acc !== 7) {
      checks.push([mov32x(1, 3), alu32k(BPF_AND, 1, ~acc & 7), jmpk(BPF_JNE, 1, 0, 0)]);
    } else if (!r.allow && acc !== 7) {
      checks.push([mov32x(1, 3), alu32k(BPF_AND, 1, acc), jmpk(BPF_JEQ, 1, 0, 0)]);
    }
    if (r.major >= 0) checks.push([jmpk(BPF_JNE, 4, r.major, 0)]);
    if (r.minor >= 0) checks.push([jmpk(BPF_JNE, 5, r.minor, 0)]);
    const block = checks.flat();
    const tail = [mov64k(0, r.allow ? 1 : 0), exit()];
    block.forEach((ins, k) => {
      if ((ins.code & 0x07) === BPF_JMP) ins.off = block.length - k - 1 + tail.length;
    });
    prog.push(...block, ...tail);
    // A rule matching everything ends the program: the verifier refuses dead code.
    if (checks.length === 0) return prog;
  }
  prog.push(mov64k(0, 0), exit());
  return prog;
}

/** struct bpf_insn, 8 bytes each: code, dst:4|src:4, s16 off, s32 imm. */
export function encodeProgram(prog: Insn[]): Buffer {
  const buf = Buffer.alloc(prog.length * 8);
  prog.forEach((p, i) => {
    buf.writeUInt8(p.code, i * 8);
    buf.writeUInt8(((p.src & 0xf) << 4) | (p.dst & 0xf), i * 8 + 1);
    buf.writeInt16LE(p.off, i * 8 + 2);
    buf.writeInt32LE(p.imm | 0, i * 8 + 4);
  });
  return buf;
}

export const DEVICE_ACCESS = { MKNOD: ACC_MKNOD, READ: ACC_READ, WRITE: ACC_WRITE } as const;
export const DEVICE_TYPE = { BLOCK: DEV_BLOCK, CHAR: DEV_CHAR } as const;
