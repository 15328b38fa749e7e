// Starting hull-init: always from one sealed in-memory copy of native/hull-init
// (made once per process), so what runs in a container is never a host file.
import path from 'node:path';
import { sealedCopy } from '@hull/sys/native';

/** Where hull-init lives: native/ at the repo root, or HULL_INIT. */
export const HULL_INIT = process.env.HULL_INIT ?? path.resolve(__dirname, '../../../../native/hull-init');

let sealed: number | undefined;

/** The fd to execveat: a sealed memfd holding hull-init. */
export function sealedInit(): number {
  sealed ??= sealedCopy(HULL_INIT);
  return sealed;
}

/**
 * The fault knob of the fault tests: hull-init stops before op N (HULL_FAULT_AFTER_OP;
 * HULL_FAULT_EXEC_AFTER_OP for exec programs only, to hold an exec mid-flight).
 */
export function faultAfter(kind: 'create' | 'exec' = 'create'): number | undefined {
  const v = (kind === 'exec' ? process.env.HULL_FAULT_EXEC_AFTER_OP : undefined) ?? process.env.HULL_FAULT_AFTER_OP;
  return v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined;
}

/**
 * hull-init started with "fork" (a pid namespace joined by path: only children enter it) forks
 * itself as our child and reports that child's pid: the one that runs the program. Reaps the
 * first and returns the second, so nothing but hull-init ever runs in the namespace.
 */
export function forkedInit(syncFd: number, firstPid: number): number {
  const { readMessage } = require('./channel') as typeof import('./channel');
  const { MSG } = require('./format') as typeof import('./format');
  const { waitpid } = require('@hull/sys/syscalls') as typeof import('@hull/sys/syscalls');
  const msg = readMessage(syncFd);
  try {
    waitpid(firstPid, 0);
  } catch {
    // already reaped
  }
  if (msg?.type !== MSG.PID || msg.index <= 0) throw new (require('../errors').InitError)('EINIT', 'init: hull-init could not fork into the pid namespace');
  return msg.index;
}
