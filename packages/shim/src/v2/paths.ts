// Where a shim of one containerd, namespace and group lives: its socket
// (what `start` prints), its supervisor state, and the runtime's root.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** containerd's own shims put their sockets here too (107-byte socket path limit). */
export const SOCKET_DIR = '/run/containerd/s';
export const STATE_BASE = '/run/containerd/hull-shim';
export const RUNTIME_ROOT_BASE = '/run/containerd/hull';

/** Tasks sharing one shim: containerd-shim-runc-v2 groups pods by these annotations. */
const GROUP_ANNOTATIONS = ['io.containerd.runc.v2.group', 'io.kubernetes.cri.sandbox-id'];

export interface ShimPlace {
  socket: string;
  stateDir: string;
  runtimeRoot: string;
}

function sha256(s: string): string {
  return crypto.createHash('sha256').update(s).digest('hex');
}

/** The group a bundle's task joins: its sandbox/group annotation, else its namespace's shared shim. */
export function groupOf(bundle: string): string {
  try {
    const spec = JSON.parse(fs.readFileSync(path.join(bundle, 'config.json'), 'utf8')) as { annotations?: Record<string, string> };
    for (const a of GROUP_ANNOTATIONS) if (spec.annotations?.[a]) return spec.annotations[a];
  } catch { /* no config: the namespace's shim */ }
  return '';
}

/** `containerdAddress` tells containerds apart: each has its own shims. */
export function shimPlace(containerdAddress: string, namespace: string, group: string, runtimeRoot?: string): ShimPlace {
  const key = sha256(`${containerdAddress}\0${namespace}\0${group}`);
  return {
    socket: path.join(SOCKET_DIR, key),
    stateDir: path.join(STATE_BASE, key.slice(0, 32)),
    runtimeRoot: runtimeRoot || path.join(RUNTIME_ROOT_BASE, namespace),
  };
}

/** What `delete` needs when the daemon is gone: recorded beside the tasks. */
export interface ShimRecord {
  pid: number;
  socket: string;
  runtime: string;
  runtimeRoot: string;
}

export const SHIM_RECORD = 'shim.json';
