// -v HOST:CTR[:ro|rw] binds (named and anonymous volumes are spec/volumes.ts's) and --tmpfs PATH[:OPTIONS] as OCI mounts.
import fs from 'node:fs';
import path from 'node:path';
import { FlagError } from '../errors';
import type { Mount } from '@hull/runtime/spec';

export function parseVolume(spec: string): Mount {
  const parts = spec.split(':');
  const [host, ctr, mode = 'rw'] = parts;
  if (parts.length < 2 || parts.length > 3 || !host || !ctr) throw new FlagError(`invalid volume specification: '${spec}'`);
  if (!path.isAbsolute(host)) throw new FlagError(`invalid volume specification: '${spec}': a bind mount's host path must be absolute`);
  if (!path.isAbsolute(ctr)) throw new FlagError(`invalid volume specification: '${spec}': the container path '${ctr}' must be absolute`);
  const modes = mode.split(',');
  for (const m of modes) {
    if (!['ro', 'rw', 'z', 'Z', 'private', 'rprivate', 'shared', 'rshared', 'slave', 'rslave'].includes(m)) throw new FlagError(`invalid mode: ${mode}`);
  }
  const propagation = modes.find((m) => /^r?(private|shared|slave)$/.test(m)) ?? 'rprivate';
  return {
    destination: path.normalize(ctr),
    type: 'bind',
    source: path.normalize(host),
    options: ['rbind', propagation, modes.includes('ro') ? 'ro' : 'rw'],
  };
}

/** docker creates a missing host directory of a bind mount. */
export function ensureVolumeSource(m: Mount): void {
  if (m.source && !fs.existsSync(m.source)) fs.mkdirSync(m.source, { recursive: true, mode: 0o755 });
}

export function parseTmpfs(spec: string): Mount {
  const i = spec.indexOf(':');
  const dest = i < 0 ? spec : spec.slice(0, i);
  const opts = i < 0 ? [] : spec.slice(i + 1).split(',').filter(Boolean);
  if (!path.isAbsolute(dest)) throw new FlagError(`invalid tmpfs specification: '${spec}': the path must be absolute`);
  return { destination: path.normalize(dest), type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev', 'noexec', ...opts] };
}
