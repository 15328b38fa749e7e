// What every suite's children get: an environment without the variables that
// slow each Node start or point at the developer's own daemon, and ids no
// parallel test (or earlier run) shares.

/**
 * process.env without NODE_OPTIONS and NODE_EXTRA_CA_CERTS (≈50 ms a Node
 * start) and without HULL_ADDRESS and HULL_STATE_DIR (a test names its own
 * supervisor), plus `extra`.
 */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.NODE_OPTIONS;
  delete env.NODE_EXTRA_CA_CERTS;
  delete env.HULL_ADDRESS;
  delete env.HULL_STATE_DIR;
  return { ...env, ...extra };
}

let counter = 0;
/** `tag-pid-time-n`: unique across parallel jest workers and across runs (a container id, a name, a netns). */
export function uniqueId(tag = 'ht'): string {
  return `${tag}-${process.pid}-${Date.now().toString(36)}-${counter++}`;
}
