// bpf(2) through koffi: just what cgroup v2 device programs need
// (load, attach, detach, query, fd by id). union bpf_attr is laid out by
// hand in a zeroed buffer; pointers inside it are addresses of Buffers
// kept alive for the call.
import koffi from 'koffi';
import { SysError } from './errors';
import { syscallBuf } from './libc';

const CMD = { PROG_LOAD: 5, PROG_ATTACH: 8, PROG_DETACH: 9, PROG_GET_FD_BY_ID: 13, PROG_QUERY: 16 } as const;
export const BPF_PROG_TYPE_CGROUP_DEVICE = 15;
export const BPF_CGROUP_DEVICE = 6;
export const BPF_F_ALLOW_MULTI = 2;
/** Enough for every field used here; the kernel zero-fills the rest. */
const ATTR_SIZE = 128;

/** Buffers whose addresses sit in the attr of the call in progress: kept reachable. */
let pinned: unknown[] = [];

function bpf(cmd: number, attr: Buffer, what: string, pin: unknown[] = []): number {
  pinned = pin;
  try {
    return syscallBuf('bpf', cmd, attr, ATTR_SIZE, `bpf ${what}`);
  } finally {
    pinned = [];
  }
}

/**
 * Loads a program (struct bpf_insn array); returns its fd (close-on-exec,
 * as the kernel always makes bpf fds). On refusal, the verifier's log is
 * in the error message.
 */
export function progLoad(progType: number, insns: Buffer, license = 'Apache-2.0'): number {
  const lic = Buffer.from(license + '\0');
  const attr = Buffer.alloc(ATTR_SIZE);
  attr.writeUInt32LE(progType, 0);
  attr.writeUInt32LE(insns.length / 8, 4);
  attr.writeBigUInt64LE(koffi.address(insns), 8);
  attr.writeBigUInt64LE(koffi.address(lic), 16);
  try {
    return bpf(CMD.PROG_LOAD, attr, 'BPF_PROG_LOAD', [insns, lic]);
  } catch (e) {
    // Load again with the verifier's log to say why.
    const log = Buffer.alloc(64 * 1024);
    attr.writeUInt32LE(1, 24);
    attr.writeUInt32LE(log.length, 28);
    attr.writeBigUInt64LE(koffi.address(log), 32);
    try {
      return bpf(CMD.PROG_LOAD, attr, 'BPF_PROG_LOAD', [insns, lic, log]);
    } catch {
      const text = log.toString('utf8', 0, Math.max(0, log.indexOf(0))).trim().split('\n').slice(-3).join(' | ');
      if (text && e instanceof SysError) e.message += ` (verifier: ${text})`;
      throw e;
    }
  }
}

function attachAttr(targetFd: number, progFd: number, attachType: number, flags: number): Buffer {
  const attr = Buffer.alloc(ATTR_SIZE);
  attr.writeUInt32LE(targetFd, 0);
  attr.writeUInt32LE(progFd, 4);
  attr.writeUInt32LE(attachType, 8);
  attr.writeUInt32LE(flags, 12);
  return attr;
}

export function progAttach(targetFd: number, progFd: number, attachType: number, flags: number, what = ''): void {
  bpf(CMD.PROG_ATTACH, attachAttr(targetFd, progFd, attachType, flags), `BPF_PROG_ATTACH ${what}`.trim());
}

export function progDetach(targetFd: number, progFd: number, attachType: number, what = ''): void {
  bpf(CMD.PROG_DETACH, attachAttr(targetFd, progFd, attachType, 0), `BPF_PROG_DETACH ${what}`.trim());
}

/** Ids of the programs attached to a cgroup (directly, not inherited). */
export function progQuery(targetFd: number, attachType: number, what = ''): number[] {
  const ids = new Uint32Array(64);
  const attr = Buffer.alloc(ATTR_SIZE);
  attr.writeUInt32LE(targetFd, 0);
  attr.writeUInt32LE(attachType, 4);
  attr.writeBigUInt64LE(koffi.address(ids), 16);
  attr.writeUInt32LE(ids.length, 24);
  bpf(CMD.PROG_QUERY, attr, `BPF_PROG_QUERY ${what}`.trim(), [ids]);
  const count = attr.readUInt32LE(24);
  return Array.from(ids.subarray(0, Math.min(count, ids.length)));
}

export function progGetFdById(id: number): number {
  const attr = Buffer.alloc(ATTR_SIZE);
  attr.writeUInt32LE(id, 0);
  return bpf(CMD.PROG_GET_FD_BY_ID, attr, `BPF_PROG_GET_FD_BY_ID ${id}`);
}
