// Linux capability names and numbers (linux/capability.h), and what the
// running kernel knows.

import fs from 'node:fs';

/** Every capability name the spec may use, indexed by its number. */
export const CAPABILITIES = [
  'CAP_CHOWN', // 0
  'CAP_DAC_OVERRIDE',
  'CAP_DAC_READ_SEARCH',
  'CAP_FOWNER',
  'CAP_FSETID',
  'CAP_KILL', // 5
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETPCAP',
  'CAP_LINUX_IMMUTABLE',
  'CAP_NET_BIND_SERVICE', // 10
  'CAP_NET_BROADCAST',
  'CAP_NET_ADMIN',
  'CAP_NET_RAW',
  'CAP_IPC_LOCK',
  'CAP_IPC_OWNER', // 15
  'CAP_SYS_MODULE',
  'CAP_SYS_RAWIO',
  'CAP_SYS_CHROOT',
  'CAP_SYS_PTRACE',
  'CAP_SYS_PACCT', // 20
  'CAP_SYS_ADMIN',
  'CAP_SYS_BOOT',
  'CAP_SYS_NICE',
  'CAP_SYS_RESOURCE',
  'CAP_SYS_TIME', // 25
  'CAP_SYS_TTY_CONFIG',
  'CAP_MKNOD',
  'CAP_LEASE',
  'CAP_AUDIT_WRITE',
  'CAP_AUDIT_CONTROL', // 30
  'CAP_SETFCAP',
  'CAP_MAC_OVERRIDE',
  'CAP_MAC_ADMIN',
  'CAP_SYSLOG',
  'CAP_WAKE_ALARM', // 35
  'CAP_BLOCK_SUSPEND',
  'CAP_AUDIT_READ',
  'CAP_PERFMON',
  'CAP_BPF',
  'CAP_CHECKPOINT_RESTORE', // 40
] as const;

export type CapabilityName = (typeof CAPABILITIES)[number];

/** The highest capability number hull knows by name. */
export const CAP_LAST_KNOWN = CAPABILITIES.length - 1;

const byName = new Map<string, number>(CAPABILITIES.map((name, n) => [name, n]));

/** The number of a capability name such as "CAP_CHOWN", or undefined if unknown. */
export function capabilityNumber(name: string): number | undefined {
  return byName.get(name);
}

/** The name of capability number n, or undefined if hull has no name for it. */
export function capabilityName(n: number): CapabilityName | undefined {
  return CAPABILITIES[n];
}

export function isCapabilityName(name: string): name is CapabilityName {
  return byName.has(name);
}

let kernelLastCap: number | undefined;

/**
 * The last capability the running kernel supports (/proc/sys/kernel/cap_last_cap).
 * Falls back to the last one hull knows when /proc is not readable.
 */
export function lastCap(procFile = '/proc/sys/kernel/cap_last_cap'): number {
  if (procFile !== '/proc/sys/kernel/cap_last_cap') return readLastCap(procFile);
  kernelLastCap ??= readLastCap(procFile);
  return kernelLastCap;
}

function readLastCap(file: string): number {
  try {
    const n = Number.parseInt(fs.readFileSync(file, 'utf8').trim(), 10);
    return Number.isInteger(n) && n >= 0 ? n : CAP_LAST_KNOWN;
  } catch {
    return CAP_LAST_KNOWN;
  }
}

/** The names of the capabilities both hull and the running kernel know. */
export function supportedCapabilities(last = lastCap()): CapabilityName[] {
  return CAPABILITIES.slice(0, Math.min(last, CAP_LAST_KNOWN) + 1);
}
