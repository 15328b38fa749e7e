// What a case gets: fresh ids, bundles, runtime calls, and cleanup of everything it made, even on failure.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { uniqueId } from '@hull/testkit/env';
import type { Missing } from '@hull/testkit/host';
import { type Bundle, type Config, defaultConfig, makeBundle } from './bundle';
import { type Invocation, type InvokeOptions, Runtime, describe } from './runtime';

/** A case failed: the message says what was expected and what came. */
export class CaseFailure extends Error {}

/** A case cannot run on this host (a missing kernel feature, not a runtime fault). */
export class CaseSkip extends Error {}

export function fail(message: string): never {
  throw new CaseFailure(message);
}

export function check(cond: unknown, message: string): asserts cond {
  if (!cond) fail(message);
}

const show = (v: unknown): string => JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? `0x${x.toString(16)}` : x));

export function eq<T>(actual: T, expected: T, what: string): void {
  if (show(actual) !== show(expected)) fail(`${what}: expected ${show(expected)}, got ${show(actual)}`);
}

export interface ContainerState {
  ociVersion: string;
  id: string;
  status: string;
  pid?: number;
  bundle: string;
  annotations?: Record<string, string>;
}

const execFileP = promisify(execFile);

export class Context {
  private readonly ids: string[] = [];
  private readonly cleanups: Array<() => void | Promise<void>> = [];
  private bundleSeq = 0;

  constructor(readonly rt: Runtime, readonly workDir: string) {}

  /** Skips the case, saying why, when a probe says the host lacks what it needs. */
  needs(...missing: Missing[]): void {
    const reasons = missing.filter((m): m is string => !!m);
    if (reasons.length) throw new CaseSkip(reasons.join('; '));
  }

  /** A container id unique to this process and call. */
  id(): string {
    const id = uniqueId('hc');
    this.ids.push(id);
    return id;
  }

  /** A bundle from the default config after `mutate`; `script` becomes `sh -c script`. */
  async bundle(mutate?: (c: Config) => void, script?: string): Promise<Bundle> {
    const config = defaultConfig();
    if (script !== undefined) config.process.args = ['sh', '-c', script];
    mutate?.(config);
    return makeBundle(this.workDir, `b${++this.bundleSeq}`, config);
  }

  /**
   * Makes the case's directory a shared mount of its own, so bundles under it sit on a mount with a peer group
   * (the host's / may be private, and propagation cases need something to propagate from).
   */
  async shareWorkDir(): Promise<void> {
    await execFileP('mount', ['--bind', this.workDir, this.workDir]);
    this.defer(() => execFileP('umount', ['-l', this.workDir]).then(() => undefined));
    await execFileP('mount', ['--make-rshared', this.workDir]);
  }

  /** Registers work to undo after the case, run in reverse order. */
  defer(fn: () => void | Promise<void>): void {
    this.cleanups.push(fn);
  }

  invoke(args: string[], opts: Partial<InvokeOptions> = {}): Promise<Invocation> {
    return this.rt.invoke(args, { logDir: this.workDir, ...opts });
  }

  /** Runs a runtime command that must succeed; returns its invocation. */
  async ok(args: string[], opts: Partial<InvokeOptions> = {}): Promise<Invocation> {
    const inv = await this.invoke(args, opts);
    if (inv.code !== 0) fail(`expected success: ${describe(inv)}`);
    return inv;
  }

  /** Runs a runtime command that must fail (non-zero exit). */
  async fails(args: string[], why: string, opts: Partial<InvokeOptions> = {}): Promise<Invocation> {
    const inv = await this.invoke(args, opts);
    if (inv.code === 0) fail(`${why}: \`${args.join(' ')}\` succeeded`);
    if (inv.code === null) fail(`${why}: \`${args.join(' ')}\` died of ${inv.signal}`);
    return inv;
  }

  /** `run` in the foreground: the container's stdout, exit code and the runtime's stderr. */
  async run(bundle: Bundle, id = this.id(), opts: Partial<InvokeOptions> = {}): Promise<Invocation> {
    return this.invoke(['run', '--bundle', bundle.dir, id], opts);
  }

  /** Runs `script` in a container from the default config after `mutate`, requires exit 0, returns stdout. */
  async sh(script: string, mutate?: (c: Config) => void): Promise<string> {
    const b = await this.bundle(mutate, script);
    const inv = await this.run(b);
    if (inv.code !== 0) fail(`container script failed: ${describe(inv)}${inv.stdout ? ` (stdout: ${inv.stdout.trim().slice(0, 300)})` : ''}`);
    return inv.stdout;
  }

  async create(bundle: Bundle, id = this.id(), extra: string[] = []): Promise<string> {
    await this.ok(['create', ...extra, '--bundle', bundle.dir, id]);
    return id;
  }

  async state(id: string): Promise<ContainerState> {
    const inv = await this.ok(['state', id]);
    try {
      return JSON.parse(inv.stdout) as ContainerState;
    } catch {
      fail(`state ${id}: not JSON: ${inv.stdout.slice(0, 200)}`);
    }
  }

  /** Polls `state` until the status is `want` (the container's own pace, not a timing assertion: a loaded machine may take long). */
  async waitStatus(id: string, want: string, limitMs = 60_000): Promise<ContainerState> {
    const until = Date.now() + limitMs;
    for (;;) {
      const st = await this.state(id);
      if (st.status === want) return st;
      if (Date.now() > until) fail(`container ${id}: status stayed "${st.status}", expected "${want}"`);
      await sleep(50);
    }
  }

  /** Polls for a file the container writes into its rootfs. */
  async waitFile(file: string, limitMs = 60_000): Promise<string> {
    const until = Date.now() + limitMs;
    for (;;) {
      try {
        return fs.readFileSync(file, 'utf8');
      } catch {
        if (Date.now() > until) fail(`${path.basename(file)}: the container never wrote it`);
        await sleep(50);
      }
    }
  }

  /**
   * A file's text once its first line is whole: `echo x > f` creates the file before it writes,
   * and a reader that only waits for the file can find it empty.
   */
  async waitLine(file: string, limitMs = 60_000): Promise<string> {
    const until = Date.now() + limitMs;
    for (;;) {
      const text = await this.waitFile(file, Math.max(0, until - Date.now()));
      if (text.includes('\n')) return text;
      if (Date.now() > until) fail(`${path.basename(file)}: the container never finished its line (${JSON.stringify(text)})`);
      await sleep(50);
    }
  }

  /** Kills and deletes every container the case named, then runs the deferred cleanups. */
  async cleanup(): Promise<void> {
    if (this.ids.length) {
      const listed = await listIds(this).catch(() => [] as string[]);
      for (const id of this.ids) {
        if (!listed.includes(id) && !fs.existsSync(path.join(this.rt.root, id))) continue;
        await this.invoke(['kill', id, 'KILL']).catch(() => undefined);
        await this.invoke(['delete', '--force', id]).catch(() => undefined);
      }
    }
    for (const fn of this.cleanups.reverse()) {
      try {
        await fn();
      } catch {
        // best effort: the next cleanup still runs
      }
    }
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Lines of a container's report as key=value pairs. */
export function parseKv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const i = line.indexOf('=');
    if (i > 0) out[line.slice(0, i).trim()] = line.slice(i + 1).trim();
  }
  return out;
}

/** Container ids the runtime lists (`list --format json`; runc prints `null` when there are none). */
export async function listIds(t: Context): Promise<string[]> {
  const inv = await t.invoke(['list', '--format', 'json']);
  if (inv.code !== 0) fail(`list: ${describe(inv)}`);
  const text = inv.stdout.trim();
  if (text === '' || text === 'null') return [];
  const parsed = JSON.parse(text) as Array<{ id: string }> | null;
  return (parsed ?? []).map((c) => c.id);
}
