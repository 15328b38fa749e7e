// Id-mapped bind mounts (mount options "idmap"/"ridmap", per-mount
// uidMappings/gidMappings): the files of the source show with their ids
// shifted through a user namespace's maps.
//
// Who does what, and why:
// - mount_setattr(MOUNT_ATTR_IDMAP) needs CAP_SYS_ADMIN in the user
//   namespace the source filesystem was mounted in (the host's), and a mount
//   that is not attached yet. The init may run in the container's user
//   namespace, where it has neither. So the PARENT (hull create, in the
//   host's namespaces) makes each id-mapped mount: open_tree(OPEN_TREE_CLONE
//   [| AT_RECURSIVE]) of the source gives a detached copy, mount_setattr sets
//   the idmap on it, with the user namespace of the mount's own maps (a
//   throwaway one made for them) or else the container's (/proc/<init>/ns/user).
// - The parent sends the detached mounts' fds to hull-init with the setup
//   program (SCM_RIGHTS), in mount order; the program move_mount()s each onto
//   its destination in place of the bind mount, then applies the mount's
//   flags as for any bind.
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError, HullError } from '../errors';
import type { IDMapping, Mount, Spec } from '../spec/types';
import { MOUNT_ATTR } from '../spec/mountOptions';
import * as sys from '@hull/sys/syscalls';
import { CLONE, O } from '@hull/sys/constants';
import { MAX_RECEIVED } from './format';

export interface IdmappedMount {
  /** Index in spec.mounts. */
  index: number;
  /** "ridmap": every mount of the copied tree is id-mapped, not only the top one. */
  recursive: boolean;
  /** The mount's own maps; absent: the container's user namespace. */
  uidMappings?: IDMapping[];
  gidMappings?: IDMapping[];
}

function isBind(m: Mount): boolean {
  return m.type === 'bind' || (m.options ?? []).some((o) => o === 'bind' || o === 'rbind');
}

/** The id-mapped mounts of a config, in mount order; throws ConfigError for one hull cannot make. */
export function idmappedMounts(spec: Spec): IdmappedMount[] {
  const out: IdmappedMount[] = [];
  (spec.mounts ?? []).forEach((m, index) => {
    const opts = m.options ?? [];
    const own = (m.uidMappings?.length ?? 0) > 0 || (m.gidMappings?.length ?? 0) > 0;
    const option = opts.find((o) => o === 'idmap' || o === 'ridmap');
    // Mappings without the option still ask for an id-mapped mount (as runc 1.2 reads them).
    if (!option && !own) return;
    if (!isBind(m)) {
      throw new ConfigError(`mounts[${index}]`, `id-mapped mounts (${option ?? 'uidMappings'}) are supported on bind mounts only, not on type "${m.type ?? ''}"`);
    }
    out.push({
      index,
      recursive: opts.includes('ridmap'),
      ...(own ? { uidMappings: m.uidMappings ?? [], gidMappings: m.gidMappings ?? [] } : {}),
    });
  });
  return out;
}

/**
 * Parent side, before anything is made: the config's id-mapped mounts can be
 * made by this process. Rootless they cannot: MOUNT_ATTR_IDMAP needs
 * CAP_SYS_ADMIN in the user namespace that mounted the source's filesystem
 * (the host's), which an unprivileged user never has.
 */
export function checkIdmappedMounts(spec: Spec): void {
  const list = idmappedMounts(spec);
  if (list.length && process.geteuid?.() !== 0) {
    const m = (spec.mounts ?? [])[list[0].index];
    throw new ConfigError(`mounts[${list[0].index}]`, `id-mapped mount of ${m.source} on ${m.destination}: needs root on the host (CAP_SYS_ADMIN over the source's filesystem), not possible rootless`);
  }
}

function formatMap(maps: IDMapping[]): string {
  return maps.map((m) => `${m.containerID} ${m.hostID} ${m.size}\n`).join('');
}

/**
 * A user namespace that has the given maps and nothing in it: a child is
 * cloned into a new user namespace and kept waiting on a pipe while its maps
 * are written and the namespace is opened, then killed before it runs
 * anything. The open fd keeps the namespace alive.
 */
export function makeUserNamespace(uidMappings: IDMapping[], gidMappings: IDMapping[]): number {
  const { spawn } = require('@hull/sys/native') as typeof import('@hull/sys/native');
  const { pipe } = require('@hull/sys/process') as typeof import('@hull/sys/process');
  const [readFd, writeFd] = pipe();
  let child: ReturnType<typeof spawn> | undefined;
  try {
    // Nothing is ever written to the pipe: the child never gets past its wait.
    child = spawn({ path: '/bin/true', argv: ['true'], env: [], cloneFlags: CLONE.NEWUSER, fds: [], syncFd: readFd });
    const pid = child.pid;
    try {
      fs.writeFileSync(`/proc/${pid}/uid_map`, formatMap(uidMappings));
      fs.writeFileSync(`/proc/${pid}/gid_map`, formatMap(gidMappings));
    } catch (e) {
      throw new HullError('EIDMAP', `id-mapped mount: write the maps of its user namespace: ${(e as NodeJS.ErrnoException).code ?? e}`);
    }
    return sys.open(`/proc/${pid}/ns/user`, O.RDONLY | O.CLOEXEC);
  } finally {
    sys.close(readFd);
    sys.close(writeFd);
    if (child) {
      sys.tryKill(child.pid, 9);
      try {
        child.result();
      } catch {
        // killed at its wait: nothing to report
      }
      try {
        sys.waitpid(child.pid, 0);
      } catch {
        // already reaped
      }
    }
  }
}

/**
 * Parent side: a detached, id-mapped copy of each id-mapped mount's source,
 * as fds in mount order. `containerUserns` is the path of the container's
 * user namespace, for mounts without maps of their own. The caller closes
 * the fds (closeAll) once sent.
 */
/** `bundle`: relative mount sources are relative to it, as the spec says. */
export function prepareIdmappedMounts(spec: Spec, containerUserns: string | undefined, bundle: string): number[] {
  const list = idmappedMounts(spec);
  if (!list.length) return [];
  // The new mount API is koffi's (libc.ts): loaded only by the containers that use it.
  const libc = require('@hull/sys/libc') as typeof import('@hull/sys/libc');
  const fds: number[] = [];
  const userns = new Map<string, number>();
  try {
    for (const im of list) {
      const m = (spec.mounts ?? [])[im.index];
      const where = `id-mapped mount ${m.source} on ${m.destination}`;
      let key = '';
      if (im.uidMappings) key = JSON.stringify([im.uidMappings, im.gidMappings]);
      else if (!containerUserns) throw new ConfigError(`mounts[${im.index}].options`, 'id-mapped without uidMappings/gidMappings of its own needs a user namespace');
      let nsFd = userns.get(key);
      if (nsFd === undefined) {
        nsFd = im.uidMappings ? makeUserNamespace(im.uidMappings, im.gidMappings ?? []) : sys.open(containerUserns!, O.RDONLY | O.CLOEXEC);
        userns.set(key, nsFd);
      }
      const rbind = (m.options ?? []).includes('rbind');
      const source = path.resolve(bundle, m.source ?? '');
      const fd = libc.openTree(source, libc.OPEN_TREE_CLONE | (rbind ? libc.AT_RECURSIVE : 0), `${where}: open_tree ${source}`);
      fds.push(fd);
      libc.mountSetattrFd(fd, im.recursive ? libc.AT_RECURSIVE : 0, MOUNT_ATTR.IDMAP, 0, nsFd, `${where}: set the idmap`);
    }
    return fds;
  } catch (e) {
    closeAll(fds);
    throw e;
  } finally {
    closeAll([...userns.values()]);
  }
}

export function closeAll(fds: number[]): void {
  for (const fd of fds) sys.close(fd);
}

/**
 * Every other bind mount of a container with a user namespace, made detached
 * here, before anything runs in that namespace: the container's root may not
 * be able to read a source the runtime can (runc opens them first too).
 * Rootless the runtime cannot clone mounts: the init binds them itself.
 */
export function prepareBindMounts(spec: Spec, bundle: string, skip: Set<number>): { indexes: number[]; fds: number[] } {
  const out = { indexes: [] as number[], fds: [] as number[] };
  if (process.geteuid?.() !== 0) return out;
  try {
    (spec.mounts ?? []).forEach((m, index) => {
      // The rest are bound by the init (fds travel with the program only so many at once).
      if (!isBind(m) || skip.has(index) || out.fds.length + skip.size >= MAX_RECEIVED) return;
      const source = path.resolve(bundle, m.source ?? '');
      if (!fs.existsSync(source)) return; // the program names the missing source
      const rbind = (m.options ?? []).includes('rbind');
      const libc = require('@hull/sys/libc') as typeof import('@hull/sys/libc'); // koffi, for these containers only
      out.fds.push(libc.openTree(source, libc.OPEN_TREE_CLONE | (rbind ? libc.AT_RECURSIVE : 0), `mount ${m.source} on ${m.destination}: open_tree ${source}`));
      out.indexes.push(index);
    });
    return out;
  } catch (e) {
    closeAll(out.fds);
    throw e;
  }
}
