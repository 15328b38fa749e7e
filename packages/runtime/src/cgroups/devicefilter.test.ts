// The eBPF device filter: its instructions run through a small interpreter
// of the opcodes it emits, against a reference decision; and, as root, the
// kernel's verifier loads it and a process in the cgroup is refused /dev/null.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { cgroupVersion, missingRoot } from '@hull/testkit/host';
import { itNeeds } from '@hull/testkit/jest';
import { DEVICE_ACCESS, DEVICE_TYPE, deviceFilterProgram, encodeProgram, type Insn } from './devicefilter';
import { containerDeviceRules, type DeviceRule, normaliseDeviceRules, v1RuleLine } from './devices';

/** Runs the program on one bpf_cgroup_dev_ctx; knows only the opcodes the generator uses. */
function run(prog: Insn[], type: number, access: number, major: number, minor: number): number {
  const ctx = [(access << 16) | type, major, minor];
  const r = new Array<number>(11).fill(0);
  for (let pc = 0; pc < prog.length; pc++) {
    const i = prog[pc];
    switch (i.code) {
      case 0x61: r[i.dst] = ctx[i.off / 4]; break; // ldxw dst, [r1+off]
      case 0x54: r[i.dst] = (r[i.dst] & i.imm) >>> 0; break; // and32 k
      case 0x74: r[i.dst] = r[i.dst] >>> i.imm; break; // rsh32 k
      case 0xbc: r[i.dst] = r[i.src]; break; // mov32 x
      case 0xb7: r[i.dst] = i.imm; break; // mov64 k
      case 0x55: if (r[i.dst] !== i.imm) pc += i.off; break; // jne k
      case 0x15: if (r[i.dst] === i.imm) pc += i.off; break; // jeq k
      case 0x95: return r[0]; // exit
      default: throw new Error(`unexpected opcode 0x${i.code.toString(16)} at ${pc}`);
    }
  }
  throw new Error('fell off the end of the program');
}

/** The documented semantics: last matching rule wins, default deny. */
function reference(rules: DeviceRule[], type: 'b' | 'c', access: number, major: number, minor: number): number {
  const bits = (a: string) => (a.includes('m') ? 1 : 0) | (a.includes('r') ? 2 : 0) | (a.includes('w') ? 4 : 0);
  for (let i = rules.length - 1; i >= 0; i--) {
    const r = rules[i];
    if (r.type !== 'a' && r.type !== type) continue;
    if (r.major >= 0 && r.major !== major) continue;
    if (r.minor >= 0 && r.minor !== minor) continue;
    const acc = bits(r.access);
    if (r.allow ? (access & ~acc) === 0 : (access & acc) !== 0) return r.allow ? 1 : 0;
  }
  return 0;
}

const RUNC_DEFAULTS = normaliseDeviceRules([
  { allow: false, access: 'rwm' },
  { allow: true, type: 'c', major: -1, minor: -1, access: 'm' },
  { allow: true, type: 'b', major: -1, minor: -1, access: 'm' },
  { allow: true, type: 'c', major: 1, minor: 3, access: 'rwm' },
  { allow: true, type: 'c', major: 1, minor: 5, access: 'rwm' },
  { allow: true, type: 'c', major: 136, access: 'rwm' },
  { allow: true, type: 'c', major: 5, minor: 1, access: 'rw' },
  { allow: false, type: 'c', major: 1, minor: 5, access: 'w' },
  { allow: true, type: 'b', major: 8, minor: 0, access: 'r' },
]);

describe('device filter program', () => {
  it('decides like the reference for every type, access and device tried', () => {
    const prog = deviceFilterProgram(RUNC_DEFAULTS);
    const devices: [number, number][] = [[1, 3], [1, 5], [1, 7], [136, 0], [136, 9], [5, 1], [5, 0], [8, 0], [8, 1], [254, 0]];
    let allowed = 0;
    for (const type of ['b', 'c'] as const) {
      for (let access = 1; access <= 7; access++) {
        for (const [maj, min] of devices) {
          const got = run(prog, type === 'b' ? DEVICE_TYPE.BLOCK : DEVICE_TYPE.CHAR, access, maj, min);
          expect([type, access, maj, min, got]).toEqual([type, access, maj, min, reference(RUNC_DEFAULTS, type, access, maj, min)]);
          allowed += got;
        }
      }
    }
    // Spot checks that make the table meaningful.
    expect(run(prog, DEVICE_TYPE.CHAR, DEVICE_ACCESS.READ, 1, 3)).toBe(1);
    expect(run(prog, DEVICE_TYPE.CHAR, DEVICE_ACCESS.READ, 1, 7)).toBe(0);
    expect(run(prog, DEVICE_TYPE.CHAR, DEVICE_ACCESS.MKNOD, 1, 7)).toBe(1);
    expect(run(prog, DEVICE_TYPE.CHAR, DEVICE_ACCESS.READ | DEVICE_ACCESS.WRITE, 1, 5)).toBe(0); // later deny w
    expect(run(prog, DEVICE_TYPE.CHAR, DEVICE_ACCESS.READ, 1, 5)).toBe(1);
    expect(run(prog, DEVICE_TYPE.BLOCK, DEVICE_ACCESS.WRITE, 8, 0)).toBe(0);
    expect(allowed).toBeGreaterThan(10);
  });

  it('no rules deny everything; an allow-all rule ends the program (no dead code for the verifier)', () => {
    expect(run(deviceFilterProgram([]), DEVICE_TYPE.CHAR, DEVICE_ACCESS.READ, 1, 3)).toBe(0);
    const rules = normaliseDeviceRules([{ allow: true, access: 'rwm' }, { allow: false, type: 'c', major: 1, minor: 3, access: 'rwm' }]);
    const prog = deviceFilterProgram(rules);
    expect(run(prog, DEVICE_TYPE.CHAR, DEVICE_ACCESS.READ, 1, 3)).toBe(0);
    expect(run(prog, DEVICE_TYPE.BLOCK, 7, 8, 0)).toBe(1);
    expect(prog[prog.length - 1].code).toBe(0x95);
    expect(prog[prog.length - 2]).toEqual({ code: 0xb7, dst: 0, src: 0, off: 0, imm: 1 });
  });

  it('runc\'s default devices come after the config\'s rules', () => {
    const prog = deviceFilterProgram(normaliseDeviceRules(containerDeviceRules([{ allow: false, access: 'rwm' }, { allow: false, type: 'c', major: 1, minor: 3, access: 'rwm' }])));
    expect(run(prog, DEVICE_TYPE.CHAR, DEVICE_ACCESS.READ | DEVICE_ACCESS.WRITE, 1, 3)).toBe(1);
    expect(run(prog, DEVICE_TYPE.CHAR, DEVICE_ACCESS.READ, 136, 5)).toBe(1);
    expect(run(prog, DEVICE_TYPE.CHAR, DEVICE_ACCESS.READ, 1, 4)).toBe(0);
    expect(run(prog, DEVICE_TYPE.BLOCK, DEVICE_ACCESS.MKNOD, 8, 0)).toBe(1);
  });

  it('encodes struct bpf_insn: code, dst|src<<4, off, imm (little endian)', () => {
    const buf = encodeProgram([{ code: 0xbc, dst: 1, src: 3, off: -2, imm: -1 }]);
    expect([...buf]).toEqual([0xbc, 0x31, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff]);
  });

  it('normalises and prints v1 rules; refuses bad ones with their JSON path', () => {
    expect(normaliseDeviceRules([{ allow: true, type: 'c', major: 136, access: 'wr' }]).map(v1RuleLine)).toEqual(['c 136:* rw']);
    expect(v1RuleLine(normaliseDeviceRules([{ allow: false }])[0])).toBe('a *:* rwm');
    expect(() => normaliseDeviceRules([{ allow: true }, { allow: true, type: 'x' as 'a' }])).toThrow('linux.resources.devices[1].type: "x" is not "a", "b" or "c"');
    expect(() => normaliseDeviceRules([{ allow: true, access: 'rx' }])).toThrow(/devices\[0\].access/);
  });
});

/** A cgroup2 tree: /sys/fs/cgroup on a v2 host, the mount beside v1 on a hybrid one. */
const UNIFIED = cgroupVersion() === 2 ? '/sys/fs/cgroup' : '/sys/fs/cgroup/unified';
const itRoot = itNeeds(missingRoot(), fs.existsSync(`${UNIFIED}/cgroup.procs`) ? undefined : `no cgroup2 mount at ${UNIFIED}`);
let n = 0;

describe('device filter in the kernel (root, a cgroup2 tree)', () => {

  itRoot('the verifier loads it; a process in the cgroup can open /dev/null only while allowed; update replaces the program', () => {
    // Loaded here so that the module's koffi import only runs where it is used.
    const { attachDeviceFilter, attachedDeviceFilters } = require('./bpfdevices') as typeof import('./bpfdevices');
    const dir = `${UNIFIED}/hull-test-${process.pid}-${n++}`;
    fs.mkdirSync(dir);
    try {
      const tryOpen = () => spawnSync('/bin/busybox', ['sh', '-c', `echo $$ > ${dir}/cgroup.procs && (: < /dev/null) 2>/dev/null && echo OPENED || echo DENIED`], {
        encoding: 'utf8', env: { PATH: '/bin:/usr/bin' },
      }).stdout.trim();
      expect(tryOpen()).toBe('OPENED');
      attachDeviceFilter(dir, normaliseDeviceRules([{ allow: false, access: 'rwm' }, { allow: true, type: 'c', major: 1, minor: 5, access: 'rwm' }]));
      expect(attachedDeviceFilters(dir)).toHaveLength(1);
      expect(tryOpen()).toBe('DENIED');
      attachDeviceFilter(dir, normaliseDeviceRules([{ allow: false, access: 'rwm' }, { allow: true, type: 'c', major: 1, minor: 3, access: 'rw' }]));
      expect(attachedDeviceFilters(dir)).toHaveLength(1);
      expect(tryOpen()).toBe('OPENED');
      attachDeviceFilter(dir, RUNC_DEFAULTS);
      expect(tryOpen()).toBe('OPENED');
    } finally {
      fs.rmdirSync(dir);
    }
  });
});
