// Drives one runc-compatible binary through its command line, with a private --root.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { cleanEnv } from '@hull/testkit/env';

export interface Invocation {
  args: string[];
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** The file holding the runtime's stdout (a detached container keeps writing to it). */
  outPath: string;
}

export interface InvokeOptions {
  /** Text fed to the runtime's stdin (and so to a foreground container). */
  input?: string;
  /** Kill the runtime after this long; a hung runtime must not hang the suite. */
  timeoutMs?: number;
  /** Where the runtime's (and a detached container's) stdout/stderr go; files survive the runtime's exit. */
  logDir: string;
  /** Extra leading global flags, e.g. ['--log', file]. */
  global?: string[];
}

/** Finds a runtime given as a path, a name on PATH, or "hull" (falls back to the repo's packages/runtime/bin/hull). */
export function resolveRuntime(spec: string): string {
  if (spec.includes('/')) {
    const abs = path.resolve(spec);
    if (!isExecutable(abs)) throw new Error(`RUNTIME ${spec}: not an executable file`);
    return abs;
  }
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (!dir) continue;
    const p = path.join(dir, spec);
    if (isExecutable(p)) return p;
  }
  if (spec === 'hull') {
    const repoHull = path.resolve(__dirname, '..', '..', 'packages', 'runtime', 'bin', 'hull');
    if (isExecutable(repoHull)) return repoHull;
  }
  throw new Error(`RUNTIME ${spec}: not found on PATH`);
}

function isExecutable(p: string): boolean {
  try {
    fs.accessSync(p, fs.constants.X_OK);
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

let seq = 0;

export class Runtime {
  /** Display name: the binary's basename ("runc", "hull"). */
  readonly name: string;

  constructor(readonly bin: string, readonly root: string) {
    this.name = path.basename(bin);
  }

  /**
   * Runs `bin --root ROOT ...args`. Output goes to files, not pipes: a detached container inherits the
   * runtime's stdio, so waiting for pipes to close would wait for the container.
   */
  async invoke(args: string[], opts: InvokeOptions): Promise<Invocation> {
    const n = ++seq;
    const outPath = path.join(opts.logDir, `rt-${n}.out`);
    const errPath = path.join(opts.logDir, `rt-${n}.err`);
    const out = fs.openSync(outPath, 'w');
    const err = fs.openSync(errPath, 'w');
    let inFd: number | 'ignore' = 'ignore';
    if (opts.input !== undefined) {
      const inPath = path.join(opts.logDir, `rt-${n}.in`);
      fs.writeFileSync(inPath, opts.input);
      inFd = fs.openSync(inPath, 'r');
    }
    const full = [...(opts.global ?? []), '--root', this.root, ...args];
    try {
      const child = spawn(this.bin, full, { stdio: [inFd, out, err], env: cleanEnv() });
      const result = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
        const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 30_000);
        child.once('error', (e) => {
          clearTimeout(timer);
          reject(new Error(`${this.name} ${args[0]}: ${e.message}`));
        });
        child.once('exit', (code, signal) => {
          clearTimeout(timer);
          resolve({ code, signal });
        });
      });
      return {
        args,
        ...result,
        stdout: fs.readFileSync(outPath, 'utf8'),
        stderr: fs.readFileSync(errPath, 'utf8'),
        outPath,
      };
    } finally {
      fs.closeSync(out);
      fs.closeSync(err);
      if (typeof inFd === 'number') fs.closeSync(inFd);
    }
  }
}

/** One line describing an invocation, for failure messages. */
export function describe(inv: Invocation): string {
  const how = inv.signal ? `signal ${inv.signal}` : `exit ${inv.code}`;
  const err = inv.stderr.trim().split('\n').filter(Boolean).pop() ?? '';
  return `\`${inv.args.join(' ')}\` → ${how}${err ? `: ${err.slice(0, 300)}` : ''}`;
}
