// Throwaway bundles for every suite: config.json as `hull spec` writes it
// (runc's defaults), with the busybox rootfs of `make build`, either shared
// read-only or copied for a test that writes to it.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cleanEnv } from './env';
import { REPO } from './sources';

export const ROOTFS = path.join(REPO, 'build/rootfs');
export const HULL = path.join(REPO, 'packages/runtime/bin/hull');

export type Config = Record<string, any>;

let spec: string | undefined;
/** A fresh copy of what `hull spec` writes, with process.terminal off (tests have no tty). */
export function defaultConfig(): Config {
  if (spec === undefined) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hull-spec-'));
    try {
      const r = spawnSync(HULL, ['spec', '--bundle', dir], { env: cleanEnv(), encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`hull spec: ${r.stderr}`);
      spec = fs.readFileSync(path.join(dir, 'config.json'), 'utf8');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  const cfg = JSON.parse(spec);
  cfg.process.terminal = false;
  return cfg;
}

export interface BundleOptions {
  /** process.args (default: the spec's `sh`). */
  args?: string[];
  /**
   * The rootfs: "copy" (default) copies the busybox rootfs into dir/rootfs, a
   * test's own to write to; any other value is root.path as given (ROOTFS:
   * the shared one, read-only, as most tests need nothing more).
   */
  rootfs?: 'copy' | string;
  /** Last changes to the config before it is written. */
  edit?: (cfg: Config) => void;
}

export interface Bundle {
  dir: string;
  config: Config;
  /** Writes `cfg` (default: this bundle's config, edited since) as dir/config.json. */
  write(cfg?: Config): void;
}

/** Makes `dir` (if need be) a bundle. */
export function writeBundle(dir: string, o: BundleOptions = {}): Bundle {
  fs.mkdirSync(dir, { recursive: true });
  const config = defaultConfig();
  if (o.rootfs === undefined || o.rootfs === 'copy') {
    const r = spawnSync('cp', ['-a', ROOTFS, path.join(dir, 'rootfs')], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`copy ${ROOTFS} to ${dir}: ${r.stderr}`);
  } else {
    config.root = { path: o.rootfs, readonly: true };
  }
  if (o.args) config.process.args = o.args;
  o.edit?.(config);
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
