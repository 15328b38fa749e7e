// The command line itself: help, version, bad usage, JSON logs.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { itNeeds } from '@hull/testkit/jest';
import { cleanEnv, REPO } from './helpers';

const BIN = path.join(REPO, 'packages/shim/bin/hull-shim');
const built = fs.existsSync(path.join(REPO, 'packages/shim/lib/main.js'));
const itBuilt = itNeeds(built ? undefined : 'packages/shim is not built (make ts)');

const run = (...args: string[]) => spawnSync(BIN, args, { env: cleanEnv(), encoding: 'utf8', timeout: 20000 });

describe('hull-shim CLI', () => {
  itBuilt('prints help and version', () => {
    const help = run('--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('hull-shim serve');
    expect(help.stdout).toContain('--runtime <binary>');
    expect(run('--version').stdout).toMatch(/^hull-shim \d+\.\d+\.\d+\n$/);
  });

  itBuilt('refuses bad usage with a one-line reason and status 2', () => {
    const r = run('frobnicate');
    expect(r.status).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe('hull-shim: unknown command "frobnicate": try "hull-shim serve" or --help');
    const rel = run('serve', '--address', 'relative.sock', '--runtime', '/bin/true');
    expect(rel.status).toBe(2);
    expect(rel.stderr).toContain('--address: relative.sock: must be an absolute socket path');
    const rt = run('serve', '--runtime', 'no-such-runtime-here');
    expect(rt.status).toBe(2);
    expect(rt.stderr).toContain('--runtime: no-such-runtime-here: not found');
  });

  itBuilt('logs JSON lines with --log-format json', () => {
    // A state dir that is a file: the daemon fails at start, after its first log steps.
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hull-shim-cli-'));
    try {
      fs.writeFileSync(path.join(tmp, 'file'), '');
      const r = run('serve', '--address', path.join(tmp, 's.sock'), '--state-dir', path.join(tmp, 'file'), '--runtime', '/bin/true', '--log-format', 'json');
      expect(r.status).toBe(1);
      const line = JSON.parse(r.stderr.trim().split('\n').pop()!);
      expect(line).toMatchObject({ level: 'error', msg: expect.stringContaining(path.join(tmp, 'file')) });
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});
