// --cap-add / --cap-drop / --privileged, with docker's default set.
import fs from 'node:fs';
import { FlagError } from '../errors';

// linux/capability.h, by number.
const ALL = [
  'CHOWN', 'DAC_OVERRIDE', 'DAC_READ_SEARCH', 'FOWNER', 'FSETID', 'KILL', 'SETGID', 'SETUID', 'SETPCAP', 'LINUX_IMMUTABLE',
  'NET_BIND_SERVICE', 'NET_BROADCAST', 'NET_ADMIN', 'NET_RAW', 'IPC_LOCK', 'IPC_OWNER', 'SYS_MODULE', 'SYS_RAWIO', 'SYS_CHROOT',
  'SYS_PTRACE', 'SYS_PACCT', 'SYS_ADMIN', 'SYS_BOOT', 'SYS_NICE', 'SYS_RESOURCE', 'SYS_TIME', 'SYS_TTY_CONFIG', 'MKNOD', 'LEASE',
  'AUDIT_WRITE', 'AUDIT_CONTROL', 'SETFCAP', 'MAC_OVERRIDE', 'MAC_ADMIN', 'SYSLOG', 'WAKE_ALARM', 'BLOCK_SUSPEND', 'AUDIT_READ',
  'PERFMON', 'BPF', 'CHECKPOINT_RESTORE',
].map((c) => `CAP_${c}`);

/** What docker grants a container unless told otherwise. */
export const DOCKER_DEFAULT_CAPS = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FSETID', 'CAP_FOWNER', 'CAP_MKNOD', 'CAP_NET_RAW', 'CAP_SETGID', 'CAP_SETUID',
  'CAP_SETFCAP', 'CAP_SETPCAP', 'CAP_NET_BIND_SERVICE', 'CAP_SYS_CHROOT', 'CAP_KILL', 'CAP_AUDIT_WRITE',
];

/** The capabilities this host can grant: our bounding set (root here lacks some). */
export function hostCapabilities(): string[] {
  const m = /^CapBnd:\s*([0-9a-f]+)$/m.exec(fs.readFileSync('/proc/self/status', 'utf8'));
  if (!m) return [...ALL];
  const mask = BigInt(`0x${m[1]}`);
  return ALL.filter((_, i) => (mask >> BigInt(i)) & 1n);
}

function normalize(name: string): string {
  const up = name.trim().toUpperCase();
  if (up === 'ALL') return up;
  const cap = up.startsWith('CAP_') ? up : `CAP_${up}`;
  if (!ALL.includes(cap)) throw new FlagError(`unknown capability: "${name}"`);
  return cap;
}

/** docker's rule: start from the defaults (or everything), add, then drop; ALL works in both. */
export function capabilitySet(add: string[], drop: string[], privileged: boolean): string[] {
  const adds = add.map(normalize);
  const drops = drop.map(normalize);
  if (privileged || adds.includes('ALL')) {
    if (drops.includes('ALL')) return [];
    return hostCapabilities().filter((c) => !drops.includes(c));
  }
  let caps = drops.includes('ALL') ? [] : DOCKER_DEFAULT_CAPS.filter((c) => !drops.includes(c));
  for (const c of adds) if (!caps.includes(c)) caps = [...caps, c];
  return caps;
}
