// A command's output written to fd 1 directly: process.stdout would first load Node's streams, which
// cost a `hull state` a tenth of its time.
import fs from 'node:fs';

export function writeStdout(text: string): void {
  const buf = Buffer.from(text);
  let off = 0;
  while (off < buf.length) {
    try {
      off += fs.writeSync(1, buf, off);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      // Nobody reads any more (`hull state x | head -1`): runc dies of SIGPIPE there, silently.
      if (code === 'EPIPE') return;
      if (code !== 'EAGAIN') throw e;
      // A non-blocking pipe that is full: let the reader catch up.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
    }
  }
}
