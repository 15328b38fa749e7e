// Runs the hooks of one phase (config.md, "POSIX-platform Hooks"): each
// hook's `path` with `args` (args[0] is argv[0]) and exactly its `env`, the
// container state as JSON on stdin, killed after `timeout` seconds.
// Synchronous on purpose: the init calls it after unsharing namespaces,
// where async work on libuv's threads is unsafe, and a child spawned from
// the main thread inherits the main thread's namespaces.
import { HookError } from '../errors';
import type { Log } from '../log';
import type { Hook, State } from '../spec/types';

export type { Hook };
/** The container state (state.md) a hook reads on stdin. */
export type HookState = State;

export interface RunHooksOptions {
  /** Failures are logged as warnings and the next hook runs (poststart, poststop). */
  warnOnly?: boolean;
  log?: Log;
  /** Working directory of the hooks; default: the runtime's own. */
  cwd?: string;
}

/** How much of a failing hook's stderr the error carries. */
const STDERR_TAIL = 1024;
/** Output beyond this kills the hook: a hook is not a log shipper. */
const MAX_OUTPUT = 4 * 1024 * 1024;

/** Phases whose failures are warnings, per the spec. */
export const WARN_ONLY_PHASES: ReadonlySet<string> = new Set(['poststart', 'poststop']);

/**
 * Runs `hooks` in order. The first failure throws a HookError naming the
 * phase, index, path and what went wrong, unless `warnOnly`, when each
 * failure is logged and the rest still run.
 */
export function runHooks(hooks: Hook[] | undefined, state: HookState, phase: string, opts: RunHooksOptions = {}): void {
  if (!hooks?.length) return;
  const input = JSON.stringify(state);
  hooks.forEach((hook, i) => {
    try {
      runHook(hook, input, `${phase} hook [${i}]`, opts);
    } catch (e) {
      if (!opts.warnOnly || !(e instanceof HookError)) throw e;
      opts.log?.warn(e.message);
    }
  });
}

function runHook(hook: Hook, input: string, what: string, opts: RunHooksOptions): void {
  const ctx = { path: hook?.path };
  if (!hook || typeof hook.path !== 'string' || !hook.path.startsWith('/')) {
    throw new HookError('EHOOK', `${what}: path must be absolute, not ${JSON.stringify(hook?.path)}`, ctx);
  }
  const name = `${what} ${hook.path}`;
  const timeout = hook.timeout;
  if (timeout !== undefined && (!Number.isInteger(timeout) || timeout <= 0)) {
    throw new HookError('EHOOK', `${name}: timeout must be a positive number of seconds, not ${JSON.stringify(timeout)}`, ctx);
  }
  const args = hook.args ?? [];
  opts.log?.debug(`running ${name}`);
  // Required here: node:child_process is a large load that a container without hooks never needs.
  const { spawnSync } = require('node:child_process') as typeof import('node:child_process');
  const res = spawnSync(hook.path, args.slice(1), {
    argv0: args[0] ?? hook.path,
    env: envObject(hook.env ?? []),
    input,
    cwd: opts.cwd,
    timeout: timeout === undefined ? undefined : timeout * 1000,
    killSignal: 'SIGKILL',
    maxBuffer: MAX_OUTPUT,
    windowsHide: true,
  });
  const stderr = tail(res.stderr);
  let err = res.error as NodeJS.ErrnoException | undefined;
  // A hook need not read the state: EPIPE on its stdin is no failure (runc's Go exec ignores it too).
  if (err?.code === 'EPIPE') err = undefined;
  if (err?.code === 'ETIMEDOUT') {
    throw new HookError('EHOOKTIMEOUT', `${name}: killed after the timeout of ${timeout}s${stderr ? `: ${stderr}` : ''}`, { ...ctx, timeout });
  }
  if (err?.code === 'ENOBUFS') {
    throw new HookError('EHOOK', `${name}: killed after writing more than ${MAX_OUTPUT} bytes of output`, ctx);
  }
  if (err) {
    // spawn itself failed: ENOENT, EACCES, ...
    throw new HookError('EHOOK', `${name}: ${err.code ?? err.message}`, { ...ctx, errno: err.code });
  }
  if (res.signal) throw new HookError('EHOOK', `${name}: killed by signal ${res.signal}${stderr ? `: ${stderr}` : ''}`, { ...ctx, signal: res.signal });
  if (res.status !== 0) throw new HookError('EHOOK', `${name}: exit status ${res.status}${stderr ? `: ${stderr}` : ''}`, { ...ctx, status: res.status });
}

/** "K=V" strings → the object spawn wants; the last of a repeated name wins. */
function envObject(env: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of env) {
    const eq = kv.indexOf('=');
    if (eq > 0) out[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  return out;
}

function tail(buf: Buffer | null | undefined): string {
  if (!buf?.length) return '';
  const text = buf.subarray(Math.max(0, buf.length - STDERR_TAIL)).toString('utf8').trim();
  return text.replace(/\s*\n\s*/g, ' | ');
}
