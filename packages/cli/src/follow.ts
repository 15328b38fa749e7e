// Follows a log file the supervisor appends to, like `tail -f`: copies what
// is there, then what comes, until told the writer is done.
import fs from 'node:fs';

export class LogFollower {
  private fd: number | undefined;
  private offset = 0;
  private watcher?: fs.FSWatcher;
  private poll?: NodeJS.Timeout;
  private reading = false;
  private again = false;
  private stopped = false;

  /** `from`: 'end' skips what the file already holds (attach), a number starts there (logs -f), else from the start (run). */
  constructor(private readonly file: string, private readonly out: (chunk: Buffer) => void, private readonly from: 'start' | 'end' | number = 'start') {}

  start(): void {
    this.openFile();
    try {
      this.watcher = fs.watch(this.file, () => this.pump());
      this.watcher.on('error', () => undefined);
    } catch {
      // not there yet: the poll below finds it
    }
    // inotify can miss writes through some mounts; a slow poll backs it up.
    this.poll = setInterval(() => this.pump(), 200);
    this.pump();
  }

  private openFile(): void {
    if (this.fd !== undefined) return;
    try {
      this.fd = fs.openSync(this.file, 'r');
      if (this.from === 'end') this.offset = fs.fstatSync(this.fd).size;
      else if (typeof this.from === 'number') this.offset = this.from;
    } catch {
      this.fd = undefined;
    }
  }

  /** Copies everything up to the current end of the file. */
  drain(): void {
    this.openFile();
    if (this.fd === undefined) return;
    const buf = Buffer.allocUnsafe(64 * 1024);
    for (;;) {
      const n = fs.readSync(this.fd, buf, 0, buf.length, this.offset);
      if (n <= 0) break;
      this.offset += n;
      this.out(Buffer.from(buf.subarray(0, n)));
    }
  }

  private pump(): void {
    if (this.stopped) return;
    if (this.reading) {
      this.again = true;
      return;
    }
    this.reading = true;
    try {
      do {
        this.again = false;
        this.drain();
      } while (this.again);
    } finally {
      this.reading = false;
    }
  }

  /** Stops following; `flush` copies what is left first. */
  stop(flush: boolean): void {
    if (flush && !this.stopped) this.drain();
    this.stopped = true;
    this.watcher?.close();
    if (this.poll) clearInterval(this.poll);
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }
}
