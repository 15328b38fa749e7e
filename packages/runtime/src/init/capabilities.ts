// The process's capabilities and user, in runc's order: drop the bounding
// set first (needs CAP_SETPCAP, still held as root), keep the permitted set
// across the uid change (PR_SET_KEEPCAPS), switch groups, gid, uid, then set
// effective/permitted/inheritable with capset and raise the ambient set.
import fs from 'node:fs';
import { ConfigError, SysError } from '../errors';
import type { Log } from '../log';
import { capabilityName, capabilityNumber, lastCap } from '../spec/capabilities';
import * as libc from '../sys/libc';
import { PR } from '../sys/constants';

export interface LinuxCapabilities {
  bounding?: string[];
  effective?: string[];
  inheritable?: string[];
  permitted?: string[];
  ambient?: string[];
}

/** The five sets as bit masks (bit n = capability n). */
export interface CapSets {
  bounding: bigint;
  effective: bigint;
  inheritable: bigint;
  permitted: bigint;
  ambient: bigint;
}

export interface CapOptions {
  /** Receives the warning about capabilities the kernel does not have. */
  log?: Log;
  /** The JSON path errors name; default "process.capabilities". */
  jsonPath?: string;
}

const SETS = ['bounding', 'effective', 'inheritable', 'permitted', 'ambient'] as const;
const CAP_SETPCAP = 8;
const LINUX_CAPABILITY_VERSION_3 = 0x20080522;
const EINVAL = 22;

// Read now: the init imports this module before pivot_root.
const LAST_CAP = lastCap();

/**
 * Names → masks. An unknown name, or a capability the running kernel lacks
 * (above cap_last_cap), is dropped with a warning: the spec says such values
 * MUST be logged as a warning and SHOULD NOT fail the container (runc agrees).
 * A missing `caps` means every set empty, as runc does.
 */
export function resolveCapabilities(caps: LinuxCapabilities | undefined, opts: CapOptions = {}): CapSets {
  const at = opts.jsonPath ?? 'process.capabilities';
  const sets: CapSets = { bounding: 0n, effective: 0n, inheritable: 0n, permitted: 0n, ambient: 0n };
  const unavailable = new Set<string>();
  for (const set of SETS) {
    const names = caps?.[set];
    if (names === undefined || names === null) continue;
    if (!Array.isArray(names)) throw new ConfigError(`${at}.${set}`, 'must be an array');
    names.forEach((name, i) => {
      if (typeof name !== 'string') throw new ConfigError(`${at}.${set}[${i}]`, `must be a string`);
      const n = capabilityNumber(name);
      if (n === undefined || n > LAST_CAP) unavailable.add(name);
      else sets[set] |= 1n << BigInt(n);
    });
  }
  if (unavailable.size) opts.log?.warn(`ignoring unknown or unavailable capabilities: [${[...unavailable].sort().join(' ')}]`);
  return sets;
}

/** Drops every capability not in `bounding` from the bounding set; skipped without CAP_SETPCAP, as runc does. */
export function applyBoundingSet(bounding: bigint): void {
  if (!(readCaps().effective & (1n << BigInt(CAP_SETPCAP)))) return;
  for (let n = 0; n <= LAST_CAP; n++) {
    if (bounding & (1n << BigInt(n))) continue;
    try {
      libc.prctl(PR.CAPBSET_DROP, n, 0, 0, 0, `drop ${capName(n)} from the bounding set`);
    } catch (e) {
      if (e instanceof SysError && e.errno === EINVAL) continue; // the kernel does not have it
      throw e;
    }
  }
}

/** capset (effective, permitted, inheritable), then the ambient set. */
export function applyProcessCaps(sets: CapSets, opts: CapOptions = {}): void {
  try {
    capset(sets);
  } catch (e) {
    if (e instanceof SysError && e.errnoName === 'EPERM') {
      const held = readCaps();
      const missing = names((sets.permitted | sets.effective) & ~held.permitted | sets.inheritable & ~(held.bounding | held.inheritable));
      e.message = `capset: EPERM${missing.length ? ` (not held by the runtime: ${missing.join(', ')})` : ''}`;
    }
    throw e;
  }
  libc.prctl(PR.CAP_AMBIENT, PR.CAP_AMBIENT_CLEAR_ALL, 0, 0, 0, 'clear the ambient set');
  for (let n = 0; n <= LAST_CAP; n++) {
    if (!(sets.ambient & (1n << BigInt(n)))) continue;
    try {
      libc.prctl(PR.CAP_AMBIENT, PR.CAP_AMBIENT_RAISE, n, 0, 0, `raise ambient ${capName(n)}`);
    } catch (e) {
      // runc 1.1 ignores a failed raise silently; say it in the debug log (runc's
      // own default config asks for ambient caps that are not inheritable).
      if (!(e instanceof SysError)) throw e;
      opts.log?.debug(`ambient capability ${capName(n)} not raised (${e.errnoName}): it must also be permitted and inheritable`);
    }
  }
}

/** All five sets for a process that keeps its user. */
export function applyCapabilities(caps: LinuxCapabilities | undefined, opts: CapOptions = {}): void {
  const sets = resolveCapabilities(caps, opts);
  applyBoundingSet(sets.bounding);
  applyProcessCaps(sets, opts);
}

export interface SwitchUserOptions extends CapOptions {
  /** /proc/self/setgroups, overridable for tests. */
  setgroupsFile?: string;
  /**
   * Runs once the ids are switched but before the final capset, with every
   * capability the runtime held still effective: the place to load a seccomp
   * filter without no_new_privs (that needs CAP_SYS_ADMIN), as late as it can be.
   */
  whilePrivileged?: () => void;
}

/**
 * Becomes uid:gid with `additionalGids` as the only supplementary groups and
 * `caps` as capabilities. Supplementary groups are left alone where the user
 * namespace forbids setgroups ("deny"), as runc does.
 */
export function switchUser(uid: number, gid: number, additionalGids: number[], caps: LinuxCapabilities | undefined, opts: SwitchUserOptions = {}): void {
  const sets = resolveCapabilities(caps, opts);
  applyBoundingSet(sets.bounding);
  libc.prctl(PR.SET_KEEPCAPS, 1, 0, 0, 0, 'set keep-caps');
  if (setgroupsAllowed(opts.setgroupsFile)) {
    libc.setgroups(additionalGids);
  } else if (additionalGids.length) {
    opts.log?.warn(`additional gids [${additionalGids.join(' ')}] not set: setgroups is denied in this user namespace`);
  }
  unmappedIsClear(() => libc.setresgid(gid), 'gid', gid);
  unmappedIsClear(() => libc.setresuid(uid), 'uid', uid);
  libc.prctl(PR.SET_KEEPCAPS, 0, 0, 0, 0, 'clear keep-caps');
  if (opts.whilePrivileged) {
    // A uid change away from 0 cleared the effective set; keep-caps kept the permitted one.
    const held = readCaps();
    capset({ ...held, effective: held.permitted });
    opts.whilePrivileged();
  }
  applyProcessCaps(sets, opts);
}

/** In a user namespace, EINVAL from setres[ug]id means the id has no mapping: say so. */
function unmappedIsClear(call: () => void, kind: 'uid' | 'gid', id: number): void {
  try {
    call();
  } catch (e) {
    if (e instanceof SysError && e.errnoName === 'EINVAL') {
      e.message = `set${kind} ${id}: EINVAL (${kind} ${id} is not mapped in the container's user namespace)`;
    }
    throw e;
  }
}

function setgroupsAllowed(file = '/proc/self/setgroups'): boolean {
  try {
    return fs.readFileSync(file, 'utf8').trim() !== 'deny';
  } catch {
    return true; // kernels before 3.19 have no such file and always allow it
  }
}

/** The calling thread's capability sets (capget, plus the bounding set and ambient set by prctl). */
export function readCaps(): CapSets {
  const data = Buffer.alloc(24);
  libc.capget(capHeader(), data);
  const word = (off: number) => BigInt(data.readUInt32LE(off)) | (BigInt(data.readUInt32LE(off + 12)) << 32n);
  let bounding = 0n;
  let ambient = 0n;
  for (let n = 0; n <= LAST_CAP; n++) {
    if (libc.prctl(PR.CAPBSET_READ, n, 0, 0, 0) === 1) bounding |= 1n << BigInt(n);
    if (libc.prctl(PR.CAP_AMBIENT, 1 /* PR_CAP_AMBIENT_IS_SET */, n, 0, 0) === 1) ambient |= 1n << BigInt(n);
  }
  return { effective: word(0), permitted: word(4), inheritable: word(8), bounding, ambient };
}

function capset(sets: Pick<CapSets, 'effective' | 'permitted' | 'inheritable'>): void {
  const data = Buffer.alloc(24);
  for (let word = 0; word < 2; word++) {
    const shift = BigInt(32 * word);
    data.writeUInt32LE(Number((sets.effective >> shift) & 0xffffffffn), word * 12);
    data.writeUInt32LE(Number((sets.permitted >> shift) & 0xffffffffn), word * 12 + 4);
    data.writeUInt32LE(Number((sets.inheritable >> shift) & 0xffffffffn), word * 12 + 8);
  }
  libc.capset(capHeader(), data);
}

function capHeader(): Buffer {
  const hdr = Buffer.alloc(8);
  hdr.writeUInt32LE(LINUX_CAPABILITY_VERSION_3, 0);
  hdr.writeInt32LE(0, 4);
  return hdr;
}

function capName(n: number): string {
  return capabilityName(n) ?? `capability ${n}`;
}

function names(mask: bigint): string[] {
  const out: string[] = [];
  for (let n = 0; n < 64; n++) if (mask & (1n << BigInt(n))) out.push(capName(n));
  return out;
}
