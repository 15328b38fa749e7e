// A process's stdio: the client's ends (FIFOs, file:// logs) joined to the
// process's pipes or pty. Copies use stream backpressure, so a slow or absent
// reader stalls the process in its own kernel pipe rather than growing our heap.
import fs from 'node:fs';
import net from 'node:net';
import tty from 'node:tty';
import { Writable, type Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { pipe, closeFd } from '@hull/sys/process';
import { invalid } from './errors';

export interface StdioSpec {
  stdin: string;
  stdout: string;
  stderr: string;
  terminal: boolean;
}

// The monitor's fd slots (see native/hull_monitor.c).
export const MONITOR_STDOUT_FD = 5;
export const MONITOR_STDERR_FD = 6;
export const MONITOR_MASTER_FD = 7;

export function checkStdio(spec: StdioSpec): void {
  if (spec.terminal && spec.stderr) throw invalid('stderr: must be empty with terminal (the pty carries both outputs)');
  if (spec.stdin.startsWith('file://')) throw invalid(`stdin: ${spec.stdin}: file:// is for stdout and stderr only`);
}

function filePath(uri: string, what: string): string {
  try {
    return fileURLToPath(uri);
  } catch {
    throw invalid(`${what}: ${uri}: not a file:// URI with an absolute path`);
  }
}

function statOrFail(p: string, what: string): fs.Stats {
  try {
    return fs.statSync(p);
  } catch {
    throw invalid(`${what}: ${p}: no such FIFO or file`);
  }
}

/** The client's end of an output: a FIFO (opened read-write so it never blocks or breaks), a file:// log, or a file. */
function openSink(spec: string, what: string): Writable | undefined {
  if (!spec) return undefined;
  if (spec.startsWith('file://')) {
    const p = filePath(spec, what);
    let fd: number;
    try {
      fd = fs.openSync(p, 'a', 0o640);
    } catch (e) {
      throw invalid(`${what}: ${p}: ${(e as NodeJS.ErrnoException).code ?? e}`);
    }
    return fs.createWriteStream('', { fd });
  }
  if (statOrFail(spec, what).isFIFO()) {
    const fd = fs.openSync(spec, fs.constants.O_RDWR | fs.constants.O_NONBLOCK);
    return new net.Socket({ fd, readable: false, writable: true });
  }
  return fs.createWriteStream('', { fd: fs.openSync(spec, 'a') });
}

function openSource(spec: string, what: string): Readable | undefined {
  if (!spec) return undefined;
  if (statOrFail(spec, what).isFIFO()) {
    const fd = fs.openSync(spec, fs.constants.O_RDWR | fs.constants.O_NONBLOCK);
    return new net.Socket({ fd, readable: true, writable: false });
  }
  return fs.createReadStream(spec);
}

/** Writes to a non-blocking pty master; waits and retries when its buffer is full. */
class PtyWriter extends Writable {
  constructor(private readonly fd: number) {
    super({ highWaterMark: 16 * 1024 });
  }
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    const attempt = (off: number) => {
      fs.write(this.fd, chunk, off, chunk.length - off, null, (err, n) => {
        if (err && err.code === 'EAGAIN') return void setTimeout(attempt, 20, off);
        if (err) return cb(err);
        if (off + n < chunk.length) return attempt(off + n);
        cb();
      });
    };
    attempt(0);
  }
  override _destroy(err: Error | null, cb: (e?: Error | null) => void): void {
    fs.close(this.fd, () => cb(err));
  }
}

export class ProcIo {
  private readonly streams: Array<Readable | Writable> = [];
  private readonly drains: Promise<void>[] = [];
  private out?: Writable;
  private err?: Writable;
  private input?: Readable;
  private stdinPipe?: Writable;
  private childEnds: number[] = [];
  /** Read ends of fresh stdout (1) and stderr (2) pipes, until spawned() starts copying them. */
  private pending = new Map<number, number>();
  /** The pty master, for ResizePty. */
  master?: number;

  constructor(readonly spec: StdioSpec) {}

  /** Opens the client's ends; throws InvalidArgument naming the stream at fault. */
  open(): this {
    try {
      this.out = openSink(this.spec.stdout, 'stdout');
      this.err = openSink(this.spec.stderr, 'stderr');
      this.input = openSource(this.spec.stdin, 'stdin');
    } catch (e) {
      this.destroy();
      throw e;
    }
    for (const s of [this.out, this.err, this.input]) if (s) { this.streams.push(s); s.on('error', () => {}); }
    return this;
  }

  /**
   * Pipes for a new non-terminal process: the monitor's stdio slots 0..6
   * (process stdin, stdout, stderr; the report pipe; kept stdout and stderr read ends).
   */
  makePipes(): Array<number | 'ignore' | 'pipe'> {
    const slots: Array<number | 'ignore' | 'pipe'> = ['ignore', 'ignore', 'ignore', 'pipe', 'ignore', 'ignore', 'ignore'];
    if (this.spec.terminal) return slots;
    if (this.input) {
      const [r, w] = pipe();
      slots[0] = r;
      this.childEnds.push(r);
      this.stdinPipe = new net.Socket({ fd: w, readable: false, writable: true });
    }
    for (const [i, sink] of [[1, this.out], [2, this.err]] as const) {
      if (!sink) continue;
      const [r, w] = pipe();
      slots[i] = w;
      slots[i + 4] = r;
      this.childEnds.push(w);
      this.pending.set(i, r);
    }
    return slots;
  }

  /** After the spawn: drop our copies of the process's ends, start copying. */
  spawned(): void {
    for (const fd of this.childEnds) closeFd(fd);
    this.childEnds = [];
    this.attachOutputs(this.pending.get(1), this.pending.get(2));
    this.pending.clear();
    if (this.stdinPipe) this.feedStdin(this.stdinPipe);
  }

  /** Copies from the read ends of the process's stdout/stderr pipes (fresh, or taken back from the monitor). */
  attachOutputs(stdoutFd?: number, stderrFd?: number): void {
    if (stdoutFd !== undefined) this.copy(new net.Socket({ fd: stdoutFd, readable: true, writable: false }), this.out);
    if (stderrFd !== undefined) this.copy(new net.Socket({ fd: stderrFd, readable: true, writable: false }), this.err);
  }

  /** A pty: `readFd` and `writeFd` are two descriptors of its master. */
  attachPty(readFd: number, writeFd: number): void {
    const reader = new tty.ReadStream(readFd);
    this.copy(reader, this.out);
    const writer = new PtyWriter(writeFd);
    this.master = writeFd;
    this.feedStdin(writer);
  }

  private feedStdin(target: Writable): void {
    this.stdinPipe = target;
    this.streams.push(target);
    target.on('error', () => {}); // the process is gone: its stdin has no reader
    if (this.input) this.input.pipe(target);
    else if (!this.spec.terminal) target.end();
  }

  private copy(src: Readable, dst: Writable | undefined): void {
    this.streams.push(src);
    this.drains.push(new Promise<void>((resolve) => {
      if (!dst) {
        src.on('error', () => resolve());
        src.on('close', () => resolve());
        return void src.resume();
      }
      // Done when the sink has flushed what the source gave, not when the source ends.
      dst.on('finish', () => resolve());
      dst.on('close', () => resolve());
      dst.on('error', () => { src.unpipe(dst); src.resume(); resolve(); });
      // EIO from a pty master once its slave side is gone is its end of file.
      src.on('error', () => { if (!dst.writableEnded) dst.end(); });
      src.pipe(dst);
    }));
  }

  /** CloseIO: the process reads EOF once what was written is flushed. */
  closeStdin(): void {
    if (this.input && this.stdinPipe) this.input.unpipe(this.stdinPipe);
    this.input?.destroy();
    this.input = undefined;
    if (this.stdinPipe && !this.spec.terminal) this.stdinPipe.end();
  }

  /** Resolves once every output is copied (EOF), or after `ms`. */
  drained(ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    return Promise.race([
      Promise.all(this.drains).then(() => undefined),
      new Promise<void>((r) => { timer = setTimeout(r, ms); }),
    ]).finally(() => clearTimeout(timer));
  }

  destroy(): void {
    this.master = undefined; // the fd closes below and its number may be reused
    for (const fd of [...this.childEnds, ...this.pending.values()]) closeFd(fd);
    this.childEnds = [];
    this.pending.clear();
    for (const s of [...this.streams, this.stdinPipe]) s?.destroy();
    this.streams.length = 0;
  }
}
