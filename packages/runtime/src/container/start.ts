// `hull start`: open the exec fifo for reading; the init, blocked opening
// it for writing, goes on: startContainer hooks, its last steps, execve.
// start returns once the process runs, or fails with the init's error.
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
    const failure = awaitExec(fifo, rec.pid, rec.startTime);
    // unlink, not fs.rmSync: that loads Node's rimraf, a millisecond of every start.
    try {
      fs.unlinkSync(fifo);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    if (failure !== undefined) {
      // The spec: a failing startContainer hook stops the container; delete runs poststop.
      throw new InitError('ESTART', `start ${id}: ${failure}`);
    }
    rec.started = true;
    store.write(rec);
    // The spec: a failing poststart hook is logged and start goes on.
    runHooks(rec.spec.hooks?.poststart, stateOf(rec, 'running'), 'poststart', { log, warnOnly: true });
  } finally {
    unlock();
  }
}

/**
 * Reads the exec fifo (see the init's waitForStart): the first byte means the
 * init is past the fifo; EOF after it means the process was exec'd; any other
 * bytes are the init's error. Non-blocking, so a dead init is noticed.
 */
function awaitExec(fifo: string, pid: number, startTime: string): string | undefined {
  const fd = fs.openSync(fifo, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  try {
    const buf = Buffer.alloc(4096);
    let connected = false;
    let drained = false;
    let message = '';
    for (;;) {
      let n: number;
      try {
        n = fs.readSync(fd, buf, 0, buf.length, null);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
        n = -1;
      }
      if (n > 0) {
        let text = buf.toString('utf8', 0, n);
        if (!connected) {
          connected = true;
          text = text.slice(1);
        }
        message += text;
        continue;
      }
      // n === 0 before the init connected: no writer yet; after: the writer closed.
      if (n === 0 && connected) return message || undefined;
      if (!isAlive(pid, startTime)) {
        // It may have connected, exec'd and exited between two reads: what it wrote is still in the fifo.
        if (!drained) {
          drained = true;
          continue;
        }
        return message || (connected ? undefined : `the container's init exited before it was started`);
      }
      sleepMs(1);
    }
  } finally {
    fs.closeSync(fd);
  }
}
