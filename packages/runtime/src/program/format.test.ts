// The TypeScript side of the program's format agrees with native/hull_init.h,
// and programs encode to the layout hull-init reads. No root needed.
import fs from 'node:fs';
import path from 'node:path';
import { F, FD_REG, HEADER_SIZE, MSG, OP, OP_SIZE, PROG_MAGIC, ProgramBuilder, REG_RECEIVED, MAX_RECEIVED } from './format';

const header = fs.readFileSync(path.resolve(__dirname, '../../../../native/hull_init.h'), 'utf8');

function cEnum(prefix: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of header.matchAll(new RegExp(`^\\s*${prefix}_(\\w+) = (\\d+),`, 'gm'))) out[m[1]] = Number(m[2]);
  return out;
}

function cDefine(name: string): string | undefined {
  return new RegExp(`^#define ${name} (.+?)(\\s*/\\*.*)?$`, 'm').exec(header)?.[1];
}

describe('program format', () => {
  it('op codes and message types are the C header\'s', () => {
    expect(cEnum('OP')).toEqual({ ...OP });
    expect(cEnum('MSG')).toEqual({ ...MSG });
  });

  it('flags, registers and the magic are the C header\'s', () => {
    for (const [name, value] of Object.entries(F)) {
      const shift = /^\(1u << (\d+)\)$/.exec(cDefine(`F_${name}`) ?? '')?.[1];
      expect({ name, value: shift === undefined ? undefined : 1 << Number(shift) }).toEqual({ name, value });
    }
    expect(Number(cDefine('FD_REG'))).toBe(FD_REG);
    expect(Number(cDefine('REG_RECEIVED'))).toBe(REG_RECEIVED);
    expect(Number(cDefine('NREGS')) - REG_RECEIVED).toBe(MAX_RECEIVED);
    expect(Number(cDefine('PROG_MAGIC')?.replace(/u$/, ''))).toBe(PROG_MAGIC);
  });

  it('encodes a header, fixed-size ops and an 8-aligned string area', () => {
    const b = new ProgramBuilder();
    const r = b.reg();
    b.add({ op: 'OPEN', desc: 'open /', s: ['/'], a: [0, r.n] });
    b.add({ op: 'SECCOMP', desc: 'load', s: [Buffer.alloc(16, 1)], a: [2, 0, -1], hint: ' (why)', hintErrno: 13 });
    const buf = b.encode({ trace: true, faultAfter: 1, nfds: 2 });
    expect(buf.readUInt32LE(0)).toBe(PROG_MAGIC);
    expect(buf.readUInt32LE(4)).toBe(2);
    expect(buf.readUInt32LE(12)).toBe(1);
    expect(buf.readInt32LE(16)).toBe(1);
    expect(buf.readUInt32LE(20)).toBe(2);
    const strings = HEADER_SIZE + 2 * OP_SIZE;
    expect(buf.length).toBe(strings + buf.readUInt32LE(8));
    const str = (off: number) => buf.toString('utf8', strings + off, buf.indexOf(0, strings + off));
    const op1 = HEADER_SIZE + OP_SIZE;
    expect(buf.readUInt32LE(op1)).toBe(OP.SECCOMP);
    expect(buf.readBigInt64LE(op1 + 8 + 16)).toBe(-1n);
    const blob = buf.readUInt32LE(op1 + 40);
    expect(blob % 8).toBe(0);
    expect(buf.subarray(strings + blob, strings + blob + 16)).toEqual(Buffer.alloc(16, 1));
    expect(str(buf.readUInt32LE(op1 + 56))).toBe('load');
    expect(str(buf.readUInt32LE(op1 + 60))).toBe(' (why)');
    expect(buf.readUInt32LE(op1 + 64)).toBe(13);
    expect(str(buf.readUInt32LE(HEADER_SIZE + 40))).toBe('/');
    expect(b.listing()).toBe('  0 open          open /\n  1 seccomp       load');
  });
});
