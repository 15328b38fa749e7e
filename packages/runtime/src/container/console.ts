// `hull run` in the foreground with terminal: true and no --console-socket:
// hull receives the pty master itself and copies between it and its own
// stdio, as runc does.
import fs from 'node:fs';
import type tty from 'node:tty';
import * as libc from '@hull/sys/libc';
import { AF_UNIX, SOCK_CLOEXEC, SOCK_STREAM, TIOCSWINSZ } from '@hull/sys/constants';
import { recvFds } from '@hull/sys/scm';

export class ConsoleProxy {
  readonly childFd: number;
  private readonly parentFd: number;
  private master?: number;
  private out?: tty.ReadStream;
  private done?: Promise<void>;
  private rawWas?: boolean;

  constructor() {
    [this.parentFd, this.childFd] = libc.socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC);
  }

  /** After create: take the master the init sent, start copying. */
  attach(): void {
    libc.close(this.childFd);
    const got = recvFds(this.parentFd);
    libc.close(this.parentFd);
    const master = got.fds[0];
    this.master = master;
    this.resize();
    if (process.stdin.isTTY) {
      this.rawWas = process.stdin.isRaw;
      process.stdin.setRawMode(true);
      process.stdout.on('resize', () => this.resize());
    }
    // Required here: node:tty brings Node's streams and net, which a run without a terminal never needs.
    const { ReadStream } = require('node:tty') as typeof tty;
    const out = new ReadStream(master);
    this.out = out;
    this.done = new Promise((resolve) => {
      out.on('data', (d: Buffer) => process.stdout.write(d));
      out.on('error', () => resolve()); // EIO once the last slave fd closes
      out.on('end', () => resolve());
      out.on('close', () => resolve());
    });
    process.stdin.on('data', (d: Buffer) => {
      try {
        fs.writeSync(master, d);
      } catch {
        // the container closed its terminal
      }
    });
  }

  private resize(): void {
    if (this.master === undefined || !process.stdout.isTTY) return;
    const ws = Buffer.alloc(8);
    ws.writeUInt16LE(process.stdout.rows, 0);
    ws.writeUInt16LE(process.stdout.columns, 2);
    try {
      libc.ioctl(this.master, TIOCSWINSZ, ws);
    } catch {
      // not fatal
    }
  }

  async drain(): Promise<void> {
    await Promise.race([this.done, new Promise((r) => setTimeout(r, 200))]);
  }

  close(): void {
    if (this.rawWas !== undefined) process.stdin.setRawMode(this.rawWas);
    process.stdin.pause();
    this.out?.destroy();
  }
}
