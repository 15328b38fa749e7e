// linux.netDevices (config-linux.md "Network Devices"): host network
// devices moved into the container's network namespace, renamed when the
// entry has a `name`, with their permanent global addresses, and set up.
// The parent does it once the init has entered its namespaces ("mounts"),
// before any hook runs and long before the process starts.
//
// On delete nothing is moved back: the spec says the runtime MUST NOT, and
// runc does not. When the namespace dies the kernel returns physical devices
// to the host and destroys virtual ones (veth, dummy, ...). Only a create
// that fails gives back what it had moved, so bad input leaves the host as
// it was.
import fs from 'node:fs';
import { ConfigError, HullError, SysError } from '../errors';
import type { Spec } from '../spec/types';
import * as libc from '@hull/sys/libc';
import { O } from '@hull/sys/constants';
import { type Address, IFA_F_PERMANENT, RT_SCOPE_UNIVERSE, RtNetlink, formatAddress } from '@hull/sys/netlink';

/** A device create moved: its host name and its name inside. */
export interface MovedDevice {
  host: string;
  name: string;
  /** The addresses it had on the host (the kernel drops them on a move). */
  addresses: Address[];
}

const devicePath = (name: string) => (/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? `linux.netDevices.${name}` : `linux.netDevices[${JSON.stringify(name)}]`);

function entries(spec: Spec): [string, string][] {
  return Object.entries(spec.linux?.netDevices ?? {}).map(([host, d]) => [host, d?.name || host]);
}

/**
 * Checks what the host must offer before anything is made: root, every
 * device present in the runtime's network namespace, no two entries with
 * one name inside. (Names and the network namespace are checked with the
 * rest of config.json.)
 */
export function checkNetDevices(spec: Spec): void {
  const devices = entries(spec);
  if (devices.length === 0) return;
  if (process.geteuid?.() !== 0) throw new ConfigError('linux.netDevices', 'moving network devices needs root (not supported rootless)');
  const inside = new Map<string, string>();
  for (const [host, name] of devices) {
    const other = inside.get(name);
    if (other !== undefined && !name.includes('%')) {
      throw new ConfigError(devicePath(host), `"${other}" and "${host}" would both be named "${name}" in the container`);
    }
    inside.set(name, host);
  }
  const joined = spec.linux?.namespaces?.find((n) => n.type === 'network')?.path;
  if (joined && sameFile(joined, '/proc/thread-self/ns/net')) {
    throw new ConfigError('linux.netDevices', `the network namespace to join (${joined}) is the runtime's own: the devices would stay on the host`);
  }
  const nl = RtNetlink.open();
  try {
    for (const [host] of devices) {
      if (!nl.linkByName(host)) throw new ConfigError(devicePath(host), `no network device "${host}" on the host`);
    }
  } finally {
    nl.close();
  }
}

/**
 * Moves the devices into the network namespace of `pid` (the init, already
 * in its namespaces). Returns what it moved; on failure moves those back
 * first, then throws naming the device.
 */
export function moveNetDevices(spec: Spec, pid: number): MovedDevice[] {
  const devices = entries(spec);
  if (devices.length === 0) return [];
  const nsPath = `/proc/${pid}/ns/net`;
  const moved: MovedDevice[] = [];
  const host = RtNetlink.open();
  const nsFd = libc.open(nsPath, O.RDONLY | O.CLOEXEC);
  let inside: RtNetlink | undefined;
  try {
    inside = RtNetlink.openIn(nsPath);
    for (const [hostName, name] of devices) {
      const link = host.linkByName(hostName);
      if (!link) throw new ConfigError(devicePath(hostName), `no network device "${hostName}" on the host`);
      // Read before the move: the kernel drops a device's addresses when it leaves a namespace.
      const keep = host.addresses(link.index).filter(movable);
      const clash = () => new ConfigError(devicePath(hostName), `cannot move "${hostName}" into the container: a device named "${name}" already exists there`);
      if (!name.includes('%') && inside.linkByName(name)) throw clash();
      const before = name.includes('%') ? new Set(inside.links().map((l) => l.index)) : undefined;
      try {
        host.moveLink(link.index, nsFd, name, `move network device "${hostName}" into the container as "${name}"`);
      } catch (e) {
        // The kernel may have moved the device and failed only at the rename: give it back too.
        const stray = inside.linkByName(hostName);
        if (stray && !host.linkByName(hostName)) moved.push({ host: hostName, name: hostName, addresses: keep });
        if (e instanceof SysError && e.errnoName === 'EEXIST') throw clash();
        throw e;
      }
      // With a "%d" template only the kernel knows the name: the new link is the one that was not there.
      const now = before ? inside.links().find((l) => !before.has(l.index)) : inside.linkByName(name);
      if (!now) throw new HullError('ENETDEV', `network device "${hostName}" moved into the container, but no "${name}" is there`);
      moved.push({ host: hostName, name: now.name, addresses: keep });
      for (const a of keep) inside.addAddress(now.index, a, `add address ${formatAddress(a)} to "${now.name}" in the container`);
      inside.setUp(now.index, `set network device "${now.name}" up in the container`);
    }
    return moved;
  } catch (e) {
    const err = e instanceof HullError ? e : new HullError('ENETDEV', String(e), {}, { cause: e });
    if (inside) {
      try {
        moveBack(inside, host, moved);
      } catch (cleanupErr) {
        err.cleanup.push(cleanupErr as Error);
      }
    }
    throw err;
  } finally {
    libc.close(nsFd);
    inside?.close();
    host.close();
  }
}

/** Gives the devices create had moved back to the host, under their host names (create failed). */
export function returnNetDevices(pid: number, moved: MovedDevice[]): void {
  if (moved.length === 0) return;
  const host = RtNetlink.open();
  let inside: RtNetlink | undefined;
  try {
    inside = RtNetlink.openIn(`/proc/${pid}/ns/net`);
    moveBack(inside, host, moved);
  } finally {
    inside?.close();
    host.close();
  }
}

/** Moves devices back to the runtime's namespace under their host names, with their host addresses. */
function moveBack(inside: RtNetlink, host: RtNetlink, moved: MovedDevice[]): void {
  const hostFd = libc.open('/proc/thread-self/ns/net', O.RDONLY | O.CLOEXEC);
  const errors: Error[] = [];
  try {
    for (const d of moved.splice(0).reverse()) {
      try {
        const link = inside.linkByName(d.name);
        if (!link) continue;
        inside.moveLink(link.index, hostFd, d.host, `move network device "${d.name}" back to the host as "${d.host}"`);
        const back = host.linkByName(d.host);
        if (back) for (const a of d.addresses) host.addAddress(back.index, a, `add address ${formatAddress(a)} back to "${d.host}"`);
      } catch (e) {
        errors.push(e as Error);
      }
    }
  } finally {
    libc.close(hostFd);
  }
  if (errors.length) throw errors[0];
}

function sameFile(a: string, b: string): boolean {
  try {
    const [x, y] = [fs.statSync(a), fs.statSync(b)];
    return x.dev === y.dev && x.ino === y.ino;
  } catch {
    return false; // a path that cannot be read fails later, naming itself
  }
}

/** The addresses the spec says travel with a device: permanent, global scope. */
function movable(a: Address): boolean {
  return (a.flags & IFA_F_PERMANENT) !== 0 && a.scope === RT_SCOPE_UNIVERSE;
}
