// Device rules: normalised once, then written as v1 devices.allow/deny
// lines or compiled to an eBPF program for v2 (devicefilter.ts).
import { CgroupError } from '../errors';
import { writeCgroupFile } from './files';
import type { LinuxDeviceCgroup } from './types';

export interface DeviceRule {
  allow: boolean;
  type: 'a' | 'b' | 'c';
  /** -1: any. */
  major: number;
  minor: number;
  /** Subset of "rwm", in that order. */
  access: string;
}

/** Checks and normalises linux.resources.devices: JSON paths in errors. */
export function normaliseDeviceRules(rules: LinuxDeviceCgroup[]): DeviceRule[] {
  return rules.map((r, i) => {
    const at = `linux.resources.devices[${i}]`;
    const type = r.type ?? 'a';
    if (type !== 'a' && type !== 'b' && type !== 'c') {
      throw new CgroupError('EINVAL', `${at}.type: ${JSON.stringify(type)} is not "a", "b" or "c"`, { index: i });
    }
    const access = r.access ?? 'rwm';
    if (!/^[rwm]*$/.test(access) || access === '') {
      throw new CgroupError('EINVAL', `${at}.access: ${JSON.stringify(access)} is not a non-empty subset of "rwm"`, { index: i });
    }
    const num = (v: number | null | undefined, field: string): number => {
      if (v === undefined || v === null || v === -1) return -1;
      if (!Number.isInteger(v) || v < 0 || v > 0x7fffffff) {
        throw new CgroupError('EINVAL', `${at}.${field}: ${v} is not a device number`, { index: i });
      }
      return v;
    };
    const ordered = ['r', 'w', 'm'].filter((c) => access.includes(c)).join('');
    return { allow: !!r.allow, type, major: num(r.major, 'major'), minor: num(r.minor, 'minor'), access: ordered };
  });
}

/** "c 1:3 rwm", "a *:* rwm": the v1 devices.allow/deny line of a rule. */
export function v1RuleLine(r: DeviceRule): string {
  const n = (x: number) => (x < 0 ? '*' : String(x));
  return `${r.type} ${n(r.major)}:${n(r.minor)} ${r.access}`;
}

/**
 * v1: deny everything first, then each rule in order, as runc does; the
 * kernel's list then equals the rules whatever was there before.
 */
export function applyV1Devices(dir: string, rules: DeviceRule[]): void {
  writeCgroupFile(dir, 'devices.deny', 'a');
  for (const r of rules) {
    writeCgroupFile(dir, r.allow ? 'devices.allow' : 'devices.deny', v1RuleLine(r));
  }
}

const rwm = (type: 'c' | 'b', major: number, minor?: number): LinuxDeviceCgroup => ({ allow: true, type, major, minor, access: 'rwm' });

/**
 * What runc 1.1 allows in every container on top of the config's rules
 * (appended after them, so they win): mknod of anything, and the nodes
 * every container's /dev has — null, zero, full, tty, random, urandom,
 * ptmx, the pts devices and tun.
 */
export const DEFAULT_ALLOWED_DEVICES: readonly LinuxDeviceCgroup[] = [
  { allow: true, type: 'c', access: 'm' },
  { allow: true, type: 'b', access: 'm' },
  rwm('c', 1, 3), rwm('c', 1, 8), rwm('c', 1, 7), rwm('c', 5, 0), rwm('c', 1, 5), rwm('c', 1, 9),
  rwm('c', 136), rwm('c', 5, 2), rwm('c', 10, 200),
];

/** The container's device rules as runc applies them at create: the config's, then the defaults. */
export function containerDeviceRules(rules: LinuxDeviceCgroup[] | undefined): LinuxDeviceCgroup[] {
  return [...(rules ?? []), ...DEFAULT_ALLOWED_DEVICES];
}
