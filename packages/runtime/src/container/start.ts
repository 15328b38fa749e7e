// `hull start`: open the exec fifo for reading; the init, blocked opening
// it for writing, writes one byte and goes on to exec the process.
import fs from 'node:fs';
import { InitError } from '../errors';
import type { Log } from '../log';
import { isAlive, sleepMs } from '../proc';
import type { StateStore } from '../state/store';
import { runHooks } from '../hooks';
import { requireStatus, stateOf, statusOf } from './status';

export function start(store: StateStore, id: string, log: Log): void {
  const unlock = store.lock(id);
  try {
    const rec = store.read(id);
    requireStatus(id, 'start', statusOf(store, rec), ['created']);
    const fifo = store.fifoPath(id);
    // Non-blocking: if the init died, a blocking open would wait forever.
    const fd = fs.openSync(fifo, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
    try {
      const buf = Buffer.alloc(1);
      for (;;) {
        let n = 0;
        try {
          n = fs.readSync(fd, buf, 0, 1, null);
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
        }
        if (n === 1) break;
        if (!isAlive(rec.pid, rec.startTime)) throw new InitError('EINIT', `start ${id}: the container's init exited before it was started`);
        sleepMs(1);
      }
    } finally {
      fs.closeSync(fd);
    }
    fs.rmSync(fifo, { force: true });
    rec.started = true;
    store.write(rec);
    // The spec: a failing poststart hook is logged and start goes on.
    runHooks(rec.spec.hooks?.poststart, stateOf(rec, 'running'), 'poststart', { log, warnOnly: true });
  } finally {
    unlock();
  }
}
