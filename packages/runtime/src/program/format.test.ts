// The TypeScript side of the program's format agrees with native/hull_init.h,
// and programs encode to the layout hull-init reads. No root needed.
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { F, FD_REG, HEADER_SIZE, MSG, OP, OP_SIZE, PROG_MAGIC, ProgramBuilder, REG_RECEIVED, MAX_RECEIVED, type Op, type Str } from './format';

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

  it('decodes back to what was encoded: every argument, string field and count, whatever the ops', () => {
    const text = fc.string({ unit: 'binary', maxLength: 20 }).filter((t) => !t.includes('\0'));
    const field: fc.Arbitrary<Str> = fc.oneof(fc.constant(undefined), text, fc.array(text, { maxLength: 4 }), fc.uint8Array({ maxLength: 20 }).map((a) => Buffer.from(a)));
    const arg = fc.oneof(fc.integer(), fc.constantFrom(0, -1, 2 ** 40, -(2 ** 53), 2 ** 53, 0xffffffff), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }));
    const op: fc.Arbitrary<Op> = fc.record({
      op: fc.constantFrom(...(Object.keys(OP) as (keyof typeof OP)[])),
      desc: text,
      flags: fc.integer({ min: 0, max: 2 ** 22 - 1 }),
      a: fc.array(arg, { maxLength: 4 }),
      s: fc.array(field, { maxLength: 4 }),
      hint: fc.option(text, { nil: undefined }),
      hintErrno: fc.nat(200),
      skip: fc.nat(10),
    });
    fc.assert(fc.property(fc.array(op, { maxLength: 12 }), (ops) => {
      const b = new ProgramBuilder();
      ops.forEach((o) => b.add(o));
      const buf = b.encode({ nfds: 1 });
      const strings = HEADER_SIZE + ops.length * OP_SIZE;
      expect(buf.readUInt32LE(4)).toBe(ops.length);
      expect(buf.length).toBe(strings + buf.readUInt32LE(8));
      const bytes = (v: Str): Buffer | undefined => {
        if (v === undefined) return undefined;
        const b1 = Buffer.isBuffer(v) ? v : Buffer.from(Array.isArray(v) ? v.map((x) => x + '\0').join('') : v + '\0');
        return b1.length ? b1 : Buffer.alloc(1);
      };
      const at = (off: number, want: Buffer | undefined) => {
        expect(off % 8).toBe(0);
        return want === undefined ? (expect(off).toBe(0), undefined) : buf.subarray(strings + off, strings + off + want.length);
      };
      ops.forEach((o, i) => {
        const base = HEADER_SIZE + i * OP_SIZE;
        expect(buf.readUInt32LE(base)).toBe(OP[o.op]);
        expect(buf.readUInt32LE(base + 4)).toBe(o.flags);
        for (let k = 0; k < 4; k++) expect(buf.readBigInt64LE(base + 8 + k * 8)).toBe(BigInt.asIntN(64, BigInt(o.a?.[k] ?? 0)));
        for (let k = 0; k < 4; k++) expect(at(buf.readUInt32LE(base + 40 + k * 4), bytes(o.s?.[k]))).toEqual(bytes(o.s?.[k]));
        expect(at(buf.readUInt32LE(base + 56), bytes(o.desc))).toEqual(bytes(o.desc));
        expect(at(buf.readUInt32LE(base + 60), bytes(o.hint))).toEqual(bytes(o.hint));
        expect([buf.readUInt32LE(base + 64), buf.readUInt32LE(base + 68)]).toEqual([o.hintErrno, o.skip]);
      });
    }));
  });
});
