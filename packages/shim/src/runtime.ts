// Drives a runc-compatible runtime binary through runc's command line.
import fs from 'node:fs';
import path from 'node:path';
import { track } from './spawned';
import type { InProcessHull } from './inprocess';
import { runtimeFailed, notFound, precondition, type ShimError } from './errors';

/** The environment of every process the daemon starts: Node's start-up slowers removed. */
export function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  delete env.NODE_EXTRA_CA_CERTS;
  return env;
}

/** Finds a binary: an absolute or relative path as is, else on PATH, else `fallback`. */
export function resolveBinary(name: string, fallback?: string): string | undefined {
  if (name.includes('/')) return fs.existsSync(name) ? path.resolve(name) : undefined;
  for (const dir of (process.env.PATH ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin').split(':')) {
    const p = path.join(dir || '.', name);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return path.resolve(p);
    } catch { /* next */ }
  }
  return fallback && fs.existsSync(fallback) ? fallback : undefined;
}

/** The last error a runtime logged (runc's JSON log lines), or its last stderr line. */
export function lastRuntimeError(text: string): string {
  let last = '';
  for (const line of text.split('\n')) {
    const t = line.trim();
    if (!t) continue;
    try {
      const j = JSON.parse(t) as { level?: string; msg?: string };
      if (j.level === 'error' || j.level === 'fatal') last = j.msg ?? last;
      continue;
    } catch { /* plain text */ }
    const m = /level=(?:error|fatal) msg="((?:[^"\\]|\\.)*)"/.exec(t);
    last = m ? m[1].replace(/\\"/g, '"') : t;
  }
  return last.replace(/\s*\n\s*/g, '; ').trim();
}

/** Maps a runtime's message onto containerd's error codes. */
export function classify(message: string, context: Record<string, unknown>): ShimError {
  if (/container (?:\S+ )?(?:does not exist|not found)/i.test(message)) return notFound(message, context);
  if (/not running|not paused|is paused|is stopped|cannot (?:start|pause|resume|kill|delete)|already/i.test(message)) return precondition(message, context);
  return runtimeFailed(message, context);
}

export class Runtime {
  readonly name: string;

  /** `lib`: hull in-process (the binary is then only what recorded tasks name, for cleanup without us). */
  constructor(readonly binary: string, readonly root?: string, readonly lib?: InProcessHull) {
    this.name = path.basename(binary);
  }

  /** Global flags: state root and JSON logs (to `logFile`, else stderr). */
  globalArgs(logFile?: string): string[] {
    return [...(this.root ? ['--root', this.root] : []), ...(logFile ? ['--log', logFile] : []), '--log-format', 'json'];
  }

  /** Runs one short command (start, kill, delete, pause, ...) and returns its stdout. */
  run(args: string[], input?: string): Promise<string> {
    // Required here: `containerd-shim-hull-v2 delete` runs after every container and rarely spawns.
    const { spawn } = require('node:child_process') as typeof import('node:child_process');
    return new Promise((resolve, reject) => {
      const child = track(spawn(this.binary, [...this.globalArgs(), ...args], { env: cleanEnv(), stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] }));
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout!.on('data', (b: Buffer) => out.push(b));
      child.stderr!.on('data', (b: Buffer) => err.push(b));
      if (input !== undefined) child.stdin!.end(input);
      child.on('error', (e) => reject(runtimeFailed(`${this.name} ${args[0]}: ${e.message}`, { args })));
      child.on('close', (code, signal) => {
        if (code === 0) return resolve(Buffer.concat(out).toString());
        const msg = lastRuntimeError(Buffer.concat(err).toString()) || `exited with ${signal ?? `status ${code}`}`;
        reject(classify(`${this.name} ${args[0]}: ${msg}`, { args }));
      });
    });
  }
}
