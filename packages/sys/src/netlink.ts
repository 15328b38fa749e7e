// rtnetlink over an AF_NETLINK socket, synchronously: look links up, move
// them between network namespaces, set them up, copy their addresses. Only
// what linux.netDevices needs (and what its tests need to make a dummy link).
import { SysError } from './errors';
import { errnoName } from './errno';
import { CLONE, O, SOCK_CLOEXEC } from './constants';
import * as libc from './libc';

const AF_NETLINK = 16;
const SOCK_RAW = 3;
const NETLINK_ROUTE = 0;
const MSG_TRUNC = 0x20;
const SOL_NETLINK = 270;
const NETLINK_EXT_ACK = 11;

// Message types and flags (linux/netlink.h, linux/rtnetlink.h).
const NLMSG_ERROR = 2;
const NLMSG_DONE = 3;
const NLM_F_REQUEST = 0x1;
const NLM_F_ACK = 0x4;
const NLM_F_DUMP = 0x300;
const NLM_F_EXCL = 0x200;
const NLM_F_CREATE = 0x400;
/** In an error reply: the request is echoed as its header only, and attributes follow. */
const NLM_F_CAPPED = 0x100;
const NLM_F_ACK_TLVS = 0x200;
const NLMSGERR_ATTR_MSG = 1;
export const RTM = { NEWLINK: 16, DELLINK: 17, GETLINK: 18, NEWADDR: 20, GETADDR: 22 } as const;

// Link and address attributes (linux/if_link.h, linux/if_addr.h).
const IFLA_IFNAME = 3;
const IFLA_LINKINFO = 18;
const IFLA_INFO_KIND = 1;
const IFLA_INFO_DATA = 2;
const VETH_INFO_PEER = 1;
const NLA_F_NESTED = 0x8000;
const IFLA_NET_NS_FD = 28;
const IFF_UP = 0x1;
const IFA_ADDRESS = 1;
const IFA_LOCAL = 2;
const IFA_BROADCAST = 4;
const IFA_FLAGS = 8;
export const IFA_F_PERMANENT = 0x80;
/** Address flags a user may set when adding one (nodad, homeaddress, mngtmpaddr, noprefixroute, autojoin). */
const IFA_F_SETTABLE = 0x02 | 0x10 | 0x100 | 0x200 | 0x400;
export const RT_SCOPE_UNIVERSE = 0;

const NLMSG_HDR = 16;
const IFINFOMSG = 16;
const IFADDRMSG = 8;
const align4 = (n: number) => (n + 3) & ~3;

export interface Link {
  index: number;
  name: string;
  /** IFF_* flags (IFF_UP = 1). */
  flags: number;
}

export interface Address {
  family: number;
  prefixlen: number;
  /** The full IFA_F_* flags (IFA_FLAGS when the kernel sends it). */
  flags: number;
  scope: number;
  index: number;
  /** IFA_ADDRESS, IFA_LOCAL, IFA_BROADCAST as the kernel gave them. */
  address?: Buffer;
  local?: Buffer;
  broadcast?: Buffer;
}

/** One routing attribute: header, data, padding to 4 bytes. */
function attr(type: number, data: Uint8Array): Buffer {
  const out = Buffer.alloc(align4(4 + data.length));
  out.writeUInt16LE(4 + data.length, 0);
  out.writeUInt16LE(type, 2);
  out.set(data, 4);
  return out;
}

const cstr = (s: string) => Buffer.concat([Buffer.from(s), Buffer.alloc(1)]);
function u32(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v >>> 0, 0);
  return b;
}

function ifinfomsg(index: number, flags = 0, change = 0): Buffer {
  const b = Buffer.alloc(IFINFOMSG);
  b.writeInt32LE(index, 4);
  b.writeUInt32LE(flags, 8);
  b.writeUInt32LE(change, 12);
  return b;
}

/** Attributes from `off` to the end of `buf`, by type (the first of each). */
export function parseAttrs(buf: Buffer, off: number): Map<number, Buffer> {
  const attrs = new Map<number, Buffer>();
  while (off + 4 <= buf.length) {
    const len = buf.readUInt16LE(off);
    if (len < 4 || off + len > buf.length) break;
    const type = buf.readUInt16LE(off + 2) & 0x3fff; // without NLA_F_NESTED / NLA_F_NET_BYTEORDER
    if (!attrs.has(type)) attrs.set(type, buf.subarray(off + 4, off + len));
    off += align4(len);
  }
  return attrs;
}

function parseLink(payload: Buffer): Link {
  const attrs = parseAttrs(payload, IFINFOMSG);
  const name = attrs.get(IFLA_IFNAME);
  return {
    index: payload.readInt32LE(4),
    name: name ? name.subarray(0, name.indexOf(0) >= 0 ? name.indexOf(0) : name.length).toString() : '',
    flags: payload.readUInt32LE(8),
  };
}

function parseAddress(payload: Buffer): Address {
  const attrs = parseAttrs(payload, IFADDRMSG);
  const ext = attrs.get(IFA_FLAGS);
  return {
    family: payload.readUInt8(0),
    prefixlen: payload.readUInt8(1),
    flags: ext && ext.length >= 4 ? ext.readUInt32LE(0) : payload.readUInt8(2),
    scope: payload.readUInt8(3),
    index: payload.readUInt32LE(4),
    address: attrs.get(IFA_ADDRESS),
    local: attrs.get(IFA_LOCAL),
    broadcast: attrs.get(IFA_BROADCAST),
  };
}

/** A printable address: dotted IPv4, or IPv6 in 16-bit groups. */
export function formatAddress(a: Address): string {
  const raw = a.local ?? a.address;
  if (!raw) return '?';
  if (raw.length === 4) return `${[...raw].join('.')}/${a.prefixlen}`;
  const groups: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) groups.push(raw.readUInt16BE(i).toString(16));
  return `${groups.join(':')}/${a.prefixlen}`;
}

const typeName = (t: number) => Object.entries(RTM).find(([, v]) => v === t)?.[0] ?? String(t);

/** A NETLINK_ROUTE socket, bound to the network namespace it was opened in. */
export class RtNetlink {
  private seq = Math.floor(Math.random() * 0x7fffffff);
  private readonly buf = Buffer.alloc(65536);

  private constructor(private fd: number) {}

  /** A socket in the calling thread's network namespace. */
  static open(): RtNetlink {
    const fd = libc.socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE, 'socket(AF_NETLINK, NETLINK_ROUTE)');
    const addr = Buffer.alloc(12); // sockaddr_nl, pid 0: the kernel picks one
    addr.writeUInt16LE(AF_NETLINK, 0);
    try {
      libc.bind(fd, addr, addr.length, 'bind netlink socket');
    } catch (e) {
      libc.close(fd);
      throw e;
    }
    // Extended acks: the kernel then says why it refused ("Unknown device type"); older kernels just ignore it.
    try {
      libc.setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, u32(1));
    } catch {
      // A kernel without extended acks still answers, just without the reason.
    }
    return new RtNetlink(fd);
  }

  /**
   * A socket in the network namespace `nsPath` names: the calling thread
   * enters it just long enough to open the socket (a socket stays in the
   * namespace it was made in), then returns to its own.
   */
  static openIn(nsPath: string): RtNetlink {
    const own = libc.open('/proc/thread-self/ns/net', O.RDONLY | O.CLOEXEC);
    try {
      const target = libc.open(nsPath, O.RDONLY | O.CLOEXEC);
      try {
        libc.setns(target, CLONE.NEWNET, `setns into network namespace ${nsPath}`);
      } finally {
        libc.close(target);
      }
      try {
        return RtNetlink.open();
      } finally {
        libc.setns(own, CLONE.NEWNET, 'setns back into the runtime network namespace');
      }
    } finally {
      libc.close(own);
    }
  }

  close(): void {
    if (this.fd >= 0) libc.close(this.fd);
    this.fd = -1;
  }

  /** The link called `name`, or undefined when there is none (ENODEV). */
  linkByName(name: string): Link | undefined {
    try {
      const [msg] = this.request(RTM.GETLINK, 0, [ifinfomsg(0), attr(IFLA_IFNAME, cstr(name))], `look up network device "${name}"`);
      return msg ? parseLink(msg) : undefined;
    } catch (e) {
      if (e instanceof SysError && e.errnoName === 'ENODEV') return undefined;
      throw e;
    }
  }

  links(): Link[] {
    return this.dump(RTM.GETLINK, ifinfomsg(0), 'list network devices').map(parseLink);
  }

  /** The addresses of link `index` (all families). */
  addresses(index: number): Address[] {
    return this.dump(RTM.GETADDR, Buffer.alloc(IFADDRMSG), 'list addresses').map(parseAddress).filter((a) => a.index === index);
  }

  /**
   * Moves link `index` into the network namespace open at `nsFd`, renamed to
   * `name` in the same request (so the name never clashes on either side).
   */
  moveLink(index: number, nsFd: number, name: string, what: string): void {
    this.request(RTM.NEWLINK, 0, [ifinfomsg(index), attr(IFLA_IFNAME, cstr(name)), attr(IFLA_NET_NS_FD, u32(nsFd))], what);
  }

  setUp(index: number, what: string): void {
    this.request(RTM.NEWLINK, 0, [ifinfomsg(index, IFF_UP, IFF_UP)], what);
  }

  /** Adds `a` (as listed by addresses()) to link `index`. */
  addAddress(index: number, a: Address, what: string): void {
    const head = Buffer.alloc(IFADDRMSG);
    head.writeUInt8(a.family, 0);
    head.writeUInt8(a.prefixlen, 1);
    head.writeUInt8(a.flags & IFA_F_SETTABLE & 0xff, 2);
    head.writeUInt8(a.scope, 3);
    head.writeUInt32LE(index, 4);
    const parts: Buffer[] = [head];
    if (a.local) parts.push(attr(IFA_LOCAL, a.local));
    if (a.address) parts.push(attr(IFA_ADDRESS, a.address));
    if (a.broadcast) parts.push(attr(IFA_BROADCAST, a.broadcast));
    if (a.flags & IFA_F_SETTABLE) parts.push(attr(IFA_FLAGS, u32(a.flags & IFA_F_SETTABLE)));
    this.request(RTM.NEWADDR, NLM_F_CREATE | NLM_F_EXCL, parts, what);
  }

  /**
   * Creates a link of `kind` (dummy, ifb, veth, ...) called `name`; fails if
   * it exists. A veth needs `peer`, the name of its other end.
   */
  addLink(name: string, kind: string, peer?: string): void {
    const info = [attr(IFLA_INFO_KIND, Buffer.from(kind))];
    if (peer !== undefined) {
      const peerInfo = attr(VETH_INFO_PEER | NLA_F_NESTED, Buffer.concat([ifinfomsg(0), attr(IFLA_IFNAME, cstr(peer))]));
      info.push(attr(IFLA_INFO_DATA | NLA_F_NESTED, peerInfo));
    }
    const linkinfo = attr(IFLA_LINKINFO | NLA_F_NESTED, Buffer.concat(info));
    this.request(RTM.NEWLINK, NLM_F_CREATE | NLM_F_EXCL, [ifinfomsg(0), attr(IFLA_IFNAME, cstr(name)), linkinfo], `create ${kind} network device "${name}"`);
  }

  deleteLink(index: number, what: string): void {
    this.request(RTM.DELLINK, 0, [ifinfomsg(index)], what);
  }

  /** Sends one acknowledged request; returns the replies before the ack. */
  private request(type: number, flags: number, parts: Buffer[], what: string): Buffer[] {
    return this.exchange(type, NLM_F_REQUEST | NLM_F_ACK | flags, parts, what);
  }

  private dump(type: number, head: Buffer, what: string): Buffer[] {
    return this.exchange(type, NLM_F_REQUEST | NLM_F_DUMP, [head], what);
  }

  private exchange(type: number, flags: number, parts: Buffer[], what: string): Buffer[] {
    const seq = (this.seq = (this.seq + 1) & 0x7fffffff);
    const body = Buffer.concat(parts);
    const msg = Buffer.alloc(NLMSG_HDR + body.length);
    msg.writeUInt32LE(msg.length, 0);
    msg.writeUInt16LE(type, 4);
    msg.writeUInt16LE(flags, 6);
    msg.writeUInt32LE(seq, 8);
    body.copy(msg, NLMSG_HDR);
    const kernel = Buffer.alloc(12);
    kernel.writeUInt16LE(AF_NETLINK, 0);
    libc.sendto(this.fd, msg, 0, kernel, `${what}: netlink ${typeName(type)}`);

    const replies: Buffer[] = [];
    for (;;) {
      const n = libc.recvfrom(this.fd, this.buf, MSG_TRUNC, `${what}: netlink ${typeName(type)}`);
      if (n > this.buf.length) throw new SysError('recvfrom', 90, 'EMSGSIZE', `${what}: netlink reply of ${n} bytes truncated`);
      for (let off = 0; off + NLMSG_HDR <= n;) {
        const len = this.buf.readUInt32LE(off);
        if (len < NLMSG_HDR || off + len > n) break;
        const mtype = this.buf.readUInt16LE(off + 4);
        const mflags = this.buf.readUInt16LE(off + 6);
        const mseq = this.buf.readUInt32LE(off + 8);
        const payload = Buffer.from(this.buf.subarray(off + NLMSG_HDR, off + len));
        off += align4(len);
        if (mseq !== seq) continue; // a late reply to an earlier request
        if (mtype === NLMSG_ERROR || mtype === NLMSG_DONE) {
          const err = payload.length >= 4 ? -payload.readInt32LE(0) : 0;
          if (err > 0) {
            const e = new SysError(`netlink ${typeName(type)}`, err, errnoName(err), what);
            const why = mtype === NLMSG_ERROR ? kernelMessage(payload, mflags) : undefined;
            if (why) e.message += ` (${why})`;
            throw e;
          }
          return replies;
        }
        replies.push(payload);
      }
    }
  }
}

/** The text an extended ack carries after the echoed request, if any. */
function kernelMessage(payload: Buffer, flags: number): string | undefined {
  if (!(flags & NLM_F_ACK_TLVS) || payload.length < 4 + NLMSG_HDR) return undefined;
  const echoed = flags & NLM_F_CAPPED ? NLMSG_HDR : payload.readUInt32LE(4);
  const text = parseAttrs(payload, 4 + align4(echoed)).get(NLMSGERR_ATTR_MSG);
  if (!text) return undefined;
  const end = text.indexOf(0);
  return text.subarray(0, end >= 0 ? end : text.length).toString() || undefined;
}


