// Root integration test helpers: throwaway busybox bundles, running hull or
// runc on them with a private --root, and cleanup that runs even when a
// test fails.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HULL, ROOTFS, defaultConfig, writeBundle, type Bundle, type Config } from '@hull/testkit/bundle';
import { cleanEnv, uniqueId } from '@hull/testkit/env';
import { cgroupsNamed, mountsMentioning } from '@hull/testkit/leftovers';
import { missingCommand, missingRoot } from '@hull/testkit/host';
import { itNeeds } from '@hull/testkit/jest';
import { REPO } from '@hull/testkit/sources';
import { deleteContainers } from '@hull/testkit/supervisor';

export { HULL, REPO, ROOTFS, cleanEnv, defaultConfig, uniqueId, type Bundle, type Config };
export const isRoot = process.getuid?.() === 0;
export const hasRunc = !missingCommand('runc');

/** `it` for tests that need root; skipped with the reason otherwise. */
export const itRoot = itNeeds(missingRoot());
/** `it` for tests that compare with runc (root too). */
export const itRunc = itNeeds(missingRoot(), missingCommand('runc'));

const tempDirs: string[] = [];

/** A bundle with a private copy of the busybox rootfs. */
export function makeBundle(edit?: (cfg: Config) => void, args?: string[]): Bundle {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hull-bundle-'));
  tempDirs.push(dir);
  return writeBundle(dir, { args, edit });
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
    deleteContainers(rt.name === 'hull' ? HULL : 'runc', rt.root);
    fs.rmSync(rt.root, { recursive: true, force: true });
  }
  for (const d of tempDirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
}

/** Leftovers of a container: cgroup directories named after it, mounts under its bundle. */
export function leftovers(id: string, bundleDir?: string): string[] {
  return [...cgroupsNamed(id), ...(bundleDir ? mountsMentioning(bundleDir).map((m) => `mount: ${m}`) : [])];
}
