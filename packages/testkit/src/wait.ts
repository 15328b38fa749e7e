// Waiting in tests for what happens at the machine's own pace (a container's output, a process
// gone, a cgroup emptied): a bound generous enough for a loaded machine, never a timing.

/** Polls `fn` until it gives something truthy: that, or an error naming `what` after `ms`. */
export async function until<T>(what: string, fn: () => T | undefined | false, ms = 60_000): Promise<T> {
  for (const end = Date.now() + ms; ;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
