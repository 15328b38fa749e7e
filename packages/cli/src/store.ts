// hullctl's only local state, beside the supervisor's: one bundle per
// container (<state-dir>/bundles/<id>: config.json, the stdin FIFO and the
// output logs the supervisor writes) and the name index
// (<state-dir>/names/<name> → id, a symlink made atomically so two runs
// cannot take one name).
import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomicSync } from '@hull/sys/atomic';
import { CliError } from './errors';
import type { ContainerSpec } from './spec/defaults';

export const STDOUT_LOG = 'stdout.log';
export const STDERR_LOG = 'stderr.log';
export const STDIN_FIFO = 'stdin';

export class Store {
  readonly bundles: string;
  readonly names: string;

  constructor(readonly stateDir: string) {
    this.bundles = path.join(stateDir, 'bundles');
    this.names = path.join(stateDir, 'names');
  }

  bundleDir(id: string): string {
    return path.join(this.bundles, id);
  }

  /** Whether a bundle is one hullctl made (and so may remove). */
  owns(bundle: string): boolean {
    return path.dirname(path.resolve(bundle)) === this.bundles;
  }

  /** Writes config.json into a new bundle directory; returns the directory. */
  writeBundle(id: string, spec: ContainerSpec): string {
    const dir = this.bundleDir(id);
    fs.mkdirSync(this.bundles, { recursive: true, mode: 0o711 });
    fs.mkdirSync(dir, { mode: 0o700 });
    this.writeSpec(dir, spec);
    return dir;
  }

  writeSpec(dir: string, spec: ContainerSpec): void {
    writeFileAtomicSync(path.join(dir, 'config.json'), JSON.stringify(spec, null, 2), { fsync: false });
  }

  readSpec(bundle: string): ContainerSpec | undefined {
    try {
      return JSON.parse(fs.readFileSync(path.join(bundle, 'config.json'), 'utf8')) as ContainerSpec;
    } catch {
      return undefined;
    }
  }

  removeBundle(bundle: string): void {
    if (this.owns(bundle)) fs.rmSync(bundle, { recursive: true, force: true });
  }

  /** The id holding a name, if any. */
  nameOwner(name: string): string | undefined {
    try {
      return fs.readlinkSync(path.join(this.names, name));
    } catch {
      return undefined;
    }
  }

  /**
   * Takes `name` for `id`. A name whose container is gone (`alive` says no)
   * is taken over; a live one is a conflict.
   */
  async reserveName(name: string, id: string, alive: (id: string) => Promise<boolean>): Promise<void> {
    fs.mkdirSync(this.names, { recursive: true, mode: 0o700 });
    const link = path.join(this.names, name);
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        fs.symlinkSync(id, link);
        return;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      const owner = this.nameOwner(name);
      if (owner && (await alive(owner))) {
        throw new CliError(
          `Conflict. The container name "${name}" is already in use by container "${owner}". You have to remove (or rename) that container to be able to reuse that name.`,
          125, 'ECONFLICT', { name, owner },
        );
      }
      // Stale: remove it only if it still points where we looked.
      if (this.nameOwner(name) === owner) fs.rmSync(link, { force: true });
    }
    throw new CliError(`cannot reserve the name "${name}": it keeps changing`, 125, 'ECONFLICT', { name });
  }

  releaseName(name: string, id: string): void {
    if (this.nameOwner(name) === id) fs.rmSync(path.join(this.names, name), { force: true });
  }
}
