// The capability sets of a process, from config.json's names to the masks
// hull-init applies (bit n = capability n).
import { ConfigError } from '../errors';
import type { Log } from '../log';
import { capabilityNumber, lastCap } from '../spec/capabilities';

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
  const last = lastCap();
  for (const set of SETS) {
    const names = caps?.[set];
    if (names === undefined || names === null) continue;
    if (!Array.isArray(names)) throw new ConfigError(`${at}.${set}`, 'must be an array');
    names.forEach((name, i) => {
      if (typeof name !== 'string') throw new ConfigError(`${at}.${set}[${i}]`, `must be a string`);
      const n = capabilityNumber(name);
      if (n === undefined || n > last) unavailable.add(name);
      else sets[set] |= 1n << BigInt(n);
    });
  }
  if (unavailable.size) opts.log?.warn(`ignoring unknown or unavailable capabilities: [${[...unavailable].sort().join(' ')}]`);
  return sets;
}

