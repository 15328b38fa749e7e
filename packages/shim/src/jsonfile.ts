// Small JSON records (volumes, networks), written whole or not at all by @hull/sys/atomic.
import { writeFileAtomicSync } from '@hull/sys/atomic';

export { readJsonSync as readJson } from '@hull/sys/atomic';

export function writeJsonAtomic(file: string, value: unknown, mode = 0o600): void {
  writeFileAtomicSync(file, JSON.stringify(value, null, 2), { mode });
}

/** Runs async operations one at a time, in call order. */
export class Serial {
  private queue: Promise<unknown> = Promise.resolve();
  run<T>(fn: () => Promise<T> | T): Promise<T> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => undefined);
    return next;
  }
}
