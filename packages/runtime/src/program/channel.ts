// The parent's side of the sync socket to hull-init (native/hull_init.h):
//
//   parent                                  hull-init
//   program (+ fds, SCM_RIGHTS) ---------->
//                           <-------------- warn* / trace*   (any time)
//                           <-------------- mounts           (create: mounts done, before pivot_root)
//   (prestart, createRuntime hooks)
//   continue ----------------------------->
//                           <-------------- ready            (create: blocked on the exec fifo)
//                           <-------------- error            (instead of any of the above; it exits)
//   EOF: hull-init exec'd the process (the socket is close-on-exec), or died.
//
// expect(type) reads on until that message: warnings go to the log, traces
// to the debug log with the op's words, an error throws with its words.
import fs from 'node:fs';
import { InitError } from '../errors';
import type { Log } from '../log';
import { MSG } from './format';
import type { ProgramBuilder } from './format';

export interface InitMessage {
  type: number;
  index: number;
  err: number;
  text: string;
}

const MSG_NAMES: Record<number, string> = { [MSG.MOUNTS]: 'mounts', [MSG.READY]: 'ready', [MSG.ERROR]: 'error' };

export class InitChannel {
  constructor(
    readonly fd: number,
    private readonly program: ProgramBuilder,
    private readonly log: Log,
    /** "init" or "exec": the prefix of errors. */
    private readonly who: string,
    /** Why the init closed the socket without a word (its exit status), asked only then. */
    private readonly death: () => string,
  ) {}

  /** The program, with `fds` attached to its header. */
  send(encoded: Buffer, fds: number[]): void {
    const header = encoded.subarray(0, 24);
    // sendmsg is koffi's: loaded only when there are fds to pass.
    if (fds.length) (require('@hull/sys/scm') as typeof import('@hull/sys/scm')).sendFds(this.fd, fds, header);
    else writeAll(this.fd, header);
    writeAll(this.fd, encoded.subarray(24));
  }

  sendContinue(): void {
    const h = Buffer.alloc(16);
    h.writeUInt32LE(MSG.CONTINUE, 0);
    writeAll(this.fd, h);
  }

  /** The next message that is not a warning or a trace; undefined at EOF. */
  next(): InitMessage | undefined {
    for (;;) {
      const msg = readMessage(this.fd);
      if (!msg) return undefined;
      if (msg.type === MSG.WARN) this.log.warn(`${this.who}: ${msg.text}`);
      else if (msg.type === MSG.TRACE) this.log.debug(`${this.who}: op ${msg.index} ${this.program.ops[msg.index]?.desc ?? '?'}: ${msg.err} µs`);
      else return msg;
    }
  }

  /** Reads until `type`; an error message or EOF throws InitError with the init's words. */
  expect(type: number): void {
    const msg = this.next();
    if (msg?.type === type) return;
    throw this.failure(msg, MSG_NAMES[type] ?? String(type));
  }

  /** After the last expected message: EOF is success (the process exec'd); an error throws. */
  expectExec(): void {
    const msg = this.next();
    if (msg) throw this.failure(msg, 'exec');
  }

  failure(msg: InitMessage | undefined, expected: string): InitError {
    if (!msg) return new InitError('EINIT', `${this.who}: ${this.death()}`);
    if (msg.type !== MSG.ERROR) return new InitError('ESYNC', `${this.who}: sync: expected ${expected}, got message ${msg.type}`);
    const code = msg.text.match(/: (E[A-Z0-9]+)\b/)?.[1] ?? 'EINIT';
    return new InitError(code, `${this.who}: ${msg.text}`, { op: msg.index, errno: msg.err });
  }

  close(): void {
    try {
      fs.closeSync(this.fd);
    } catch {
      // already closed
    }
  }
}

function writeAll(fd: number, buf: Buffer): void {
  let off = 0;
  while (off < buf.length) {
    try {
      off += fs.writeSync(fd, buf, off, buf.length - off);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN' && (e as NodeJS.ErrnoException).code !== 'EINTR') throw e;
    }
  }
}

/** One message off the socket, whatever its type; undefined at EOF. */
export function readMessage(fd: number): InitMessage | undefined {
  const head = readFull(fd, 16);
  if (!head) return undefined;
  const msg: InitMessage = { type: head.readUInt32LE(0), index: head.readInt32LE(4), err: head.readInt32LE(8), text: '' };
  const len = head.readUInt32LE(12);
  if (len) msg.text = (readFull(fd, len) ?? Buffer.alloc(0)).toString('utf8');
  return msg;
}

function readFull(fd: number, n: number): Buffer | undefined {
  const buf = Buffer.alloc(n);
  let off = 0;
  while (off < n) {
    let got: number;
    try {
      got = fs.readSync(fd, buf, off, n - off, null);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN' || code === 'EINTR') continue;
      if (code === 'ECONNRESET') return undefined;
      throw e;
    }
    if (got === 0) return undefined;
    off += got;
  }
  return buf;
}
