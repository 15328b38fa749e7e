// Root integration test helpers: throwaway busybox bundles, running hull or
// runc on them with a private --root, and cleanup that runs even when a
// test fails.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { missingCommand, missingRoot } from '@hull/testkit/host';
import { itNeeds } from '@hull/testkit/jest';

export const REPO = path.resolve(__dirname, '../../..');
export const HULL = path.join(REPO, 'packages/runtime/bin/hull');
export const ROOTFS = path.join(REPO, 'build/rootfs');
export const isRoot = process.getuid?.() === 0;
export const hasRunc = !missingCommand('runc');

/** `it` for tests that need root; skipped with the reason otherwise. */
export const itRoot = itNeeds(missingRoot());
/** `it` for tests that compare with runc (root too). */
export const itRunc = itNeeds(missingRoot(), missingCommand('runc'));

export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra };
  delete env.NODE_OPTIONS;
  delete env.NODE_EXTRA_CA_CERTS;
  return env;
}

let counter = 0;
export function uniqueId(prefix = 'ht'): string {
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${counter++}`;
}

export type Config = Record<string, any>;

/** The default config as `hull spec` writes it, with process.terminal off. */
export function defaultConfig(): Config {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hull-spec-'));
  try {
    const r = spawnSync(HULL, ['spec', '--bundle', dir], { env: cleanEnv() });
    if (r.status !== 0) throw new Error(`hull spec: ${r.stderr}`);
    const cfg = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8'));
    cfg.process.terminal = false;
    return cfg;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export interface Bundle {
  dir: string;
  config: Config;
  write(cfg?: Config): void;
}

const tempDirs: string[] = [];

/** A bundle with a private copy of the busybox rootfs. */
export function makeBundle(edit?: (cfg: Config) => void, args?: string[]): Bundle {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hull-bundle-'));
  tempDirs.push(dir);
  const r = spawnSync('cp', ['-a', ROOTFS, path.join(dir, 'rootfs')]);
  if (r.status !== 0) throw new Error(`copy rootfs: ${r.stderr}`);
  const config = defaultConfig();
  if (args) config.process.args = args;
  edit?.(config);
  const bundle: Bundle = {
    dir,
    config,
    write(cfg = config) {
      fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(cfg, null, 2));
    },
  };
  bundle.write();
  return bundle;
}

export function tempDir(prefix = 'hull-test-'): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tempDirs.push(d);
  return d;
}

export interface Runtime {
  name: string;
  root: string;
  run(args: string[], opts?: { input?: string; timeout?: number; env?: Record<string, string>; stdio?: any }): SpawnSyncReturns<string>;
}

const runtimes: Runtime[] = [];

export function runtime(binary: 'hull' | 'runc' = 'hull'): Runtime {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), `${binary}-root-`));
  const bin = binary === 'hull' ? HULL : 'runc';
  const rt: Runtime = {
    name: binary,
    root,
    run(args, opts = {}) {
      // Output goes through files, not pipes: a detached container keeps the
      // runtime's stdout open, and spawnSync would wait for it to exit.
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hull-out-'));
      const out = fs.openSync(path.join(dir, 'out'), 'w+');
      const err = fs.openSync(path.join(dir, 'err'), 'w+');
      try {
        const r = spawnSync(bin, ['--root', root, ...args], {
          encoding: 'utf8',
          input: opts.input,
          timeout: opts.timeout ?? 30000,
          env: cleanEnv(opts.env),
          stdio: opts.stdio ?? [opts.input === undefined ? 'ignore' : 'pipe', out, err],
        });
        if (!opts.stdio) {
          r.stdout = fs.readFileSync(path.join(dir, 'out'), 'utf8');
          r.stderr = fs.readFileSync(path.join(dir, 'err'), 'utf8');
        }
        return r;
      } finally {
        fs.closeSync(out);
        fs.closeSync(err);
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
  runtimes.push(rt);
  return rt;
}

/** Deletes every container of every runtime made by this test file, and the temp dirs. */
export function cleanupAll(): void {
  for (const rt of runtimes.splice(0)) {
    let ids: string[] = [];
    try {
      ids = fs.readdirSync(rt.root);
    } catch {
      // nothing
    }
    for (const id of ids) {
      if (!id.startsWith('.')) rt.run(['delete', '--force', id]);
    }
    fs.rmSync(rt.root, { recursive: true, force: true });
  }
  for (const d of tempDirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
}

/** Leftovers of a container: cgroup directories named after it, mounts under its bundle. */
export function leftovers(id: string, bundleDir?: string): string[] {
  const out: string[] = [];
  for (const ctrl of fs.readdirSync('/sys/fs/cgroup')) {
    const base = path.join('/sys/fs/cgroup', ctrl);
    const walk = (d: string, depth: number) => {
      if (depth > 4) return;
      let entries: fs.Dirent[] = [];
      try {
        entries = fs.readdirSync(d, { withFileTypes: true });
      } catch {
        return;
      }
      for (const e of entries) {
        if (!e.isDirectory()) continue;
        const p = path.join(d, e.name);
        if (e.name === id) out.push(p);
        walk(p, depth + 1);
      }
    };
    walk(base, 0);
  }
  if (bundleDir) {
    for (const line of fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
      if (line.includes(bundleDir)) out.push(`mount: ${line}`);
    }
  }
  return out;
}
