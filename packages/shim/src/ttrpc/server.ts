// A ttrpc server: unary calls over a unix socket, many in flight per
// connection, each answered on its own stream id in whatever order they finish.
import net from 'node:net';
import type protobuf from 'protobufjs';
import { peerCredentials } from '@hull/sys/libc';
import { decode, encode, messageType } from '../proto';
import { FrameDecoder, FrameTooLarge, FrameType, encodeFrame } from './frame';
import { Code, metadataOf, type Metadata } from './status';

export interface Peer {
  pid: number;
  uid: number;
  gid: number;
}

export interface Call {
  service: string;
  method: string;
  metadata: Metadata;
  peer: Peer;
}

export interface Method {
  request: protobuf.Type;
  response: protobuf.Type;
  handle(req: Record<string, any>, call: Call): unknown;
}

export interface ServerOptions {
  /** Who may connect (default: root and our own uid). */
  allowPeer?: (peer: Peer) => boolean;
  /** An error's gRPC code and message (default UNKNOWN and its message). */
  statusOf?: (e: Error) => { code: number; message: string };
  onRejectedPeer?: (peer: Peer | undefined, why: string) => void;
}

const REQUEST = () => messageType('ttrpc.Request');
const RESPONSE = () => messageType('ttrpc.Response');

export function ownerOrRoot(peer: Peer): boolean {
  return peer.uid === 0 || peer.uid === process.getuid?.();
}

export class TtrpcServer {
  private readonly services = new Map<string, Map<string, Method>>();
  private readonly conns = new Set<net.Socket>();

  constructor(private readonly opts: ServerOptions = {}) {}

  /** Methods of one service, by name; a handler's value is the response message as a plain object. */
  register(service: string, methods: Record<string, Method>): void {
    const m = this.services.get(service) ?? new Map<string, Method>();
    for (const [name, method] of Object.entries(methods)) m.set(name, method);
    this.services.set(service, m);
  }

  /** Serves every connection `server` accepts. */
  serve(server: net.Server): void {
    server.on('connection', (sock) => this.accept(sock));
  }

  connections(): number {
    return this.conns.size;
  }

  /** Drops every connection (calls in flight get no answer). */
  closeAll(): void {
    for (const c of this.conns) c.destroy();
  }

  accept(sock: net.Socket): void {
    let peer: Peer | undefined;
    try {
      // Node keeps a unix socket's fd on its (undocumented) handle; SO_PEERCRED needs it.
      peer = peerCredentials((sock as unknown as { _handle: { fd: number } })._handle.fd);
    } catch (e) {
      this.opts.onRejectedPeer?.(undefined, (e as Error).message);
      sock.destroy();
      return;
    }
    if (!(this.opts.allowPeer ?? ownerOrRoot)(peer)) {
      this.opts.onRejectedPeer?.(peer, `uid ${peer.uid} is neither root nor ours`);
      sock.destroy();
      return;
    }
    this.conns.add(sock);
    const frames = new FrameDecoder();
    sock.on('data', (chunk: Buffer) => {
      for (const f of frames.push(chunk)) {
        if (f.oversize !== undefined) {
          this.reply(sock, f.streamId, { code: Code.RESOURCE_EXHAUSTED, message: new FrameTooLarge(f.oversize).message });
        } else if (f.type === FrameType.REQUEST) {
          void this.dispatch(sock, f.streamId, f.flags, f.data, peer!);
        }
        // Data frames belong to streaming calls, which no service here has: ignored.
      }
    });
    sock.on('error', () => sock.destroy());
    sock.on('close', () => this.conns.delete(sock));
  }

  private async dispatch(sock: net.Socket, streamId: number, flags: number, data: Buffer, peer: Peer): Promise<void> {
    let req: Record<string, any>;
    try {
      req = decode(REQUEST(), data);
    } catch (e) {
      return this.reply(sock, streamId, { code: Code.INVALID_ARGUMENT, message: `ttrpc: bad request: ${(e as Error).message}` });
    }
    const service = this.services.get(req.service);
    if (!service) return this.reply(sock, streamId, { code: Code.UNIMPLEMENTED, message: `service ${req.service}: unknown` });
    const method = service.get(req.method);
    if (!method) return this.reply(sock, streamId, { code: Code.UNIMPLEMENTED, message: `method ${req.service}/${req.method}: unknown` });
    if (flags !== 0) return this.reply(sock, streamId, { code: Code.UNIMPLEMENTED, message: `method ${req.service}/${req.method}: streaming is not supported` });
    let payload: Buffer;
    try {
      const args = decode(method.request, req.payload ?? Buffer.alloc(0));
      const res = await method.handle(args, { service: req.service, method: req.method, metadata: metadataOf(req.metadata), peer });
      payload = encode(method.response, (res ?? {}) as object);
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      return this.reply(sock, streamId, this.opts.statusOf?.(err) ?? { code: Code.UNKNOWN, message: err.message });
    }
    this.reply(sock, streamId, undefined, payload);
  }

  private reply(sock: net.Socket, streamId: number, status?: { code: number; message: string }, payload?: Buffer): void {
    if (sock.destroyed) return;
    let frame: Buffer;
    try {
      frame = encodeFrame(streamId, FrameType.RESPONSE, encode(RESPONSE(), status ? { status } : { payload }));
    } catch (e) {
      if (!(e instanceof FrameTooLarge)) throw e;
      frame = encodeFrame(streamId, FrameType.RESPONSE, encode(RESPONSE(), { status: { code: Code.RESOURCE_EXHAUSTED, message: `response: ${e.message}` } }));
    }
    sock.write(frame);
  }
}
