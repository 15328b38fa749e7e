// The interactive terminal: raw mode on our stdin, window sizes passed to
// the container's pty, and docker's detach keys (ctrl-p ctrl-q by default).
import { spawnSync } from 'node:child_process';
import { FlagError } from './errors';

export const DEFAULT_DETACH_KEYS = 'ctrl-p,ctrl-q';

/** "ctrl-p,ctrl-q" → [0x10, 0x11]; "a" → [0x61]; like docker's --detach-keys. */
export function parseDetachKeys(spec: string): number[] {
  return spec.split(',').map((key) => {
    const k = key.trim();
    if (k.length === 1) return k.charCodeAt(0);
    const ctrl = /^ctrl-([a-z@\[\\\]^_])$/.exec(k);
    if (!ctrl) throw new FlagError(`Unknown character: '${k}'`);
    const c = ctrl[1]!;
    return c >= 'a' && c <= 'z' ? c.charCodeAt(0) - 0x60 : c.charCodeAt(0) - 0x40;
  });
}

/**
 * Watches the bytes typed for the detach sequence. Bytes that start the
 * sequence are held back until it is complete (detach) or broken (they are
 * passed on with what follows).
 */
export class DetachWatcher {
  private held: number[] = [];
  constructor(private readonly keys: number[]) {}

  feed(chunk: Buffer): { forward: Buffer; detach: boolean } {
    const out: number[] = [];
    for (const byte of chunk) {
      if (byte === this.keys[this.held.length]) {
        this.held.push(byte);
        if (this.held.length === this.keys.length) {
          this.held = [];
          return { forward: Buffer.from(out), detach: true };
        }
        continue;
      }
      out.push(...this.held);
      this.held = [];
      if (byte === this.keys[0]) this.held.push(byte);
      else out.push(byte);
    }
    return { forward: Buffer.from(out), detach: false };
  }
}

export interface WindowSize {
  width: number;
  height: number;
}

export function windowSize(out: NodeJS.WriteStream): WindowSize | undefined {
  if (!out.isTTY) return undefined;
  const [width, height] = out.getWindowSize();
  return { width, height };
}

/**
 * Puts stdin in raw mode and reports window size changes. The first size is
 * sent at once; `sendSize` sends it again (an exec's pty exists only once
 * the process started).
 */
export function enterRawMode(onResize: (size: WindowSize) => void): { undo: () => void; sendSize: () => void } {
  const stdin = process.stdin;
  const wasRaw = stdin.isTTY ? stdin.isRaw : false;
  if (stdin.isTTY) {
    stdin.setRawMode(true);
    // libuv's raw mode keeps output processing (\n → \r\n); the container's
    // pty already does it, so turn ours off as docker does. setRawMode(false)
    // restores the saved settings.
    spawnSync('stty', ['-opost'], { stdio: ['inherit', 'ignore', 'ignore'] });
  }
  const sendSize = () => {
    const size = windowSize(process.stdout) ?? windowSize(process.stderr);
    if (size) onResize(size);
  };
  process.on('SIGWINCH', sendSize);
  sendSize();
  const undo = () => {
    process.off('SIGWINCH', sendSize);
    if (stdin.isTTY) stdin.setRawMode(wasRaw);
  };
  return { undo, sendSize };
}
