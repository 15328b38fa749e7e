// The runtime's log: runc's text or JSON lines, to --log FILE or stderr.
// containerd reads the last {"level":"error","msg":...} line of the log.
import fs from 'node:fs';
import { isoTime } from './time';

export type Level = 'debug' | 'info' | 'warning' | 'error';
const ORDER: Record<Level, number> = { debug: 0, info: 1, warning: 2, error: 3 };

export interface LogOptions {
  file?: string;
  format?: 'text' | 'json';
  debug?: boolean;
}

export class Logger {
  private fd: number;
  private readonly ownsFd: boolean;
  private readonly json: boolean;
  private readonly min: number;

  constructor(opts: LogOptions = {}) {
    this.json = opts.format === 'json';
    this.min = ORDER[opts.debug ? 'debug' : 'info'];
    if (opts.file) {
      this.fd = fs.openSync(opts.file, fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_CREAT, 0o644);
      this.ownsFd = true;
    } else {
      this.fd = 2;
      this.ownsFd = false;
    }
  }

  /** True when lines go to a file rather than the terminal's stderr. */
  get toFile(): boolean {
    return this.ownsFd;
  }

  log(level: Level, msg: string): void {
    if (ORDER[level] < this.min) return;
    const time = isoTime().replace(/\.\d+Z$/, 'Z');
    const line = this.json
      ? JSON.stringify({ level, msg, time }) + '\n'
      : `time="${time}" level=${level} msg=${JSON.stringify(msg)}\n`;
    try {
      fs.writeSync(this.fd, line);
    } catch {
      // A log that cannot be written must not turn success into failure.
    }
  }

  debug(msg: string): void { this.log('debug', msg); }
  info(msg: string): void { this.log('info', msg); }
  warn(msg: string): void { this.log('warning', msg); }
  error(msg: string): void { this.log('error', msg); }

  close(): void {
    if (this.ownsFd) fs.closeSync(this.fd);
  }
}

/** A logger that drops everything (library use, tests). */
export const silentLogger: Pick<Logger, 'debug' | 'info' | 'warn' | 'error'> = {
  debug() {}, info() {}, warn() {}, error() {},
};

export type Log = Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;
