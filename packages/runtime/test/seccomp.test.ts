// seccomp filters loaded for real: each case runs a clean Node child that
// compiles the profile, sets no_new_privs (so no root is needed), loads the
// filter and then makes the syscalls under test, or has hull-init exec
// busybox under it, as for a container process.
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { missingCommand, missingRoot } from '@hull/testkit/host';
import { cleanEnv } from '@hull/testkit/env';
import { writeSourceLoader } from '@hull/testkit/sources';
import { itNeeds } from '@hull/testkit/jest';
import { ConfigError } from '../src/errors';
import { ARCHITECTURES, compileSeccomp, SECCOMP_FLAGS, supportedArchitectures, supportedSeccompFlags } from '../src/seccomp';
import type { LinuxSeccomp } from '../src/seccomp';
import * as scmp from '@hull/sys/seccomp';

const SRC = path.resolve(__dirname, '../src');
const REPO = path.resolve(__dirname, '../../..');
const KOFFI = require.resolve('koffi', { paths: [path.resolve(__dirname, '../../sys')] });
const BUSYBOX = '/bin/busybox';
const noBusybox = fs.existsSync(BUSYBOX) ? undefined : `no ${BUSYBOX} (Debian's busybox-static)`;
const itBusybox = itNeeds(noBusybox);
const x86_64 = process.arch === 'x64';
const it64 = itNeeds(x86_64 ? undefined : 'needs an x86_64 host');

const EPERM = 1;
const itRunc = itNeeds(missingRoot(), missingCommand('runc'), noBusybox);

let tmp: string;
const children: ChildProcess[] = [];

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), `hull-test-seccomp-${process.pid}-`));
  // Lets a plain Node child load the .ts sources, compiled on the fly by swc.
  writeSourceLoader(tmp);
  // The filtered process. argv[2]: { spec, probes, exec, notify }.
  fs.writeFileSync(path.join(tmp, 'child.js'), `
const fs = require('node:fs');
const koffi = require(${JSON.stringify(KOFFI)});
const { compileSeccomp, sendNotifyFd } = require(${JSON.stringify(path.join(SRC, 'seccomp/index.ts'))});
const scmp = require('@hull/sys/seccomp');
const libc = require('@hull/sys/libc');
const { execProgram, runAndExit } = require(${JSON.stringify(path.join(SRC, 'program/testing.ts'))});
const { libc: c } = require('@hull/sys/libraries');
const raw = c.func('long syscall(long nr, long a0, long a1, long a2)');
const getcwd = c.func('void *getcwd(_Out_ uint8_t *buf, size_t size)');
const cfg = JSON.parse(process.argv[2]);
const notes = [];
const log = { debug: (m) => notes.push(m), info() {}, warn() {}, error() {} };
const filter = compileSeccomp(cfg.spec, { log });
if (cfg.nnp === false) {
  // Without no_new_privs, only CAP_SYS_ADMIN may load a filter: shed root to show it.
  if (process.getuid() === 0) { libc.setresgid(65534); libc.setresuid(65534); }
} else {
  libc.prctl(38 /* PR_SET_NO_NEW_PRIVS */, 1, 0, 0, 0);
}
const notifyFd = filter.load();
if (cfg.notify) {
  sendNotifyFd(cfg.notify.listener, notifyFd, cfg.notify.state, cfg.notify.metadata);
  libc.close(notifyFd);
}
if (cfg.exec) {
  for (const fd of [0, 1, 2]) libc.fcntl(fd, 2 /* F_SETFD */, 0);
  runAndExit(execProgram('${BUSYBOX}', cfg.exec, cfg.env || []));
}
const results = cfg.probes.map((p) => {
  try {
    if (p.op === 'mkdir') { fs.mkdirSync(p.path); return 'ok'; }
    if (p.op === 'getcwd') { const b = Buffer.alloc(4096); return getcwd(b, b.length) ? 'ok' : 'errno ' + koffi.errno(); }
    const nr = p.nr ?? scmp.syscallResolveName(p.name);
    const ret = raw(nr, ...(p.args || []).map(BigInt), 0n, 0n, 0n);
    return ret < 0 ? 'errno ' + koffi.errno() : 'ret ' + ret;
  } catch (e) {
    return e.code || String(e);
  }
});
fs.writeSync(1, JSON.stringify({ results, notes, ignored: filter.ignored, notify: notifyFd !== undefined }));
`);
});

afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

interface Probe {
  op: 'mkdir' | 'getcwd' | 'syscall';
  path?: string;
  name?: string;
  nr?: number;
  args?: Array<number | string>;
}

function childArgs(cfg: object): string[] {
  return ['-r', path.join(tmp, 'register.js'), path.join(tmp, 'child.js'), JSON.stringify(cfg)];
}

/** Loads `spec` in a child and runs the probes there; returns one result per probe. */
function probe(spec: LinuxSeccomp, probes: Probe[]): { results: string[]; notes: string[]; ignored: string[] } {
  const res = spawnSync(process.execPath, childArgs({ spec, probes }), { env: cleanEnv(), encoding: 'utf8', timeout: 60_000 });
  if (res.status !== 0) throw new Error(`child failed (${res.status ?? res.signal}): ${res.stderr}`);
  return JSON.parse(res.stdout);
}

/** Loads `spec` in a child that then execs busybox with `argv`. */
function execUnder(spec: LinuxSeccomp, argv: string[], env: string[] = []) {
  return spawnSync(process.execPath, childArgs({ spec, probes: [], exec: argv, env }), { env: cleanEnv(), encoding: 'utf8', timeout: 60_000 });
}

const umask = (v: number | string): Probe => ({ op: 'syscall', name: 'umask', args: [v] });

describe('seccomp filters, loaded', () => {
  it('SCMP_ACT_ERRNO returns errnoRet, and EPERM without one', () => {
    const dir = path.join(tmp, 'made');
    const { results } = probe({
      defaultAction: 'SCMP_ACT_ALLOW',
      syscalls: [
        { names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO', errnoRet: 28 /* ENOSPC */ },
        { names: ['getcwd'], action: 'SCMP_ACT_ERRNO' },
      ],
    }, [{ op: 'mkdir', path: dir }, { op: 'getcwd' }, umask(0o22)]);
    expect(results).toEqual(['ENOSPC', `errno ${EPERM}`, 'ret 18']);
    expect(fs.existsSync(dir)).toBe(false);
  });

  /** Every syscall name libseccomp knows on this arch, but `except`. */
  const allBut = (...except: string[]) => {
    const names: string[] = [];
    for (let nr = 0; nr < 1024; nr++) {
      const name = scmp.syscallResolveNum(nr);
      if (name && !except.includes(name)) names.push(name);
    }
    return names;
  };

  it('defaultAction SCMP_ACT_ERRNO uses defaultErrnoRet; syscalls newer than the profile get ENOSYS', () => {
    // Allow everything this kernel has except umask, so Node itself keeps running.
    const { results } = probe({
      defaultAction: 'SCMP_ACT_ERRNO',
      defaultErrnoRet: 42,
      syscalls: [{ names: allBut('umask'), action: 'SCMP_ACT_ALLOW' }],
    }, [umask(0o22), { op: 'getcwd' }, { op: 'syscall', nr: 1000 }]);
    expect(results).toEqual(['errno 42', 'ok', 'errno 38']);
  });

  it64('the ENOSYS prologue keeps x32 syscalls apart from x86_64 ones', () => {
    const X32 = 0x40000000;
    const { results } = probe({
      defaultAction: 'SCMP_ACT_ERRNO',
      defaultErrnoRet: 42,
      architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X32'],
      syscalls: [{ names: allBut('umask'), action: 'SCMP_ACT_ALLOW' }],
    }, [umask(0o22), { op: 'syscall', nr: 1000 }, { op: 'syscall', nr: X32 | 95 /* umask */ }, { op: 'syscall', nr: X32 | 1000 }]);
    expect(results).toEqual(['errno 42', 'errno 38', 'errno 42', 'errno 38']);
  });

  it('a default action that lets calls through gets no ENOSYS prologue; nor does a default of ENOSYS', () => {
    const plain = compileSeccomp({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['umask'], action: 'SCMP_ACT_ERRNO' }] });
    const enosys = compileSeccomp({ defaultAction: 'SCMP_ACT_ERRNO', defaultErrnoRet: 38, syscalls: [{ names: ['umask'], action: 'SCMP_ACT_ALLOW' }] });
    const eperm = compileSeccomp({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['umask'], action: 'SCMP_ACT_ALLOW' }] });
    try {
      // The prologue's first instruction loads the arch (offset 4); libseccomp's does too, so count instructions.
      expect(eperm.program.length - enosys.program.length).toBeGreaterThan(0);
      expect(eperm.program.indexOf(Buffer.from([0x06, 0, 0, 0, 38, 0, 5, 0]))).toBeGreaterThan(0);
      expect(plain.program.indexOf(Buffer.from([0x06, 0, 0, 0, 38, 0, 5, 0]))).toBe(-1);
    } finally {
      [plain, enosys, eperm].forEach((f) => f.release());
    }
  });

  itBusybox('SCMP_ACT_KILL and SCMP_ACT_KILL_THREAD kill the (single-threaded) process with SIGSYS', () => {
    for (const action of ['SCMP_ACT_KILL', 'SCMP_ACT_KILL_THREAD']) {
      const res = execUnder({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['uname'], action }] }, ['uname', '-s']);
      expect({ action, signal: res.signal, stdout: res.stdout }).toEqual({ action, signal: 'SIGSYS', stdout: '' });
    }
  });

  itBusybox('SCMP_ACT_KILL_PROCESS and SCMP_ACT_TRAP end the process with SIGSYS', () => {
    for (const action of ['SCMP_ACT_KILL_PROCESS', 'SCMP_ACT_TRAP']) {
      const res = execUnder({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['uname'], action }] }, ['uname', '-s']);
      expect({ action, signal: res.signal }).toEqual({ action, signal: 'SIGSYS' });
    }
  });

  itBusybox('the filter survives execve: busybox mkdir fails with the profile errno', () => {
    const dir = path.join(tmp, 'busybox-made');
    const res = execUnder({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO', errnoRet: 13 }] }, ['mkdir', dir]);
    expect(res.status).toBe(1);
    expect(res.stderr).toContain('Permission denied');
    expect(fs.existsSync(dir)).toBe(false);
  });

  it('SCMP_ACT_LOG and SCMP_ACT_ALLOW let the call through; SCMP_ACT_TRACE without a tracer fails it with ENOSYS', () => {
    const { results } = probe({
      defaultAction: 'SCMP_ACT_ALLOW',
      syscalls: [
        { names: ['umask'], action: 'SCMP_ACT_LOG' },
        { names: ['getcwd'], action: 'SCMP_ACT_TRACE' },
        { names: ['getppid'], action: 'SCMP_ACT_ALLOW' },
      ],
    }, [umask(0o22), { op: 'getcwd' }, { op: 'syscall', name: 'getppid' }]);
    expect(results).toEqual(['ret 18', 'errno 38', `ret ${process.pid}`]);
  });

  describe('argument comparisons', () => {
    const values = [0, 5, 6, 7, 0o777, 0x1ff, 0x1000];
    const ops: Array<[string, number, number, (v: number) => boolean]> = [
      ['SCMP_CMP_EQ', 6, 0, (v) => v === 6],
      ['SCMP_CMP_NE', 6, 0, (v) => v !== 6],
      ['SCMP_CMP_LT', 6, 0, (v) => v < 6],
      ['SCMP_CMP_LE', 6, 0, (v) => v <= 6],
      ['SCMP_CMP_GT', 6, 0, (v) => v > 6],
      ['SCMP_CMP_GE', 6, 0, (v) => v >= 6],
      ['SCMP_CMP_MASKED_EQ', 0x6, 0x4, (v) => (v & 0x6) === 0x4],
    ];
    for (const [op, value, valueTwo, matches] of ops) {
      it(`${op} ${value}${op === 'SCMP_CMP_MASKED_EQ' ? ` ${valueTwo}` : ''}`, () => {
        const { results } = probe({
          defaultAction: 'SCMP_ACT_ALLOW',
          syscalls: [{ names: ['umask'], action: 'SCMP_ACT_ERRNO', errnoRet: 42, args: [{ index: 0, value, valueTwo, op }] }],
        }, values.map(umask));
        expect(results.map((r) => r === 'errno 42')).toEqual(values.map(matches));
      });
    }

    it('compares all 64 bits of an argument', () => {
      const { results } = probe({
        defaultAction: 'SCMP_ACT_ALLOW',
        syscalls: [{ names: ['umask'], action: 'SCMP_ACT_ERRNO', errnoRet: 42, args: [{ index: 0, value: '0x100000006', op: 'SCMP_CMP_EQ' }] }],
      }, [umask('0x100000006'), umask(6)]);
      expect(results[0]).toBe('errno 42');
      expect(results[1]).not.toBe('errno 42');
    });

    it('conditions on different arguments must all hold (one rule)', () => {
      // getpriority(which, who): which 0 = PRIO_PROCESS, who 0 = the caller.
      const getprio = (which: number, who: number): Probe => ({ op: 'syscall', name: 'getpriority', args: [which, who] });
      const { results } = probe({
        defaultAction: 'SCMP_ACT_ALLOW',
        syscalls: [{
          names: ['getpriority'], action: 'SCMP_ACT_ERRNO', errnoRet: 42,
          args: [{ index: 0, value: 0, op: 'SCMP_CMP_EQ' }, { index: 1, value: 0, op: 'SCMP_CMP_EQ' }],
        }],
      }, [getprio(0, 0), getprio(0, process.pid), getprio(1, 0)]);
      expect(results[0]).toBe('errno 42');
      expect(results[1]).not.toBe('errno 42');
      expect(results[2]).not.toBe('errno 42');
    });

    it('conditions on the same argument become separate rules, as runc makes them', () => {
      // As one rule, "a0 >= 10 AND a0 <= 5" could never match; runc adds one rule per condition.
      const { results } = probe({
        defaultAction: 'SCMP_ACT_ALLOW',
        syscalls: [{
          names: ['umask'], action: 'SCMP_ACT_ERRNO', errnoRet: 42,
          args: [{ index: 0, value: 0o10, op: 'SCMP_CMP_GE' }, { index: 0, value: 5, op: 'SCMP_CMP_LE' }],
        }],
      }, [umask(3), umask(6), umask(0o12)]);
      expect(results).toEqual(['errno 42', 'ret 18', 'errno 42']);
    });
  });

  it('ignores syscall names libseccomp does not know, with a debug note, and applies the rest', () => {
    const { results, notes, ignored } = probe({
      defaultAction: 'SCMP_ACT_ALLOW',
      syscalls: [{ names: ['no_such_syscall', 'getcwd'], action: 'SCMP_ACT_ERRNO', errnoRet: 42 }],
    }, [{ op: 'getcwd' }]);
    expect(results).toEqual(['errno 42']);
    expect(ignored).toEqual(['no_such_syscall']);
    expect(notes).toEqual(['seccomp: unknown syscall "no_such_syscall" ignored (linux.seccomp.syscalls[0].names[0])']);
  });

  it64('keeps the native architecture when the list names others only', () => {
    const spec: LinuxSeccomp = {
      defaultAction: 'SCMP_ACT_ALLOW',
      architectures: ['SCMP_ARCH_X86', 'SCMP_ARCH_X32'],
      syscalls: [{ names: ['getcwd'], action: 'SCMP_ACT_ERRNO', errnoRet: 42 }],
    };
    const filter = compileSeccomp(spec);
    try {
      const pfc = filter.toPfc();
      expect(pfc).toContain('filter for arch x86_64');
      expect(pfc).toContain('filter for arch x86 ');
      expect(pfc).toContain('filter for arch x32');
    } finally {
      filter.release();
    }
    expect(probe(spec, [{ op: 'getcwd' }]).results).toEqual(['errno 42']);
  });

  it('loads with the LOG, SPEC_ALLOW and TSYNC flags', () => {
    const { results } = probe({
      defaultAction: 'SCMP_ACT_ALLOW',
      flags: ['SECCOMP_FILTER_FLAG_LOG', 'SECCOMP_FILTER_FLAG_SPEC_ALLOW', 'SECCOMP_FILTER_FLAG_TSYNC'],
      syscalls: [{ names: ['getcwd'], action: 'SCMP_ACT_ERRNO', errnoRet: 42 }],
    }, [{ op: 'getcwd' }]);
    expect(results).toEqual(['errno 42']);
  });

  it('fails to load without no_new_privs or CAP_SYS_ADMIN, saying why', () => {
    const res = spawnSync(process.execPath, childArgs({ spec: { defaultAction: 'SCMP_ACT_ALLOW' }, probes: [], nnp: false }), { env: cleanEnv(), encoding: 'utf8' });
    expect(res.status).not.toBe(0);
    expect(res.stderr).toContain('load seccomp filter: EACCES (no_new_privs is not set and the process lacks CAP_SYS_ADMIN)');
  });
});

describe('seccomp profile errors', () => {
  const errorOf = (spec: unknown): ConfigError => {
    try {
      compileSeccomp(spec as LinuxSeccomp).release();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      return e as ConfigError;
    }
    throw new Error('compileSeccomp accepted the profile');
  };
  const allow = { defaultAction: 'SCMP_ACT_ALLOW' };

  it.each([
    [{ defaultAction: 'SCMP_ACT_FOO' }, 'linux.seccomp.defaultAction: unknown action "SCMP_ACT_FOO"'],
    [{ ...allow, syscalls: [{ names: ['read'], action: 'SCMP_ACT_ERRNO' }, { names: ['write'], action: 'SCMP_ACT_FOO' }] }, 'linux.seccomp.syscalls[1].action: unknown action "SCMP_ACT_FOO"'],
    [{ ...allow, architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_VAX'] }, 'linux.seccomp.architectures[1]: unknown architecture "SCMP_ARCH_VAX"'],
    [{ ...allow, syscalls: [{ names: ['read'], action: 'SCMP_ACT_ERRNO', args: [{ index: 0, value: 1, op: 'SCMP_CMP_EQ' }, { index: 1, value: 1, op: 'SCMP_CMP_ABOUT' }] }] }, 'linux.seccomp.syscalls[0].args[1].op: unknown operator "SCMP_CMP_ABOUT"'],
    [{ ...allow, syscalls: [{ names: ['read'], action: 'SCMP_ACT_ERRNO', args: [{ index: 6, value: 1, op: 'SCMP_CMP_EQ' }] }] }, 'linux.seccomp.syscalls[0].args[0].index: must be an integer from 0 to 5, not 6'],
    [{ ...allow, syscalls: [{ names: ['read'], action: 'SCMP_ACT_ERRNO', args: [{ index: 0, value: -1, op: 'SCMP_CMP_EQ' }] }] }, 'linux.seccomp.syscalls[0].args[0].value: must be an unsigned 64-bit integer, not -1'],
    [{ ...allow, flags: ['SECCOMP_FILTER_FLAG_FAST'] }, 'linux.seccomp.flags[0]: unknown flag "SECCOMP_FILTER_FLAG_FAST"'],
    [{ ...allow, syscalls: [{ names: ['read'], action: 'SCMP_ACT_KILL', errnoRet: 5 }] }, 'linux.seccomp.syscalls[0].errnoRet: SCMP_ACT_KILL takes no errno return code'],
    [{ defaultAction: 'SCMP_ACT_ERRNO', defaultErrnoRet: 70000 }, 'linux.seccomp.defaultErrnoRet: must be an integer from 0 to 65535, not 70000'],
    [{ defaultAction: 'SCMP_ACT_NOTIFY' }, 'linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default action'],
    [{ ...allow, syscalls: [{ names: ['read', 'write'], action: 'SCMP_ACT_NOTIFY' }] }, 'linux.seccomp.syscalls[0].names[1]: SCMP_ACT_NOTIFY cannot be used for the write syscall'],
    [{ ...allow, syscalls: [{ names: [], action: 'SCMP_ACT_ERRNO' }] }, 'linux.seccomp.syscalls[0].names: must name at least one syscall'],
    [{ ...allow, syscalls: { names: ['read'] } }, 'linux.seccomp.syscalls: must be an array'],
  ])('%j', (spec, message) => {
    expect(errorOf(spec).message).toBe(message);
  });

  it('accepts the flags the kernel accepts, and names the kernel for the others', () => {
    const supported = supportedSeccompFlags();
    expect(scmp.kernelAcceptsFlags(1 << 30)).toBe(false);
    // This kernel (6.x) has them all.
    if (Number(os.release().split('.')[0]) >= 6) expect(supported.sort()).toEqual([...SECCOMP_FLAGS].sort());
    SECCOMP_FLAGS.forEach((flag) => {
      const spec = { ...allow, flags: [flag] };
      if (supported.includes(flag)) compileSeccomp(spec).release();
      else expect(errorOf(spec).message).toBe(`linux.seccomp.flags[0]: ${flag} is not supported by this kernel (${os.release()})`);
    });
  });

  it('compiles every architecture libseccomp supports, and says which it does not', () => {
    const v = scmp.version();
    const supported = supportedArchitectures();
    const bigEndian: string[] = [];
    expect(supported).toEqual(expect.arrayContaining(['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32', 'SCMP_ARCH_AARCH64', 'SCMP_ARCH_S390X']));
    Object.keys(ARCHITECTURES).forEach((arch) => {
      const spec = { ...allow, architectures: [arch] };
      if (!supported.includes(arch)) {
        expect(errorOf(spec).message).toBe(`linux.seccomp.architectures[0]: architecture ${arch} is not supported by libseccomp ${v.major}.${v.minor}.${v.micro}`);
        return;
      }
      try {
        compileSeccomp(spec).release();
      } catch (e) {
        expect((e as Error).message).toBe(`linux.seccomp.architectures[0]: ${arch} has another byte order than this machine (${os.arch()}): one filter cannot hold both`);
        bigEndian.push(arch);
      }
    });
    if (os.endianness() === 'LE') expect(bigEndian).toEqual(expect.arrayContaining(['SCMP_ARCH_S390X', 'SCMP_ARCH_PPC64', 'SCMP_ARCH_MIPS']));
    expect(bigEndian).not.toContain(os.endianness() === 'LE' ? 'SCMP_ARCH_X86_64' : 'SCMP_ARCH_S390X');
  });

  it('names the JSON path it is given', () => {
    expect(() => compileSeccomp({ defaultAction: 'SCMP_ACT_NOPE' }, { jsonPath: 'process.seccomp' })).toThrow('process.seccomp.defaultAction: unknown action "SCMP_ACT_NOPE"');
  });

  it('skips rules whose action is the default action (libseccomp refuses them)', () => {
    const filter = compileSeccomp({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['read'], action: 'SCMP_ACT_ERRNO', errnoRet: EPERM }, { names: ['write'], action: 'SCMP_ACT_ALLOW' }] });
    try {
      const pfc = filter.toPfc();
      expect(pfc).not.toContain('"read"');
      expect(pfc).toContain('"write"');
    } finally {
      filter.release();
    }
  });
});

describe('SCMP_ACT_NOTIFY', () => {
  it('sends the notify fd and the container state to the agent, which answers the syscall', async () => {
    const listener = path.join(tmp, 'agent.sock');
    // The agent: accepts one connection, takes the fd and the state, answers
    // one notification with the value 4242, and reports what it got.
    const agentJs = path.join(tmp, 'agent.js');
    fs.writeFileSync(agentJs, `
const fs = require('node:fs');
const scm = require('@hull/sys/scm');
const libc = require('@hull/sys/libc');
const lfd = scm.listenUnix(process.argv[2]);
fs.writeSync(1, 'ready\\n');
const conn = scm.acceptUnix(lfd);
let { data, fds } = scm.recvFds(conn);
for (let more; (more = scm.recvFds(conn)).data.length;) data = Buffer.concat([data, more.data]);
const notif = Buffer.alloc(80); // struct seccomp_notif
libc.ioctl(fds[0], 0xc0502100 /* SECCOMP_IOCTL_NOTIF_RECV */, notif);
const resp = Buffer.alloc(24); // struct seccomp_notif_resp
notif.copy(resp, 0, 0, 8);
resp.writeBigInt64LE(4242n, 8);
libc.ioctl(fds[0], 0xc0182101 /* SECCOMP_IOCTL_NOTIF_SEND */, resp);
fs.writeSync(1, JSON.stringify({ msg: JSON.parse(data.toString()), nfds: fds.length, nr: notif.readInt32LE(16), pid: notif.readUInt32LE(8) }) + '\\n');
`);
    const agent = spawn(process.execPath, ['-r', path.join(tmp, 'register.js'), agentJs, listener], { env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(agent);
    let agentOut = '';
    let agentErr = '';
    agent.stderr!.on('data', (d) => { agentErr += d; });
    const agentDone = new Promise<void>((resolve) => agent.on('close', () => resolve()));
    await new Promise<void>((resolve, reject) => {
      agent.stdout!.on('data', (d) => {
        agentOut += d;
        if (agentOut.includes('ready\n')) resolve();
      });
      agent.on('close', () => reject(new Error(`agent died: ${agentErr}`)));
    });

    const state = { ociVersion: '1.2.0', id: `hull-test-${process.pid}-notify`, status: 'creating', pid: 77, bundle: '/b', annotations: { a: 'b' } };
    const target = spawn(process.execPath, childArgs({
      spec: {
        defaultAction: 'SCMP_ACT_ALLOW', listenerPath: listener,
        flags: supportedSeccompFlags().filter((f) => f.includes('WAIT_KILLABLE_RECV')),
        syscalls: [{ names: ['getppid'], action: 'SCMP_ACT_NOTIFY' }],
      },
      probes: [{ op: 'syscall', name: 'getppid' }],
      notify: { listener, state, metadata: 'some metadata' },
    }), { env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(target);
    let out = '';
    let err = '';
    target.stdout!.on('data', (d) => { out += d; });
    target.stderr!.on('data', (d) => { err += d; });
    const code = await new Promise<number | null>((resolve) => target.on('close', (c) => resolve(c)));
    await agentDone;

    expect({ code, err }).toEqual({ code: 0, err: '' });
    expect(JSON.parse(out)).toMatchObject({ results: ['ret 4242'], notify: true });
    const got = JSON.parse(agentOut.slice(agentOut.indexOf('\n') + 1));
    expect(got.msg).toEqual({ ociVersion: '1.2.0', fds: ['seccompFd'], pid: 77, metadata: 'some metadata', state });
    expect(got.nfds).toBe(1);
    expect(got.nr).toBe(scmp.syscallResolveName('getppid'));
    expect(got.pid).toBe(target.pid);
  });

  it('names the agent socket when it cannot connect', () => {
    const { sendNotifyFd } = require('../src/seccomp') as typeof import('../src/seccomp');
    const missing = path.join(tmp, 'no-agent.sock');
    expect(() => sendNotifyFd(missing, 0, { ociVersion: '1.2.0', id: 'x', status: 'creating', bundle: '/b' })).toThrow(`seccomp agent at ${missing}: connect ${missing}: ENOENT`);
  });
});

describe('against runc', () => {
  // The same profile and the same busybox command, once under runc and once
  // exec'd from a hull child that loaded the filter: same exit, same output.
  const cases: Array<[string, LinuxSeccomp, string[]]> = [
    ['ERRNO with errnoRet, and an unknown name ignored', {
      defaultAction: 'SCMP_ACT_ALLOW',
      syscalls: [{ names: ['no_such_syscall', 'mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO', errnoRet: 13 }],
    }, ['sh', '-c', `mkdir /tmp/hull-test-${process.pid}-never; echo rc=$?`]],
    ['two conditions on one argument act as separate rules', {
      defaultAction: 'SCMP_ACT_ALLOW',
      syscalls: [{
        names: ['setpriority'], action: 'SCMP_ACT_ERRNO', errnoRet: 28,
        args: [{ index: 2, value: 10, op: 'SCMP_CMP_GE' }, { index: 2, value: 2, op: 'SCMP_CMP_LE' }],
      }],
    }, ['sh', '-c', 'renice 12 -p $$; echo a=$?; renice 1 -p $$; echo b=$?; renice 5 -p $$; echo c=$?']],
    ['conditions on two arguments act as one rule', {
      defaultAction: 'SCMP_ACT_ALLOW',
      syscalls: [{
        names: ['setpriority'], action: 'SCMP_ACT_ERRNO', errnoRet: 28,
        args: [{ index: 0, value: 0, op: 'SCMP_CMP_EQ' }, { index: 2, value: 7, op: 'SCMP_CMP_MASKED_EQ', valueTwo: 6 }],
      }],
    }, ['sh', '-c', 'renice 6 -p $$; echo a=$?; renice 7 -p $$; echo b=$?']], // b: which == 0 alone must not match
    ['KILL', { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['uname'], action: 'SCMP_ACT_KILL' }] }, ['uname', '-s']],
  ];

  let rootfs: string;
  beforeAll(() => {
    if (process.getuid?.() !== 0) return;
    rootfs = path.join(tmp, 'rootfs');
    const res = spawnSync('bash', [path.join(REPO, 'scripts/make-rootfs.sh'), rootfs], { encoding: 'utf8' });
    if (res.status !== 0) throw new Error(`make-rootfs: ${res.stderr}`);
  });

  const exitOf = (res: ReturnType<typeof spawnSync>) => res.signal ? 128 + os.constants.signals[res.signal] : res.status;

  cases.forEach(([name, seccomp, argv], n) => {
    itRunc(name, () => {
      const id = `hull-test-${process.pid}-seccomp-${n}`;
      const bundle = path.join(tmp, `bundle-${n}`);
      const runcRoot = path.join(tmp, 'runc-root');
      fs.mkdirSync(bundle);
      spawnSync('runc', ['spec'], { cwd: bundle });
      const spec = JSON.parse(fs.readFileSync(path.join(bundle, 'config.json'), 'utf8'));
      spec.root = { path: rootfs, readonly: true };
      spec.process.terminal = false;
      spec.process.args = argv;
      spec.linux.seccomp = seccomp;
      fs.writeFileSync(path.join(bundle, 'config.json'), JSON.stringify(spec));
      let runc;
      try {
        runc = spawnSync('runc', ['--root', runcRoot, 'run', '--bundle', bundle, id], { encoding: 'utf8', timeout: 60_000 });
      } finally {
        spawnSync('runc', ['--root', runcRoot, 'delete', '--force', id]);
      }
      // busybox applets from the test rootfs, as inside the container.
      const hull = execUnder(seccomp, argv, [`PATH=${path.join(rootfs, 'bin')}`]);
      expect({ exit: exitOf(hull), stdout: hull.stdout, stderr: hull.stderr }).toEqual({ exit: exitOf(runc), stdout: runc.stdout, stderr: runc.stderr });
    });
  });
});
