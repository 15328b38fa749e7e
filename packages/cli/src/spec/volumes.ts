// -v and --mount as docker reads them: a bind (absolute host path), a named
// volume (NAME:/path), an anonymous volume (/path alone), or a tmpfs.
import path from 'node:path';
import { FlagError } from '../errors';
import { parseTmpfs, parseVolume } from './mounts';
import type { Mount } from '@hull/runtime/spec';

export type MountRequest =
  | { kind: 'mount'; mount: Mount }
  /** name '' is an anonymous volume. */
  | { kind: 'volume'; name: string; destination: string; readonly: boolean };

const VOLUME_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

function checkVolumeName(name: string, spec: string): void {
  if (!VOLUME_NAME.test(name)) {
    throw new FlagError(`invalid volume specification: '${spec}': "${name}" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`);
  }
}

function absoluteTarget(p: string, spec: string): string {
  if (!path.isAbsolute(p)) throw new FlagError(`invalid volume specification: '${spec}': the container path '${p}' must be absolute`);
  return path.normalize(p);
}

/** -v: HOST:CTR[:MODE] (bind), NAME:CTR[:MODE] (named volume), CTR (anonymous volume). */
export function parseVolumeFlag(spec: string): MountRequest {
  const parts = spec.split(':');
  if (parts.length === 1) {
    if (!spec || !path.isAbsolute(spec)) throw new FlagError(`invalid volume specification: '${spec}'`);
    return { kind: 'volume', name: '', destination: path.normalize(spec), readonly: false };
  }
  if (path.isAbsolute(parts[0]!)) return { kind: 'mount', mount: parseVolume(spec) };
  const [name, ctr, mode = 'rw'] = parts;
  if (parts.length > 3 || !name || !ctr) throw new FlagError(`invalid volume specification: '${spec}'`);
  checkVolumeName(name, spec);
  const modes = mode.split(',');
  for (const m of modes) if (!['ro', 'rw', 'z', 'Z', 'nocopy'].includes(m)) throw new FlagError(`invalid mode: ${mode}`);
  return { kind: 'volume', name, destination: absoluteTarget(ctr, spec), readonly: modes.includes('ro') };
}

/** --mount type=volume|bind|tmpfs,source=…,target=…[,readonly] (docker's keys and their aliases). */
export function parseMountFlag(spec: string): MountRequest {
  const kv: Record<string, string> = {};
  let readonly = false;
  for (const field of spec.split(',')) {
    const i = field.indexOf('=');
    const key = (i < 0 ? field : field.slice(0, i)).trim().toLowerCase();
    const value = i < 0 ? undefined : field.slice(i + 1);
    if (key === 'readonly' || key === 'ro') {
      if (value !== undefined && !['1', 'true', '0', 'false'].includes(value)) throw new FlagError(`invalid argument "${spec}" for "--mount" flag: invalid value for ${key}: ${value}`);
      readonly = value === undefined || value === '1' || value === 'true';
      continue;
    }
    if (value === undefined) throw new FlagError(`invalid argument "${spec}" for "--mount" flag: invalid field '${field}' must be a key=value pair`);
    const canonical = ({ src: 'source', dst: 'target', destination: 'target' } as Record<string, string>)[key] ?? key;
    if (!['type', 'source', 'target', 'tmpfs-size', 'tmpfs-mode', 'bind-propagation', 'volume-nocopy'].includes(canonical)) {
      throw new FlagError(`invalid argument "${spec}" for "--mount" flag: unexpected key '${key}' in '${field}'`);
    }
    kv[canonical] = value;
  }
  const type = kv.type ?? 'volume';
  const target = kv.target;
  if (!target) throw new FlagError(`invalid argument "${spec}" for "--mount" flag: target is required`);
  if (!path.isAbsolute(target)) throw new FlagError(`invalid argument "${spec}" for "--mount" flag: the target '${target}' must be an absolute path`);
  switch (type) {
    case 'bind': {
      if (!kv.source) throw new FlagError(`invalid argument "${spec}" for "--mount" flag: source is required for a bind mount`);
      if (!path.isAbsolute(kv.source)) throw new FlagError(`invalid argument "${spec}" for "--mount" flag: the bind source '${kv.source}' must be an absolute path`);
      const prop = kv['bind-propagation'] ?? 'rprivate';
      const m = parseVolume(`${kv.source}:${target}:${readonly ? 'ro' : 'rw'},${prop}`);
      return { kind: 'mount', mount: m };
    }
    case 'volume':
      if (kv.source) checkVolumeName(kv.source, spec);
      return { kind: 'volume', name: kv.source ?? '', destination: path.normalize(target), readonly };
    case 'tmpfs': {
      if (kv.source) throw new FlagError(`invalid argument "${spec}" for "--mount" flag: source is not allowed for a tmpfs mount`);
      const opts = [...(kv['tmpfs-size'] ? [`size=${kv['tmpfs-size']}`] : []), ...(kv['tmpfs-mode'] ? [`mode=${kv['tmpfs-mode']}`] : []), ...(readonly ? ['ro'] : [])];
      return { kind: 'mount', mount: parseTmpfs(opts.length ? `${target}:${opts.join(',')}` : target) };
    }
    default:
      throw new FlagError(`invalid argument "${spec}" for "--mount" flag: mount type '${type}' is not supported: volume, bind or tmpfs`);
  }
}
