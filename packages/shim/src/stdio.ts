// A process's stdio: the client's ends (FIFOs, file:// logs) joined to the
// process's pipes or pty. A log file is the monitor's to write (it outlives us,
// so output written while no daemon runs still reaches the log); a FIFO has a
// live reader, which we feed. Copies use stream backpressure, so a slow or absent
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
export const MONITOR_STDOUT_LOG_FD = 8;
export const MONITOR_STDERR_LOG_FD = 9;

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

/** True when an output goes to a log file (file:// or a regular file), which the monitor writes itself. */
export function isLog(spec: string): boolean {
  return !!spec && (spec.startsWith('file://') || !fs.statSync(spec, { throwIfNoEntry: false })?.isFIFO());
}

/** Opens a log for appending; the monitor gets the fd. */
function openLog(spec: string, what: string): number {
  const p = spec.startsWith('file://') ? filePath(spec, what) : (statOrFail(spec, what), spec);
  try {
    return fs.openSync(p, fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_CREAT, 0o640);
  } catch (e) {
    throw invalid(`${what}: ${p}: ${(e as NodeJS.ErrnoException).code ?? e}`);
  }
}

/** A FIFO the client reads, opened read-write so it never blocks or breaks. */
function openFifo(spec: string, what: string): Writable | undefined {
  if (!spec) return undefined;
  statOrFail(spec, what);
  const fd = fs.openSync(spec, fs.constants.O_RDWR | fs.constants.O_NONBLOCK);
  return new net.Socket({ fd, readable: false, writable: true });
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
  /** Log files the monitor writes, by output (1, 2): their fds until the spawn. */
  private logs = new Map<number, number>();
  private input?: Readable;
  private stdinPipe?: Writable;
  private childEnds: number[] = [];
  /** Read ends of fresh stdout (1) and stderr (2) pipes, until spawned() starts copying them. */
  private pending = new Map<number, number>();
  /** The pty master, for ResizePty. */
  master?: number;

  constructor(readonly spec: StdioSpec) {}

  /**
   * Opens the client's ends; throws InvalidArgument naming the stream at fault.
   * `launch` false (a restarted daemon taking a process back): logs are left to the monitor that has them.
   */
  open(launch = true): this {
    try {
      for (const [i, spec, what] of [[1, this.spec.stdout, 'stdout'], [2, this.spec.stderr, 'stderr']] as const) {
        if (isLog(spec)) {
          if (launch) this.logs.set(i, openLog(spec, what));
        } else if (i === 1) this.out = openFifo(spec, what);
        else this.err = openFifo(spec, what);
      }
      this.input = openSource(this.spec.stdin, 'stdin');
    } catch (e) {
      this.destroy();
      throw e;
    }
    for (const s of [this.out, this.err, this.input]) if (s) { this.streams.push(s); s.on('error', () => {}); }
    return this;
  }

  /** Whether we copy output `i` (1, 2) to a FIFO; a log is copied by the monitor. */
  copies(i: 1 | 2): boolean {
    return !!(i === 1 ? this.spec.stdout : this.spec.stderr) && !isLog(i === 1 ? this.spec.stdout : this.spec.stderr);
  }

  /**
   * The monitor's fd slots 0..9 for a new process (see native/hull_monitor.c):
   * process stdin, stdout, stderr; the report pipe; the kept stdout and stderr
   * read ends (5, 6); the pty master's place (7); the stdout and stderr logs (8, 9).
   */
  makePipes(): Array<number | 'ignore' | 'pipe'> {
    const slots: Array<number | 'ignore' | 'pipe'> = ['ignore', 'ignore', 'ignore', 'pipe', 'ignore', 'ignore', 'ignore', 'ignore', 'ignore', 'ignore'];
    for (const [i, fd] of this.logs) {
      slots[i === 1 ? MONITOR_STDOUT_LOG_FD : MONITOR_STDERR_LOG_FD] = fd;
      this.childEnds.push(fd);
    }
    this.logs.clear();
    if (this.spec.terminal) return slots;
    if (this.input) {
      const [r, w] = pipe();
      slots[0] = r;
      this.childEnds.push(r);
      this.stdinPipe = new net.Socket({ fd: w, readable: false, writable: true });
    }
    for (const i of [1, 2] as const) {
      if (!(i === 1 ? this.spec.stdout : this.spec.stderr)) continue;
      const [r, w] = pipe();
      slots[i] = w;
      slots[i + 4] = r;
      this.childEnds.push(w);
      // A log's read end is the monitor's alone.
      if (this.copies(i)) this.pending.set(i, r);
      else this.childEnds.push(r);
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

  /** A pty: `readFd` (none when the monitor copies its output to a log) and `writeFd` are two descriptors of its master. */
  attachPty(readFd: number | undefined, writeFd: number): void {
    if (readFd !== undefined) this.copy(new tty.ReadStream(readFd), this.out);
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
    for (const fd of [...this.childEnds, ...this.pending.values(), ...this.logs.values()]) closeFd(fd);
    this.childEnds = [];
    this.pending.clear();
    this.logs.clear();
    for (const s of [...this.streams, this.stdinPipe]) s?.destroy();
    this.streams.length = 0;
  }
}
