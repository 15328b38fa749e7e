// Joins our terminal to a container process: its output comes from the log
// files the supervisor writes, our stdin goes into its stdin FIFO, and with
// a tty: raw mode, window sizes (ResizePty) and the detach keys. Without a
// tty, signals sent to hullctl are passed on to the process (docker's
// --sig-proxy).
import fs from 'node:fs';
import net from 'node:net';
import { FIONREAD } from '@hull/sys/constants';
import { signalNumber } from '@hull/sys/signals';
import type { Context } from './context';
import { LogFollower } from './follow';
import { DetachWatcher, enterRawMode, windowSize, type WindowSize } from './tty';

export interface AttachSpec {
  id: string;
  execId?: string;
  /** The user's name for it, for error messages. */
  ref: string;
  stdoutFile?: string;
  stderrFile?: string;
  /** Start at the end of the logs (attach) rather than their beginning (run, start -a). */
  fromEnd?: boolean;
  /** The process's stdin FIFO, when our stdin should go there. */
  stdinFifo?: string;
  tty: boolean;
  detachKeys: number[];
}

export interface Attachment {
  /** Resolves with true when the user detached. */
  detached: Promise<boolean>;
  /** The process started: begin passing our stdin (the supervisor wires it at start). */
  started(): void;
  /** The process exited: copy the last output and let go of the terminal. */
  finish(): void;
}

const PROXIED_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'];

/** Waits until the supervisor has read everything we wrote into the FIFO. */
async function fifoEmpty(fd: number): Promise<void> {
  const { ioctl } = require('@hull/sys/libc') as typeof import('@hull/sys/libc');
  const n = Buffer.alloc(4);
  for (let i = 0; i < 500; i++) {
    ioctl(fd, FIONREAD, n);
    if (n.readInt32LE(0) === 0) return;
    await new Promise((r) => setTimeout(r, 10));
  }
}

export function attach(ctx: Context, a: AttachSpec): Attachment {
  const client = ctx.client();
  const followers: LogFollower[] = [];
  if (a.stdoutFile) followers.push(new LogFollower(a.stdoutFile, (b) => void process.stdout.write(b), a.fromEnd ? 'end' : 'start'));
  if (a.stderrFile) followers.push(new LogFollower(a.stderrFile, (b) => void process.stderr.write(b), a.fromEnd ? 'end' : 'start'));
  for (const f of followers) f.start();

  let resolveDetached!: (d: boolean) => void;
  const detached = new Promise<boolean>((r) => (resolveDetached = r));
  const cleanups: Array<() => void> = [];

  const raw = a.tty && !!a.stdinFifo && process.stdin.isTTY;
  const resize = (size: WindowSize) => {
    client.call('ResizePty', { id: a.id, exec_id: a.execId ?? '', ...size }, a.ref).catch(() => undefined);
  };
  // The pty starts at our size (again once started: an exec's pty is made then).
  let sendSize = () => {
    const size = a.tty ? (windowSize(process.stdout) ?? windowSize(process.stderr)) : undefined;
    if (size) resize(size);
  };
  if (raw) {
    const mode = enterRawMode(resize);
    sendSize = mode.sendSize;
    cleanups.push(mode.undo);
  } else {
    const forward = (sig: NodeJS.Signals) => {
      client.call('Kill', { id: a.id, exec_id: a.execId ?? '', signal: signalNumber(sig) }, a.ref).catch(() => undefined);
    };
    for (const s of PROXIED_SIGNALS) process.on(s, forward);
    cleanups.push(() => PROXIED_SIGNALS.forEach((s) => process.off(s, forward)));
  }

  let startInput = () => undefined as void;
  if (a.stdinFifo) {
    const fd = fs.openSync(a.stdinFifo, fs.constants.O_RDWR | fs.constants.O_NONBLOCK);
    const sink = new net.Socket({ fd, readable: false, writable: true });
    sink.on('error', () => undefined);
    const watcher = a.tty ? new DetachWatcher(a.detachKeys) : undefined;
    const onData = (chunk: Buffer) => {
      if (!watcher) return void sink.write(chunk);
      const { forward, detach } = watcher.feed(chunk);
      if (forward.length) sink.write(forward);
      if (detach) resolveDetached(true);
    };
    const onEnd = () => {
      // Our stdin is done: once the supervisor has read it all, the process gets EOF.
      sink.write(Buffer.alloc(0), () => {
        fifoEmpty(fd)
          .then(() => client.call('CloseIO', { id: a.id, exec_id: a.execId ?? '', stdin: true }, a.ref))
          .catch(() => undefined);
      });
    };
    startInput = () => {
      process.stdin.on('data', onData);
      process.stdin.on('end', onEnd);
      process.stdin.resume();
    };
    cleanups.push(() => {
      process.stdin.off('data', onData);
      process.stdin.off('end', onEnd);
      process.stdin.pause();
      sink.destroy();
    });
  }

  let finished = false;
  const finish = () => {
    if (finished) return;
    finished = true;
    for (const f of followers) f.stop(true);
    for (const c of cleanups.reverse()) c();
    resolveDetached(false);
  };
  detached.then((d) => {
    if (!d) return;
    for (const f of followers) f.stop(false);
    for (const c of cleanups.reverse()) c();
    finished = true;
  });
  if (a.tty && !raw) sendSize();
  const started = () => {
    if (a.tty) sendSize();
    startInput();
  };
  return { detached, finish, started };
}
