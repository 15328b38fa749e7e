// `delete`: containerd's cleanup after a shim died or a start failed. Kills
// and removes the task whether or not a daemon still holds it, unmounts the
// rootfs, and prints a DeleteResponse. Succeeds when all is already gone.
import fs from 'node:fs';
import path from 'node:path';
import { Runtime, resolveBinary } from '../runtime';
import { Code, NAMESPACE_KEY, TtrpcError } from '../ttrpc/status';
import type { ShimFlags } from './flags';
import { groupOf, shimPlace, SHIM_RECORD, type ShimPlace, type ShimRecord } from './paths';
import { connectable, lockStateDir, LOCK_WAIT_MS, removeIfDead, type StateLock } from './statelock';
import { invalid } from '../errors';

const SIGKILL = 9;

/** How many mounts are stacked on `target` now. */
function mountsOn(target: string): number {
  try {
    return fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => l.split(' ')[4] === target).length;
  } catch {
    return 0;
  }
}

/** Through a live daemon: kill, wait, delete. Returns the pid, or undefined when it does not know the task. */
async function deleteThroughDaemon(socket: string, f: ShimFlags): Promise<number | undefined> {
  const { protoRoot, TASK_SERVICE } = require('../proto') as typeof import('../proto');
  const { TtrpcClient } = require('../ttrpc/client') as typeof import('../ttrpc/client');
  const client = await TtrpcClient.connect(socket);
  const md = { [NAMESPACE_KEY]: [f.namespace] };
  const call = (method: string, req: object) => {
    const m = protoRoot().lookupService(TASK_SERVICE).methods[method];
    m.resolve();
    return client.call(TASK_SERVICE, method, m.resolvedRequestType!, m.resolvedResponseType!, req, md);
  };
  try {
    await call('Kill', { id: f.id, signal: SIGKILL, all: true }).catch((e: TtrpcError) => {
      if (e.code !== Code.NOT_FOUND && e.code !== Code.FAILED_PRECONDITION) throw e;
    });
    await call('Wait', { id: f.id });
    return (await call('Delete', { id: f.id })).pid as number;
  } catch (e) {
    if (e instanceof TtrpcError && e.code === Code.NOT_FOUND) return undefined;
    throw e;
  } finally {
    client.close();
  }
}

/** The task's runtime container, rootfs mounts and record, whether or not a daemon deleted it first. Returns its pid when known. */
async function cleanUp(f: ShimFlags, place: ShimPlace, rec: Partial<ShimRecord>, bundle: string, known: number): Promise<number> {
  let pid = known;
  const taskDir = path.join(place.stateDir, 'tasks', f.id);
  try {
    pid ||= JSON.parse(fs.readFileSync(path.join(taskDir, 'task.json'), 'utf8')).init?.pid ?? 0;
  } catch { /* no record */ }
  const binary = rec.runtime ?? resolveBinary('hull', path.resolve(__dirname, '../../../runtime/bin/hull'));
  const runtimeRoot = rec.runtimeRoot ?? place.runtimeRoot;
  // runc's layout, which hull keeps: <root>/<id> while the runtime knows the container.
  if (binary && fs.existsSync(path.join(runtimeRoot, f.id))) {
    await new Runtime(binary, runtimeRoot).run(['delete', '--force', f.id]).catch((e: { grpcCode?: number }) => {
      if (e.grpcCode !== Code.NOT_FOUND) throw e;
    });
  }
  const rootfs = path.join(bundle, 'rootfs');
  const mounted = mountsOn(rootfs);
  if (mounted) (require('../mounts') as typeof import('../mounts')).unmountAll(rootfs, mounted);
  fs.rmSync(taskDir, { recursive: true, force: true });
  return pid;
}

export async function deleteTask(f: ShimFlags): Promise<Buffer> {
  if (!f.id) throw invalid('-id: required');
  if (!f.namespace) throw invalid('-namespace: required');
  const bundle = f.bundle || process.cwd();
  const ttrpcAddress = process.env.TTRPC_ADDRESS || `${f.address}.ttrpc`;
  const place = shimPlace(ttrpcAddress, f.namespace, groupOf(bundle));
  let rec: Partial<ShimRecord> = {};
  try {
    rec = JSON.parse(fs.readFileSync(path.join(place.stateDir, SHIM_RECORD), 'utf8'));
  } catch { /* no daemon ever ran here */ }
  let pid = 0;
  let lock: StateLock | undefined;
  let live = await connectable(place.socket);
  if (!live) {
    // The daemon is gone: clean up holding its state dir, so that a daemon starting meanwhile waits for
    // us rather than take back a half-removed task; one that came up before we got it does the delete.
    lock = lockStateDir(place.stateDir, { create: false, waitMs: LOCK_WAIT_MS });
    if (lock && (live = await connectable(place.socket))) {
      lock.release();
      lock = undefined;
    }
  }
  try {
    if (live) pid = (await deleteThroughDaemon(place.socket, f)) ?? 0;
    pid = await cleanUp(f, place, rec, bundle, pid);
    // The dead daemon's last task: nothing of it is left (runc's shim leaves its socket file).
    if (lock) await removeIfDead(place.stateDir, place.socket);
  } finally {
    lock?.release();
  }
  const ms = Date.now();
  return deleteResponse(pid, 128 + SIGKILL, Math.floor(ms / 1000), (ms % 1000) * 1e6);
}

/**
 * containerd.task.v2.DeleteResponse {pid = 1, exit_status = 2, exited_at = 3
 * (Timestamp {seconds = 1, nanos = 2})}, written by hand: containerd runs
 * `delete` after every shim exit, and loading protobufjs would double its cost.
 */
export function deleteResponse(pid: number, exitStatus: number, seconds: number, nanos: number): Buffer {
  const varint = (n: number): number[] => {
    const out: number[] = [];
    let v = BigInt(n);
    do {
      let b = Number(v & 0x7fn);
      v >>= 7n;
      if (v) b |= 0x80;
      out.push(b);
    } while (v);
    return out;
  };
  const field = (num: number, n: number): number[] => (n ? [(num << 3) | 0, ...varint(n)] : []);
  const ts = [...field(1, seconds), ...field(2, nanos)];
  return Buffer.from([...field(1, pid), ...field(2, exitStatus), (3 << 3) | 2, ...varint(ts.length), ...ts]);
}
