// `start`: find or begin the shim daemon for this task's namespace (or group)
// and print its address. The daemon inherits the bound socket as fd 3, so two
// `start`s racing end up at one daemon; it runs in its own session, with the
// bundle's log FIFO as stderr and none of containerd's stdio.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { writeFileAtomicSync } from '@hull/sys/atomic';
import { invalid, precondition } from '../errors';
import { cleanEnv } from '../runtime';
import type { ShimFlags } from './flags';
import { groupOf, shimPlace, SOCKET_DIR, type ShimPlace } from './paths';
import { connectable, lockStateDir, LOCK_WAIT_MS } from './statelock';

export const DAEMON_LISTEN_FD = 3;
/** The daemon starts as `start` did: from the bin script, so from the bundle and its code cache when built. */
const DAEMON_SCRIPT = path.resolve(__dirname, '../../bin/containerd-shim-hull-v2');

function listen(socket: string): Promise<net.Server | undefined> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', (e: NodeJS.ErrnoException) => (e.code === 'EADDRINUSE' ? resolve(undefined) : reject(e)));
    server.listen(socket, () => resolve(server));
  });
}

/** The bundle's log FIFO for writing, if containerd holds its reading end. */
function openLog(bundle: string): number | undefined {
  try {
    return fs.openSync(path.join(bundle, 'log'), fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
  } catch {
    return undefined;
  }
}

function spawnDaemon(server: net.Server, f: ShimFlags, place: ShimPlace, runtimeBinary: string, bundle: string): void {
  const fd = (server as unknown as { _handle: { fd: number } })._handle.fd;
  const logFd = openLog(bundle);
  const args = [
    DAEMON_SCRIPT, '-namespace', f.namespace, '-address', f.address, '-publish-binary', f.publishBinary, '-id', f.id, '-bundle', bundle,
    ...(runtimeBinary ? ['-runtime-binary', runtimeBinary] : []), '-runtime-root', place.runtimeRoot, ...(f.debug ? ['-debug'] : []), 'serve',
  ];
  const child = spawn(process.execPath, args, {
    cwd: '/', detached: true, env: cleanEnv(), stdio: ['ignore', 'ignore', logFd ?? 'ignore', fd],
  });
  child.unref();
  if (logFd !== undefined) fs.closeSync(logFd);
}

/**
 * Binds the group's socket (over a dead daemon's) and spawns its daemon, holding the state dir: a
 * `delete` or reclaimer that finds nobody answering cannot remove the socket just bound, and a daemon
 * still stopping (its socket already gone) finishes removing its state dir before a successor uses it.
 */
async function bindDaemon(f: ShimFlags, place: ShimPlace, runtimeBinary: string, bundle: string): Promise<void> {
  const lock = lockStateDir(place.stateDir, { create: true, waitMs: LOCK_WAIT_MS });
  if (!lock) throw precondition(`shim state ${place.stateDir}: held by a daemon that does not answer on ${place.socket}`);
  try {
    for (let attempt = 0; ; attempt++) {
      const server = await listen(place.socket);
      if (server) {
        fs.chmodSync(place.socket, 0o600);
        spawnDaemon(server, f, place, runtimeBinary, bundle);
        return;
      }
      if (await connectable(place.socket)) return; // a daemon of this group came up meanwhile: share it
      if (attempt >= 3) throw invalid(`socket ${place.socket}: in use but nobody answers`);
      fs.rmSync(place.socket, { force: true }); // left by a daemon that died
    }
  } finally {
    lock.release();
  }
}

export async function start(f: ShimFlags, stdin: Buffer): Promise<string> {
  if (!f.id) throw invalid('-id: required');
  if (!f.namespace) throw invalid('-namespace: required');
  const bundle = process.cwd();
  // The protobuf code loads only when containerd sent options: `start` runs per container.
  const opts = stdin.length
    ? (require('./options') as typeof import('./options')).runtimeOptionsFromBytes(stdin)
    : { binaryName: '', root: '' };
  const ttrpcAddress = process.env.TTRPC_ADDRESS || `${f.address}.ttrpc`;
  const place = shimPlace(ttrpcAddress, f.namespace, groupOf(bundle), opts.root);
  fs.mkdirSync(SOCKET_DIR, { recursive: true, mode: 0o711 });
  // A daemon of this group serves already: share it (the common case, needing no lock).
  if (!(await connectable(place.socket))) {
    // No BinaryName from containerd: HULL_SHIM_RUNTIME (containerd's environment), else hull.
    await bindDaemon(f, place, opts.binaryName || process.env.HULL_SHIM_RUNTIME || '', bundle);
  }
  const address = `unix://${place.socket}`;
  writeFileAtomicSync(path.join(bundle, 'address'), address, { fsync: false });
  return address;
}
