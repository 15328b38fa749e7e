// A ttrpc client: odd stream ids from 1, many calls in flight on one connection.
import net from 'node:net';
import type protobuf from 'protobufjs';
import { decode, encode, messageType } from '../proto';
import { FrameDecoder, FrameType, encodeFrame } from './frame';
import { Code, TtrpcError, metadataPairs, type Metadata } from './status';

interface Pending {
  response: protobuf.Type;
  resolve(v: Record<string, any>): void;
  reject(e: Error): void;
}

export class TtrpcClient {
  private nextStream = 1;
  private readonly pending = new Map<number, Pending>();
  private closedWith?: Error;

  private constructor(private readonly sock: net.Socket) {
    const frames = new FrameDecoder();
    sock.on('data', (chunk: Buffer) => {
      for (const f of frames.push(chunk)) {
        const p = this.pending.get(f.streamId);
        if (!p || f.type !== FrameType.RESPONSE) continue;
        this.pending.delete(f.streamId);
        if (f.oversize !== undefined) {
          p.reject(new TtrpcError(Code.RESOURCE_EXHAUSTED, `ttrpc: response of ${f.oversize} bytes is over the limit`));
          continue;
        }
        try {
          const res = decode(messageType('ttrpc.Response'), f.data);
          if (res.status && res.status.code !== Code.OK) p.reject(new TtrpcError(res.status.code, res.status.message));
          else p.resolve(decode(p.response, res.payload ?? Buffer.alloc(0)));
        } catch (e) {
          p.reject(e as Error);
        }
      }
    });
    sock.on('error', (e) => this.fail(new TtrpcError(Code.UNAVAILABLE, `ttrpc: connection: ${e.message}`)));
    sock.on('close', () => this.fail(new TtrpcError(Code.UNAVAILABLE, 'ttrpc: connection closed')));
  }

  static connect(path: string): Promise<TtrpcClient> {
    return new Promise((resolve, reject) => {
      const sock = net.connect(path.replace(/^unix:\/\//, ''));
      sock.once('error', reject);
      sock.once('connect', () => {
        sock.off('error', reject);
        resolve(new TtrpcClient(sock));
      });
    });
  }

  get closed(): boolean {
    return this.closedWith !== undefined;
  }

  call(service: string, method: string, request: protobuf.Type, response: protobuf.Type, req: object, metadata: Metadata = {}): Promise<Record<string, any>> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    const streamId = this.nextStream;
    this.nextStream += 2;
    let frame: Buffer;
    try {
      frame = encodeFrame(streamId, FrameType.REQUEST, encode(messageType('ttrpc.Request'), {
        service, method, payload: encode(request, req), metadata: metadataPairs(metadata),
      }));
    } catch (e) {
      return Promise.reject(e);
    }
    return new Promise((resolve, reject) => {
      this.pending.set(streamId, { response, resolve, reject });
      this.sock.write(frame);
    });
  }

  close(): void {
    this.sock.destroy();
  }

  private fail(e: Error): void {
    this.closedWith ??= e;
    for (const p of this.pending.values()) p.reject(this.closedWith);
    this.pending.clear();
  }
}
