// SCM_RIGHTS round trips over real unix sockets (no root needed).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as libc from './libc';
import { AF_UNIX, F_GETFD, FD_CLOEXEC, SOCK_CLOEXEC, SOCK_SEQPACKET, SOCK_STREAM } from './constants';
import { acceptUnix, connectUnix, listenUnix, recvFds, sendFds } from './scm';

const opened: number[] = [];
const track = (...fds: number[]) => { opened.push(...fds); return fds; };
let tmp: string;

beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), `hull-test-scm-${process.pid}-`));
});
afterEach(() => {
  for (const fd of opened.splice(0)) libc.close(fd);
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('sendFds / recvFds', () => {
  it('passes several fds with the data; received fds are close-on-exec and work', () => {
    const [a, b] = track(...libc.socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC));
    const files = ['one', 'two', 'three'].map((name) => {
      const p = path.join(tmp, name);
      fs.writeFileSync(p, `content of ${name}`);
      return track(fs.openSync(p, 'r'))[0];
    });
    expect(sendFds(a, files, 'hello')).toBe(5);
    const got = recvFds(b);
    track(...got.fds);
    expect(got.data.toString()).toBe('hello');
    expect(got.fds).toHaveLength(3);
    got.fds.forEach((fd, i) => {
      expect(files).not.toContain(fd);
      expect(libc.fcntl(fd, F_GETFD) & FD_CLOEXEC).toBe(FD_CLOEXEC);
      expect(fs.readFileSync(fd, 'utf8')).toBe(`content of ${['one', 'two', 'three'][i]}`);
    });
  });

  it('sends data without fds, and reports EOF as empty data', () => {
    const [a, b] = libc.socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC);
    track(b);
    sendFds(a, [], Buffer.from('plain'));
    libc.close(a);
    expect(recvFds(b)).toEqual({ data: Buffer.from('plain'), fds: [] });
    expect(recvFds(b).data.length).toBe(0);
  });

  it('refuses empty data (the fds would have nothing to travel with)', () => {
    const [a] = track(...libc.socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC));
    expect(() => sendFds(a, [0], '')).toThrow('data must not be empty');
  });

  it('closes what it received and says so when more fds arrive than asked for', () => {
    const [a, b] = track(...libc.socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC));
    sendFds(a, [0, 0, 0], 'x');
    expect(() => recvFds(b, 16, 1)).toThrow('more than 1 fds attached');
  });
});

describe('listenUnix / connectUnix / acceptUnix', () => {
  it('connects, accepts and carries an fd across', () => {
    const sock = path.join(tmp, 's.sock');
    const [l] = track(listenUnix(sock));
    const [c] = track(connectUnix(sock));
    const [s] = track(acceptUnix(l));
    const [r, w] = pipeFds();
    sendFds(c, [w], '{"x":1}');
    libc.close(w);
    const got = recvFds(s);
    expect(JSON.parse(got.data.toString())).toEqual({ x: 1 });
    expect(got.fds).toHaveLength(1);
    fs.writeSync(got.fds[0], 'through the passed fd');
    libc.close(got.fds[0]); // the last write end: the reader sees EOF
    expect(fs.readFileSync(r, 'utf8')).toBe('through the passed fd');
  });

  it('names the socket it cannot connect to', () => {
    const sock = path.join(tmp, 'nobody.sock');
    expect(() => connectUnix(sock)).toThrow(`connect ${sock}: ENOENT`);
  });

  it('refuses a path longer than sockaddr_un holds', () => {
    expect(() => connectUnix('/' + 'x'.repeat(200))).toThrow('unix socket path too long');
  });
});

/** A pipe as [read, write] fds, via a FIFO so only fs and libc are needed. */
function pipeFds(): [number, number] {
  const fifo = path.join(tmp, 'fifo');
  require('node:child_process').execFileSync('mkfifo', [fifo]);
  const r = fs.openSync(fifo, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  const w = fs.openSync(fifo, 'w');
  // The read end goes back to blocking so readFileSync waits for EOF.
  libc.fcntl(r, 4 /* F_SETFL */, 0);
  track(r);
  return [r, w];
}
