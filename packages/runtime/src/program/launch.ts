// Starting hull-init: always from one sealed in-memory copy of native/hull-init
// (made once per process), so what runs in a container is never a host file.
import path from 'node:path';
import { sealedCopy } from '../sys/native';

/** Where hull-init lives: native/ at the repo root, or HULL_INIT. */
export const HULL_INIT = process.env.HULL_INIT ?? path.resolve(__dirname, '../../../../native/hull-init');

let sealed: number | undefined;

/** The fd to execveat: a sealed memfd holding hull-init. */
export function sealedInit(): number {
  sealed ??= sealedCopy(HULL_INIT);
  return sealed;
}

/** The fault knob of the fault tests: hull-init stops before op N (HULL_FAULT_AFTER_OP). */
export function faultAfter(): number | undefined {
  const v = process.env.HULL_FAULT_AFTER_OP;
  return v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined;
}
