// Waiting for a container process that is our child (run, exec in the
// foreground) while forwarding the signals we get to it.
import * as libc from '@hull/sys/syscalls';
import { WNOHANG } from '@hull/sys/constants';
import { signalNumber } from '@hull/sys/signals';

const FORWARDED: NodeJS.Signals[] = ['SIGHUP', 'SIGINT', 'SIGQUIT', 'SIGTERM', 'SIGUSR1', 'SIGUSR2', 'SIGPIPE', 'SIGALRM', 'SIGWINCH', 'SIGCONT', 'SIGTSTP', 'SIGTTIN', 'SIGTTOU'];

/** Forwards signals to `pid` until the returned function is called. */
export function forwardSignals(pid: number): () => void {
  const handlers = FORWARDED.map((sig) => {
    const h = () => {
      libc.tryKill(pid, signalNumber(sig)!);
    };
    process.on(sig, h);
    return [sig, h] as const;
  });
  return () => {
    for (const [sig, h] of handlers) process.off(sig, h);
  };
}

/** The exit status as a shell reports it: the code, or 128+N for signal N. */
export function exitStatus(status: number): number {
  return (status & 0x7f) === 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f);
}

/** Resolves with the child's exit status: on SIGCHLD, and by polling in case one is missed. */
export function waitExit(pid: number): Promise<number> {
  return new Promise((resolve) => {
    const finish = (code: number) => {
      clearInterval(timer);
      process.off('SIGCHLD', check);
      resolve(code);
    };
    const check = () => {
      let res: [number, number];
      try {
        res = libc.waitpid(pid, WNOHANG);
      } catch {
        finish(255); // not our child any more
        return;
      }
      if (res[0] === pid) finish(exitStatus(res[1]));
    };
    const timer = setInterval(check, 50);
    process.on('SIGCHLD', check);
    check();
  });
}

/** A foreground process: forward signals, wait, let the console drain; its exit status. */
export async function waitForeground(pid: number, console?: { drain(): Promise<void>; close(): void }): Promise<number> {
  const stop = forwardSignals(pid);
  try {
    const status = await waitExit(pid);
    await console?.drain();
    return status;
  } finally {
    stop();
    console?.close();
  }
}
