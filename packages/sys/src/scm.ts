// Passing file descriptors over unix sockets (SCM_RIGHTS), synchronously:
// the seccomp notify fd to an agent, a pty master to a console socket, fds
// between the runtime and its init.
import { SysError, UsageError } from './errors';
import { AF_UNIX, SCM_RIGHTS, SOCK_CLOEXEC, SOCK_STREAM, SOL_SOCKET } from './constants';
import { accept4, bind, close, connect, listen, recvmsg, sendmsg, socket, type MsgHdr } from './libc';

const MSG_NOSIGNAL = 0x4000;
const MSG_CMSG_CLOEXEC = 0x40000000;
const MSG_CTRUNC = 0x8;
const SUN_PATH_MAX = 108;
/** struct cmsghdr: size_t len; int level; int type; then data aligned to 8. */
const CMSG_HDR = 16;
const align8 = (n: number) => (n + 7) & ~7;

/** struct sockaddr_un for `path`, and its length. */
function unixAddress(path: string): [Buffer, number] {
  const name = Buffer.from(path);
  if (name.length >= SUN_PATH_MAX) throw new UsageError(`unix socket path too long (${name.length} bytes, at most ${SUN_PATH_MAX - 1}): ${path}`, { path });
  const addr = Buffer.alloc(2 + SUN_PATH_MAX);
  addr.writeUInt16LE(AF_UNIX, 0);
  name.copy(addr, 2);
  return [addr, 2 + name.length + 1];
}

/** A new close-on-exec unix socket, handed to `use`; closed if `use` throws. */
function withSocket(type: number, what: string, use: (fd: number) => void): number {
  const fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0, `socket for ${what}`);
  try {
    use(fd);
  } catch (e) {
    close(fd);
    throw e;
  }
  return fd;
}

/** Connects a new close-on-exec socket to the unix socket at `path`. */
export function connectUnix(path: string, type = SOCK_STREAM): number {
  const [addr, len] = unixAddress(path);
  return withSocket(type, path, (fd) => {
    connect(fd, addr, len, `connect ${path}`);
  });
}

/** A close-on-exec unix socket listening at `path` (which must not exist). */
export function listenUnix(path: string, type = SOCK_STREAM, backlog = 16): number {
  const [addr, len] = unixAddress(path);
  return withSocket(type, path, (fd) => {
    bind(fd, addr, len, `bind ${path}`);
    listen(fd, backlog, `listen on ${path}`);
  });
}

/** Waits for and accepts one connection; the new fd is close-on-exec. */
export function acceptUnix(listenFd: number): number {
  return accept4(listenFd, SOCK_CLOEXEC, `accept on fd ${listenFd}`);
}

/**
 * Sends `data` with `fds` attached (SCM_RIGHTS). The fds travel with the
 * first byte, so data must not be empty; on a stream socket the rest of a
 * long message is written after it. Returns the bytes sent.
 */
export function sendFds(sock: number, fds: number[], data: Buffer | string): number {
  const bytes = typeof data === 'string' ? Buffer.from(data) : data;
  if (bytes.length === 0) throw new UsageError('sendFds: data must not be empty (fds travel with a byte)');
  let control: Buffer | null = null;
  if (fds.length) {
    control = Buffer.alloc(CMSG_HDR + align8(4 * fds.length));
    control.writeBigUInt64LE(BigInt(CMSG_HDR + 4 * fds.length), 0);
    control.writeInt32LE(SOL_SOCKET, 8);
    control.writeInt32LE(SCM_RIGHTS, 12);
    fds.forEach((fd, i) => control!.writeInt32LE(fd, CMSG_HDR + 4 * i));
  }
  let sent = 0;
  while (sent < bytes.length) {
    const chunk = bytes.subarray(sent);
    const msg: MsgHdr = {
      name: null, namelen: 0,
      iov: [{ base: chunk, len: chunk.length }], iovlen: 1,
      control: sent === 0 ? control : null, controllen: sent === 0 && control ? control.length : 0,
      flags: 0,
    };
    sent += sendmsg(sock, msg, MSG_NOSIGNAL, `sendmsg on fd ${sock}`);
  }
  return sent;
}

export interface Received {
  data: Buffer;
  /** Received fds, close-on-exec; the caller owns them. */
  fds: number[];
}

/**
 * Receives one message and the fds attached to it. An empty `data` means the
 * peer closed the socket. On a stream socket a long message may need more reads.
 */
export function recvFds(sock: number, maxData = 65536, maxFds = 16): Received {
  const data = Buffer.alloc(maxData);
  const control = Buffer.alloc(CMSG_HDR + align8(4 * maxFds));
  const msg: MsgHdr = {
    name: null, namelen: 0,
    iov: [{ base: data, len: data.length }], iovlen: 1,
    control, controllen: control.length,
    flags: 0,
  };
  const n = recvmsg(sock, msg, MSG_CMSG_CLOEXEC, `recvmsg on fd ${sock}`);
  const fds: number[] = [];
  const used = Number(msg.controllen);
  for (let off = 0; off + CMSG_HDR <= used;) {
    const len = Number(control.readBigUInt64LE(off));
    if (len < CMSG_HDR) break;
    if (control.readInt32LE(off + 8) === SOL_SOCKET && control.readInt32LE(off + 12) === SCM_RIGHTS) {
      for (let p = off + CMSG_HDR; p + 4 <= off + len; p += 4) fds.push(control.readInt32LE(p));
    }
    off += align8(len);
  }
  if (msg.flags & MSG_CTRUNC) {
    for (const fd of fds) close(fd);
    throw new SysError('recvmsg', 105, 'ENOBUFS', `recvmsg on fd ${sock}: more than ${maxFds} fds attached`);
  }
  return { data: data.subarray(0, n), fds };
}
