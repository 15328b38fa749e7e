// The parent/init protocol: length-prefixed JSON frames over a socketpair,
// read and written synchronously (both sides are blocked on each other).
//
//   parent                         init
//   config ------------------->
//                    <--------- log*       (any time: the init's log lines)
//                    <--------- mounts     (mounts done, before pivot_root)
//   (prestart, createRuntime hooks)
//   continue ----------------->
//                    <--------- ready      (created: blocked on the exec fifo)
//                    <--------- error      (instead of any of the above; the init exits)
//
// exec uses the same channel: exec-config -> ..., then ready or error.
// EOF where a frame is expected means the init died.
import fs from 'node:fs';
import { InitError } from './errors';
import type { Level } from './log';

export type InitMessage =
  | { type: 'log'; level: Level; msg: string }
  | { type: 'mounts' }
  | { type: 'ready'; pid?: number }
  | { type: 'error'; msg: string; code?: string };

export type ParentMessage =
  | { type: 'config'; config: unknown }
  | { type: 'continue' };

export class SyncChannel {
  constructor(readonly fd: number) {}

  send(msg: InitMessage | ParentMessage): void {
    const body = Buffer.from(JSON.stringify(msg));
    const frame = Buffer.alloc(4 + body.length);
    frame.writeUInt32BE(body.length, 0);
    body.copy(frame, 4);
    let off = 0;
    while (off < frame.length) off += fs.writeSync(this.fd, frame, off, frame.length - off);
  }

  /** The next frame, or undefined at EOF. */
  recv<T = InitMessage | ParentMessage>(): T | undefined {
    const head = this.readFull(4);
    if (!head) return undefined;
    const body = this.readFull(head.readUInt32BE(0));
    if (!body) throw new InitError('ESYNC', 'sync channel: truncated frame');
    return JSON.parse(body.toString('utf8')) as T;
  }

  private readFull(n: number): Buffer | undefined {
    const buf = Buffer.alloc(n);
    let off = 0;
    while (off < n) {
      let got: number;
      try {
        got = fs.readSync(this.fd, buf, off, n - off, null);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EAGAIN' || (e as NodeJS.ErrnoException).code === 'EINTR') continue;
        if ((e as NodeJS.ErrnoException).code === 'ECONNRESET') return undefined;
        throw e;
      }
      if (got === 0) {
        if (off === 0) return undefined;
        throw new InitError('ESYNC', 'sync channel: truncated frame');
      }
      off += got;
    }
    return buf;
  }

  close(): void {
    try {
      fs.closeSync(this.fd);
    } catch {
      // already closed
    }
  }
}
