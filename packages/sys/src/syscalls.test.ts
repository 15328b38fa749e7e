import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SysError } from './errors';
import { AF_UNIX, SOCK_CLOEXEC, SOCK_STREAM, WNOHANG } from './constants';
import * as sys from './syscalls';
import { spawn } from './native';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hull-syscalls-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

test('flock: a second open file of the same path cannot take the lock until the first closes', () => {
  const file = path.join(dir, 'lock');
  const a = fs.openSync(file, 'w');
  const b = fs.openSync(file, 'r');
  try {
    sys.flock(a, sys.LOCK_EX, 'lock a');
    let err: unknown;
    try {
      sys.flock(b, sys.LOCK_EX | sys.LOCK_NB, 'lock b');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SysError);
    expect(err).toMatchObject({ syscall: 'flock', code: 'EAGAIN', message: 'lock b: EAGAIN' });
    fs.closeSync(a);
    sys.flock(b, sys.LOCK_EX | sys.LOCK_NB);
  } finally {
    fs.closeSync(b);
    try { fs.closeSync(a); } catch { /* closed above */ }
  }
});

test('kill and tryKill: signal 0 to ourselves; ESRCH names the pid', () => {
  expect(sys.tryKill(process.pid, 0)).toBe(0);
  // A pid above pid_max never exists.
  expect(sys.tryKill(1 << 30, 0)).toBe(os.constants.errno.ESRCH);
  expect(() => sys.kill(1 << 30, 0)).toThrow(`kill ${1 << 30}: ESRCH`);
});

test('open, write, close; a missing path is ENOENT with the path', () => {
  const file = path.join(dir, 'f');
  const fd = sys.open(file, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_CLOEXEC, 0o600);
  expect(sys.write(fd, Buffer.from('hello'))).toBe(5);
  sys.close(fd);
  expect(fs.readFileSync(file, 'utf8')).toBe('hello');
  expect((fs.statSync(file).mode & 0o777)).toBe(0o600 & ~process.umask());
  expect(() => sys.open(path.join(dir, 'missing'), fs.constants.O_RDONLY)).toThrow(`open ${path.join(dir, 'missing')}: ENOENT`);
});

test('umask and mkfifo: the mode is the one asked for under umask 0', () => {
  const fifo = path.join(dir, 'fifo');
  const old = sys.umask(0);
  try {
    sys.mkfifo(fifo, 0o622);
  } finally {
    expect(sys.umask(old)).toBe(0);
  }
  const st = fs.statSync(fifo);
  expect(st.isFIFO()).toBe(true);
  expect(st.mode & 0o777).toBe(0o622);
  expect(() => sys.mkfifo(fifo, 0o600)).toThrow(`mkfifo ${fifo}: EEXIST`);
});

test('socketpair: what one end writes the other reads', () => {
  const [a, b] = sys.socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC);
  try {
    sys.write(a, Buffer.from('ping'));
    const buf = Buffer.alloc(8);
    expect(fs.readSync(b, buf)).toBe(4);
    expect(buf.toString('utf8', 0, 4)).toBe('ping');
  } finally {
    sys.close(a);
    sys.close(b);
  }
  expect(() => sys.socketpair(-1, SOCK_STREAM)).toThrow(SysError);
});

test('umount2 of a path that is no mount point fails with the path named', () => {
  expect(() => sys.umount2(dir, 0)).toThrow(new RegExp(`^umount ${dir}: (EINVAL|EPERM)$`));
});

test('spawn and waitpid: the child execs, its exit status comes back; ECHILD for a pid not ours', () => {
  const child = spawn({ path: '/bin/sh', argv: ['sh', '-c', 'exit 7'], env: [], fds: [0, 1, 2] });
  child.result();
  let res: [number, number] = [0, 0];
  for (let i = 0; i < 500 && res[0] === 0; i++) {
    res = sys.waitpid(child.pid, WNOHANG);
    if (res[0] === 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
  }
  expect(res[0]).toBe(child.pid);
  expect((res[1] >> 8) & 0xff).toBe(7);
  expect(() => sys.waitpid(child.pid, 0)).toThrow(`waitpid ${child.pid}: ECHILD`);
});

test('spawn: a program that cannot be exec\'d fails at its execve step', () => {
  const child = spawn({ path: path.join(dir, 'missing'), argv: ['missing'], env: [], fds: [0, 1, 2] });
  expect(() => child.result()).toThrow(`spawn ${path.join(dir, 'missing')}: execve: ENOENT`);
  sys.waitpid(child.pid, 0);
});

test('spawn with dumpable 0: the program starts with the real uid of nobody, and the caller stays dumpable', () => {
  // The child shares the caller's memory until its execve, and dumpability belongs to the memory.
  const { prctl } = require('./libc') as typeof import('./libc');
  const PR_GET_DUMPABLE = 3;
  expect(prctl(PR_GET_DUMPABLE)).toBe(1);
  const out = fs.openSync(path.join(dir, 'status'), 'w');
  const child = spawn({ path: '/bin/cat', argv: ['cat', '/proc/self/status'], env: [], fds: [0, out, 2], dumpable: 0 });
  fs.closeSync(out);
  child.result();
  sys.waitpid(child.pid, 0);
  const uids = /^Uid:\s+(.*)$/m.exec(fs.readFileSync(path.join(dir, 'status'), 'utf8'))?.[1].split(/\s+/);
  expect(uids?.[0]).toBe(process.geteuid?.() === 0 ? '65534' : String(process.getuid?.()));
  expect(prctl(PR_GET_DUMPABLE)).toBe(1);
});

test('the addon refuses arguments of the wrong kind with an error, not a crash', () => {
  // A TypeError of the main context (jest's tests run in another, so matched by its words).
  const addon = sys.addon() as unknown as Record<string, (...a: unknown[]) => unknown>;
  expect(() => addon.flock('x', 2)).toThrow('hull.node: bad argument');
  expect(() => addon.open(3, 0, 0)).toThrow('hull.node: bad argument');
  expect(() => addon.spawn('/bin/true', 'not an array', [], 0, [], [], -1, 0, 0, -1, -1)).toThrow('hull.node: bad argument');
});
